"""Function calling: requires_action, submit_tool_outputs (polling and streaming)."""

from __future__ import annotations

import json

import openai
import pytest

from compat_support import assert_sdk_error
from run_support import (
    TEXT_RUN_EVENTS,
    TIME,
    WEATHER,
    Recorder,
    assistant_messages,
    collapse_deltas,
    message_text,
    text_reply,
    tool_reply,
)

# Deliberately not in the canonical json.dumps form: the server must pass the string through as is.
PARIS_ARGS = '{"city": "Paris",  "unit":"c"}'
TIME_ARGS = '{"tz":"Europe/Paris"}'


@pytest.fixture
def tool_assistant(run_client):
    return run_client.beta.assistants.create(
        model="gpt-4o", instructions="Use the tools.", tools=[WEATHER, TIME], name="tools"
    )


def _script_parallel_calls(fake):
    fake.script(tool_reply(("get_weather", PARIS_ARGS, "call_weather1"), ("get_time", TIME_ARGS, "call_time1")))


def _check_required_action(run):
    assert run.status == "requires_action", (run.status, run.last_error)
    assert run.required_action is not None
    assert run.required_action.type == "submit_tool_outputs"
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert [(tc.type, tc.function.name, tc.function.arguments) for tc in calls] == [
        ("function", "get_weather", PARIS_ARGS),
        ("function", "get_time", TIME_ARGS),
    ]
    for tc in calls:
        assert tc.id.startswith("call_")
    assert len({tc.id for tc in calls}) == 2
    assert run.usage is None, "usage stays null until the run is terminal"
    assert run.expires_at is not None, "a run waiting for outputs expires"
    assert run.completed_at is None
    return calls


def _check_followup_request(body, calls, outputs):
    """The model's second request carries the assistant tool_calls message and one tool message per call."""
    msgs = body["messages"]
    i = next(i for i, m in enumerate(msgs) if m["role"] == "assistant" and m.get("tool_calls"))
    sent_calls = msgs[i]["tool_calls"]
    assert [(c["id"], c["type"], c["function"]["name"], c["function"]["arguments"]) for c in sent_calls] == [
        (tc.id, "function", tc.function.name, tc.function.arguments) for tc in calls
    ]
    tool_msgs = msgs[i + 1:]
    assert [(m["role"], m["tool_call_id"], m["content"]) for m in tool_msgs] == [
        ("tool", tc.id, out) for tc, out in zip(calls, outputs)
    ], msgs
    # The user's question is before it.
    assert [m["role"] for m in msgs[:i]][-1] == "user"


def test_parallel_function_calls_submit_and_poll(run_client, tool_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "weather and time in Paris?"}])
    _script_parallel_calls(fake)

    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=tool_assistant.id)
    calls = _check_required_action(run)
    # Retrieved again, the same required action.
    again = c.beta.threads.runs.retrieve(run.id, thread_id=t.id)
    assert again.required_action.to_dict() == run.required_action.to_dict()

    outputs = ["21C and sunny", "14:05"]
    done = c.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=t.id,
        tool_outputs=[{"tool_call_id": tc.id, "output": out} for tc, out in zip(calls, outputs)],
    )
    assert done.status == "completed", (done.status, done.last_error)
    assert done.required_action is None
    assert done.usage is not None
    assert done.usage.total_tokens == done.usage.prompt_tokens + done.usage.completion_tokens

    first, second = fake.requests()
    _check_followup_request(second, calls, outputs)
    # With nothing scripted the fake answers "Tool results: <outputs>".
    (msg,) = assistant_messages(c, t.id, run.id)
    assert message_text(msg) == "Tool results: 21C and sunny, 14:05"

    # The tool_calls step now shows the outputs.
    steps = list(c.beta.threads.runs.steps.list(run.id, thread_id=t.id, order="asc"))
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    step_calls = steps[0].step_details.tool_calls
    assert [(x.id, x.function.name, x.function.arguments, x.function.output) for x in step_calls] == [
        (tc.id, tc.function.name, tc.function.arguments, out) for tc, out in zip(calls, outputs)
    ]


def test_submit_must_answer_every_call(run_client, tool_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "both please"}])
    _script_parallel_calls(fake)
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=tool_assistant.id)
    calls = _check_required_action(run)
    with pytest.raises(openai.BadRequestError) as e:
        c.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=t.id, tool_outputs=[{"tool_call_id": calls[0].id, "output": "only one"}]
        )
    assert_sdk_error(e.value, 400, type_="invalid_request_error")
    with pytest.raises(openai.BadRequestError):
        c.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=t.id,
            tool_outputs=[{"tool_call_id": calls[0].id, "output": "a"}, {"tool_call_id": "call_unknown", "output": "b"}],
        )
    assert c.beta.threads.runs.retrieve(run.id, thread_id=t.id).status == "requires_action"
    done = c.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=t.id, tool_outputs=[{"tool_call_id": tc.id, "output": "ok"} for tc in calls]
    )
    assert done.status == "completed", done.last_error


def test_submit_to_completed_run_is_rejected(run_client, run_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=run_assistant.id)
    assert run.status == "completed"
    with pytest.raises(openai.BadRequestError) as e:
        c.beta.threads.runs.submit_tool_outputs(run.id, thread_id=t.id, tool_outputs=[{"tool_call_id": "call_x", "output": "x"}])
    assert_sdk_error(e.value, 400, type_="invalid_request_error")


