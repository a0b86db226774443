"""Resuming a background response's stream with the official openai package, both ways it does it:
`responses.retrieve(id, stream=True, starting_after=N)` (the server skips) and
`responses.stream(response_id=id, starting_after=N)` (the package asks from the first event and skips). In
cluster mode the response runs on whichever node claims it and every read goes to another node."""

from __future__ import annotations

import openai
import pytest

from cluster_support import CLUSTER_NODES
from compat_support import assert_sdk_error
from run_support import text_reply, wait_for_response

WORDS = ["alpha ", "beta ", "gamma ", "delta ", "epsilon"]


@pytest.fixture
def clients(run_server, run_client):
    """Three clients: in cluster mode one per node, else the one server's client three times."""
    if not CLUSTER_NODES:
        yield [run_client] * 3
        return
    made = [run_server.node_client(i) for i in (1, 2, 3)]
    yield made
    for c in made:
        c.close()


def _slow_background(client, fake):
    fake.script(text_reply("".join(WORDS), chunks=WORDS, delay_ms_before_first=200, delay_ms_between=400))
    r = client.responses.create(model="gpt-4o", input="Count slowly.", background=True)
    assert r.status == "queued" and r.background is True
    return r


def _deltas(events) -> str:
    return "".join(e.delta for e in events if e.type == "response.output_text.delta")


def test_a_dropped_stream_resumes_after_the_last_event_it_had(clients, fake):
    a, b, c = clients
    r = _slow_background(a, fake)
    # A first client reads the stream from the start until the first word, then goes away.
    first = []
    with b.responses.retrieve(r.id, stream=True) as stream:
        for event in stream:
            first.append(event)
            if event.type == "response.output_text.delta":
                break
    assert [e.sequence_number for e in first] == list(range(len(first)))
    assert first[0].type == "response.created" and first[0].response.id == r.id
    last = first[-1].sequence_number

    # It comes back with the last number it had: the rest, nothing twice, until the end.
    with c.responses.retrieve(r.id, stream=True, starting_after=last) as stream:
        rest = list(stream)
    assert [e.sequence_number for e in rest] == list(range(last + 1, last + 1 + len(rest)))
    assert rest[-1].type == "response.completed"
    assert _deltas(first) + _deltas(rest) == "".join(WORDS)
    assert rest[-1].response.output_text == "".join(WORDS)


def test_the_stream_helper_resumes_a_response_in_progress(clients, fake):
    a, b, _ = clients
    r = _slow_background(a, fake)
    wait_for_response(a, r.id, lambda x: x.status == "in_progress")
    with b.responses.stream(response_id=r.id, starting_after=2) as stream:
        events = list(stream)
        final = stream.get_final_response()
    assert events and all(e.sequence_number > 2 for e in events)
    assert events[-1].type == "response.completed"
    assert final.id == r.id and final.status == "completed" and final.output_text == "".join(WORDS)


def test_a_resume_after_the_end_replays_the_stream_as_it_was_sent(clients, fake):
    a, b, c = clients
    fake.script(text_reply("Kept for later.", chunks=["Kept ", "for ", "later."]))
    with a.responses.stream(model="gpt-4o", input="Hi", background=True) as stream:
        sent = list(stream)
        final = stream.get_final_response()
    assert final.status == "completed"

    with b.responses.retrieve(final.id, stream=True) as stream:
        raw = list(stream)
    assert [(e.type, e.sequence_number) for e in raw] == [(e.type, e.sequence_number) for e in sent]
    # Through the same helper, event for event as the first client had them.
    with c.responses.stream(response_id=final.id) as stream:
        replayed = list(stream)
    assert [e.model_dump() for e in replayed] == [e.model_dump() for e in sent]

    with c.responses.retrieve(final.id, stream=True, starting_after=4) as stream:
        tail = list(stream)
    assert [e.sequence_number for e in tail] == [e.sequence_number for e in sent][5:]

    with c.responses.stream(response_id=final.id, starting_after=len(sent) - 2) as stream:
        last = list(stream)
        again = stream.get_final_response()
    assert [e.type for e in last] == ["response.completed"]
    assert again.output_text == "Kept for later."


def test_only_a_background_response_streams_again(run_client, fake):
    fake.script(text_reply("Right away."))
    waited = run_client.responses.create(model="gpt-4o", input="Now")
    with pytest.raises(openai.BadRequestError) as e:
        run_client.responses.retrieve(waited.id, stream=True)
    assert_sdk_error(e.value, 400, type_="invalid_request_error", param="stream")
    with pytest.raises(openai.NotFoundError):
        run_client.responses.retrieve("resp_missing", stream=True, starting_after=1)
