"""Searches and code runs as items, with the official openai package: a client that keeps the history itself
sends `previous.output` back as input, file_search_call and code_interpreter_call items included; a
conversation lists the searches and code of its responses in order; `max_tool_calls` caps built-in calls;
`auto` containers carry on through a conversation.

The fake model calls the tools as scripted; with an empty script queue it answers "Tool results: <output>".
"""

from __future__ import annotations

import json

from run_support import text_reply, tool_reply

TEA = "Green tea is steeped at 80 degrees for two minutes. Black tea wants boiling water and four minutes."


def tea_store(client) -> str:
    store = client.vector_stores.create(name="tea")
    vs_file = client.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=("tea.md", TEA.encode()))
    assert vs_file.status == "completed"
    return store.id


def search(query: str) -> tuple:
    return ("file_search", json.dumps({"query": query}))


def code(source: str) -> tuple:
    return ("code_interpreter", json.dumps({"code": source}))


def roles(body: dict) -> list[str]:
    return [m["role"] for m in body["messages"] if m["role"] != "system"]


def test_previous_output_with_searches_and_code_is_taken_back_as_input(run_client, fake):
    c = run_client
    tools = [{"type": "file_search", "vector_store_ids": [tea_store(c)]}, {"type": "code_interpreter", "container": {"type": "auto"}}]
    fake.script(tool_reply(search("green tea")), tool_reply(code("print(80 * 2)")), text_reply("Two minutes at 80 degrees."))
    first = c.responses.create(
        model="gpt-4o", input="Green tea?", tools=tools, include=["file_search_call.results", "code_interpreter_call.outputs"])
    assert [item.type for item in first.output] == ["file_search_call", "code_interpreter_call", "message"]

    # The history kept on the client's side, as the package gives it back: no previous_response_id.
    fake.script(text_reply("Yes."))
    second = c.responses.create(model="gpt-4o", input=first.output + [{"role": "user", "content": "Sure?"}], tools=tools)
    assert second.status == "completed" and second.output_text == "Yes."
    body = fake.requests()[-1]
    # The model reads them as its earlier calls, answered with what they found and printed.
    assert roles(body) == ["assistant", "tool", "tool", "assistant", "user"]
    (turn,) = [m for m in body["messages"] if m.get("tool_calls")]
    assert [call["function"]["name"] for call in turn["tool_calls"]] == ["file_search", "code_interpreter"]
    answers = [m["content"] for m in body["messages"] if m["role"] == "tool"]
    assert TEA in answers[0] and "【" not in answers[0]
    assert answers[1] == "160\n"

    items = c.responses.input_items.list(second.id, order="asc", include=["code_interpreter_call.outputs"]).data
    assert [item.type for item in items] == ["file_search_call", "code_interpreter_call", "message", "message"]
    assert items[0].id.startswith("fs_") and items[0].id != first.output[0].id and items[0].queries == ["green tea"]
    assert items[0].results is None
    assert items[1].code == "print(80 * 2)" and [o.logs for o in items[1].outputs] == ["160\n"]
    assert items[1].container_id == first.output[1].container_id


def test_a_conversation_lists_the_searches_and_code_of_its_responses(run_client, fake):
    c = run_client
    conv = c.conversations.create()
    tools = [{"type": "file_search", "vector_store_ids": [tea_store(c)]}, {"type": "code_interpreter", "container": {"type": "auto"}}]
    fake.script(tool_reply(search("green tea")), tool_reply(code("minutes = 2\nprint(minutes)")), text_reply("Two minutes."))
    first = c.responses.create(model="gpt-4o", input="Green tea?", conversation=conv.id, tools=tools)
    assert [item.type for item in first.output] == ["file_search_call", "code_interpreter_call", "message"]

    items = c.conversations.items.list(conv.id, order="asc").data
    assert [item.type for item in items] == ["message", "file_search_call", "code_interpreter_call", "message"]
    assert [item.id for item in items[1:]] == [item.id for item in first.output]
    assert items[1].results is None and items[2].outputs is None
    full = c.conversations.items.list(conv.id, order="asc", include=["file_search_call.results", "code_interpreter_call.outputs"]).data
    assert TEA in full[1].results[0].text and [o.logs for o in full[2].outputs] == ["2\n"]
    retrieved = c.conversations.items.retrieve(items[2].id, conversation_id=conv.id, include=["code_interpreter_call.outputs"])
    assert retrieved == full[2]

    # The next response in the conversation reads them, and its `auto` container is the one the previous
    # response used: the code finds its variables.
    fake.script(tool_reply(code("print(minutes + 1)")))
    second = c.responses.create(
        model="gpt-4o", input="And one more?", conversation=conv.id, tools=tools, include=["code_interpreter_call.outputs"])
    (again,) = [item for item in second.output if item.type == "code_interpreter_call"]
    assert again.container_id == first.output[1].container_id
    assert [o.logs for o in again.outputs] == ["3\n"]
    body = fake.requests()[-2]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool", "tool", "assistant", "user"]
    types = [item.type for item in c.conversations.items.list(conv.id, order="asc").data]
    assert types == ["message", "file_search_call", "code_interpreter_call", "message", "message", "code_interpreter_call", "message"]