def test_streamed_function_call_run_and_submit_stream(run_client, tool_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "weather and time, streamed"}])
    _script_parallel_calls(fake)
    fake.script(text_reply("Paris: 21C, 14:05."))

    first = Recorder()
    with c.beta.threads.runs.stream(thread_id=t.id, assistant_id=tool_assistant.id, event_handler=first) as stream:
        stream.until_done()
        run = stream.get_final_run()

    # The stream ends with requires_action.
    assert collapse_deltas(first.events) == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.run.step.delta*",
        "thread.run.requires_action",
    ], first.events
    assert first.ended == 1 and not first.exceptions
    calls = _check_required_action(run)

    step_created = first.event_objects[3].data
    assert step_created.type == "tool_calls"
    assert step_created.step_details.type == "tool_calls" and step_created.step_details.tool_calls == []

    # on_tool_call_created once per call, with id and name; the deltas rebuild the arguments.
    assert [(tc.id, tc.type, tc.function.name) for tc in first.tool_calls_created] == [
        (tc.id, "function", tc.function.name) for tc in calls
    ]
    args: dict[int, str] = {}
    for delta, _snapshot in first.tool_call_deltas:
        assert delta.type == "function"
        args[delta.index] = args.get(delta.index, "") + (delta.function.arguments or "")
    assert args == {0: PARIS_ARGS, 1: TIME_ARGS}
    # The SDK's accumulated step snapshot agrees.
    last_snapshot = first.tool_call_deltas[-1][1]
    assert last_snapshot.function.arguments == TIME_ARGS
    # Every step delta is well-formed: first per call has the id and name, later ones only arguments.
    step_deltas = [e.data for e in first.event_objects if e.event == "thread.run.step.delta"]
    seen = set()
    for d in step_deltas:
        assert d.object == "thread.run.step.delta" and d.id == step_created.id
        for tc in d.delta.step_details.tool_calls:
            if tc.index not in seen:
                seen.add(tc.index)
                assert tc.id == calls[tc.index].id and tc.function.name == calls[tc.index].function.name
    assert seen == {0, 1}

    # The stored run agrees with the stream.
    stored = c.beta.threads.runs.retrieve(run.id, thread_id=t.id)
    assert stored.status == "requires_action"
    assert stored.required_action.to_dict() == run.required_action.to_dict()

    outputs = ["21C", "14:05"]
    second = Recorder()
    with c.beta.threads.runs.submit_tool_outputs_stream(
        run_id=run.id,
        thread_id=t.id,
        tool_outputs=[{"tool_call_id": tc.id, "output": out} for tc, out in zip(calls, outputs)],
        event_handler=second,
    ) as stream:
        stream.until_done()
        final = stream.get_final_run()
        final_messages = stream.get_final_messages()

    assert collapse_deltas(second.events) == ["thread.run.step.completed"] + TEXT_RUN_EVENTS[1:], second.events
    tool_step_done = second.event_objects[0].data
    assert tool_step_done.id == step_created.id and tool_step_done.status == "completed"
    assert [x.function.output for x in tool_step_done.step_details.tool_calls] == outputs
    assert final.status == "completed" and final.id == run.id
    assert "".join(second.text_deltas) == "Paris: 21C, 14:05."
    assert [message_text(m) for m in final_messages] == ["Paris: 21C, 14:05."]

    _, followup = fake.requests()
    _check_followup_request(followup, calls, outputs)


def test_raw_function_call_stream_ends_after_requires_action(run_client, tool_assistant, fake):
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "raw"}])
    fake.script(tool_reply(("get_weather", PARIS_ARGS)))
    events = list(c.beta.threads.runs.create(thread_id=t.id, assistant_id=tool_assistant.id, stream=True))
    assert events[-1].event == "thread.run.requires_action"
    run = events[-1].data
    assert run.required_action.submit_tool_outputs.tool_calls[0].function.arguments == PARIS_ARGS
    deltas = [e.data.delta.step_details.tool_calls for e in events if e.event == "thread.run.step.delta"]
    first_call = deltas[0][0]
    assert first_call.index == 0 and first_call.id.startswith("call_") and first_call.type == "function"
    assert first_call.function.name == "get_weather"
    assert "".join(tc.function.arguments or "" for d in deltas for tc in d) == PARIS_ARGS


def test_function_output_then_second_tool_round(run_client, tool_assistant, fake):
    """A tool answer can lead to another tool call: the run goes back to requires_action."""
    c = run_client
    t = c.beta.threads.create(messages=[{"role": "user", "content": "chain"}])
    fake.script(tool_reply(("get_weather", '{"city":"A"}')), tool_reply(("get_time", '{"tz":"B"}')), text_reply("all done"))
    run = c.beta.threads.runs.create_and_poll(thread_id=t.id, assistant_id=tool_assistant.id)
    assert run.status == "requires_action"
    (c1,) = run.required_action.submit_tool_outputs.tool_calls
    run = c.beta.threads.runs.submit_tool_outputs_and_poll(run_id=run.id, thread_id=t.id, tool_outputs=[{"tool_call_id": c1.id, "output": "o1"}])
    assert run.status == "requires_action", (run.status, run.last_error)
    (c2,) = run.required_action.submit_tool_outputs.tool_calls
    assert c2.function.name == "get_time" and c2.id != c1.id
    run = c.beta.threads.runs.submit_tool_outputs_and_poll(run_id=run.id, thread_id=t.id, tool_outputs=[{"tool_call_id": c2.id, "output": "o2"}])
    assert run.status == "completed", run.last_error
    steps = list(c.beta.threads.runs.steps.list(run.id, thread_id=t.id, order="asc"))
    assert [s.type for s in steps] == ["tool_calls", "tool_calls", "message_creation"]
    third = fake.requests()[2]
    tool_msgs = [(m["tool_call_id"], m["content"]) for m in third["messages"] if m["role"] == "tool"]
    assert tool_msgs == [(c1.id, "o1"), (c2.id, "o2")]
    assert json.loads(third["messages"][-2]["tool_calls"][0]["function"]["arguments"]) == {"tz": "B"}
