"""client.beta.threads: create, retrieve, update, delete."""

from __future__ import annotations

import openai
import pytest

from compat_support import assert_present, assert_recent_timestamp, assert_sdk_error


def test_create_empty(client):
    t = client.beta.threads.create()
    assert t.id.startswith("thread_"), t.id
    assert t.object == "thread"
    assert_recent_timestamp(t.created_at)
    assert_present(t, "tool_resources", "metadata")
    assert t.metadata in ({}, None)
    # No messages yet.
    page = client.beta.threads.messages.list(t.id)
    assert page.data == []
    assert page.has_more is False


def test_create_with_metadata(client):
    t = client.beta.threads.create(metadata={"user": "u-123", "topic": "billing"})
    assert t.metadata == {"user": "u-123", "topic": "billing"}
    assert client.beta.threads.retrieve(t.id).metadata == {"user": "u-123", "topic": "billing"}


def test_create_with_messages(client):
    t = client.beta.threads.create(
        messages=[
            {"role": "user", "content": "Hello, what is 2+2?"},
            {"role": "assistant", "content": "It is 4."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "And 3+3?"},
                    {"type": "text", "text": "Show your work."},
                ],
                "metadata": {"part": "3"},
            },
        ]
    )
    msgs = list(client.beta.threads.messages.list(t.id, order="asc"))
    assert [m.role for m in msgs] == ["user", "assistant", "user"]
    assert all(m.thread_id == t.id for m in msgs)
    assert all(m.id.startswith("msg_") for m in msgs)
    assert msgs[0].content[0].type == "text"
    assert msgs[0].content[0].text.value == "Hello, what is 2+2?"
    assert msgs[1].content[0].text.value == "It is 4."
    assert [c.text.value for c in msgs[2].content] == ["And 3+3?", "Show your work."]
    assert all(c.text.annotations == [] for m in msgs for c in m.content)
    assert msgs[2].metadata == {"part": "3"}
    # Default order is newest first.
    assert [m.id for m in client.beta.threads.messages.list(t.id)] == [m.id for m in reversed(msgs)]


def test_create_with_code_interpreter_file(client, uploaded_file):
    t = client.beta.threads.create(tool_resources={"code_interpreter": {"file_ids": [uploaded_file.id]}})
    assert t.tool_resources is not None
    assert t.tool_resources.code_interpreter is not None
    assert t.tool_resources.code_interpreter.file_ids == [uploaded_file.id]
    got = client.beta.threads.retrieve(t.id)
    assert got.tool_resources.code_interpreter.file_ids == [uploaded_file.id]


def test_retrieve(client):
    t = client.beta.threads.create(metadata={"k": "v"})
    got = client.beta.threads.retrieve(t.id)
    assert got.id == t.id
    assert got.object == "thread"
    assert got.created_at == t.created_at
    assert got.metadata == {"k": "v"}
    assert got.to_dict() == t.to_dict()


def test_update_metadata(client):
    t = client.beta.threads.create(metadata={"stage": "new"})
    updated = client.beta.threads.update(t.id, metadata={"stage": "triaged", "owner": "bob"})
    assert updated.id == t.id
    assert updated.created_at == t.created_at
    assert updated.metadata == {"stage": "triaged", "owner": "bob"}
    assert client.beta.threads.retrieve(t.id).metadata == {"stage": "triaged", "owner": "bob"}


def test_update_tool_resources(client, uploaded_file):
    t = client.beta.threads.create(metadata={"keep": "me"})
    other = client.files.create(file=("other.txt", b"other", "text/plain"), purpose="assistants")
    updated = client.beta.threads.update(
        t.id, tool_resources={"code_interpreter": {"file_ids": [uploaded_file.id, other.id]}}
    )
    assert updated.tool_resources.code_interpreter.file_ids == [uploaded_file.id, other.id]
    assert updated.metadata == {"keep": "me"}, "metadata must not change when not given"
    got = client.beta.threads.retrieve(t.id)
    assert got.tool_resources.code_interpreter.file_ids == [uploaded_file.id, other.id]
    assert got.metadata == {"keep": "me"}


def test_update_sends_post(client, thread):
    raw = client.beta.threads.with_raw_response.update(thread.id, metadata={"a": "b"})
    assert raw.http_request.method == "POST"
    assert raw.parse().metadata == {"a": "b"}


def test_delete(client):
    t = client.beta.threads.create(messages=[{"role": "user", "content": "bye"}])
    msg_id = client.beta.threads.messages.list(t.id).data[0].id
    deleted = client.beta.threads.delete(t.id)
    assert deleted.id == t.id
    assert deleted.object == "thread.deleted"
    assert deleted.deleted is True

    with pytest.raises(openai.NotFoundError) as ei:
        client.beta.threads.retrieve(t.id)
    assert_sdk_error(ei.value, 404)
    assert ei.value.body["message"] == f"No thread found with id '{t.id}'."
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.update(t.id, metadata={"a": "b"})
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.delete(t.id)
    # Its messages are gone with it.
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.messages.list(t.id)
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.messages.retrieve(msg_id, thread_id=t.id)
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.messages.create(t.id, role="user", content="hello?")


def test_threads_are_independent(client):
    a = client.beta.threads.create(messages=[{"role": "user", "content": "in A"}])
    b = client.beta.threads.create(messages=[{"role": "user", "content": "in B"}])
    assert a.id != b.id
    assert [m.content[0].text.value for m in client.beta.threads.messages.list(a.id)] == ["in A"]
    assert [m.content[0].text.value for m in client.beta.threads.messages.list(b.id)] == ["in B"]
    # A message of thread A is not reachable through thread B.
    msg_a = client.beta.threads.messages.list(a.id).data[0]
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.messages.retrieve(msg_a.id, thread_id=b.id)
