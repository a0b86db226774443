"""Runs driven by polling, against the scripted fake model (CHECKLIST sections 2 "run" and 3)."""

from __future__ import annotations

import time

import openai
import pytest

from compat_support import assert_recent_timestamp, assert_sdk_error
from fake_model import conversation, system_text, tool_names
from run_support import (
    TIME,
    WEATHER,
    assistant_messages,
    message_text,
    text_reply,
    tool_reply,
    wait_for_status,
)

STEP_INCLUDE = "step_details.tool_calls[*].file_search.results[*].content"


def test_create_and_poll_completes(run_client, fake):
    c = run_client
    a = c.beta.assistants.create(model="gpt-4o", instructions="You are a weather bot.", tools=[WEATHER])
    t = c.beta.threads.create(
        messages=[
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "first answer"},
            {"role": "user", "content": "second question"},
        ]
    )
    fake.script(text_reply("It is sunny in Paris.", usage={"prompt_tokens": 42, "completion_tokens": 7}))

    run = c.beta.threads.runs.create_and_poll(
        thread_id=t.id,
        assistant_id=a.id,
        additional_instructions="Answer in one sentence.",
        additional_messages=[{"role": "user", "content": "and the weather?"}],
    )

    assert run.status == "completed", run.last_error
    assert run.thread_id == t.id and run.assistant_id == a.id
    assert run.last_error is None and run.required_action is None and run.incomplete_details is None
    assert_recent_timestamp(run.started_at)
    assert_recent_timestamp(run.completed_at)
    assert run.created_at <= run.started_at <= run.completed_at
    assert run.expires_at is None, "expires_at must be null once the run is completed"
    assert run.failed_at is None and run.cancelled_at is None
    assert run.usage is not None, "usage must be set once the run is terminal"
    assert run.usage.prompt_tokens == 42
    assert run.usage.completion_tokens == 7
    assert run.usage.total_tokens == run.usage.prompt_tokens + run.usage.completion_tokens
    assert run.model == "gpt-4o"
    assert "You are a weather bot." in run.instructions and "Answer in one sentence." in run.instructions

    # The answer is on the thread, newest first, tied to the run and the assistant.
    msgs = list(c.beta.threads.messages.list(t.id))
    newest = msgs[0]
    assert newest.role == "assistant"
    assert newest.assistant_id == a.id
    assert newest.run_id == run.id
    assert newest.status == "completed"
    assert message_text(newest) == "It is sunny in Paris."
    assert [m.role for m in msgs] == ["assistant", "user", "user", "assistant", "user"]
    assert message_text(msgs[1]) == "and the weather?", "additional_messages must be added to the thread"
    assert [m.id for m in c.beta.threads.messages.list(t.id, run_id=run.id)] == [newest.id]

    # What the model was sent.
    (body,) = fake.requests()
    system = system_text(body)
    assert "You are a weather bot." in system
    assert "Answer in one sentence." in system
    assert system.index("You are a weather bot.") < system.index("Answer in one sentence.")
    assert body["messages"][0]["role"] in ("system", "developer")
    assert conversation(body) == [
        ("user", "first question"),
        ("assistant", "first answer"),
        ("user", "second question"),
        ("user", "and the weather?"),
    ]
    assert body["model"] == "gpt-4o"
    assert tool_names(body) == ["get_weather"]
    assert body["tools"][0]["function"]["parameters"] == WEATHER["function"]["parameters"]


def test_run_level_overrides_reach_the_model(run_client, fake):
    c = run_client
    a = c.beta.assistants.create(model="gpt-4o", instructions="Assistant instructions.", tools=[WEATHER], temperature=1.0)
    t = c.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
    fake.script(text_reply("overridden"))

    run = c.beta.threads.runs.create_and_poll(
        thread_id=t.id,
        assistant_id=a.id,
        model="gpt-4o-mini",
        instructions="Run instructions.",
        tools=[TIME],
        temperature=0.25,
    )
    assert run.status == "completed", run.last_error
    assert run.model == "gpt-4o-mini"
    assert run.instructions == "Run instructions."
    assert [tool.function.name for tool in run.tools] == ["get_time"]
    assert run.temperature == 0.25

    (body,) = fake.requests()
    assert body["model"] == "gpt-4o-mini"
    assert "Run instructions." in system_text(body)
    assert "Assistant instructions." not in system_text(body), "run instructions replace the assistant's"
    assert tool_names(body) == ["get_time"]
    assert body["temperature"] == 0.25
    # The assistant itself is unchanged.
    assert c.beta.assistants.retrieve(a.id).model == "gpt-4o"


