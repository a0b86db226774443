"""client.beta.threads.messages: create, list, retrieve, update, delete."""

from __future__ import annotations

import openai
import pytest

from compat_support import assert_present, assert_present_none, assert_recent_timestamp, assert_sdk_error, tiny_png


def check_user_message(m, thread_id: str):
    assert m.id.startswith("msg_"), m.id
    assert m.object == "thread.message"
    assert_recent_timestamp(m.created_at)
    assert m.thread_id == thread_id
    assert m.role == "user"
    assert m.status == "completed"
    assert_present_none(m, "assistant_id", "run_id", "incomplete_details")
    assert_present(m, "completed_at", "incomplete_at", "attachments", "metadata", "content")
    assert m.incomplete_at is None


def test_create_with_string_content(client, thread):
    m = client.beta.threads.messages.create(thread.id, role="user", content="How does AI work? Explain it in simple terms.")
    check_user_message(m, thread.id)
    assert len(m.content) == 1
    part = m.content[0]
    assert part.type == "text"
    assert part.text.value == "How does AI work? Explain it in simple terms."
    assert part.text.annotations == []
    assert m.attachments in ([], None)
    assert m.metadata in ({}, None)


def test_create_with_metadata(client, thread):
    m = client.beta.threads.messages.create(thread.id, role="user", content="hi", metadata={"source": "web"})
    assert m.metadata == {"source": "web"}


def test_create_assistant_role(client, thread):
    m = client.beta.threads.messages.create(thread.id, role="assistant", content="Earlier answer.")
    assert m.role == "assistant"
    assert m.status == "completed"
    assert m.assistant_id is None
    assert m.run_id is None


def test_create_with_content_parts(client, thread):
    image = client.files.create(file=("pixel.png", tiny_png(), "image/png"), purpose="vision")
    assert image.purpose == "vision"
    m = client.beta.threads.messages.create(
        thread.id,
        role="user",
        content=[
            {"type": "text", "text": "What is in these images?"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "high"}},
            {"type": "image_file", "image_file": {"file_id": image.id, "detail": "low"}},
        ],
    )
    check_user_message(m, thread.id)
    assert [c.type for c in m.content] == ["text", "image_url", "image_file"]
    assert m.content[0].text.value == "What is in these images?"
    assert m.content[0].text.annotations == []
    assert m.content[1].image_url.url == "https://example.com/cat.png"
    assert m.content[1].image_url.detail == "high"
    assert m.content[2].image_file.file_id == image.id
    assert m.content[2].image_file.detail == "low"

    got = client.beta.threads.messages.retrieve(m.id, thread_id=thread.id)
    assert got.to_dict() == m.to_dict()


def test_image_parts_without_detail(client, thread):
    image = client.files.create(file=("pixel.png", tiny_png(), "image/png"), purpose="vision")
    m = client.beta.threads.messages.create(
        thread.id,
        role="user",
        content=[
            {"type": "image_url", "image_url": {"url": "https://example.com/dog.jpg"}},
            {"type": "image_file", "image_file": {"file_id": image.id}},
        ],
    )
    assert m.content[0].image_url.url == "https://example.com/dog.jpg"
    assert m.content[0].image_url.detail in (None, "auto")
    assert m.content[1].image_file.file_id == image.id
    assert m.content[1].image_file.detail in (None, "auto")


def test_create_with_attachments(client, thread, uploaded_file):
    m = client.beta.threads.messages.create(
        thread.id,
        role="user",
        content="Analyse this file.",
        attachments=[{"file_id": uploaded_file.id, "tools": [{"type": "code_interpreter"}]}],
    )
    assert m.attachments is not None and len(m.attachments) == 1
    att = m.attachments[0]
    assert att.file_id == uploaded_file.id
    assert [t.type for t in att.tools] == ["code_interpreter"]
    got = client.beta.threads.messages.retrieve(m.id, thread_id=thread.id)
    assert got.attachments[0].file_id == uploaded_file.id
    assert [t.type for t in got.attachments[0].tools] == ["code_interpreter"]


def test_thread_create_with_message_attachments(client, uploaded_file):
    t = client.beta.threads.create(
        messages=[{
            "role": "user",
            "content": "see file",
            "attachments": [{"file_id": uploaded_file.id, "tools": [{"type": "code_interpreter"}]}],
        }]
    )
    m = client.beta.threads.messages.list(t.id).data[0]
    assert m.attachments[0].file_id == uploaded_file.id
    assert [x.type for x in m.attachments[0].tools] == ["code_interpreter"]


