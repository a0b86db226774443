"""The Responses API with the official openai package: create, previous_response_id, streaming, parse,
function calling round trips, item references, input token counts, file_search with citations, background
responses and their cancellation, retrieve, delete, input items, and the 400s of what is not supported."""

from __future__ import annotations

import json

import openai
import pydantic
import pytest

from compat_support import assert_sdk_error
from fake_model import conversation, system_text
from run_support import text_reply, tool_reply, wait_for_response

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False},
}


def test_create_answers_with_the_finished_response(run_client, fake):
    fake.script(text_reply("Hello there."))
    r = run_client.responses.create(model="gpt-4o", input="Hi!", instructions="Be kind.", metadata={"k": "v"}, temperature=0.5)
    assert r.object == "response" and r.id.startswith("resp_")
    assert r.status == "completed", (r.status, r.error)
    assert r.output_text == "Hello there."
    (item,) = r.output
    assert item.type == "message" and item.role == "assistant" and item.status == "completed"
    assert r.instructions == "Be kind." and r.metadata == {"k": "v"} and r.temperature == 0.5
    assert r.usage is not None and r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens
    (body,) = fake.requests()
    assert system_text(body) == "Be kind."
    assert conversation(body) == [("user", "Hi!")]
    assert body["temperature"] == 0.5


def test_previous_response_id_carries_the_earlier_turn(run_client, fake):
    fake.script(text_reply("Paris."), text_reply("About 2 million."))
    first = run_client.responses.create(model="gpt-4o", input="Capital of France?", instructions="Old instructions.")
    second = run_client.responses.create(model="gpt-4o", input="Population?", previous_response_id=first.id)
    assert second.previous_response_id == first.id
    assert second.output_text == "About 2 million."
    _, body = fake.requests()
    assert conversation(body) == [("user", "Capital of France?"), ("assistant", "Paris."), ("user", "Population?")]
    # Instructions of earlier responses are not carried over.
    assert system_text(body) == ""

    with pytest.raises(openai.NotFoundError) as e:
        run_client.responses.create(model="gpt-4o", input="x", previous_response_id="resp_missing")
    assert_sdk_error(e.value, 404, param="previous_response_id")


def test_input_tokens_count_what_the_model_would_be_sent(run_client, fake):
    alone = run_client.responses.input_tokens.count(model="gpt-4o", input="Tell me a joke.")
    assert alone.object == "response.input_tokens" and alone.input_tokens > 0
    instructed = run_client.responses.input_tokens.count(model="gpt-4o", input="Tell me a joke.", instructions="Be brief.")
    assert instructed.input_tokens > alone.input_tokens
    with_tools = run_client.responses.input_tokens.count(model="gpt-4o", input="Tell me a joke.", tools=[WEATHER])
    assert with_tools.input_tokens > alone.input_tokens
    assert fake.requests() == []

    # Continuing a response counts its turn, as the same items given in full would.
    fake.script(text_reply("Why did the chicken cross the road?"))
    first = run_client.responses.create(model="gpt-4o", input="Tell me a joke.")
    continued = run_client.responses.input_tokens.count(model="gpt-4o", previous_response_id=first.id, input="Another.")
    spelled_out = run_client.responses.input_tokens.count(
        model="gpt-4o",
        input=[
            {"role": "user", "content": "Tell me a joke."},
            {"role": "assistant", "content": "Why did the chicken cross the road?"},
            {"role": "user", "content": "Another."},
        ],
    )
    assert continued.input_tokens == spelled_out.input_tokens
    assert len(fake.requests()) == 1

    with pytest.raises(openai.NotFoundError) as e:
        run_client.responses.input_tokens.count(model="gpt-4o", input="x", previous_response_id="resp_missing")
    assert_sdk_error(e.value, 404, param="previous_response_id")


