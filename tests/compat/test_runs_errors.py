"""What a user sees when the model endpoint misbehaves, is missing, or the server dies mid-run."""

from __future__ import annotations

import time

from cluster_support import cluster_skip_reason
from compat_support import assert_recent_timestamp
from run_support import (
    TERMINAL,
    WEATHER,
    Recorder,
    assistant_messages,
    message_text,
    text_reply,
    tool_reply,
    wait_for_status,
)


def _thread(c, text="hello"):
    return c.beta.threads.create(messages=[{"role": "user", "content": text}])


def _check_failed(run, code):
    assert run.status == "failed", (run.status, run.last_error)
    assert run.last_error is not None
    assert run.last_error.code == code, run.last_error
    assert isinstance(run.last_error.message, str) and run.last_error.message
    assert_recent_timestamp(run.failed_at)
    assert run.completed_at is None and run.cancelled_at is None
    assert run.required_action is None


def test_upstream_503_forever_fails_with_server_error_after_backed_off_retries(run_client, run_assistant, fake):
    c = run_client
    t = _thread(c)
    fake.script({"error": {"status": 503, "message": "the model is loading"}, "repeat": 0})
    started = time.monotonic()
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    elapsed = time.monotonic() - started
    _check_failed(run, "server_error")
    assert "the model is loading" in run.last_error.message
    assert len(fake.requests()) == 4, "one attempt plus three retries"
    assert elapsed >= 3.0, f"retries are backed off (0.5 s, 1 s, 2 s); the run failed after {elapsed:.1f}s"
    # The thread is usable again.
    fake.reset()
    fake.script(text_reply("recovered"))
    again = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    assert again.status == "completed", again.last_error
    assert message_text(assistant_messages(c, t.id, again.id)[0]) == "recovered"


def test_upstream_500_is_the_model_servers_answer_and_is_not_retried(run_client, run_assistant, fake):
    c = run_client
    t = _thread(c)
    fake.script({"error": {"status": 500, "message": "Failed to parse tool call arguments as JSON"}, "repeat": 0})
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    _check_failed(run, "server_error")
    assert "Failed to parse tool call arguments as JSON" in run.last_error.message
    assert len(fake.requests()) == 1, "the same request would get the same answer"


def test_upstream_429_forever_fails_with_rate_limit(run_client, run_assistant, fake):
    c = run_client
    t = _thread(c)
    fake.script({"error": {"status": 429, "message": "slow down", "type": "rate_limit_error"}, "repeat": 0})
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    _check_failed(run, "rate_limit_exceeded")
    assert len(fake.requests()) == 4, "one attempt plus three retries"


def test_upstream_400_fails_with_invalid_prompt_without_retry(run_client, run_assistant, fake):
    c = run_client
    t = _thread(c)
    fake.script({"error": {"status": 400, "message": "This model's maximum context length is 10 tokens"}, "repeat": 0})
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    _check_failed(run, "invalid_prompt")
    assert len(fake.requests()) == 1, "a 4xx is not retried"


def test_upstream_502_once_is_retried(run_client, run_assistant, fake):
    c = run_client
    t = _thread(c, "try again")
    fake.script({"error": {"status": 502, "message": "bad gateway"}}, text_reply("second time lucky"))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    assert run.status == "completed", (run.status, run.last_error)
    assert run.last_error is None
    first, second = fake.requests()
    assert first["messages"] == second["messages"], "the retry sends the same request"
    (msg,) = assistant_messages(c, t.id, run.id)
    assert message_text(msg) == "second time lucky"


def test_connection_dropped_mid_text_fails_run_and_message(run_client, run_assistant, fake):
    c = run_client
    t = _thread(c, "tell me a long story")
    # Chunk 0 is the role; 3 text chunks are sent, then the connection is cut (every attempt).
    fake.script(text_reply("Once upon a time, far away, there lived", chunk_size=5, drop_after_chunks=4, repeat=0))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    _check_failed(run, "server_error")
    assert len(fake.requests()) == 1, "what was relayed is not asked for again"
    (m,) = assistant_messages(c, t.id, run.id)
    assert m.status == "incomplete", m
    assert m.incomplete_details is not None and m.incomplete_details.reason == "run_failed"
    # The fake cuts the connection right after writing its third text chunk, and the cut can overtake that
    # chunk on its way: the server keeps what reached it, which is all the text before the cut or all but
    # that last chunk, never nothing and never more.
    assert message_text(m) in ("Once upon a tim", "Once upon "), "the text streamed before the cut is kept"
    steps = list(c.beta.threads.runs.steps.list(run.id, thread_id=t.id))
    assert steps, "the run made a message_creation step"
    assert steps[0].status == "failed"
    assert steps[0].last_error is not None and steps[0].last_error.code == "server_error"


