"""The code_interpreter tool of the Responses API with the official openai package: code runs in a
container's sandboxed session (named by id, or made with `auto`), with the container's files, keeps its state
across responses, writes container files, and streams as code_interpreter_call events.

The fake model calls `code_interpreter`; the server runs the code; with an empty script queue the fake then
answers "Tool results: <output>", so the final answer carries what the code printed.
"""

from __future__ import annotations

import json

import openai
import pytest

from compat_support import assert_sdk_error
from run_support import text_reply, tool_reply


def code(source: str) -> dict:
    return tool_reply(("code_interpreter", json.dumps({"code": source})))


def calls(response):
    return [item for item in response.output if item.type == "code_interpreter_call"]


def test_code_runs_in_the_named_container_with_its_files(run_client, fake):
    c = run_client
    box = c.containers.create(name="sales")
    c.containers.files.create(box.id, file=("sales.csv", b"region,amount\nnorth,10\nsouth,32\n"))
    source = (
        "rows = open('/mnt/data/sales.csv').read().splitlines()[1:]\n"
        "total = sum(int(r.split(',')[1]) for r in rows)\n"
        "open('/mnt/data/total.txt', 'w').write(str(total))\n"
        "print(total)"
    )
    fake.script(code(source))
    response = c.responses.create(
        model="gpt-4o", input="Total the sales.", tools=[{"type": "code_interpreter", "container": box.id}],
        include=["code_interpreter_call.outputs"],
    )
    assert response.status == "completed"
    assert [item.type for item in response.output] == ["code_interpreter_call", "message"]
    (call,) = calls(response)
    assert call.id.startswith("ci_") and call.container_id == box.id and call.status == "completed"
    assert call.code == source
    assert [(o.type, o.logs) for o in call.outputs] == [("logs", "42\n")]
    assert "42" in response.output_text

    written = [f for f in c.containers.files.list(box.id) if f.path == "/mnt/data/total.txt"]
    assert len(written) == 1 and written[0].source == "assistant"
    assert c.containers.files.content.retrieve(written[0].id, container_id=box.id).read() == b"42"
    # The response reads back the same; without `include` the outputs are not shown.
    again = c.responses.retrieve(response.id)
    assert calls(again)[0].code == source


def test_state_lasts_across_responses_in_one_container(run_client, fake):
    c = run_client
    box = c.containers.create(name="state")
    tools = [{"type": "code_interpreter", "container": box.id}]
    fake.script(code("secret = 6 * 7"))
    assert c.responses.create(model="gpt-4o", input="remember 42", tools=tools).status == "completed"
    fake.script(code("print(secret + 1)"))
    second = c.responses.create(model="gpt-4o", input="what was it?", tools=tools)
    assert "43" in second.output_text, second.output_text
    assert calls(second)[0].outputs is None

    # Another container is another session.
    fake.script(code("print(secret)"))
    other = c.responses.create(model="gpt-4o", input="and here?", tools=[{"type": "code_interpreter", "container": {"type": "auto"}}])
    assert "NameError" in other.output_text
    assert calls(other)[0].container_id != box.id


def test_stream_shows_the_code_and_auto_makes_a_container_with_the_files(run_client, fake):
    c = run_client
    data = c.files.create(file=("numbers.txt", b"6 7\n"), purpose="assistants")
    source = "a, b = map(int, open('/mnt/data/numbers.txt').read().split())\nprint(a * b)"
    fake.script(code(source))
    with c.responses.stream(
        model="gpt-4o", input="Multiply them.", include=["code_interpreter_call.outputs"],
        tools=[{"type": "code_interpreter", "container": {"type": "auto", "file_ids": [data.id]}}],
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()
    types = [e.type for e in events]
    assert types[0] == "response.created" and types[-1] == "response.completed"
    coded = [t for t in types if "code_interpreter" in t]
    assert coded[0] == "response.code_interpreter_call.in_progress"
    assert coded[-3:] == [
        "response.code_interpreter_call_code.done", "response.code_interpreter_call.interpreting",
        "response.code_interpreter_call.completed",
    ]
    deltas = "".join(e.delta for e in events if e.type == "response.code_interpreter_call_code.delta")
    assert deltas == source
    (call,) = calls(final)
    assert call.code == source and [o.logs for o in call.outputs] == ["42\n"]
    box = c.containers.retrieve(call.container_id)
    assert box.status == "running"
    assert [f.path for f in c.containers.files.list(box.id)] == ["/mnt/data/numbers.txt"]


def test_the_answer_cites_the_files_the_code_wrote(run_client, fake):
    c = run_client
    source = "open('/mnt/data/report.csv', 'w').write('region,amount\\nnorth,10\\n')"
    answer = "The report: [report.csv](sandbox:/mnt/data/report.csv)"
    start = answer.index("sandbox:")
    fake.script(code(source), text_reply(answer))
    with c.responses.stream(
        model="gpt-4o", input="Write the report.", tools=[{"type": "code_interpreter", "container": {"type": "auto"}}],
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()
    (call,) = calls(final)
    (written,) = [f for f in c.containers.files.list(call.container_id) if f.path == "/mnt/data/report.csv"]
    (added,) = [e for e in events if e.type == "response.output_text.annotation.added"]
    assert added.annotation_index == 0 and added.content_index == 0
    expected = {
        "type": "container_file_citation", "container_id": call.container_id, "file_id": written.id,
        "filename": "report.csv", "start_index": start, "end_index": start + len("sandbox:/mnt/data/report.csv"),
    }
    assert added.annotation.model_dump() == expected
    text = final.output[-1].content[0]
    assert text.text == answer
    assert [a.model_dump() for a in text.annotations] == [expected]
    assert type(text.annotations[0]).__name__ == "AnnotationContainerFileCitation"
    # Read back, the answer cites the same file, which holds what the code wrote.
    again = c.responses.retrieve(final.id)
    assert [a.model_dump() for a in again.output[-1].content[0].annotations] == [expected]
    assert c.containers.files.content.retrieve(written.id, container_id=call.container_id).read() == b"region,amount\nnorth,10\n"


def test_a_container_that_cannot_be_used_is_refused(run_client, fake):
    with pytest.raises(openai.NotFoundError) as e:
        run_client.responses.create(model="gpt-4o", input="hi", tools=[{"type": "code_interpreter", "container": "cntr_missing"}])
    assert_sdk_error(e.value, 404)
    assert e.value.body["message"] == "Container with id 'cntr_missing' not found."
    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.create(
            model="gpt-4o", input="hi", tools=[{"type": "code_interpreter", "container": {"type": "auto", "file_ids": ["file-nope"]}}])
    assert_sdk_error(e.value, 400, param="tools[0].container.file_ids[0]")
    assert fake.requests() == []
