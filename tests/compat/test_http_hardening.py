"""What the HTTP layer adds to every request: request ids, HEAD and 405, size limits, keyless-mode guards."""

from __future__ import annotations

import json
import re
import socket

import openai
import pytest

from compat_support import httpx
from run_support import text_reply

REQUEST_ID = re.compile(r"^req_[0-9a-f]{32}$")


def test_sdk_responses_expose_a_request_id(client):
    raw = client.beta.assistants.with_raw_response.create(model="gpt-4o")
    assert REQUEST_ID.match(raw.request_id)
    assistant = raw.parse()
    assert REQUEST_ID.match(assistant._request_id)
    again = client.beta.assistants.with_raw_response.retrieve(assistant.id)
    assert again.request_id != raw.request_id


def test_sdk_errors_carry_the_request_id(client):
    with pytest.raises(openai.NotFoundError) as caught:
        client.beta.assistants.retrieve("asst_missing")
    assert REQUEST_ID.match(caught.value.request_id)


def test_streamed_runs_carry_a_request_id(run_client, run_assistant, fake):
    t = run_client.beta.threads.create(messages=[{"role": "user", "content": "id please"}])
    fake.script(text_reply("streamed"))
    with run_client.beta.threads.runs.with_streaming_response.create(
        thread_id=t.id, assistant_id=run_assistant.id, stream=True
    ) as response:
        assert REQUEST_ID.match(response.request_id)
        assert response.headers["content-type"].startswith("text/event-stream")
        response.read()


def test_request_id_is_in_the_server_log(server, client):
    start = server.log_size()
    raw = client.files.with_raw_response.list()
    assert raw.request_id in server.read_log(start, limit=100_000)


def test_head_and_405(http, beta_headers):
    head = http.head("/health")
    assert head.status_code == 200 and head.content == b""
    listed = http.head("/v1/assistants", headers=beta_headers)
    assert listed.status_code == 200 and listed.content == b""
    put = http.put("/v1/assistants", headers=beta_headers, json={})
    assert put.status_code == 405
    assert put.headers["allow"] == "GET, HEAD, POST"
    assert set(put.json()["error"]) == {"message", "type", "param", "code"}


def test_oversized_json_bodies_are_413s_not_retried(server):
    c = openai.OpenAI(base_url=server.base_url, api_key="test-key-1", max_retries=2)
    requests = []
    c._client.event_hooks["request"].append(requests.append)
    with pytest.raises(openai.APIStatusError) as caught:
        c.beta.assistants.create(model="gpt-4o", instructions="a" * (33 * 1024 * 1024))
    assert caught.value.status_code == 413
    assert "32 MiB" in caught.value.message
    assert len(requests) == 1
    c.close()


def test_oversized_chunked_bodies_are_413s(server):
    def chunks():
        yield b'{"model":"gpt-4o","instructions":"'
        for _ in range(33):
            yield b"a" * (1024 * 1024)
        yield b'"}'

    r = httpx.post(
        f"{server.base_url}/assistants",
        content=chunks(),
        headers={"Authorization": "Bearer test-key-1", "OpenAI-Beta": "assistants=v2", "Content-Type": "application/json"},
        timeout=60,
    )
    assert r.status_code == 413
    assert r.json()["error"]["type"] == "invalid_request_error"


def test_response_format_schema_must_be_an_object(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.assistants.create(
            model="gpt-4o",
            response_format={"type": "json_schema", "json_schema": {"name": "s", "schema": [None, None]}},
        )
    assert caught.value.param == "response_format.json_schema.schema"


def test_unnamed_vector_store_has_a_string_name(client):
    store = client.vector_stores.create()
    assert store.name == ""
    raw = client.vector_stores.with_raw_response.retrieve(store.id)
    assert json.loads(raw.text)["name"] == ""


def test_null_score_threshold_is_a_400(client):
    store = client.vector_stores.create(name="nulls")
    with pytest.raises(openai.BadRequestError) as caught:
        client.vector_stores.search(store.id, query="q", ranking_options={"score_threshold": None})
    assert caught.value.param == "ranking_options.score_threshold"


def raw_get(port: int, host: str, extra: str = "") -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET /v1/files HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data.decode(errors="replace")


@pytest.fixture
def keyless_server(server_factory):
    srv = server_factory()
    srv.api_keys = ()
    return srv.start()


def test_keyless_mode_refuses_foreign_hosts_origins_and_content_types(keyless_server):
    port = keyless_server.port
    assert raw_get(port, f"127.0.0.1:{port}").startswith("HTTP/1.1 200")
    assert raw_get(port, f"localhost:{port}").startswith("HTTP/1.1 200")
    rebound = raw_get(port, f"attacker.example:{port}")
    assert rebound.startswith("HTTP/1.1 403")
    assert '"type":"invalid_request_error"' in rebound
    cross = raw_get(port, f"127.0.0.1:{port}", "Origin: http://attacker.example\r\n")
    assert cross.startswith("HTTP/1.1 403")
    simple_post = httpx.post(
        f"{keyless_server.base_url}/assistants",
        content=b'{"model":"gpt-4o"}',
        headers={"Content-Type": "text/plain", "OpenAI-Beta": "assistants=v2"},
        timeout=10,
    )
    assert simple_post.status_code == 415
    sdk = openai.OpenAI(base_url=keyless_server.base_url, api_key="unused", max_retries=0)
    assert sdk.beta.assistants.create(model="gpt-4o").model == "gpt-4o"
    sdk.close()
