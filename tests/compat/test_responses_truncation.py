"""`truncation` on responses with the official openai package, against a server whose context window is
set small (`--context-window`): `auto` drops the oldest items (a call with its output), `disabled` is a 400
before anything is stored, and `input_tokens` counts what would be sent."""

from __future__ import annotations

import openai
import pytest

from compat_support import assert_sdk_error
from fake_model import conversation
from run_support import text_reply

WINDOW = 100


def words(count: int) -> str:
    # The server's estimate: a four-letter word is one token.
    return " ".join(["word"] * count)


HISTORY = [
    {"role": "user", "content": words(400)},
    {"role": "assistant", "content": "ok"},
    {"type": "function_call", "call_id": "call_sf", "name": "get_weather", "arguments": '{"city":"SF"}'},
    {"type": "function_call_output", "call_id": "call_sf", "output": "18C"},
    {"role": "user", "content": "Now?"},
]


@pytest.fixture
def small_window(run_server_factory):
    server = run_server_factory(extra_args=("--context-window", str(WINDOW))).start()
    client = server.client()
    yield client
    client.close()


def test_auto_drops_the_oldest_items_and_keeps_a_call_with_its_output(small_window, fake):
    fake.script(text_reply("Mild."))
    r = small_window.responses.create(model="gpt-4o", input=HISTORY, truncation="auto")
    assert r.status == "completed" and r.truncation == "auto" and r.output_text == "Mild."
    (body,) = fake.requests()
    assert [m["role"] for m in body["messages"]] == ["assistant", "assistant", "tool", "user"]
    assert conversation(body)[0] == ("assistant", "ok") and conversation(body)[-1] == ("user", "Now?")
    assert body["messages"][1]["tool_calls"][0]["id"] == body["messages"][2]["tool_call_id"] == "call_sf"

    cut = small_window.responses.input_tokens.count(model="gpt-4o", input=HISTORY, truncation="auto")
    whole = small_window.responses.input_tokens.count(model="gpt-4o", input=HISTORY)
    assert cut.input_tokens <= WINDOW < whole.input_tokens

    # A chain is cut the same way: the earlier response's long input goes, its answer stays.
    fake.script(text_reply("Later."))
    later = small_window.responses.create(model="gpt-4o", input="And tomorrow?", previous_response_id=r.id, truncation="auto")
    assert later.status == "completed"
    _, body = fake.requests()
    assert conversation(body)[-2:] == [("assistant", "Mild."), ("user", "And tomorrow?")]
    assert all(words(400) != text for _, text in conversation(body))


def test_disabled_refuses_an_input_beyond_the_window(small_window, fake):
    conv = small_window.conversations.create(items=[{"role": "user", "content": "Hi"}])
    for extra in ({}, {"truncation": "disabled"}):
        with pytest.raises(openai.BadRequestError) as e:
            small_window.responses.create(model="gpt-4o", input=HISTORY, conversation=conv.id, **extra)
        assert_sdk_error(e.value, 400, param="input", code="context_length_exceeded")
    assert fake.requests() == []
    assert len(small_window.conversations.items.list(conv.id).data) == 1

    fake.script(text_reply("Fine."))
    r = small_window.responses.create(model="gpt-4o", input="Now?", conversation=conv.id)
    assert r.status == "completed" and r.truncation == "disabled" and r.output_text == "Fine."