def test_an_item_reference_brings_in_an_earlier_answer(run_client, fake):
    fake.script(text_reply("Paris."), text_reply("About 2 million."))
    first = run_client.responses.create(model="gpt-4o", input="Capital of France?")
    (answer,) = first.output
    second = run_client.responses.create(
        model="gpt-4o", input=[{"type": "item_reference", "id": answer.id}, {"role": "user", "content": "Population?"}]
    )
    assert second.output_text == "About 2 million."
    _, body = fake.requests()
    assert conversation(body) == [("assistant", "Paris."), ("user", "Population?")]

    with pytest.raises(openai.NotFoundError) as e:
        run_client.responses.create(model="gpt-4o", input=[{"type": "item_reference", "id": "msg_missing"}])
    assert_sdk_error(e.value, 404, param="input[0].id")


def test_input_items_keep_their_roles(run_client, fake):
    fake.script(text_reply("ok"))
    run_client.responses.create(
        model="gpt-4o",
        input=[
            {"role": "developer", "content": "Answer in French."},
            {"role": "user", "content": [{"type": "input_text", "text": "Hello"}]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Bonjour"}]},
            {"role": "user", "content": "Again"},
        ],
    )
    (body,) = fake.requests()
    assert system_text(body) == "Answer in French."
    assert conversation(body) == [("user", "Hello"), ("assistant", "Bonjour"), ("user", "Again")]


def test_stream_delivers_deltas_and_the_final_response(run_client, fake):
    fake.script(text_reply("Streaming works fine.", chunk_size=4))
    with run_client.responses.stream(model="gpt-4o", input="Stream please") as stream:
        events = list(stream)
        final = stream.get_final_response()
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) > 1 and "".join(deltas) == "Streaming works fine."
    assert final.output_text == "Streaming works fine." and final.status == "completed"
    types = [e.type for e in events]
    assert types == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * len(deltas),
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert run_client.responses.retrieve(final.id).output_text == "Streaming works fine."


class Weather(pydantic.BaseModel):
    city: str
    degrees: int


def test_parse_with_a_pydantic_text_format(run_client, fake):
    fake.script(text_reply('{"city": "Paris", "degrees": 21}'))
    r = run_client.responses.parse(model="gpt-4o", input="Weather in Paris as JSON", text_format=Weather)
    assert r.output_parsed == Weather(city="Paris", degrees=21)
    (body,) = fake.requests()
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Weather"
    assert r.text.format.type == "json_schema"


def test_function_call_round_trip(run_client, fake):
    fake.script(tool_reply(("get_weather", '{"city": "Paris"}', "call_paris1")), text_reply("It is sunny in Paris."))
    first = run_client.responses.create(model="gpt-4o", input="Weather in Paris?", tools=[WEATHER], tool_choice="auto")
    assert first.status == "completed", (first.status, first.error)
    (call,) = first.output
    assert call.type == "function_call" and call.name == "get_weather"
    assert call.arguments == '{"city": "Paris"}' and call.call_id == "call_paris1"
    assert call.id.startswith("fc_")

    second = run_client.responses.create(
        model="gpt-4o",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "21C and sunny"}],
        tools=[WEATHER],
    )
    assert second.output_text == "It is sunny in Paris."
    _, body = fake.requests()
    msgs = body["messages"]
    i = next(i for i, m in enumerate(msgs) if m["role"] == "assistant" and m.get("tool_calls"))
    assert [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in msgs[i]["tool_calls"]] == [
        ("call_paris1", "get_weather", '{"city": "Paris"}')
    ]
    assert (msgs[i + 1]["role"], msgs[i + 1]["tool_call_id"], msgs[i + 1]["content"]) == ("tool", "call_paris1", "21C and sunny")
    assert conversation(body)[0] == ("user", "Weather in Paris?")


