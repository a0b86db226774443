"""A node of a three-node cluster killed with SIGKILL in the middle of work (ASSISTANTS_COMPAT_CLUSTER only).

Each test starts its own cluster (scripts/cluster: PostgreSQL, three nodes, nginx), stores a few things,
kills one node mid-stream (of a run, or of a background response followed again through another node),
mid-upload, mid-ingestion or mid-code-execution, and then checks what users
would see through the nodes that are left: no run stays active, no thread stays locked, nothing stored
before is lost, a stream's client is never left hanging; and that the killed node, started again, rejoins.

Every node calls the fake model with its own key (`node-<i>`), so the fake's records say which node
executes a run. Waits are bounded and generous: a dead node's claims expire after NODE_LEASE_TTL_S, and
another node must then notice.
"""

from __future__ import annotations

import json
import os
import threading
import time

import openai
import pytest

from cluster_support import CLUSTER_NODES, NODE_LEASE_TTL_S, ClusterProcess
from compat_support import API_KEYS, httpx
from run_support import TERMINAL, WEATHER, text_reply, tool_reply, wait_for_status

pytestmark = pytest.mark.skipif(not CLUSTER_NODES, reason="needs a cluster: set ASSISTANTS_COMPAT_CLUSTER=3")

# A lease expiring, a live node noticing, the run failed: several TTLs, plus room for a loaded machine.
RECOVERY_S = NODE_LEASE_TTL_S * 6 + 30
# nginx leaves a node that refused a connection alone this long (deploy/nginx-cluster.conf: the default).
NGINX_FAIL_TIMEOUT_S = 10
ACTIVE = {"queued", "in_progress", "cancelling"}
AUTH = {"Authorization": f"Bearer {API_KEYS[0]}"}
BETA = {**AUTH, "OpenAI-Beta": "assistants=v2"}


@pytest.fixture
def cluster(tmp_path_factory, fake_model):
    root = tmp_path_factory.mktemp("faults")
    c = ClusterProcess(
        root / "cluster", log_path=root / "cluster.log", upstream_url=fake_model.base_url, nodes=3,
        # One run at a time per node: a second run sent to a busy node waits there, queued.
        extra_args=("--run-workers", "1"),
        node_env={"ASSISTANTS_UPSTREAM_API_KEY": "node-%n"},
    )
    c.start()
    yield c
    c.stop()


def code(source: str) -> dict:
    return tool_reply(("code_interpreter", json.dumps({"code": source})))


def executor(fake, index: int = -1) -> int:
    """The node that sent the fake model its `index`th chat request."""
    auth = fake.recorded()[index]["authorization"]
    assert auth and auth.startswith("Bearer node-"), auth
    return int(auth.removeprefix("Bearer node-"))


def wait_until(what: str, predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f}s", pytrace=False)
        time.sleep(0.1)


# ---------------------------------------------------------------------------
# what was stored before, and the checks after
# ---------------------------------------------------------------------------

def seed(cluster: ClusterProcess) -> dict:
    """An assistant, a thread with messages, a file and a vector store holding one, all through node 1."""
    c = cluster.node_client(1)
    blob = os.urandom(64 * 1024)
    a = c.beta.assistants.create(model="gpt-4o", name="stored before")
    t = c.beta.threads.create(messages=[{"role": "user", "content": "one"}, {"role": "assistant", "content": "two"}])
    f = c.files.create(file=("before.bin", blob, "application/octet-stream"), purpose="assistants")
    doc = c.files.create(file=("before.txt", b"The cluster keeps what it stored.\n" * 50, "text/plain"), purpose="assistants")
    vs = c.vector_stores.create(name="before", file_ids=[doc.id])
    counts = wait_until("the seeded vector store's file is ingested",
                        lambda: (n := c.vector_stores.retrieve(vs.id).file_counts).in_progress == 0 and n, RECOVERY_S)
    assert counts.completed == 1, c.vector_stores.files.retrieve(doc.id, vector_store_id=vs.id).last_error
    c.close()
    return {"assistant": a.id, "thread": t.id, "file": f.id, "blob": blob, "vector_store": vs.id}