def test_list_order(client, thread):
    ids = [client.beta.threads.messages.create(thread.id, role="user", content=f"message {i}").id for i in range(5)]
    desc = client.beta.threads.messages.list(thread.id)
    assert [m.id for m in desc.data] == ids[::-1], "default order is desc: newest first"
    assert desc.has_more is False
    assert [m.content[0].text.value for m in desc.data] == [f"message {i}" for i in reversed(range(5))]
    asc = client.beta.threads.messages.list(thread.id, order="asc")
    assert [m.id for m in asc.data] == ids
    explicit_desc = client.beta.threads.messages.list(thread.id, order="desc")
    assert [m.id for m in explicit_desc.data] == ids[::-1]


def test_list_paginates(client, thread):
    ids = [client.beta.threads.messages.create(thread.id, role="user", content=str(i)).id for i in range(7)]
    first = client.beta.threads.messages.list(thread.id, limit=3, order="asc")
    assert [m.id for m in first.data] == ids[:3]
    assert first.has_more is True
    assert [m.id for m in client.beta.threads.messages.list(thread.id, limit=3, order="asc")] == ids
    assert [m.id for m in client.beta.threads.messages.list(thread.id, limit=2)] == ids[::-1]
    after = client.beta.threads.messages.list(thread.id, order="asc", after=ids[2], limit=2)
    assert [m.id for m in after.data] == ids[3:5]
    before = client.beta.threads.messages.list(thread.id, order="asc", before=ids[2], limit=100)
    assert [m.id for m in before.data] == ids[:2]


def test_list_run_id_filter_unknown_run_is_empty(client, thread):
    client.beta.threads.messages.create(thread.id, role="user", content="not from a run")
    page = client.beta.threads.messages.list(thread.id, run_id="run_doesnotexist")
    assert page.data == []
    assert page.has_more is False
    assert list(client.beta.threads.messages.list(thread.id, run_id="run_doesnotexist")) == []


def test_retrieve(client, thread):
    m = client.beta.threads.messages.create(thread.id, role="user", content="retrieve me", metadata={"n": "1"})
    got = client.beta.threads.messages.retrieve(m.id, thread_id=thread.id)
    check_user_message(got, thread.id)
    assert got.id == m.id
    assert got.content[0].text.value == "retrieve me"
    assert got.metadata == {"n": "1"}
    assert got.to_dict() == m.to_dict()


def test_update_metadata(client, thread):
    m = client.beta.threads.messages.create(thread.id, role="user", content="tag me")
    raw = client.beta.threads.messages.with_raw_response.update(m.id, thread_id=thread.id, metadata={"tag": "important"})
    assert raw.http_request.method == "POST"
    updated = raw.parse()
    assert updated.id == m.id
    assert updated.metadata == {"tag": "important"}
    assert updated.content[0].text.value == "tag me", "content is unchanged by a metadata update"
    assert updated.created_at == m.created_at
    got = client.beta.threads.messages.retrieve(m.id, thread_id=thread.id)
    assert got.metadata == {"tag": "important"}
    assert got.content[0].text.value == "tag me"


def test_delete(client, thread):
    keep = client.beta.threads.messages.create(thread.id, role="user", content="keep")
    gone = client.beta.threads.messages.create(thread.id, role="user", content="delete me")
    deleted = client.beta.threads.messages.delete(gone.id, thread_id=thread.id)
    assert deleted.id == gone.id
    assert deleted.object == "thread.message.deleted"
    assert deleted.deleted is True

    with pytest.raises(openai.NotFoundError) as ei:
        client.beta.threads.messages.retrieve(gone.id, thread_id=thread.id)
    assert_sdk_error(ei.value, 404)
    assert gone.id in ei.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.messages.delete(gone.id, thread_id=thread.id)
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.messages.update(gone.id, thread_id=thread.id, metadata={"a": "b"})
    assert [m.id for m in client.beta.threads.messages.list(thread.id)] == [keep.id]


def test_long_and_unicode_content(client, thread):
    text = "Zażółć gęślą jaźń — 日本語 — emoji 👩‍💻\n" * 2000
    m = client.beta.threads.messages.create(thread.id, role="user", content=text)
    assert m.content[0].text.value == text
    assert client.beta.threads.messages.retrieve(m.id, thread_id=thread.id).content[0].text.value == text
