"""The code interpreter as users meet it: the quickstart's math tutor, streamed, with files and images.

The fake model decides to call `code_interpreter`; the server runs the code in the thread's sandboxed
Python session; with an empty script queue the fake then answers "Tool results: <output>", so the
final answer carries the value the code computed.
"""

from __future__ import annotations

import json

import pytest
from openai import AssistantEventHandler


from compat_support import httpx

from run_support import message_text, text_reply, tool_reply


def code(source: str) -> dict:
    return tool_reply(("code_interpreter", json.dumps({"code": source})))


@pytest.fixture
def tutor(run_client):
    return run_client.beta.assistants.create(
        model="gpt-4o",
        name="Math Tutor",
        instructions="You are a personal math tutor. Write and run code to answer math questions.",
        tools=[{"type": "code_interpreter"}],
    )


class QuickstartPrinter(AssistantEventHandler):
    """The quickstart's handler, recording instead of printing."""

    def __init__(self):
        super().__init__()
        self.code_input = ""
        self.logs: list[str] = []
        self.text = ""
        self.tool_calls_created: list[str] = []

    def on_text_delta(self, delta, snapshot):
        self.text += delta.value or ""

    def on_tool_call_created(self, tool_call):
        self.tool_calls_created.append(tool_call.type)

    def on_tool_call_delta(self, delta, snapshot):
        if delta.type == "code_interpreter":
            if delta.code_interpreter.input:
                self.code_input += delta.code_interpreter.input
            for output in delta.code_interpreter.outputs or []:
                if output.type == "logs":
                    self.logs.append(output.logs)


def test_quickstart_stream_shows_code_logs_and_the_computed_answer(run_client, fake, tutor):
    c = run_client
    thread = c.beta.threads.create()
    c.beta.threads.messages.create(thread_id=thread.id, role="user", content="I need to solve `3x + 11 = 14`. Can you help me?")
    source = "x = (14 - 11) / 3\nprint(f'x = {x}')"
    fake.script(code(source))
    handler = QuickstartPrinter()
    with c.beta.threads.runs.stream(thread_id=thread.id, assistant_id=tutor.id, event_handler=handler) as stream:
        stream.until_done()
    assert stream.get_final_run().status == "completed"
    assert handler.tool_calls_created == ["code_interpreter"]
    assert handler.code_input == source
    assert handler.logs == ["x = 1.0\n"]
    assert "x = 1.0" in handler.text

    steps = list(c.beta.threads.runs.steps.list(stream.get_final_run().id, thread_id=thread.id, order="asc"))
    (call,) = steps[0].step_details.tool_calls
    assert call.code_interpreter.input == source
    assert [o.logs for o in call.code_interpreter.outputs] == ["x = 1.0\n"]
    # The model was given the real output.
    tool_messages = [m for m in fake.requests()[-1]["messages"] if m["role"] == "tool"]
    assert tool_messages[-1]["content"].startswith("x = 1.0")


def test_state_lasts_across_runs_of_a_thread_but_not_across_threads(run_client, fake, tutor):
    c = run_client
    first = c.beta.threads.create(messages=[{"role": "user", "content": "remember 42"}])
    fake.script(code("secret = 6 * 7"), text_reply("Stored."))
    assert c.beta.threads.runs.create_and_poll(thread_id=first.id, assistant_id=tutor.id).status == "completed"

    c.beta.threads.messages.create(thread_id=first.id, role="user", content="what was it?")
    fake.script(code("secret + 1"))
    c.beta.threads.runs.create_and_poll(thread_id=first.id, assistant_id=tutor.id)
    assert "43" in message_text(c.beta.threads.messages.list(first.id).data[0])

    other = c.beta.threads.create(messages=[{"role": "user", "content": "and here?"}])
    fake.script(code("secret"))
    c.beta.threads.runs.create_and_poll(thread_id=other.id, assistant_id=tutor.id)
    assert "NameError" in message_text(c.beta.threads.messages.list(other.id).data[0])