def check_stored(cluster: ClusterProcess, seeded: dict, nodes) -> None:
    """Everything `seed` stored reads back the same through each of `nodes`."""
    for i in nodes:
        c = cluster.node_client(i)
        assert c.beta.assistants.retrieve(seeded["assistant"]).name == "stored before", f"node{i}"
        texts = [m.content[0].text.value for m in c.beta.threads.messages.list(seeded["thread"], order="asc")]
        assert texts == ["one", "two"], f"node{i}: {texts}"
        assert c.files.retrieve(seeded["file"]).bytes == len(seeded["blob"]), f"node{i}"
        assert c.files.content(seeded["file"]).read() == seeded["blob"], f"node{i}: the file's bytes differ"
        counts = c.vector_stores.retrieve(seeded["vector_store"]).file_counts
        assert counts.completed == 1 and counts.in_progress == 0, f"node{i}: {counts}"
        hits = c.vector_stores.search(seeded["vector_store"], query="cluster keeps stored")
        assert list(hits), f"node{i}: search finds nothing in the seeded store"
        c.close()


def check_not_stuck(cluster: ClusterProcess, fake, thread_ids, assistant_id: str) -> None:
    """No run of these threads stays active, a failed one says why, and each thread takes a new run."""
    c = cluster.client()
    for thread_id in thread_ids:
        for run in c.beta.threads.runs.list(thread_id):
            assert run.status not in ACTIVE, f"run {run.id} is stuck {run.status}"
            if run.status == "failed":
                assert run.last_error is not None and run.last_error.message, run
        for message in c.beta.threads.messages.list(thread_id):
            assert message.status != "in_progress", f"message {message.id} is stuck in_progress"
        # Not locked: a message and a run are accepted, and the run completes.
        c.beta.threads.messages.create(thread_id, role="user", content="still there?")
        fake.script(text_reply("yes"))
        again = c.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant_id, poll_interval_ms=200)
        assert again.status == "completed", (again.status, again.last_error)
    c.close()


def check_rejoins(cluster: ClusterProcess, k: int, seeded: dict) -> None:
    """Node k, started again, serves what the cluster stored, and nginx sends it requests again."""
    cluster.restart_node(k)
    # nginx tries a node that refused connections again after its fail timeout, counted from the last
    # request that failed on it: at the latest, just before the node answered again.
    restarted_at = time.monotonic()
    check_stored(cluster, seeded, [k])
    time.sleep(max(0.0, restarted_at + NGINX_FAIL_TIMEOUT_S + 1 - time.monotonic()))
    log = cluster.data_dir / f"node{k}" / "log"
    before = log.stat().st_size
    with httpx.Client(base_url=cluster.url, headers=BETA, timeout=30) as http:
        for _ in range(12):
            assert http.get(f"/v1/assistants/{seeded['assistant']}").status_code == 200
    with open(log, "rb") as f:
        f.seek(before)
        served = f.read().decode(errors="replace").count(f"/v1/assistants/{seeded['assistant']}")
    assert served > 0, f"nginx sent none of 12 requests to the restarted node{k}"


# ---------------------------------------------------------------------------
# the faults
# ---------------------------------------------------------------------------

