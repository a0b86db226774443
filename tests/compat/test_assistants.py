"""client.beta.assistants: create, retrieve, list, update, delete."""

from __future__ import annotations

import openai
import pytest

from compat_support import assert_present, assert_present_none, assert_recent_timestamp, assert_sdk_error

WEATHER_PARAMS = {
    "type": "object",
    "properties": {
        "location": {"type": "string", "description": "City and country, e.g. Paris, France"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 14},
        "nested": {"type": "object", "properties": {"flag": {"type": "boolean"}}, "additionalProperties": False},
    },
    "required": ["location", "unit"],
    "additionalProperties": False,
}


def full_assistant_kwargs(file_id: str) -> dict:
    return dict(
        model="gpt-4o",
        name="Math Tutor",
        description="Helps with maths homework.",
        instructions="You are a personal math tutor. Write and run code to answer math questions.",
        tools=[
            {"type": "code_interpreter"},
            {
                "type": "file_search",
                "file_search": {
                    "max_num_results": 7,
                    "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.25},
                },
            },
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Get the current weather in a location",
                    "parameters": WEATHER_PARAMS,
                    "strict": True,
                },
            },
        ],
        tool_resources={"code_interpreter": {"file_ids": [file_id]}},
        metadata={"team": "maths", "level": "beginner"},
        temperature=0.4,
        top_p=0.9,
        response_format={"type": "json_object"},
    )


def check_full_assistant(a, file_id: str):
    assert a.id.startswith("asst_"), a.id
    assert a.object == "assistant"
    assert_recent_timestamp(a.created_at)
    assert a.model == "gpt-4o"
    assert a.name == "Math Tutor"
    assert a.description == "Helps with maths homework."
    assert a.instructions == "You are a personal math tutor. Write and run code to answer math questions."
    assert [t.type for t in a.tools] == ["code_interpreter", "file_search", "function"]
    fs = a.tools[1].file_search
    assert fs is not None
    assert fs.max_num_results == 7
    assert fs.ranking_options is not None
    assert fs.ranking_options.ranker == "default_2024_08_21"
    assert fs.ranking_options.score_threshold == pytest.approx(0.25)
    fn = a.tools[2].function
    assert fn.name == "get_weather"
    assert fn.description == "Get the current weather in a location"
    assert fn.parameters == WEATHER_PARAMS
    assert fn.strict is True
    assert a.tool_resources is not None and a.tool_resources.code_interpreter is not None
    assert a.tool_resources.code_interpreter.file_ids == [file_id]
    assert a.metadata == {"team": "maths", "level": "beginner"}
    assert a.temperature == pytest.approx(0.4)
    assert a.top_p == pytest.approx(0.9)
    assert a.response_format is not None and a.response_format.type == "json_object"


def test_create_with_every_field(client, uploaded_file):
    a = client.beta.assistants.create(**full_assistant_kwargs(uploaded_file.id))
    check_full_assistant(a, uploaded_file.id)


def test_retrieve_returns_what_create_returned(client, uploaded_file):
    created = client.beta.assistants.create(**full_assistant_kwargs(uploaded_file.id))
    got = client.beta.assistants.retrieve(created.id)
    check_full_assistant(got, uploaded_file.id)
    assert got.id == created.id
    assert got.created_at == created.created_at
    assert got.to_dict() == created.to_dict()


def test_minimal_create_has_null_fields_present(client):
    a = client.beta.assistants.create(model="gpt-4o-mini")
    assert a.id.startswith("asst_")
    assert a.object == "assistant"
    assert a.model == "gpt-4o-mini"
    assert_recent_timestamp(a.created_at)
    assert_present_none(a, "name", "description", "instructions")
    assert_present(a, "tools", "metadata")
    assert a.tools == []
    assert a.metadata in ({}, None)
    # Optional in the schema; when sent they must be the documented defaults.
    if "temperature" in a.model_fields_set and a.temperature is not None:
        assert a.temperature == pytest.approx(1.0)
    if "top_p" in a.model_fields_set and a.top_p is not None:
        assert a.top_p == pytest.approx(1.0)
    if "response_format" in a.model_fields_set and a.response_format is not None:
        assert a.response_format == "auto"

    got = client.beta.assistants.retrieve(a.id)
    assert_present_none(got, "name", "description", "instructions")
    assert got.to_dict() == a.to_dict()


@pytest.mark.parametrize(
    "response_format",
    [
        "auto",
        {"type": "text"},
        {"type": "json_object"},
        {
            "type": "json_schema",
            "json_schema": {
                "name": "answer",
                "description": "The answer",
                "schema": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]},
                "strict": True,
            },
        },
    ],
    ids=["auto", "text", "json_object", "json_schema"],
)
def test_response_format_round_trips(client, response_format):
    a = client.beta.assistants.create(model="gpt-4o", response_format=response_format)
    got = client.beta.assistants.retrieve(a.id)
    for obj in (a, got):
        if response_format == "auto":
            assert obj.response_format == "auto"
        else:
            assert obj.response_format.type == response_format["type"]
    if isinstance(response_format, dict) and response_format["type"] == "json_schema":
        js = got.response_format.json_schema
        assert js.name == "answer"
        assert js.description == "The answer"
        assert js.schema_ == response_format["json_schema"]["schema"]
        assert js.strict is True


