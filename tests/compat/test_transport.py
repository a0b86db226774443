"""Health, headers and the things every request goes through."""

from __future__ import annotations

import openai

from compat_support import httpx


def test_health_needs_no_auth(server):
    r = httpx.get(f"{server.url}/health", timeout=10)
    assert r.status_code == 200


def test_health_ignores_a_bad_key(server):
    r = httpx.get(f"{server.url}/health", headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert r.status_code == 200


def test_responses_are_json(client):
    raw = client.beta.assistants.with_raw_response.create(model="gpt-4o")
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/json")


def test_sdk_sends_beta_header_and_stainless_headers(client):
    raw = client.beta.threads.with_raw_response.create()
    sent = raw.http_request.headers
    assert sent["openai-beta"] == "assistants=v2"
    assert any(k.lower().startswith("x-stainless-") for k in sent)
    assert raw.status_code == 200


def test_organization_project_and_extra_headers_are_tolerated(server):
    c = openai.OpenAI(
        base_url=server.base_url,
        api_key="test-key-1",
        organization="org-abc123",
        project="proj_abc123",
        max_retries=0,
        default_headers={
            "X-Stainless-Poll-Helper": "true",
            "X-Stainless-Custom-Poll-Interval": "500",
            "X-Stainless-Stream-Helper": "threads.runs.create_and_stream",
            "X-Stainless-Custom-Event-Handler": "false",
            "X-Some-Proxy-Header": "1",
        },
    )
    a = c.beta.assistants.create(model="gpt-4o", name="headers")
    assert c.beta.assistants.retrieve(a.id).name == "headers"
    f = c.files.create(file=("h.txt", b"h"), purpose="assistants")
    assert c.files.retrieve(f.id).bytes == 1
    c.close()


def test_unknown_route_is_a_json_404(http, beta_headers):
    r = http.get("/v1/definitely-not-a-route", headers=beta_headers)
    assert r.status_code == 404
    body = r.json()
    assert set(body["error"]) >= {"message", "type", "param", "code"}


def test_wrong_method_is_not_5xx(http, beta_headers):
    r = http.put("/v1/assistants", headers=beta_headers, json={"model": "gpt-4o"})
    assert 400 <= r.status_code < 500 and r.status_code != 409, r.status_code
    r = http.patch("/v1/threads/thread_x", headers=beta_headers, json={})
    assert 400 <= r.status_code < 500 and r.status_code != 409, r.status_code
