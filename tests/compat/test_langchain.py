"""LangChain's OpenAIAssistantRunnable against the server, as in LangChain's "OpenAI Assistants" page.

The runnable drives the server through an `openai.OpenAI` client passed as `client=`; its tools run
locally, here with a scripted fake model deciding which tool to call.
"""

from __future__ import annotations

import json

import pytest
from langchain_classic.agents import AgentExecutor
from langchain_classic.agents.openai_assistant import OpenAIAssistantRunnable
from langchain_classic.agents.openai_assistant.base import OpenAIAssistantAction, OpenAIAssistantFinish
from langchain_core.agents import AgentFinish
from langchain_core.tools import StructuredTool, tool

from fake_model import conversation, system_text, tool_names
from run_support import message_text, text_reply, tool_reply

# The runnable polls runs.retrieve itself (not the SDK's poll helper); keep its loop quick.
FAST = {"check_every_ms": 50}


class ToolLog:
    def __init__(self):
        self.calls: list[tuple[str, dict]] = []


@pytest.fixture
def tool_log():
    return ToolLog()


@pytest.fixture
def tools(tool_log):
    @tool
    def multiply(a: float, b: float) -> float:
        """Multiply two numbers."""
        tool_log.calls.append(("multiply", {"a": a, "b": b}))
        return a * b

    def _lookup(city: str) -> str:
        tool_log.calls.append(("city_population", {"city": city}))
        return {"Lyon": "522 000", "Nice": "342 000"}.get(city, "unknown")

    population = StructuredTool.from_function(
        func=_lookup, name="city_population", description="Population of a French city."
    )
    return [multiply, population]


def _make_agent(client, tools, **kw):
    return OpenAIAssistantRunnable.create_assistant(
        name="langchain assistant",
        instructions="You are a personal math tutor. Use the tools.",
        tools=tools,
        model="gpt-4o",
        as_agent=True,
        client=client,
        **FAST,
        **kw,
    )


def test_create_assistant_registers_tools(run_client, tools, fake):
    agent = _make_agent(run_client, tools)
    a = run_client.beta.assistants.retrieve(agent.assistant_id)
    assert a.name == "langchain assistant"
    assert a.instructions == "You are a personal math tutor. Use the tools."
    assert [t.function.name for t in a.tools] == ["multiply", "city_population"]
    params = a.tools[0].function.parameters
    assert set(params["properties"]) == {"a", "b"}


def test_agent_executor_runs_local_tool(run_client, tools, tool_log, fake):
    agent = _make_agent(run_client, tools)
    fake.script(
        tool_reply(("multiply", '{"a": 6, "b": 7}')),
        text_reply("6 times 7 is 42."),
    )
    executor = AgentExecutor(agent=agent, tools=tools)
    result = executor.invoke({"content": "What's 6 times 7?"})

    assert result["output"] == "6 times 7 is 42."
    assert result["content"] == "What's 6 times 7?"
    assert result["thread_id"].startswith("thread_") and result["run_id"].startswith("run_")
    assert tool_log.calls == [("multiply", {"a": 6.0, "b": 7.0})]

    first, second = fake.requests()
    assert conversation(first) == [("user", "What's 6 times 7?")]
    assert "You are a personal math tutor." in system_text(first)
    assert tool_names(first) == ["multiply", "city_population"]
    tool_msgs = [m for m in second["messages"] if m["role"] == "tool"]
    assert [m["content"] for m in tool_msgs] == ["42.0"]

    run = run_client.beta.threads.runs.retrieve(result["run_id"], thread_id=result["thread_id"])
    assert run.status == "completed"
    (step_calls,) = [s.step_details.tool_calls for s in run_client.beta.threads.runs.steps.list(run.id, thread_id=run.thread_id) if s.type == "tool_calls"]
    assert step_calls[0].function.output == "42.0"


def test_agent_executor_parallel_tools(run_client, tools, tool_log, fake):
    agent = _make_agent(run_client, tools)
    fake.script(
        tool_reply(("city_population", '{"city": "Lyon"}'), ("city_population", '{"city": "Nice"}')),
    )  # then the fake's default answer echoes the tool outputs
    result = AgentExecutor(agent=agent, tools=tools).invoke({"content": "Populations of Lyon and Nice?"})
    assert sorted(tool_log.calls, key=lambda c: c[1]["city"]) == [
        ("city_population", {"city": "Lyon"}),
        ("city_population", {"city": "Nice"}),
    ]
    assert result["output"] == "Tool results: 522 000, 342 000"


def execute_agent(agent, tools, input):
    """The custom execution loop from the seed docs, verbatim apart from the print."""
    tool_map = {tool.name: tool for tool in tools}
    response = agent.invoke(input)
    while not isinstance(response, AgentFinish):
        tool_outputs = []
        for action in response:
            tool_output = tool_map[action.tool].invoke(action.tool_input)
            tool_outputs.append({"output": str(tool_output), "tool_call_id": action.tool_call_id})
        response = agent.invoke(
            {
                "tool_outputs": tool_outputs,
                "run_id": action.run_id,
                "thread_id": action.thread_id,
            }
        )
    return response