def test_function_tool_minimal(client):
    a = client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "function", "function": {"name": "ping"}}]
    )
    assert len(a.tools) == 1
    assert a.tools[0].type == "function"
    assert a.tools[0].function.name == "ping"


def test_file_search_tool_without_options(client):
    a = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
    assert [t.type for t in a.tools] == ["file_search"]


def test_update_changes_only_given_fields(client, uploaded_file):
    a = client.beta.assistants.create(**full_assistant_kwargs(uploaded_file.id))
    updated = client.beta.assistants.update(
        a.id,
        name="Physics Tutor",
        instructions="Explain physics.",
        metadata={"team": "physics", "level": "beginner"},
        temperature=1.5,
    )
    assert updated.id == a.id
    assert updated.created_at == a.created_at
    assert updated.name == "Physics Tutor"
    assert updated.instructions == "Explain physics."
    assert updated.metadata == {"team": "physics", "level": "beginner"}
    assert updated.temperature == pytest.approx(1.5)
    # untouched
    assert updated.description == a.description
    assert updated.model == a.model
    assert updated.top_p == pytest.approx(0.9)
    assert [t.type for t in updated.tools] == ["code_interpreter", "file_search", "function"]
    assert updated.tool_resources.code_interpreter.file_ids == [uploaded_file.id]

    got = client.beta.assistants.retrieve(a.id)
    assert got.to_dict() == updated.to_dict()


def test_update_model_tools_and_response_format(client):
    a = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    updated = client.beta.assistants.update(
        a.id,
        model="gpt-4o-mini",
        tools=[{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}],
        response_format={"type": "text"},
        description="now with a description",
    )
    assert updated.model == "gpt-4o-mini"
    assert [t.type for t in updated.tools] == ["function"]
    assert updated.tools[0].function.name == "lookup"
    assert updated.response_format.type == "text"
    assert updated.description == "now with a description"
    assert client.beta.assistants.retrieve(a.id).to_dict() == updated.to_dict()


def test_update_tools_to_empty_list(client):
    a = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    updated = client.beta.assistants.update(a.id, tools=[])
    assert updated.tools == []
    assert client.beta.assistants.retrieve(a.id).tools == []


def test_update_sends_post(client):
    a = client.beta.assistants.create(model="gpt-4o")
    raw = client.beta.assistants.with_raw_response.update(a.id, name="via POST")
    assert raw.http_request.method == "POST"
    assert raw.status_code == 200
    assert raw.parse().name == "via POST"


def test_delete(client):
    a = client.beta.assistants.create(model="gpt-4o", name="to delete")
    deleted = client.beta.assistants.delete(a.id)
    assert deleted.id == a.id
    assert deleted.object == "assistant.deleted"
    assert deleted.deleted is True

    with pytest.raises(openai.NotFoundError) as ei:
        client.beta.assistants.retrieve(a.id)
    assert_sdk_error(ei.value, 404)
    with pytest.raises(openai.NotFoundError):
        client.beta.assistants.update(a.id, name="x")
    with pytest.raises(openai.NotFoundError):
        client.beta.assistants.delete(a.id)
    assert a.id not in {x.id for x in client.beta.assistants.list(limit=100)}


def test_list_contains_created_newest_first(client):
    ids = [client.beta.assistants.create(model="gpt-4o", name=f"list-{i}").id for i in range(3)]
    # The server is shared with other tests: keep only ours, in the order listed.
    first_page = client.beta.assistants.list()
    assert first_page.data and first_page.data[0].id == ids[-1], "default order is desc: newest first"
    mine_desc = [a.id for a in client.beta.assistants.list(limit=100) if a.id in ids]
    assert mine_desc == ids[::-1]
    mine_asc = [a.id for a in client.beta.assistants.list(limit=100, order="asc") if a.id in ids]
    assert mine_asc == ids


def test_ids_are_unique(client):
    ids = {client.beta.assistants.create(model="gpt-4o").id for _ in range(10)}
    assert len(ids) == 10


def test_unicode_round_trips(client):
    name = "Ассистент 助手 🤖"
    instructions = "Réponds en français. \"Quotes\", back\\slash, tab\t, newline\n, NUL-free."
    a = client.beta.assistants.create(model="gpt-4o", name=name, instructions=instructions, metadata={"ключ": "значение 🙂"})
    got = client.beta.assistants.retrieve(a.id)
    assert got.name == name
    assert got.instructions == instructions
    assert got.metadata == {"ключ": "значение 🙂"}


def test_limits_at_the_boundary_are_accepted(client):
    a = client.beta.assistants.create(
        model="gpt-4o",
        name="n" * 256,
        description="d" * 512,
        instructions="i" * 256_000,
        metadata={f"k{i:02d}" + "x" * 61: "v" * 512 for i in range(16)},
        tools=[{"type": "function", "function": {"name": f"f{i}"}} for i in range(128)],
        temperature=2,
        top_p=0,
    )
    got = client.beta.assistants.retrieve(a.id)
    assert len(got.name) == 256
    assert len(got.description) == 512
    assert len(got.instructions) == 256_000
    assert len(got.metadata) == 16 and all(len(k) == 64 and len(v) == 512 for k, v in got.metadata.items())
    assert len(got.tools) == 128
    assert got.temperature == pytest.approx(2)
    assert got.top_p == pytest.approx(0)
