"""The Conversations API with the official openai package: CRUD, items and their pages, a conversation
being a thread (both APIs see the same messages), and responses in a conversation; and the OpenAI Agents
SDK's OpenAIConversationsSession, which keeps an agent's history as conversation items."""

from __future__ import annotations

import json

import openai
import pytest

from compat_support import assert_sdk_error
from fake_model import conversation, system_text
from run_support import WEATHER, text_reply, tool_reply, wait_for_status


def test_create_retrieve_update_delete(client):
    conv = client.conversations.create(
        metadata={"topic": "demo"},
        items=[
            {"type": "message", "role": "user", "content": "Hello!"},
            {"role": "developer", "content": [{"type": "input_text", "text": "Be brief."}]},
        ],
    )
    assert conv.object == "conversation" and conv.id.startswith("conv_")
    assert conv.metadata == {"topic": "demo"} and conv.created_at > 0
    assert client.conversations.retrieve(conv.id) == conv

    updated = client.conversations.update(conv.id, metadata={"topic": "other"})
    assert updated.id == conv.id and updated.metadata == {"topic": "other"}

    deleted = client.conversations.delete(conv.id)
    assert deleted.id == conv.id and deleted.object == "conversation.deleted" and deleted.deleted is True
    with pytest.raises(openai.NotFoundError) as e:
        client.conversations.retrieve(conv.id)
    assert_sdk_error(e.value, 404, type_="invalid_request_error")
    assert e.value.body["message"] == f"Conversation with id '{conv.id}' not found."


def test_more_than_twenty_items_is_a_400(client):
    with pytest.raises(openai.BadRequestError) as e:
        client.conversations.create(items=[{"role": "user", "content": str(i)} for i in range(21)])
    assert_sdk_error(e.value, 400, param="items")
    conv = client.conversations.create()
    with pytest.raises(openai.BadRequestError) as e:
        client.conversations.items.create(conv.id, items=[])
    assert_sdk_error(e.value, 400, param="items")


def test_items_are_created_listed_paged_retrieved_and_deleted(client):
    conv = client.conversations.create(items=[{"role": "user", "content": "first"}])
    created = client.conversations.items.create(
        conv.id,
        items=[
            {"role": "user", "content": "second"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "third"}]},
        ],
    )
    assert created.object == "list" and created.has_more is False
    assert [i.type for i in created.data] == ["message", "message"]
    assert created.first_id == created.data[0].id and created.last_id == created.data[1].id
    assert [i.content[0].text for i in created.data] == ["second", "third"]

    page = client.conversations.items.list(conv.id, order="asc", limit=2, include=["message.input_image.image_url"])
    assert [i.content[0].text for i in page.data] == ["first", "second"] and page.has_more
    everything = [i.content[0].text for i in client.conversations.items.list(conv.id, order="asc", limit=1)]
    assert everything == ["first", "second", "third"]
    newest_first = client.conversations.items.list(conv.id)
    assert [i.content[0].text for i in newest_first.data] == ["third", "second", "first"]

    item = client.conversations.items.retrieve(created.data[0].id, conversation_id=conv.id)
    assert item == created.data[0]
    after = client.conversations.items.delete(created.data[0].id, conversation_id=conv.id)
    assert after.object == "conversation" and after.id == conv.id
    assert [i.content[0].text for i in client.conversations.items.list(conv.id, order="asc")] == ["first", "third"]
    with pytest.raises(openai.NotFoundError) as e:
        client.conversations.items.retrieve(created.data[0].id, conversation_id=conv.id)
    assert e.value.body["message"] == f"Item with id '{created.data[0].id}' not found."


def test_a_thread_is_a_conversation_and_a_conversation_a_thread(client):
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Made as a thread"}])
    client.beta.threads.messages.create(thread.id, role="user", content="Added as a message")
    items = client.conversations.items.list(thread.id, order="asc").data
    assert [(i.type, i.role, i.content[0].text) for i in items] == [
        ("message", "user", "Made as a thread"),
        ("message", "user", "Added as a message"),
    ]

    conv = client.conversations.create(metadata={"k": "v"})
    added = client.conversations.items.create(conv.id, items=[{"role": "user", "content": "Added as an item"}]).data[0]
    as_thread = client.beta.threads.retrieve(conv.id)
    assert as_thread.id == conv.id and as_thread.metadata == {"k": "v"}
    (message,) = client.beta.threads.messages.list(conv.id).data
    assert message.id == added.id and message.role == "user" and message.content[0].text.value == "Added as an item"

    # Deleting from either side deletes from both.
    client.beta.threads.messages.delete(message.id, thread_id=conv.id)
    assert client.conversations.items.list(conv.id).data == []
    client.conversations.delete(thread.id)
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.retrieve(thread.id)


