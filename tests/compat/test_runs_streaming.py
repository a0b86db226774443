"""Streamed runs through the SDK's helpers (CHECKLIST section 4)."""

from __future__ import annotations

import time

from openai import AssistantEventHandler

from fake_model import conversation
from run_support import (
    TEXT_RUN_EVENTS,
    Recorder,
    assistant_messages,
    collapse_deltas,
    message_text,
    text_reply,
    wait_for_status,
)

ANSWER = "Streaming works, one chunk at a time."


def test_runs_stream_text_event_sequence(run_client, run_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "stream please"}])
    fake.script(text_reply(ANSWER, chunk_size=5))
    handler = Recorder()

    with c.beta.threads.runs.stream(thread_id=t.id, assistant_id=run_assistant.id, event_handler=handler) as stream:
        stream.until_done()
        final_run = stream.get_final_run()
        final_messages = stream.get_final_messages()

    assert collapse_deltas(handler.events) == TEXT_RUN_EVENTS, handler.events
    n_deltas = handler.events.count("thread.message.delta")
    assert n_deltas >= 2, f"expected the text in several deltas, got {n_deltas}"
    assert "".join(handler.text_deltas) == ANSWER
    assert len(handler.text_deltas) == n_deltas
    assert handler.ended == 1
    assert not handler.exceptions

    # Callbacks in the order a user sees them.
    names = [c for c, _ in handler.calls]
    assert names[0] == "run_step_created"
    assert names.index("message_created") < names.index("text_created") < names.index("text_delta")
    assert names[-4:] == ["text_done", "message_done", "run_step_done", "end"]
    assert ("text_done", ANSWER) in handler.calls

    # Event payloads.
    objs = {e.event: e.data for e in handler.event_objects}
    created = objs["thread.run.created"]
    assert created.status == "queued" and created.thread_id == t.id
    assert created.expires_at is not None and created.expires_at - created.created_at == 600
    assert objs["thread.run.in_progress"].status == "in_progress"
    assert objs["thread.run.in_progress"].started_at is not None
    step = objs["thread.run.step.created"]
    assert step.type == "message_creation" and step.status == "in_progress"
    msg_created = objs["thread.message.created"]
    assert msg_created.status == "in_progress" and msg_created.content == []
    assert step.step_details.message_creation.message_id == msg_created.id
    assert msg_created.run_id == created.id and msg_created.assistant_id == run_assistant.id
    assert objs["thread.message.completed"].status == "completed"
    assert message_text(objs["thread.message.completed"]) == ANSWER
    assert objs["thread.run.step.completed"].usage is not None
    completed = objs["thread.run.completed"]
    assert completed.status == "completed" and completed.usage is not None

    # The helpers' accumulated views.
    assert final_run.id == created.id and final_run.status == "completed"
    assert final_run.usage is not None
    assert [message_text(m) for m in final_messages] == [ANSWER]
    assert final_messages[0].id == msg_created.id
    (done,) = handler.messages_done
    assert done.id == msg_created.id and message_text(done) == ANSWER

    # Persisted like a polled run.
    stored = c.beta.threads.runs.retrieve(created.id, thread_id=t.id)
    assert stored.status == "completed" and stored.usage == completed.usage
    assert [message_text(m) for m in assistant_messages(c, t.id)] == [ANSWER]


def test_runs_create_stream_true_raw_events(run_client, run_assistant, fake):
    """`runs.create(stream=True)` yields the raw events, ending with the terminal run event."""
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "raw"}])
    fake.script(text_reply("raw events"))
    stream = c.beta.threads.runs.create(thread_id=t.id, assistant_id=run_assistant.id, stream=True)
    events = [e for e in stream]
    names = [e.event for e in events]
    assert collapse_deltas(names) == TEXT_RUN_EVENTS
    deltas = [e.data for e in events if e.event == "thread.message.delta"]
    parts = []
    for d in deltas:
        assert d.object == "thread.message.delta"
        for part in d.delta.content:
            assert part.type == "text" and part.index == 0
            parts.append(part.text.value)
    assert "".join(parts) == "raw events"


def test_create_and_run_stream(run_client, run_assistant, fake):
    c = run_client
    fake.script(text_reply("new thread, streamed"))
    handler = Recorder()
    with c.beta.threads.create_and_run_stream(
        assistant_id=run_assistant.id,
        thread={"messages": [{"role": "user", "content": "start here"}]},
        event_handler=handler,
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()

    assert handler.events[0] == "thread.created"
    assert collapse_deltas(handler.events[1:]) == TEXT_RUN_EVENTS, handler.events
    thread = handler.event_objects[0].data
    assert thread.object == "thread" and thread.id == run.thread_id
    assert run.status == "completed"
    assert "".join(handler.text_deltas) == "new thread, streamed"
    msgs = list(c.beta.threads.messages.list(thread.id, order="asc"))
    assert [(m.role, message_text(m)) for m in msgs] == [("user", "start here"), ("assistant", "new thread, streamed")]
    (body,) = fake.requests()
    assert conversation(body) == [("user", "start here")]


def test_text_deltas_helper_iterates_text(run_client, run_assistant, fake):
    """The default handler's `text_deltas` iterator: the quickstart's streaming loop."""
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "iterate"}])
    fake.script(text_reply("abcdefghijklmnop", chunk_size=3))
    with c.beta.threads.runs.stream(thread_id=t.id, assistant_id=run_assistant.id) as stream:
        text = "".join(stream.text_deltas)
    assert text == "abcdefghijklmnop"


def test_client_disconnect_does_not_cancel_the_run(run_client, run_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "keep going without me"}])
    answer = "I finished even though nobody was listening."
    fake.script(text_reply(answer, chunk_size=4, delay_ms_between=40))  # ~0.5 s of streaming
    stream = c.beta.threads.runs.create(thread_id=t.id, assistant_id=run_assistant.id, stream=True)
    it = iter(stream)
    first, second = next(it), next(it)
    assert (first.event, second.event) == ("thread.run.created", "thread.run.queued")
    run_id = first.data.id
    stream.close()  # the client goes away mid-run

    run = wait_for_status(c, t.id, run_id, {"completed", "failed", "cancelled", "expired", "incomplete"}, timeout=15)
    assert run.status == "completed", (run.status, run.last_error)
    (msg,) = assistant_messages(c, t.id, run_id)
    assert message_text(msg) == answer and msg.status == "completed"


def test_stream_can_be_reopened_by_another_client(run_client, run_assistant, fake):
    """Two runs streamed one after the other on the same thread: the lock is released by the end event."""
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "one"}])
    for expected in ("first", "second"):
        fake.script(text_reply(expected))
        with c.beta.threads.runs.stream(thread_id=t.id, assistant_id=run_assistant.id) as stream:
            stream.until_done()
            assert stream.get_final_run().status == "completed"
    assert [message_text(m) for m in assistant_messages(c, t.id)] == ["first", "second"]


class _SlowHandler(AssistantEventHandler):
    """A user handler that takes its time on every delta: the server must not drop the stream."""

    def __init__(self):
        super().__init__()
        self.text = ""

    def on_text_delta(self, delta, snapshot):
        time.sleep(0.01)
        self.text += delta.value or ""


def test_slow_consumer_gets_every_delta(run_client, run_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "slow"}])
    answer = "x" * 200
    fake.script(text_reply(answer, chunk_size=2))
    handler = _SlowHandler()
    with c.beta.threads.runs.stream(thread_id=t.id, assistant_id=run_assistant.id, event_handler=handler) as stream:
        stream.until_done()
    assert handler.text == answer
