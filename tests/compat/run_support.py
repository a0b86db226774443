"""Helpers shared by the run tests: scripted replies, tools, bounded polling, an event recorder."""

from __future__ import annotations

import time

from openai import AssistantEventHandler

TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}
POLL_STOPS = TERMINAL | {"requires_action"}


def function_tool(name: str, description: str = "", **properties: str) -> dict:
    """A function tool whose parameters are string properties named by `properties`."""
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description or f"The {name} function.",
            "parameters": {
                "type": "object",
                "properties": {k: {"type": v} for k, v in properties.items()},
                "required": list(properties),
            },
        },
    }


WEATHER = function_tool("get_weather", "Weather for a city.", city="string")
TIME = function_tool("get_time", "Local time in a time zone.", tz="string")


def text_reply(text: str, **kw) -> dict:
    return {"text": text, **kw}


def tool_reply(*calls: tuple, **kw) -> dict:
    """calls: (name, arguments_json) or (name, arguments_json, id)."""
    out = []
    for c in calls:
        d = {"name": c[0], "arguments": c[1]}
        if len(c) > 2:
            d["id"] = c[2]
        out.append(d)
    return {"tool_calls": out, **kw}


def wait_for_response(client, response_id: str, done, timeout: float = 20.0):
    """Retrieves the response until `done(response)` holds or `timeout` seconds have passed; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.responses.retrieve(response_id)
        if done(r) or time.monotonic() > deadline:
            return r
        time.sleep(0.05)


def wait_for_status(client, thread_id: str, run_id: str, statuses, timeout: float = 15.0):
    """Bounded poll of GET run until its status is in `statuses`; returns the last run seen."""
    statuses = {statuses} if isinstance(statuses, str) else set(statuses)
    deadline = time.monotonic() + timeout
    while True:
        run = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        if run.status in statuses or time.monotonic() > deadline:
            return run
        time.sleep(0.05)


def message_text(message) -> str:
    return "".join(p.text.value for p in message.content if p.type == "text")


def assistant_messages(client, thread_id: str, run_id: str | None = None) -> list:
    kw = {"run_id": run_id} if run_id else {}
    return [m for m in client.beta.threads.messages.list(thread_id, order="asc", **kw) if m.role == "assistant"]


class Recorder(AssistantEventHandler):
    """Records every callback a user's handler would see, in order."""

    def __init__(self):
        super().__init__()
        self.events: list[str] = []
        self.event_objects: list = []
        self.calls: list[tuple] = []
        self.text_deltas: list[str] = []
        self.messages_done: list = []
        self.steps_created: list = []
        self.steps_done: list = []
        self.tool_calls_created: list = []
        self.tool_call_deltas: list = []  # (delta, snapshot) pairs
        self.tool_calls_done: list = []
        self.ended = 0
        self.exceptions: list[Exception] = []

    def on_event(self, event) -> None:
        self.events.append(event.event)
        # A copy: the SDK accumulates later deltas into the created objects in place.
        self.event_objects.append(event.model_copy(deep=True))

    def on_text_created(self, text) -> None:
        self.calls.append(("text_created", text.value))

    def on_text_delta(self, delta, snapshot) -> None:
        self.text_deltas.append(delta.value or "")
        self.calls.append(("text_delta", delta.value))

    def on_text_done(self, text) -> None:
        self.calls.append(("text_done", text.value))

    def on_message_created(self, message) -> None:
        self.calls.append(("message_created", message.id))

    def on_message_done(self, message) -> None:
        self.messages_done.append(message)
        self.calls.append(("message_done", message.id))

    def on_run_step_created(self, run_step) -> None:
        self.steps_created.append(run_step)
        self.calls.append(("run_step_created", run_step.type))

    def on_run_step_done(self, run_step) -> None:
        self.steps_done.append(run_step)
        self.calls.append(("run_step_done", run_step.type))

    def on_tool_call_created(self, tool_call) -> None:
        self.tool_calls_created.append(tool_call)
        self.calls.append(("tool_call_created", tool_call.type))

    def on_tool_call_delta(self, delta, snapshot) -> None:
        self.tool_call_deltas.append((delta, snapshot.model_copy(deep=True)))
        self.calls.append(("tool_call_delta", delta.index))

    def on_tool_call_done(self, tool_call) -> None:
        self.tool_calls_done.append(tool_call)
        self.calls.append(("tool_call_done", tool_call.type))

    def on_exception(self, exception) -> None:
        self.exceptions.append(exception)

    def on_end(self) -> None:
        self.ended += 1
        self.calls.append(("end", None))


def collapse_deltas(events: list[str]) -> list[str]:
    """Event names with each run of identical `*.delta` events collapsed to one `<name>*`."""
    out: list[str] = []
    for e in events:
        if e.endswith(".delta"):
            if out and out[-1] == e + "*":
                continue
            out.append(e + "*")
        else:
            out.append(e)
    return out


TEXT_RUN_EVENTS = [
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
    "thread.message.delta*",
    "thread.message.completed",
    "thread.run.step.completed",
    "thread.run.completed",
]