class StreamReader(threading.Thread):
    """Reads an SDK event stream to its end in the background, keeping the events and how it ended."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.events: list[str] = []
        self.error: BaseException | None = None

    def run(self):
        try:
            for event in self.stream:
                self.events.append(event.event)
        except BaseException as e:  # noqa: BLE001 - how the stream ended is what the test looks at
            self.error = e


def test_kill_the_node_executing_a_streamed_run(cluster, fake):
    seeded = seed(cluster)
    c = cluster.client()
    a = c.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    t = c.beta.threads.create(messages=[{"role": "user", "content": "weather?"}])
    fake.script(tool_reply(("get_weather", '{"city":"Bern"}')))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id, poll_interval_ms=200)
    assert run.status == "requires_action", (run.status, run.last_error)
    (call,) = run.required_action.submit_tool_outputs.tool_calls

    # The run goes on streaming slowly (~15 s), its events read by a client of node 2.
    fake.script(text_reply("z" * 60, chunk_size=1, delay_ms_between=250))
    stream = cluster.node_client(2).beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=t.id, tool_outputs=[{"tool_call_id": call.id, "output": "5C"}], stream=True)
    reader = StreamReader(stream)
    reader.start()
    wait_until("the streamed run's first text", lambda: "thread.message.delta" in reader.events or reader.error, 60)
    assert reader.error is None, reader.error
    k = executor(fake)

    # A run on another thread sent to the busy node waits there, queued (one worker per node).
    other = c.beta.threads.create(messages=[{"role": "user", "content": "queued behind"}])
    queued = cluster.node_client(k).beta.threads.runs.create(thread_id=other.id, assistant_id=a.id)

    cluster.kill_node(k)
    reader.join(RECOVERY_S)
    assert not reader.is_alive(), f"the stream's client is still waiting {RECOVERY_S}s after node{k} died"
    ended = reader.events[-1] if reader.events else None
    if k != 2:
        # The client's node lives: it must see the run end (closing events or an error event).
        closing = {"thread.run.failed", "thread.run.completed", "thread.run.cancelled", "thread.run.expired",
                   "thread.run.incomplete"}
        assert ended in closing or isinstance(reader.error, openai.APIError), (ended, reader.error)
        assert not isinstance(reader.error, (openai.APIConnectionError, httpx.TransportError)), reader.error

    survivor = cluster.client()
    after = wait_for_status(survivor, t.id, run.id, TERMINAL, timeout=RECOVERY_S)
    assert after.status in ("failed", "completed"), f"run stuck {after.status} after node{k} died"
    if after.status == "failed":
        assert after.last_error is not None and after.last_error.message
    waited = wait_for_status(survivor, other.id, queued.id, TERMINAL, timeout=RECOVERY_S)
    assert waited.status in ("failed", "completed"), f"a run queued on node{k} is stuck {waited.status}"
    survivor.close()

    check_not_stuck(cluster, fake, [t.id, other.id], a.id)
    check_stored(cluster, seeded, [i for i in (1, 2, 3) if i != k])
    check_rejoins(cluster, k, seeded)


def test_kill_the_node_executing_a_background_response(cluster, fake):
    fake.script(text_reply("z" * 60, chunk_size=1, delay_ms_between=250))
    r = cluster.node_client(1).responses.create(model="gpt-4o", input="Slowly.", background=True)
    wait_until("the model is called", lambda: fake.recorded(), 60)
    k = executor(fake)
    alive = [i for i in (1, 2, 3) if i != k]

    # A client of a live node reads the stream from the start until a few letters, then goes away.
    seen = []
    with cluster.node_client(alive[0]).responses.retrieve(r.id, stream=True) as stream:
        for event in stream:
            seen.append(event)
            if sum(e.type == "response.output_text.delta" for e in seen) == 3:
                break
    cluster.kill_node(k)

    # It comes back through the other live node: the rest of what was stored, then the end that recovery
    # gives the response, nothing it had given twice.
    client = cluster.node_client(alive[1], timeout=RECOVERY_S)
    with client.responses.retrieve(r.id, stream=True, starting_after=seen[-1].sequence_number) as stream:
        rest = list(stream)
    numbers = [e.sequence_number for e in seen + rest]
    assert numbers == list(range(len(numbers))), numbers
    assert rest and rest[-1].type in ("response.failed", "response.completed"), [e.type for e in rest]
    final = client.responses.retrieve(r.id)
    assert final.status == rest[-1].response.status, (final.status, rest[-1].response.status)
    # And from the first event, through either live node, the same stream.
    for i in alive:
        with cluster.node_client(i).responses.retrieve(r.id, stream=True) as stream:
            assert [e.sequence_number for e in stream] == numbers, f"node{i}"
    client.close()


def multipart_upload(boundary: str, chunks: int, on_chunk):
    """A multipart file upload sent slowly, calling on_chunk(i) before chunk i."""
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n"
           f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"half.bin\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n").encode()
    for i in range(chunks):
        on_chunk(i)
        yield os.urandom(256 * 1024)
        time.sleep(0.05)
    yield f"\r\n--{boundary}--\r\n".encode()


def check_files_whole(cluster: ClusterProcess, nodes) -> None:
    """Every file each node lists is complete: its content has the size it claims; none is the half upload."""
    for i in nodes:
        c = cluster.node_client(i)
        for f in c.files.list(limit=100):
            assert f.filename != "half.bin", f"node{i} lists the interrupted upload: {f}"
            assert len(c.files.content(f.id).read()) == f.bytes, f"node{i}: {f.id} is not whole"
        c.close()


def test_kill_a_node_mid_upload(cluster, fake):
    seeded = seed(cluster)
    k = 3
    killed = False

    def kill_midway(i):
        nonlocal killed
        if i == 8:  # 2 MiB in
            killed = True
            cluster.kill_node(k)

    boundary = "cluster-fault-boundary"
    with pytest.raises((httpx.TransportError, httpx.HTTPError)):
        r = httpx.post(
            f"{cluster.node_url(k)}/v1/files", content=multipart_upload(boundary, 64, kill_midway),
            headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout=60)
        # Reaching here means the upload was answered: only an error answer is acceptable.
        assert r.status_code >= 400, f"a node killed mid-upload answered {r.status_code}: {r.text[:300]}"
        raise httpx.HTTPError(f"answered {r.status_code}")
    assert killed
    check_files_whole(cluster, [i for i in (1, 2, 3) if i != k])
    check_stored(cluster, seeded, [i for i in (1, 2, 3) if i != k])
    check_rejoins(cluster, k, seeded)
    check_files_whole(cluster, [k])


def test_kill_a_node_mid_ingestion(cluster, fake):
    seeded = seed(cluster)
    c = cluster.client()
    words = " ".join(f"word{i % 5000} topic{i % 37}" for i in range(400_000))
    big = c.files.create(file=("big.txt", words.encode(), "text/plain"), purpose="assistants")
    k = 2
    vs = cluster.node_client(k).vector_stores.create(name="ingesting", file_ids=[big.id])
    cluster.kill_node(k)

    def settled():
        f = c.vector_stores.files.retrieve(big.id, vector_store_id=vs.id)
        return f if f.status != "in_progress" else None

    f = wait_until("the file being ingested on the killed node settles", settled, RECOVERY_S)
    assert f.status in ("completed", "failed"), f
    if f.status == "failed":
        assert f.last_error is not None and f.last_error.message, f
    counts = c.vector_stores.retrieve(vs.id).file_counts
    assert counts.in_progress == 0 and counts.completed + counts.failed == 1, counts
    c.close()
    check_stored(cluster, seeded, [i for i in (1, 2, 3) if i != k])
    check_rejoins(cluster, k, seeded)


def test_kill_the_node_executing_code(cluster, fake):
    seeded = seed(cluster)
    c = cluster.client()
    a = c.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    t = c.beta.threads.create(messages=[{"role": "user", "content": "count slowly"}])
    fake.script(code("import time\nx = 41\ntime.sleep(120)\nprint('done')"))
    run = c.beta.threads.runs.create(thread_id=t.id, assistant_id=a.id)

    def executing_code():
        steps = c.beta.threads.runs.steps.list(run.id, thread_id=t.id)
        return any(s.type == "tool_calls" and s.status == "in_progress" for s in steps)

    wait_until("the code interpreter step starts", executing_code, 60)
    k = executor(fake)
    cluster.kill_node(k)

    after = wait_for_status(c, t.id, run.id, TERMINAL, timeout=RECOVERY_S)
    assert after.status in ("failed", "completed"), f"run stuck {after.status} after node{k} died"
    if after.status == "failed":
        assert after.last_error is not None and after.last_error.message
    for s in c.beta.threads.runs.steps.list(run.id, thread_id=t.id):
        assert s.status != "in_progress", f"step {s.id} is stuck in_progress"

    # The thread's session died with the node: a new one answers (without the old `x`).
    fake.script(code("print(6 * 7)"))
    again = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id, poll_interval_ms=200)
    assert again.status == "completed", (again.status, again.last_error)
    answer = c.beta.threads.messages.list(t.id).data[0]
    assert "42" in "".join(p.text.value for p in answer.content if p.type == "text")
    c.close()
    check_not_stuck(cluster, fake, [t.id], a.id)
    check_stored(cluster, seeded, [i for i in (1, 2, 3) if i != k])
    check_rejoins(cluster, k, seeded)
