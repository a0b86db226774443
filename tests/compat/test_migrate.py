"""`assistants migrate`: a single node's deployment, made through the SDK, read back from a node on PostgreSQL.

Needs PostgreSQL (ASSISTANTS_TEST_POSTGRES_URL, or its binaries installed for scripts/postgres-for-tests);
skipped otherwise, and in cluster mode, where every server is already on PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess

import openai
import pytest

from cluster_support import CLUSTER_NODES, _SessionPostgres
from compat_support import REPO_ROOT, binary_blob, server_binary
from conftest import NodeProcess
from run_support import text_reply

HAS_POSTGRES = bool(os.environ.get("ASSISTANTS_TEST_POSTGRES_URL")) or bool(
    glob.glob("/usr/lib/postgresql/*/bin/initdb") or shutil.which("pg_ctl")
)

pytestmark = [
    pytest.mark.skipif(CLUSTER_NODES > 0, reason="cluster mode: the source of a migration is a single node on SQLite"),
    pytest.mark.skipif(not HAS_POSTGRES, reason="needs PostgreSQL: set ASSISTANTS_TEST_POSTGRES_URL or install it"),
]


def migrate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(server_binary()), "migrate", *args], capture_output=True, text=True, timeout=300)


def create_database(url: str) -> None:
    subprocess.run(["bash", "-c", f'. "{REPO_ROOT}/scripts/lib/postgres.sh" && postgres_createdb "$1"', "-", url], check=True)


def snapshot(c: openai.OpenAI, ids: dict) -> dict:
    """What a client sees of the objects: every field, as the SDK parses it."""
    return {
        "assistant": c.beta.assistants.retrieve(ids["assistant"]).to_dict(),
        "assistants": [x.id for x in c.beta.assistants.list()],
        "thread": c.beta.threads.retrieve(ids["thread"]).to_dict(),
        "messages": [m.to_dict() for m in c.beta.threads.messages.list(ids["thread"], order="asc")],
        "run": c.beta.threads.runs.retrieve(ids["run"], thread_id=ids["thread"]).to_dict(),
        "steps": [s.to_dict() for s in c.beta.threads.runs.steps.list(ids["run"], thread_id=ids["thread"], order="asc")],
        "file": c.files.retrieve(ids["file"]).to_dict(),
        "vector_store": c.vector_stores.retrieve(ids["store"]).to_dict(),
        "vector_store_files": [f.to_dict() for f in c.vector_stores.files.list(ids["store"])],
        "search": [r.to_dict() for r in c.vector_stores.search(ids["store"], query="otters river")],
    }


def test_a_single_node_moves_to_postgres(tmp_path, fake):
    source = NodeProcess(tmp_path / "single", upstream_url=fake.base_url)
    source.start()
    c = source.client()
    blob = binary_blob(2)
    f = c.files.create(file=("data.bin", blob, "application/octet-stream"), purpose="assistants")
    store = c.vector_stores.create(name="otters", metadata={"k": "v"})
    text = b"Otters live by the river and eat fish. " * 200
    c.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=("otters.txt", text))
    a = c.beta.assistants.create(
        model="gpt-4o", name="Migrant", instructions="Be brief.", metadata={"team": "blue"},
        tools=[{"type": "file_search"}, {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    gone = c.beta.assistants.create(model="gpt-4o")
    c.beta.assistants.delete(gone.id)
    t = c.beta.threads.create(
        messages=[{"role": "user", "content": "Where do otters live?"}], metadata={"user": "42"})
    fake.script(text_reply("By the river."))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id)
    assert run.status == "completed"
    ids = {"assistant": a.id, "thread": t.id, "run": run.id, "file": f.id, "store": store.id}
    before = snapshot(c, ids)
    c.close()

    target = _SessionPostgres.new_database_url()
    create_database(target)
    # Refused while the server still runs on the data directory.
    refused = migrate("--from", str(source.data_dir), "--to", target)
    assert refused.returncode != 0 and "running" in refused.stderr, refused.stderr
    source.stop()

    done = migrate("--from", f"sqlite://{source.data_dir / 'assistants.sqlite'}", "--to", target)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "message: 2" in done.stdout and f"2 files, {len(blob) + len(text)} bytes" in done.stdout, done.stdout
    again = migrate("--from", str(source.data_dir), "--to", target)
    assert again.returncode != 0 and "already holds records" in again.stderr, again.stderr

    node = NodeProcess(tmp_path / "node1", upstream_url=fake.base_url, extra_args=("--database-url", target))
    node.start()
    try:
        c = node.client()
        after = snapshot(c, ids)
        # A search counts as activity on the store: the copy may be searched a moment later.
        for snap in (before, after):
            snap["vector_store"].pop("last_active_at")
        assert after == before
        assert c.files.content(f.id).read() == blob
        with pytest.raises(openai.NotFoundError):
            c.beta.assistants.retrieve(gone.id)
        # New objects sort after the copied ones.
        b = c.beta.assistants.create(model="gpt-4o")
        assert [x.id for x in c.beta.assistants.list()] == [b.id, a.id]
        c.close()
    finally:
        node.stop()


def test_bad_sources_and_targets_fail_clearly(tmp_path):
    missing = migrate("--from", str(tmp_path / "nowhere"), "--to", "postgres://u@127.0.0.1:1/db")
    assert missing.returncode != 0 and "does not exist" in missing.stderr, missing.stderr
    (tmp_path / "empty").mkdir()
    empty = migrate("--from", str(tmp_path / "empty"), "--to", "postgres://u@127.0.0.1:1/db")
    assert empty.returncode != 0 and "assistants.sqlite" in empty.stderr, empty.stderr
    source = NodeProcess(tmp_path / "single")
    source.start()
    source.stop()
    bad_url = migrate("--from", str(source.data_dir), "--to", "mysql://u@host/db")
    assert bad_url.returncode != 0 and "PostgreSQL URL" in bad_url.stderr, bad_url.stderr
    unreachable = migrate("--from", str(source.data_dir), "--to", "postgres://u@127.0.0.1:1/db")
    assert unreachable.returncode != 0 and "127.0.0.1:1" in unreachable.stderr, unreachable.stderr