def test_a_runs_function_calls_are_items_and_an_active_run_locks_the_items(run_client, fake):
    assistant = run_client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])
    thread = run_client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Paris?"}])
    fake.script(tool_reply(("get_weather", '{"city":"Paris"}', "call_paris")), text_reply("Sunny."))
    run = run_client.beta.threads.runs.create(thread.id, assistant_id=assistant.id)
    run = wait_for_status(run_client, thread.id, run.id, "requires_action")
    assert run.status == "requires_action"

    with pytest.raises(openai.BadRequestError):
        run_client.conversations.items.create(thread.id, items=[{"role": "user", "content": "Hurry"}])
    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.create(model="gpt-4o", input="Hurry", conversation=thread.id)
    assert_sdk_error(e.value, 400, param="conversation", code="conversation_locked")
    assert e.value.body["message"] == f"Another response or run is active on conversation '{thread.id}'."

    run_client.beta.threads.runs.submit_tool_outputs(run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_paris", "output": "22C"}])
    wait_for_status(run_client, thread.id, run.id, "completed")
    items = run_client.conversations.items.list(thread.id, order="asc").data
    assert [i.type for i in items] == ["message", "function_call", "function_call_output", "message"]
    assert items[1].call_id == "call_paris" and items[1].name == "get_weather" and items[1].arguments == '{"city":"Paris"}'
    assert items[2].call_id == "call_paris" and items[2].output == "22C"
    assert items[3].role == "assistant" and items[3].content[0].text == "Sunny."


def test_responses_in_a_conversation_continue_it(run_client, fake):
    conv = run_client.conversations.create(items=[{"role": "developer", "content": "Answer in one word."}])
    fake.script(text_reply("Hello Ann."), text_reply("Ann."))
    first = run_client.responses.create(model="gpt-4o", input="I am Ann.", conversation=conv.id)
    assert first.conversation is not None and first.conversation.id == conv.id
    assert first.output_text == "Hello Ann."
    second = run_client.responses.create(model="gpt-4o", input="Who am I?", conversation={"id": conv.id})
    assert second.output_text == "Ann."

    _, body = fake.requests()
    assert system_text(body) == "Answer in one word."
    assert conversation(body) == [("user", "I am Ann."), ("assistant", "Hello Ann."), ("user", "Who am I?")]

    items = run_client.conversations.items.list(conv.id, order="asc").data
    assert [(i.role, i.content[0].text) for i in items] == [
        ("developer", "Answer in one word."),
        ("user", "I am Ann."),
        ("assistant", "Hello Ann."),
        ("user", "Who am I?"),
        ("assistant", "Ann."),
    ]
    assert items[-1].id == second.output[0].id
    # The same turns, seen as a thread: its messages and its runs.
    messages = run_client.beta.threads.messages.list(conv.id, order="asc").data
    assert [m.id for m in messages] == [i.id for i in items[1:]]
    assert len(run_client.beta.threads.runs.list(conv.id).data) == 2
    # The input items of a response are its own.
    assert [i.content[0].text for i in run_client.responses.input_items.list(second.id).data] == ["Who am I?"]


def test_a_response_with_a_function_call_in_a_conversation(run_client, fake):
    conv = run_client.conversations.create()
    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}
    fake.script(tool_reply(("get_weather", '{"city":"Oslo"}', "call_oslo")), text_reply("Cold."))
    first = run_client.responses.create(model="gpt-4o", input="Oslo?", tools=[tool], conversation=conv.id)
    (call,) = first.output
    assert call.type == "function_call" and call.call_id == "call_oslo"
    second = run_client.responses.create(
        model="gpt-4o", tools=[tool], conversation=conv.id,
        input=[{"type": "function_call_output", "call_id": "call_oslo", "output": "-5C"}],
    )
    assert second.output_text == "Cold."
    _, body = fake.requests()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool"]
    assert body["messages"][2]["tool_call_id"] == "call_oslo" and body["messages"][2]["content"] == "-5C"
    types = [i.type for i in run_client.conversations.items.list(conv.id, order="asc").data]
    assert types == ["message", "function_call", "function_call_output", "message"]


def test_a_missing_conversation_is_a_404(run_client, fake):
    with pytest.raises(openai.NotFoundError) as e:
        run_client.responses.create(model="gpt-4o", input="x", conversation="conv_missing")
    assert e.value.body["message"] == "Conversation with id 'conv_missing' not found."
    with pytest.raises(openai.NotFoundError):
        run_client.conversations.items.list("conv_missing")
    assert fake.requests() == []