def test_create_and_run_poll(run_client, run_assistant, fake):
    c = run_client
    fake.script(text_reply("Fresh thread answer."))
    run = c.beta.threads.create_and_run_poll(
        assistant_id=run_assistant.id,
        thread={"messages": [{"role": "user", "content": "new thread please"}], "metadata": {"src": "test"}},
    )
    assert run.status == "completed", run.last_error
    thread = c.beta.threads.retrieve(run.thread_id)
    assert thread.metadata == {"src": "test"}
    msgs = list(c.beta.threads.messages.list(run.thread_id, order="asc"))
    assert [(m.role, message_text(m)) for m in msgs] == [("user", "new thread please"), ("assistant", "Fresh thread answer.")]
    assert msgs[1].run_id == run.id
    (body,) = fake.requests()
    assert conversation(body) == [("user", "new thread please")]
    assert "You are terse." in system_text(body)


def test_create_and_run_without_thread(run_client, run_assistant, fake):
    """`thread` is optional: an empty thread is created."""
    run = run_client.beta.threads.create_and_run_poll(assistant_id=run_assistant.id)
    assert run.status == "completed", run.last_error
    assert run.thread_id.startswith("thread_")
    (body,) = fake.requests()
    assert conversation(body) == []
    (msg,) = assistant_messages(run_client, run.thread_id)
    assert message_text(msg) == "Echo: "


@pytest.mark.parametrize(
    "tool_choice",
    ["required", {"type": "function", "function": {"name": "get_time"}}],
    ids=["required", "named"],
)
def test_tool_choice_is_sent_to_the_model(run_client, fake, tool_choice):
    c = run_client
    a = c.beta.assistants.create(model="gpt-4o", tools=[WEATHER, TIME])
    t = c.beta.threads.create(messages=[{"role": "user", "content": "what time is it"}])
    fake.script(text_reply("noon"))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id, tool_choice=tool_choice)
    assert run.status == "completed", run.last_error
    if isinstance(tool_choice, str):
        assert run.tool_choice == tool_choice
    else:
        assert run.tool_choice.type == "function" and run.tool_choice.function.name == "get_time"
    (body,) = fake.requests()
    assert body.get("tool_choice") == tool_choice


def test_max_completion_tokens_makes_run_incomplete(run_client, run_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "write an essay"}])
    fake.script(text_reply("This essay is cut short", finish_reason="length"))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id, max_completion_tokens=256)
    assert run.status == "incomplete", (run.status, run.last_error)
    assert run.max_completion_tokens == 256
    assert run.incomplete_details is not None
    assert run.incomplete_details.reason == "max_completion_tokens"
    assert run.usage is not None
    (msg,) = assistant_messages(c, t.id)
    assert msg.status == "incomplete"
    assert message_text(msg) == "This essay is cut short"
    assert msg.incomplete_at is not None
    (body,) = fake.requests()
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    assert limit is not None and limit <= 256, f"the model was not told the completion limit: {body}"


def test_truncation_last_messages(run_client, run_assistant, fake):
    c = run_client
    t = c.beta.threads.create(
        messages=[
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "two"},
            {"role": "user", "content": "three"},
        ]
    )
    run = c.beta.threads.runs.create_and_poll(
        thread_id=t.id,
        assistant_id=run_assistant.id,
        truncation_strategy={"type": "last_messages", "last_messages": 1},
    )
    assert run.status == "completed", run.last_error
    assert run.truncation_strategy.type == "last_messages"
    assert run.truncation_strategy.last_messages == 1
    (body,) = fake.requests()
    assert conversation(body) == [("user", "three")]
    assert "You are terse." in system_text(body)


def test_thread_is_locked_while_a_run_is_active(run_client, fake):
    c = run_client
    a = c.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    t = c.beta.threads.create(messages=[{"role": "user", "content": "weather?"}])
    fake.script(tool_reply(("get_weather", '{"city":"Oslo"}')))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id)
    assert run.status == "requires_action", run.last_error

    with pytest.raises(openai.BadRequestError) as e:
        c.beta.threads.messages.create(t.id, role="user", content="interrupting")
    assert_sdk_error(e.value, 400, code=None, type_="invalid_request_error")
    assert e.value.body["message"] == f"Can't add messages to {t.id} while a run {run.id} is active."

    with pytest.raises(openai.BadRequestError) as e:
        c.beta.threads.runs.create(thread_id=t.id, assistant_id=a.id)
    assert_sdk_error(e.value, 400, code=None, type_="invalid_request_error")
    assert e.value.body["message"] == f"Thread {t.id} already has an active run {run.id}."

    # Nothing was added.
    assert len(list(c.beta.threads.messages.list(t.id))) == 1
    assert [r.id for r in c.beta.threads.runs.list(t.id)] == [run.id]

    cancelled = c.beta.threads.runs.cancel(run.id, thread_id=t.id)
    assert cancelled.status in ("cancelling", "cancelled")
    assert wait_for_status(c, t.id, run.id, "cancelled", timeout=5).status == "cancelled"
    # Unlocked again.
    c.beta.threads.messages.create(t.id, role="user", content="now it works")