def test_streamed_function_call(run_client, fake):
    fake.script(tool_reply(("get_weather", '{"city": "Oslo"}', "call_oslo1")))
    with run_client.responses.stream(model="gpt-4o", input="Oslo?", tools=[WEATHER]) as stream:
        events = list(stream)
        final = stream.get_final_response()
    types = [e.type for e in events]
    assert types[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert types[-3:] == ["response.function_call_arguments.done", "response.output_item.done", "response.completed"]
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert done.arguments == '{"city": "Oslo"}' and done.name == "get_weather"
    (call,) = final.output
    assert call.type == "function_call" and call.call_id == "call_oslo1"


def test_max_output_tokens_makes_it_incomplete(run_client, fake):
    fake.script(text_reply("This is cut", finish_reason="length"))
    r = run_client.responses.create(model="gpt-4o", input="Long story", max_output_tokens=16)
    assert r.status == "incomplete"
    assert r.incomplete_details.reason == "max_output_tokens"
    assert r.output_text == "This is cut"
    (body,) = fake.requests()
    assert body["max_tokens"] == 16 or body.get("max_completion_tokens") == 16


def test_retrieve_delete_and_input_items(run_client, fake):
    fake.script(text_reply("Noted."))
    r = run_client.responses.create(
        model="gpt-4o",
        input=[{"role": "user", "content": "one"}, {"role": "user", "content": "two"}],
        user="u-1", safety_identifier="s-1", prompt_cache_key="k-1", parallel_tool_calls=False, top_p=0.9,
    )
    got = run_client.responses.retrieve(r.id)
    assert got.id == r.id and got.output_text == "Noted." and got.status == "completed"
    assert got.safety_identifier == "s-1" and got.prompt_cache_key == "k-1" and got.parallel_tool_calls is False

    items = list(run_client.responses.input_items.list(r.id, order="asc"))
    assert [(i.type, i.role, i.content[0].text) for i in items] == [("message", "user", "one"), ("message", "user", "two")]
    page = run_client.responses.input_items.list(r.id, limit=1)
    assert [i.content[0].text for i in page.data] == ["two"] and page.has_more

    run_client.responses.delete(r.id)
    with pytest.raises(openai.NotFoundError) as e:
        run_client.responses.retrieve(r.id)
    assert_sdk_error(e.value, 404)
    assert "not found" in e.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        run_client.responses.delete(r.id)
    with pytest.raises(openai.NotFoundError):
        run_client.responses.input_items.list(r.id)


def test_store_false_leaves_nothing(run_client, fake):
    fake.script(text_reply("Gone soon."))
    r = run_client.responses.create(model="gpt-4o", input="hi", store=False)
    assert r.output_text == "Gone soon." and r.store is False
    with pytest.raises(openai.NotFoundError):
        run_client.responses.retrieve(r.id)
    with pytest.raises(openai.NotFoundError):
        run_client.responses.create(model="gpt-4o", input="again", previous_response_id=r.id)


TEA = "Green tea is steeped at 80 degrees for two minutes. Black tea wants boiling water and four minutes."


def test_file_search_answers_from_the_named_store_with_a_citation(run_client, fake):
    store = run_client.vector_stores.create(name="tea")
    vs_file = run_client.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=("tea.md", TEA.encode()))
    assert vs_file.status == "completed"
    fake.script(tool_reply(("file_search", json.dumps({"query": "green tea"}))), text_reply("Two minutes【0:0†tea.md】."))
    tools = [{"type": "file_search", "vector_store_ids": [store.id], "max_num_results": 3}]
    with run_client.responses.stream(model="gpt-4o", input="How long for green tea?", tools=tools,
                                     include=["file_search_call.results"]) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_response()
    assert types[2:7] == ["response.output_item.added", "response.file_search_call.in_progress",
                          "response.file_search_call.searching", "response.file_search_call.completed",
                          "response.output_item.done"]
    assert "response.output_text.annotation.added" in types
    search, answer = final.output
    assert search.type == "file_search_call" and search.status == "completed" and search.queries == ["green tea"]
    (result,) = search.results
    assert result.file_id == vs_file.id and result.filename == "tea.md" and TEA in result.text
    (citation,) = answer.content[0].annotations
    assert citation.type == "file_citation" and citation.file_id == vs_file.id and citation.filename == "tea.md"
    assert final.output_text == "Two minutes【0:0†tea.md】."
    # The model read the passage behind its marker.
    assert "【0:0†tea.md】\n" + TEA in fake.requests()[-1]["messages"][-1]["content"]
    # Read back, the search and its results are the same.
    assert run_client.responses.retrieve(final.id).output[0] == search

    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.create(model="gpt-4o", input="x", tools=[{"type": "file_search", "vector_store_ids": ["vs_missing"]}])
    assert_sdk_error(e.value, 400, param="tools[0].vector_store_ids")