def test_agents_sdk_session_keeps_the_conversation_across_runs(run_server, fake):
    """The OpenAI Agents SDK's OpenAIConversationsSession stores a session's history as conversation items
    and replays them as the input of each run's response."""
    import asyncio

    from agents import Agent, OpenAIConversationsSession, OpenAIResponsesModel, Runner, set_tracing_disabled

    set_tracing_disabled(True)
    fake.script(text_reply("Hello Ann."), text_reply("You are Ann."))

    async def main():
        client = openai.AsyncOpenAI(base_url=run_server.base_url, api_key="test-key-1", max_retries=0)
        agent = Agent(name="Assistant", instructions="Reply briefly.", model=OpenAIResponsesModel(model="gpt-4o", openai_client=client))
        session = OpenAIConversationsSession(openai_client=client)
        first = await Runner.run(agent, "My name is Ann.", session=session)
        second = await Runner.run(agent, "What is my name?", session=session)
        items = await session.get_items()
        popped = await session.pop_item()
        remaining = await session.get_items()
        conversation_id = session.session_id
        await session.clear_session()
        await client.close()
        return first, second, items, popped, remaining, conversation_id

    first, second, items, popped, remaining, conversation_id = asyncio.run(main())
    assert first.final_output == "Hello Ann." and second.final_output == "You are Ann."
    _, body = fake.requests()
    assert system_text(body) == "Reply briefly."
    assert conversation(body) == [("user", "My name is Ann."), ("assistant", "Hello Ann."), ("user", "What is my name?")]

    assert [(i["role"], i["content"] if isinstance(i["content"], str) else i["content"][0]["text"]) for i in items] == [
        ("user", "My name is Ann."),
        ("assistant", "Hello Ann."),
        ("user", "What is my name?"),
        ("assistant", "You are Ann."),
    ]
    assert popped["id"] == items[-1]["id"] and remaining == items[:-1]
    with pytest.raises(openai.NotFoundError):
        openai.OpenAI(base_url=run_server.base_url, api_key="test-key-1", max_retries=0).conversations.retrieve(conversation_id)


def test_agents_sdk_session_replays_function_calls(run_server, fake):
    """A function tool's call and output, stored by the session as items, are what the next run's model
    sees before the new question."""
    import asyncio

    from agents import Agent, OpenAIConversationsSession, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled

    set_tracing_disabled(True)
    calls = []

    @function_tool
    def get_weather(city: str) -> str:
        """Weather for a city."""
        calls.append(city)
        return f"{city}: 18C"

    fake.script(
        tool_reply(("get_weather", '{"city":"Oslo"}', "call_oslo")),
        text_reply("18C in Oslo."),
        text_reply("You asked about Oslo."),
    )

    async def main():
        client = openai.AsyncOpenAI(base_url=run_server.base_url, api_key="test-key-1", max_retries=0)
        agent = Agent(
            name="Assistant", tools=[get_weather], model=OpenAIResponsesModel(model="gpt-4o", openai_client=client),
        )
        session = OpenAIConversationsSession(openai_client=client)
        first = await Runner.run(agent, "Weather in Oslo?", session=session)
        second = await Runner.run(agent, "Which city did I ask about?", session=session)
        items = await session.get_items()
        await client.close()
        return first, second, items

    first, second, items = asyncio.run(main())
    assert calls == ["Oslo"]
    assert first.final_output == "18C in Oslo." and second.final_output == "You asked about Oslo."
    assert [i["type"] for i in items] == ["message", "function_call", "function_call_output", "message", "message", "message"]
    assert items[1]["call_id"] == items[2]["call_id"] == "call_oslo" and items[2]["output"] == "Oslo: 18C"

    *_, body = fake.requests()
    messages = body["messages"]
    assert [m["role"] for m in messages if m["role"] != "system"] == ["user", "assistant", "tool", "assistant", "user"]
    (call,) = [m for m in messages if m["role"] == "assistant" and m.get("tool_calls")]
    assert call["tool_calls"][0]["id"] == "call_oslo" and json.loads(call["tool_calls"][0]["function"]["arguments"]) == {"city": "Oslo"}
    (tool,) = [m for m in messages if m["role"] == "tool"]
    assert tool["tool_call_id"] == "call_oslo" and tool["content"] == "Oslo: 18C"


def test_an_unstored_response_leaves_its_turn_in_the_conversation(run_client, fake):
    conv = run_client.conversations.create()
    fake.script(text_reply("Noted."))
    r = run_client.responses.create(model="gpt-4o", input="Remember 7.", conversation=conv.id, store=False)
    assert r.output_text == "Noted." and r.store is False
    with pytest.raises(openai.NotFoundError):
        run_client.responses.retrieve(r.id)
    items = run_client.conversations.items.list(conv.id, order="asc").data
    assert [(i.role, i.content[0].text) for i in items] == [("user", "Remember 7."), ("assistant", "Noted.")]