def test_custom_execution_loop_and_existing_thread(run_client, tools, tool_log, fake):
    agent = _make_agent(run_client, tools)
    fake.script(tool_reply(("multiply", '{"a": 1.5, "b": 4}')), text_reply("1.5 * 4 = 6"))

    # First turn: inspect what invoke returns before running the loop.
    first = agent.invoke({"content": "What's 1.5 times 4?"})
    assert isinstance(first, list) and len(first) == 1
    (action,) = first
    assert isinstance(action, OpenAIAssistantAction)
    assert action.tool == "multiply" and action.tool_input == {"a": 1.5, "b": 4}
    assert action.tool_call_id.startswith("call_")
    out = tools[0].invoke(action.tool_input)
    response = agent.invoke(
        {"tool_outputs": [{"output": str(out), "tool_call_id": action.tool_call_id}], "run_id": action.run_id, "thread_id": action.thread_id}
    )
    assert isinstance(response, OpenAIAssistantFinish)
    assert response.return_values["output"] == "1.5 * 4 = 6"
    thread_id = response.return_values["thread_id"]
    assert response.thread_id == thread_id and response.run_id == action.run_id

    # Second turn on the same thread, through the seed's loop.
    fake.script(tool_reply(("multiply", '{"a": 6, "b": 2}')), text_reply("Doubled: 12"))
    nxt = execute_agent(agent, tools, {"content": "now double it", "thread_id": thread_id})
    assert isinstance(nxt, OpenAIAssistantFinish)
    assert nxt.return_values["output"] == "Doubled: 12"
    assert nxt.return_values["thread_id"] == thread_id
    assert nxt.run_id != response.run_id
    assert tool_log.calls == [("multiply", {"a": 1.5, "b": 4.0}), ("multiply", {"a": 6.0, "b": 2.0})]

    # The model saw the earlier turn when asked the second question.
    reqs = fake.requests()
    third = reqs[2]
    conv = conversation(third)
    assert conv[0] == ("user", "What's 1.5 times 4?")
    assert ("assistant", "1.5 * 4 = 6") in conv
    assert conv[-1] == ("user", "now double it")
    msgs = list(run_client.beta.threads.messages.list(thread_id, order="asc"))
    assert [(m.role, message_text(m)) for m in msgs] == [
        ("user", "What's 1.5 times 4?"),
        ("assistant", "1.5 * 4 = 6"),
        ("user", "now double it"),
        ("assistant", "Doubled: 12"),
    ]


def test_wrap_existing_assistant(run_client, tools, tool_log, fake):
    a = run_client.beta.assistants.create(
        model="gpt-4o",
        instructions="Existing assistant.",
        tools=[{"type": "function", "function": {"name": "multiply", "parameters": {
            "type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}}}],
    )
    agent = OpenAIAssistantRunnable(assistant_id=a.id, as_agent=True, client=run_client, **FAST)
    fake.script(tool_reply(("multiply", '{"a": 3, "b": 3}')), text_reply("nine"))
    result = AgentExecutor(agent=agent, tools=tools).invoke({"content": "3 squared?"})
    assert result["output"] == "nine"
    assert tool_log.calls == [("multiply", {"a": 3.0, "b": 3.0})]
    assert "Existing assistant." in system_text(fake.requests()[0])
    run = run_client.beta.threads.runs.retrieve(result["run_id"], thread_id=result["thread_id"])
    assert run.assistant_id == a.id


def test_without_as_agent_returns_messages(run_client, fake):
    runnable = OpenAIAssistantRunnable.create_assistant(
        name="plain",
        instructions="Plain assistant.",
        tools=[{"type": "code_interpreter"}],
        model="gpt-4o",
        client=run_client,
        **FAST,
    )
    fake.script(text_reply("The result is -32.224."))
    output = runnable.invoke({"content": "What's 10 - 4 raised to the 2.7"})
    assert isinstance(output, list) and len(output) == 1
    (msg,) = output
    assert msg.role == "assistant"
    assert msg.assistant_id == runnable.assistant_id
    assert message_text(msg) == "The result is -32.224."
    assert msg.thread_id.startswith("thread_") and msg.run_id.startswith("run_")
    (body,) = fake.requests()
    assert "code_interpreter" in tool_names(body)
    assert conversation(body) == [("user", "What's 10 - 4 raised to the 2.7")]


def test_without_as_agent_tool_call_returns_required_calls(run_client, tools, fake):
    runnable = OpenAIAssistantRunnable.create_assistant(
        name="plain tools", instructions="x", tools=tools, model="gpt-4o", client=run_client, **FAST
    )
    fake.script(tool_reply(("city_population", '{"city": "Lyon"}')))
    calls = runnable.invoke({"content": "Lyon?"})
    (call,) = calls
    assert call.type == "function" and call.function.name == "city_population"
    assert json.loads(call.function.arguments) == {"city": "Lyon"}


def test_message_and_thread_metadata(run_client, fake):
    """invoke() passes message_metadata/thread_metadata (null when absent) in the new thread's message."""
    runnable = OpenAIAssistantRunnable.create_assistant(
        name="meta", instructions="x", tools=[], model="gpt-4o", client=run_client, **FAST
    )
    (msg,) = runnable.invoke({"content": "tagged", "message_metadata": {"m": "1"}, "thread_metadata": {"t": "2"}})
    assert run_client.beta.threads.retrieve(msg.thread_id).metadata == {"t": "2"}
    (user_msg,) = [m for m in run_client.beta.threads.messages.list(msg.thread_id) if m.role == "user"]
    assert user_msg.metadata == {"m": "1"}
    assert message_text(msg) == "Echo: tagged"