def test_cancel_in_progress_run(run_client, run_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "take your time"}])
    fake.script(text_reply("far too late", delay_ms_before_first=6000))
    run = c.beta.threads.runs.create(thread_id=t.id, assistant_id=run_assistant.id)
    assert run.status == "queued"
    fake.wait_for_requests(1, timeout=5)  # the model call is under way

    started = time.monotonic()
    cancelling = c.beta.threads.runs.cancel(run.id, thread_id=t.id)
    assert cancelling.id == run.id
    assert cancelling.status == "cancelling"

    final = c.beta.threads.runs.poll(run.id, thread_id=t.id)
    elapsed = time.monotonic() - started
    assert final.status == "cancelled"
    assert elapsed < 3.0, f"cancel took {elapsed:.1f}s: it waited for the model instead of stopping"
    assert_recent_timestamp(final.cancelled_at)
    assert final.completed_at is None and final.failed_at is None
    for m in assistant_messages(c, t.id):
        assert "far too late" not in message_text(m)

    # The thread accepts new runs.
    fake.script(text_reply("after cancel"))
    again = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    assert again.status == "completed", again.last_error
    assert message_text(assistant_messages(c, t.id, again.id)[0]) == "after cancel"


def test_cancel_requires_action_run(run_client, fake):
    c = run_client
    a = c.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    t = c.beta.threads.create(messages=[{"role": "user", "content": "weather?"}])
    fake.script(tool_reply(("get_weather", '{"city":"Rome"}')))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id)
    assert run.status == "requires_action"
    resp = c.beta.threads.runs.cancel(run.id, thread_id=t.id)
    assert resp.status in ("cancelling", "cancelled")
    final = c.beta.threads.runs.poll(run.id, thread_id=t.id)
    assert final.status == "cancelled"
    assert final.required_action is None
    with pytest.raises(openai.BadRequestError):
        c.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=t.id,
            tool_outputs=[{"tool_call_id": run.required_action.submit_tool_outputs.tool_calls[0].id, "output": "x"}],
        )
    again = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id)
    assert again.status == "completed", again.last_error


def test_cancel_completed_run_is_rejected(run_client, run_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    assert run.status == "completed"
    with pytest.raises(openai.BadRequestError) as e:
        c.beta.threads.runs.cancel(run.id, thread_id=t.id)
    assert_sdk_error(e.value, 400, type_="invalid_request_error")
    assert c.beta.threads.runs.retrieve(run.id, thread_id=t.id).status == "completed"


def test_run_steps_list_retrieve_and_include(run_client, fake):
    c = run_client
    a = c.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    t = c.beta.threads.create(messages=[{"role": "user", "content": "weather in Lima?"}])
    fake.script(tool_reply(("get_weather", '{"city":"Lima"}')), text_reply("Lima is mild."))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id, include=[STEP_INCLUDE])
    assert run.status == "requires_action"
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    run = c.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=t.id, tool_outputs=[{"tool_call_id": call.id, "output": "18C"}]
    )
    assert run.status == "completed", run.last_error

    steps = list(c.beta.threads.runs.steps.list(run.id, thread_id=t.id, order="asc"))
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    tool_step, msg_step = steps
    for s in steps:
        assert s.object == "thread.run.step"
        assert s.run_id == run.id and s.thread_id == t.id and s.assistant_id == a.id
        assert s.status == "completed"
        assert_recent_timestamp(s.completed_at)
        assert s.usage is not None
    (tc,) = tool_step.step_details.tool_calls
    assert tc.type == "function" and tc.id == call.id
    assert tc.function.name == "get_weather"
    assert tc.function.arguments == '{"city":"Lima"}'
    assert tc.function.output == "18C"
    (answer,) = assistant_messages(c, t.id, run.id)
    assert msg_step.step_details.message_creation.message_id == answer.id
    assert message_text(answer) == "Lima is mild."

    # Pagination: one step per page, newest first by default; the SDK follows `after`.
    page = c.beta.threads.runs.steps.list(run.id, thread_id=t.id, limit=1)
    assert [s.id for s in page.data] == [msg_step.id]
    assert page.has_more is True
    assert [s.id for s in c.beta.threads.runs.steps.list(run.id, thread_id=t.id, limit=1)] == [msg_step.id, tool_step.id]
    last = c.beta.threads.runs.steps.list(run.id, thread_id=t.id, limit=1, after=msg_step.id)
    assert [s.id for s in last.data] == [tool_step.id] and last.has_more is False

    # Retrieve, with and without include.
    got = c.beta.threads.runs.steps.retrieve(tool_step.id, thread_id=t.id, run_id=run.id)
    assert got.to_dict() == tool_step.to_dict()
    got = c.beta.threads.runs.steps.retrieve(tool_step.id, thread_id=t.id, run_id=run.id, include=[STEP_INCLUDE])
    assert got.id == tool_step.id
    listed = c.beta.threads.runs.steps.list(run.id, thread_id=t.id, include=[STEP_INCLUDE])
    assert {s.id for s in listed} == {tool_step.id, msg_step.id}



