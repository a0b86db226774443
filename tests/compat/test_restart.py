"""Everything survives a SIGTERM and a restart on the same data dir."""

from __future__ import annotations

import signal

import openai
import pytest

from compat_support import binary_blob


def test_state_survives_restart(server_factory):
    srv = server_factory()
    srv.start()
    c = srv.client()

    blob = binary_blob(1)
    f = c.files.create(file=("persist.bin", blob, "application/octet-stream"), purpose="assistants")
    a = c.beta.assistants.create(
        model="gpt-4o",
        name="Persistent",
        description="survives restarts",
        instructions="Be durable.",
        tools=[{"type": "code_interpreter"}, {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        tool_resources={"code_interpreter": {"file_ids": [f.id]}},
        metadata={"k": "v"},
        temperature=0.3,
    )
    gone = c.beta.assistants.create(model="gpt-4o", name="deleted before restart")
    c.beta.assistants.delete(gone.id)
    t = c.beta.threads.create(
        messages=[{"role": "user", "content": "first"}, {"role": "assistant", "content": "second"}],
        metadata={"thread": "yes"},
    )
    m3 = c.beta.threads.messages.create(
        t.id, role="user", content="third", attachments=[{"file_id": f.id, "tools": [{"type": "code_interpreter"}]}]
    )
    c.beta.threads.messages.update(m3.id, thread_id=t.id, metadata={"edited": "1"})

    before = {
        "assistant": c.beta.assistants.retrieve(a.id).to_dict(),
        "thread": c.beta.threads.retrieve(t.id).to_dict(),
        "messages": [m.to_dict() for m in c.beta.threads.messages.list(t.id, order="asc")],
        "file": c.files.retrieve(f.id).to_dict(),
        "assistant_ids": [x.id for x in c.beta.assistants.list()],
    }
    c.close()

    srv.stop()

    srv.start()
    c = srv.client()
    assert c.beta.assistants.retrieve(a.id).to_dict() == before["assistant"]
    assert c.beta.threads.retrieve(t.id).to_dict() == before["thread"]
    assert [m.to_dict() for m in c.beta.threads.messages.list(t.id, order="asc")] == before["messages"]
    assert [m["content"][0]["text"]["value"] for m in before["messages"]] == ["first", "second", "third"]
    assert c.files.retrieve(f.id).to_dict() == before["file"]
    assert c.files.content(f.id).read() == blob
    assert [x.id for x in c.beta.assistants.list()] == before["assistant_ids"] == [a.id]
    with pytest.raises(openai.NotFoundError):
        c.beta.assistants.retrieve(gone.id)

    # New objects after the restart sort after the old ones and get fresh ids.
    b = c.beta.assistants.create(model="gpt-4o", name="after restart")
    assert b.id not in (a.id, gone.id)
    assert [x.id for x in c.beta.assistants.list()] == [b.id, a.id]
    m4 = c.beta.threads.messages.create(t.id, role="user", content="fourth")
    assert [m.id for m in c.beta.threads.messages.list(t.id)][0] == m4.id
    c.close()


def test_sigterm_exits_cleanly(server_factory):
    srv = server_factory()
    srv.start()
    c = srv.client()
    c.beta.assistants.create(model="gpt-4o")
    c.close()
    code = srv.stop()
    assert code != -signal.SIGKILL, "server ignored SIGTERM for 10 s and had to be killed"
    assert code == 0, f"SIGTERM should trigger a graceful shutdown with exit code 0, got {code}\n{srv.read_log()}"