def test_streamed_run_failure_ends_with_failed_event(run_client, run_assistant, fake):
    c = run_client
    t = _thread(c, "fail visibly")
    fake.script({"error": {"status": 400, "message": "bad prompt"}})
    handler = Recorder()
    with c.beta.threads.runs.stream(thread_id=t.id, assistant_id=run_assistant.id, event_handler=handler) as stream:
        stream.until_done()
        final = stream.get_final_run()
    assert handler.events[:3] == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert handler.events[-1] == "thread.run.failed", handler.events
    assert final.status == "failed" and final.last_error.code == "invalid_prompt"


LLAMA_ERROR = "The model produced output that does not match the expected format"


def test_error_inside_the_stream_after_text_ends_every_stream_helper_cleanly(run_client, run_assistant, fake):
    """llama.cpp answers 200, streams text, then writes an error and closes: the SDK's helpers end with a
    failed run carrying the model server's message, and the streamed text is kept."""
    c = run_client
    t = _thread(c, "explain")
    reply = text_reply("Here is a long explanation that breaks", chunk_size=4)
    reply["stream_error"] = {"message": LLAMA_ERROR, "after_chunks": 6}
    streamed = "Here is a long expla"

    fake.script(reply)
    with c.beta.threads.runs.stream(thread_id=t.id, assistant_id=run_assistant.id) as stream:
        assert "".join(stream.text_deltas) == streamed
        final_run = stream.get_final_run()
        (final_message,) = stream.get_final_messages()
    assert final_run.status == "failed"
    assert final_run.last_error.code == "server_error"
    assert final_run.last_error.message == f"The model endpoint reported an error: {LLAMA_ERROR}"
    assert final_message.status == "incomplete" and final_message.incomplete_details.reason == "run_failed"
    assert message_text(final_message) == streamed
    assert len(fake.requests()) == 1, "an error the model server reported is not retried"

    fake.script(reply)
    handler = Recorder()
    with c.beta.threads.runs.stream(thread_id=t.id, assistant_id=run_assistant.id, event_handler=handler) as stream:
        stream.until_done()
        messages = stream.get_final_messages()
    assert not handler.exceptions
    assert handler.events[-1] == "thread.run.failed", handler.events
    assert "thread.message.incomplete" in handler.events
    assert "".join(handler.text_deltas) == streamed
    assert [message_text(m) for m in messages] == [streamed]

    stored = assistant_messages(c, t.id)
    assert [message_text(m) for m in stored] == [streamed, streamed]


def test_error_inside_the_stream_before_any_text(run_client, run_assistant, fake):
    c = run_client
    t = _thread(c, "call a tool")
    reply = text_reply("unused")
    reply["stream_error"] = {"message": LLAMA_ERROR, "after_chunks": 1, "framing": "event"}
    fake.script(reply)
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    _check_failed(run, "server_error")
    assert LLAMA_ERROR in run.last_error.message
    assert len(fake.requests()) == 1
    assert assistant_messages(c, t.id, run.id) == []


def test_no_upstream_configured(client, assistant, thread):
    """The plain server has no ASSISTANTS_UPSTREAM_URL: runs fail at once and say why."""
    c = client
    c.beta.threads.messages.create(thread.id, role="user", content="anyone there?")
    started = time.monotonic()
    run = c.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert time.monotonic() - started < 5
    _check_failed(run, "server_error")
    assert "ASSISTANTS_UPSTREAM_URL" in run.last_error.message
    # Streamed: the failure is an event, not a broken stream.
    handler = Recorder()
    with c.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id, event_handler=handler) as stream:
        stream.until_done()
    assert handler.events[0] == "thread.run.created"
    assert handler.events[-1] == "thread.run.failed", handler.events