@pytest.mark.parametrize("where", ["steps.list", "steps.retrieve", "runs.create"])
def test_invalid_include_is_rejected(run_client, fake, where):
    """`step_details.tool_calls[*].file_search.results[*].content` is the only include value."""
    c = run_client
    a = c.beta.assistants.create(model="gpt-4o")
    t = c.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id)
    assert run.status == "completed", run.last_error
    (step,) = c.beta.threads.runs.steps.list(run.id, thread_id=t.id)
    with pytest.raises(openai.BadRequestError) as e:
        if where == "steps.list":
            c.beta.threads.runs.steps.list(run.id, thread_id=t.id, include=["step_details.bogus"])
        elif where == "steps.retrieve":
            c.beta.threads.runs.steps.retrieve(step.id, thread_id=t.id, run_id=run.id, include=["nope"])
        else:
            c.beta.threads.runs.create(thread_id=t.id, assistant_id=a.id, include=["nope"])
    assert_sdk_error(e.value, 400, type_="invalid_request_error")
    assert [r.id for r in c.beta.threads.runs.list(t.id)] == [run.id], "a rejected create must not start a run"


def test_runs_list_pagination_and_update(run_client, run_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "count"}])
    ids = []
    for _ in range(3):
        r = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
        assert r.status == "completed", r.last_error
        ids.append(r.id)

    page = c.beta.threads.runs.list(t.id, limit=2)
    assert [r.id for r in page.data] == ids[::-1][:2]
    assert page.has_more is True
    assert [r.id for r in c.beta.threads.runs.list(t.id, limit=2)] == ids[::-1]
    assert [r.id for r in c.beta.threads.runs.list(t.id, order="asc", limit=1)] == ids
    tail = c.beta.threads.runs.list(t.id, order="asc", after=ids[0])
    assert [r.id for r in tail.data] == ids[1:] and tail.has_more is False
    for r in c.beta.threads.runs.list(t.id):
        assert r.object == "thread.run" and r.status == "completed" and r.usage is not None

    updated = c.beta.threads.runs.update(ids[1], thread_id=t.id, metadata={"label": "middle"})
    assert updated.id == ids[1] and updated.metadata == {"label": "middle"}
    assert updated.status == "completed"
    assert c.beta.threads.runs.retrieve(ids[1], thread_id=t.id).metadata == {"label": "middle"}
    assert c.beta.threads.runs.retrieve(ids[0], thread_id=t.id).metadata == {}


def test_builtin_file_search_call_reports_unavailable(run_client, fake):
    c = run_client
    a = c.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
    t = c.beta.threads.create(messages=[{"role": "user", "content": "search my files"}])
    fake.script(tool_reply(("file_search", '{"query": "quarterly report"}')), text_reply("Nothing found."))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=a.id)
    assert run.status == "completed", (run.status, run.last_error)
    first, _ = fake.requests()
    fs = next(tool for tool in first["tools"] if tool["function"]["name"] == "file_search")
    assert "query" in fs["function"]["parameters"]["properties"]
    steps = list(c.beta.threads.runs.steps.list(run.id, thread_id=t.id, order="asc"))
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    (tc,) = steps[0].step_details.tool_calls
    assert tc.type == "file_search"