def test_a_conversation_takes_searches_and_code_as_items(run_client, fake):
    c = run_client
    conv = c.conversations.create(items=[
        {"role": "user", "content": "What is 6 * 7?"},
        {"type": "code_interpreter_call", "id": "ci_mine", "status": "completed", "container_id": "cntr_mine",
         "code": "print(6 * 7)", "outputs": [{"type": "logs", "logs": "42\n"}]},
    ])
    added = c.conversations.items.create(conv.id, items=[
        {"type": "file_search_call", "id": "fs_mine", "status": "completed", "queries": ["six"], "results": None},
    ])
    assert [item.type for item in added.data] == ["file_search_call"] and added.data[0].id != "fs_mine"
    fake.script(text_reply("42."))
    c.responses.create(model="gpt-4o", input="So?", conversation=conv.id)
    messages = fake.requests()[-1]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "tool", "user"]
    assert messages[2]["content"] == "42\n"


def test_max_tool_calls_stops_running_built_in_tools(run_client, fake):
    c = run_client
    tools = [{"type": "file_search", "vector_store_ids": [tea_store(c)]}]
    fake.script(tool_reply(search("green tea"), search("black tea")), text_reply("Two minutes."))
    r = c.responses.create(model="gpt-4o", input="Tea?", tools=tools, max_tool_calls=1, include=["file_search_call.results"])
    assert r.status == "completed" and r.max_tool_calls == 1 and r.output_text == "Two minutes."
    ran, skipped, _ = r.output
    assert ran.type == skipped.type == "file_search_call"
    assert ran.results and skipped.results == []
    first, second = fake.requests()
    assert [t["function"]["name"] for t in first["tools"]] == ["file_search"]
    assert "tools" not in second, "the model is no longer offered built-in tools"
    answers = [m["content"] for m in second["messages"] if m["role"] == "tool"]
    assert TEA in answers[0] and answers[1].startswith("Not run: this response may make at most 1 built-in tool call")


def test_agents_sdk_replays_a_search_with_its_history(run_server, fake):
    """The OpenAI Agents SDK keeps a run's history on its side: after the model searched and called a
    function, the next request's input is the user's message, the search, the call and its output. With an
    OpenAIConversationsSession the search is also stored as a conversation item and replayed in the next run."""
    import asyncio

    import openai
    from agents import (
        Agent, FileSearchTool, OpenAIConversationsSession, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled,
    )

    set_tracing_disabled(True)
    store_id = tea_store(run_server.client())

    @function_tool
    def kettle(degrees: int) -> str:
        """Heats the kettle."""
        return f"Kettle at {degrees}."

    fake.script(
        tool_reply(search("green tea"), ("kettle", '{"degrees": 80}', "call_kettle")),
        text_reply("Kettle at 80, steep two minutes."),
        text_reply("You asked about green tea."),
    )

    async def main():
        client = openai.AsyncOpenAI(base_url=run_server.base_url, api_key="test-key-1", max_retries=0)
        agent = Agent(
            name="Tea", tools=[FileSearchTool(vector_store_ids=[store_id]), kettle],
            model=OpenAIResponsesModel(model="gpt-4o", openai_client=client),
        )
        session = OpenAIConversationsSession(openai_client=client)
        first = await Runner.run(agent, "Make green tea.", session=session)
        second = await Runner.run(agent, "What did I ask?", session=session)
        items = await session.get_items()
        await client.close()
        return first, second, items

    first, second, items = asyncio.run(main())
    assert first.final_output == "Kettle at 80, steep two minutes." and second.final_output == "You asked about green tea."
    assert [i["type"] for i in items] == [
        "message", "file_search_call", "function_call", "function_call_output", "message", "message", "message"]
    assert items[1]["queries"] == ["green tea"]

    for body in fake.requests()[1:]:
        (turn,) = [m for m in body["messages"] if m.get("tool_calls")]
        assert [c["function"]["name"] for c in turn["tool_calls"]] == ["file_search", "kettle"]
        answers = [m["content"] for m in body["messages"] if m["role"] == "tool"]
        assert TEA in answers[0] and answers[1] == "Kettle at 80."