def test_sigkill_mid_run_then_restart(run_server_factory, fake):
    srv = run_server_factory()
    srv.start()
    c = srv.client()
    a = c.beta.assistants.create(model="gpt-4o", instructions="slow")
    t = _thread(c, "take forever")
    # 40 chunks, 250 ms apart: ~10 s of streaming, far longer than the test needs.
    fake.script(text_reply("z" * 40, chunk_size=1, delay_ms_between=250))
    stream = c.beta.threads.runs.create(thread_id=t.id, assistant_id=a.id, stream=True)
    run_id = None
    for event in stream:
        if event.event == "thread.run.created":
            run_id = event.data.id
        if event.event == "thread.message.delta":
            break
    assert run_id is not None
    srv.kill()
    stream.close()
    c.close()

    srv.start()
    c = srv.client()
    run = c.beta.threads.runs.retrieve(run_id, thread_id=t.id)
    _check_failed(run, "server_error")
    msg = run.last_error.message.lower()
    assert any(w in msg for w in ("restart", "stopped", "shut", "interrupted")), run.last_error.message
    for m in assistant_messages(c, t.id, run_id):
        assert m.status == "incomplete", m
    for s in c.beta.threads.runs.steps.list(run_id, thread_id=t.id):
        assert s.status not in ("in_progress",), s

    # The thread is not left locked.
    fake.script(text_reply("back in business"))
    again = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id)
    assert again.status == "completed", again.last_error
    assert message_text(assistant_messages(c, t.id, again.id)[0]) == "back in business"
    c.close()


def test_sigkill_with_run_waiting_for_tool_outputs(run_server_factory, fake):
    """A run parked in requires_action holds no work in memory: after a crash it can still be answered."""
    srv = run_server_factory()
    srv.start()
    c = srv.client()
    a = c.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    t = _thread(c, "weather?")
    fake.script(tool_reply(("get_weather", '{"city":"Bern"}')))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id)
    assert run.status == "requires_action"
    srv.kill()
    c.close()

    srv.start()
    c = srv.client()
    after = c.beta.threads.runs.retrieve(run.id, thread_id=t.id)
    assert after.status == "requires_action", (after.status, after.last_error)
    (call,) = after.required_action.submit_tool_outputs.tool_calls
    done = c.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=t.id, tool_outputs=[{"tool_call_id": call.id, "output": "5C"}]
    )
    assert done.status == "completed", done.last_error
    assert message_text(assistant_messages(c, t.id, run.id)[0]) == "Tool results: 5C"
    c.close()


@cluster_skip_reason(
    "with --run-workers 1 on each node the cluster has one worker per node, so the second run does not wait "
    "queued; test_cluster_faults.py kills a node that holds queued and running work instead")
def test_sigkill_with_a_queued_run(run_server_factory, fake):
    """One worker: a second run waits in `queued` behind a slow one. After a crash it must not stay queued."""
    srv = run_server_factory(extra_args=["--run-workers", "1"])
    srv.start()
    c = srv.client()
    a = c.beta.assistants.create(model="gpt-4o")
    busy_thread, waiting_thread = _thread(c, "slow one"), _thread(c, "queued one")
    fake.script(text_reply("s" * 40, chunk_size=1, delay_ms_between=250))
    busy = c.beta.threads.runs.create(thread_id=busy_thread.id, assistant_id=a.id)
    assert wait_for_status(c, busy_thread.id, busy.id, "in_progress", timeout=5).status == "in_progress"
    waiting = c.beta.threads.runs.create(thread_id=waiting_thread.id, assistant_id=a.id)
    time.sleep(0.3)  # give a (wrong) second worker the chance to pick it up
    assert c.beta.threads.runs.retrieve(waiting.id, thread_id=waiting_thread.id).status == "queued"
    srv.kill()
    c.close()

    fake.reset()
    srv.start()
    c = srv.client()
    busy_after = c.beta.threads.runs.retrieve(busy.id, thread_id=busy_thread.id)
    _check_failed(busy_after, "server_error")
    run = wait_for_status(c, waiting_thread.id, waiting.id, TERMINAL, timeout=10)
    assert run.status in ("completed", "failed"), f"a queued run is stuck in {run.status!r} after a restart"
    if run.status == "failed":
        assert run.last_error is not None
    else:
        assert message_text(assistant_messages(c, waiting_thread.id, waiting.id)[0]) == "Echo: queued one"
    c.close()