def test_background_response_is_polled_to_its_end(run_client, fake):
    fake.script(text_reply("Computed later.", delay_ms_before_first=300))
    r = run_client.responses.create(model="gpt-4o", input="Take your time.", background=True)
    assert r.status == "queued" and r.background is True and r.output == []
    done = wait_for_response(run_client, r.id, lambda x: x.status not in ("queued", "in_progress"))
    assert done.status == "completed", (done.status, done.error)
    assert done.output_text == "Computed later." and done.background is True
    assert len(fake.requests()) == 1


def test_background_response_is_cancelled(run_client, fake):
    fake.script(text_reply("never finished", chunk_size=5, delay_ms_before_first=100, delay_ms_between=30_000))
    r = run_client.responses.create(model="gpt-4o", input="Long job", background=True)
    wait_for_response(run_client, r.id, lambda _: len(fake.requests()) == 1)
    cancelled = run_client.responses.cancel(r.id)
    assert cancelled.status == "cancelled" and cancelled.id == r.id
    assert wait_for_response(run_client, r.id, lambda x: x.status == "cancelled").status == "cancelled"
    assert run_client.responses.cancel(r.id).status == "cancelled", "cancelling again answers the response as it is"

    fake.script(text_reply("quick"))
    waited = run_client.responses.create(model="gpt-4o", input="Quick one")
    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.cancel(waited.id)
    assert_sdk_error(e.value, 400, type_="invalid_request_error")
    with pytest.raises(openai.NotFoundError):
        run_client.responses.cancel("resp_missing")


def test_streamed_background_response_starts_queued(run_client, fake):
    fake.script(text_reply("Streamed from the queue."))
    with run_client.responses.stream(model="gpt-4o", input="Hi", background=True) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_response()
    assert types[:3] == ["response.created", "response.queued", "response.in_progress"]
    assert types[-1] == "response.completed"
    assert final.output_text == "Streamed from the queue." and final.background is True


@pytest.mark.parametrize(
    "kwargs, param",
    [
        ({"input": [{"role": "user", "content": [{"type": "input_text", "text": "read"}, {"type": "input_file", "file_url": "https://example.com/a.pdf"}]}]}, "input[0].content[1].file_url"),
        ({"input": [{"role": "developer", "content": [{"type": "input_file", "file_id": "file-1"}]}]}, "input[0].content[0]"),
    ],
)
def test_what_is_not_supported_is_a_400_naming_it(run_client, fake, kwargs, param):
    kwargs = {"input": "hi", **kwargs}
    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.create(model="gpt-4o", **kwargs)
    assert_sdk_error(e.value, 400, type_="invalid_request_error", param=param, code="unsupported_parameter")
    assert fake.requests() == []


def test_an_image_file_that_does_not_exist_is_a_400(run_client, fake):
    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.create(
            model="gpt-4o", input=[{"role": "user", "content": [{"type": "input_image", "file_id": "file-missing", "detail": "auto"}]}]
        )
    assert_sdk_error(e.value, 400, param="input[0].content[0].file_id")
    assert fake.requests() == []


def test_bad_requests_name_the_parameter(run_client, fake):
    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.create(model="gpt-4o", input="hi", tool_choice={"type": "function", "name": "nope"}, tools=[WEATHER])
    assert_sdk_error(e.value, 400, param="tool_choice")
    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.create(model="gpt-4o", input="hi", temperature=3)
    assert_sdk_error(e.value, 400, param="temperature")
    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.retrieve("run_abc")
    assert e.value.status_code == 400


def test_a_model_endpoint_failure_fails_the_response(run_client, fake):
    fake.script({"error": {"status": 400, "message": "This model's maximum context length is 10 tokens"}})
    r = run_client.responses.create(model="gpt-4o", input="too long")
    assert r.status == "failed"
    assert r.error is not None and r.error.code and "maximum context length" in r.error.message
    assert r.output == []

    fake.script({"error": {"status": 400, "message": "bad prompt"}})
    with run_client.responses.stream(model="gpt-4o", input="again") as stream:
        events = list(stream)
    assert [e.type for e in events] == ["response.created", "response.in_progress", "response.failed"]
    assert events[-1].response.status == "failed" and "bad prompt" in events[-1].response.error.message
