"""GET /metrics after runs driven by the official SDK, read with Prometheus' own text parser; and the
request and run ids every JSON log line of a run carries."""

from __future__ import annotations

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cluster_support import CLUSTER_NODES
from compat_support import httpx
from run_support import text_reply

METRICS_TOKEN = "metrics-secret"

# Each node keeps its own numbers: behind the cluster's balancer a scrape reads one node's.
pytestmark = pytest.mark.skipif(bool(CLUSTER_NODES), reason="per-node metrics")


def scrape(server, token: str | None = METRICS_TOKEN) -> dict:
    """{(name, sorted labels): value} of every sample."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = httpx.get(f"http://127.0.0.1:{server.port}/metrics", headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(resp.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metrics_server(run_server_factory):
    return run_server_factory(extra_args=("--metrics-token", METRICS_TOKEN, "--log-format", "json")).start()


def test_metrics_count_what_sdk_runs_did(metrics_server, fake):
    c = metrics_server.client()
    a = c.beta.assistants.create(model="gpt-4o", instructions="Be brief.")
    t = c.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
    before = scrape(metrics_server)

    fake.script(text_reply("Polled answer.", usage={"prompt_tokens": 20, "completion_tokens": 4}))
    polled = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id, poll_interval_ms=50)
    assert polled.status == "completed"
    fake.script(text_reply("Streamed answer.", chunk_size=4, usage={"prompt_tokens": 30, "completion_tokens": 6}))
    with c.beta.threads.runs.stream(thread_id=t.id, assistant_id=a.id) as stream:
        stream.until_done()
        assert stream.get_final_run().status == "completed"

    after = scrape(metrics_server)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("assistants_runs_total", status="completed") == 2
    assert moved("assistants_prompt_tokens_total", project="proj_default", model="gpt-4o") == 50
    assert moved("assistants_completion_tokens_total", project="proj_default", model="gpt-4o") == 10
    assert moved("assistants_run_time_to_first_token_seconds_count") == 2
    assert moved("assistants_run_duration_seconds_count", status="completed") == 2
    assert moved("assistants_upstream_request_duration_seconds_count", status="200") == 2
    route = "/v1/threads/{thread_id}/runs"
    assert moved("assistants_http_requests_total", route=route, method="POST", status="200") == 2
    assert value(after, "assistants_http_requests_total", route="/v1/assistants", method="POST", status="200") == 1
    assert value(after, "assistants_run_queue_depth") == 0
    c.close()


def test_metrics_need_their_token(metrics_server):
    resp = httpx.get(f"http://127.0.0.1:{metrics_server.port}/metrics")
    assert resp.status_code == 401
    assert resp.json()["error"]["type"] == "invalid_request_error"
    # An API key is not the metrics token.
    resp = httpx.get(f"http://127.0.0.1:{metrics_server.port}/metrics", headers={"Authorization": "Bearer test-key-1"})
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "invalid_metrics_token"


def test_json_log_lines_of_a_run_carry_its_request_and_run_ids(metrics_server, fake):
    c = metrics_server.client()
    a = c.beta.assistants.create(model="gpt-4o")
    t = c.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
    start = metrics_server.log_size()
    fake.script(text_reply("Hi."))
    raw = c.beta.threads.runs.with_raw_response.create(thread_id=t.id, assistant_id=a.id)
    request_id = raw.headers["x-request-id"]
    run = raw.parse()
    c.beta.threads.runs.poll(run_id=run.id, thread_id=t.id, poll_interval_ms=50)
    c.close()

    lines = [line for line in metrics_server.read_log(start, limit=1 << 20).splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]  # one object per line
    ended = [e for e in entries if e.get("message") == "run ended" and e.get("run_id") == run.id]
    assert len(ended) == 1, lines
    assert ended[0]["request_id"] == request_id
    assert ended[0]["thread_id"] == t.id