def test_files_in_and_out_with_a_file_path_annotation(run_client, fake, tutor):
    c = run_client
    data = c.files.create(file=("sales.csv", b"region,amount\nnorth,10\nsouth,32\n"), purpose="assistants")
    thread = c.beta.threads.create(
        messages=[{
            "role": "user", "content": "Total the sales and save a summary.",
            "attachments": [{"file_id": data.id, "tools": [{"type": "code_interpreter"}]}],
        }]
    )
    fake.script(
        code("import csv\nrows = list(csv.DictReader(open('/mnt/data/sales.csv')))\n"
             "total = sum(int(r['amount']) for r in rows)\nopen('/mnt/data/summary.txt', 'w').write(f'total={total}')\nprint(total)"),
        text_reply("The total is 42. [Download the summary](sandbox:/mnt/data/summary.txt)"),
    )
    run = c.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=tutor.id)
    assert run.status == "completed", run.last_error
    steps = list(c.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc"))
    assert steps[0].step_details.tool_calls[0].code_interpreter.outputs[0].logs == "42\n"

    message = c.beta.threads.messages.list(thread.id).data[0]
    text = message.content[0].text
    (annotation,) = text.annotations
    assert annotation.type == "file_path"
    assert annotation.text == "sandbox:/mnt/data/summary.txt"
    assert text.value[annotation.start_index:annotation.end_index] == annotation.text
    produced = c.files.retrieve(annotation.file_path.file_id)
    assert produced.purpose == "assistants_output" and produced.filename == "summary.txt"
    assert c.files.content(produced.id).read() == b"total=42"


def test_a_figure_becomes_an_image_output_and_an_image_file_part(run_client, fake, tutor):
    c = run_client
    thread = c.beta.threads.create(messages=[{"role": "user", "content": "Plot y = x^2"}])
    fake.script(
        code("import matplotlib.pyplot as plt\nplt.plot([0, 1, 2], [0, 1, 4])\nplt.title('y = x^2')"),
        text_reply("Here is the plot."),
    )
    run = c.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=tutor.id)
    assert run.status == "completed", run.last_error
    steps = list(c.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc"))
    images = [o for o in steps[0].step_details.tool_calls[0].code_interpreter.outputs if o.type == "image"]
    assert len(images) == 1
    png = c.files.content(images[0].image.file_id).read()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    message = c.beta.threads.messages.list(thread.id).data[0]
    parts = [p.type for p in message.content]
    assert parts == ["text", "image_file"]
    assert message.content[1].image_file.file_id == images[0].image.file_id


def test_errors_in_user_code_are_output_not_failures(run_client, fake, tutor):
    c = run_client
    thread = c.beta.threads.create(messages=[{"role": "user", "content": "divide by zero"}])
    fake.script(code("1 / 0"))
    run = c.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=tutor.id)
    assert run.status == "completed"
    assert "ZeroDivisionError" in message_text(c.beta.threads.messages.list(thread.id).data[0])


HOSTILE = {
    "server_port": "import socket, os\ns = socket.socket()\ns.settimeout(2)\ntry:\n    s.connect(('127.0.0.1', {port}))\n    print('CONNECTED')\nexcept OSError as e:\n    print('blocked', type(e).__name__)",
    "shadow": "try:\n    print(open('/etc/shadow').read())\nexcept OSError as e:\n    print('blocked', type(e).__name__)",
    "data_dir": "import os\nprint('FOUND' if os.path.exists({data_dir!r}) else 'blocked: no data dir')",
    "fork_bomb": "import os\nfor _ in range(10000):\n    try:\n        os.fork()\n    except OSError:\n        break\nprint('blocked fork')",
    "memory_bomb": "try:\n    x = bytearray(10**11)\nexcept MemoryError:\n    print('blocked MemoryError')",
    "kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('blocked: parent survived')",
}


@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_hostile_code_is_contained_and_the_server_stays_healthy(run_client, run_server, fake, tutor, attack):
    c = run_client
    source = HOSTILE[attack].format(port=run_server.port, data_dir=str(run_server.data_dir))
    thread = c.beta.threads.create(messages=[{"role": "user", "content": f"try {attack}"}])
    fake.script(code(source))
    run = c.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=tutor.id)
    assert run.status == "completed", run.last_error
    answer = message_text(c.beta.threads.messages.list(thread.id).data[0])
    assert "CONNECTED" not in answer and "FOUND" not in answer and "root:" not in answer
    assert "blocked" in answer or "session was reset" in answer.lower(), answer
    # The server answers, and the next thread's code still runs.
    assert httpx.get(f"{run_server.url}/health").status_code == 200
    other = c.beta.threads.create(messages=[{"role": "user", "content": "still there?"}])
    fake.script(code("print(sum(range(10)))"))
    c.beta.threads.runs.create_and_poll(thread_id=other.id, assistant_id=tutor.id)
    assert "45" in message_text(c.beta.threads.messages.list(other.id).data[0])
