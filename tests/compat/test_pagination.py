"""Cursor pagination as the SDK drives it (SyncCursorPage pages by `after=<last id>`).

These tests run on their own server so that the exact contents of a list are known.
"""

from __future__ import annotations

import json

import pytest

from conftest import ServerProcess

N = 25


def raw_list(client, **params) -> dict:
    """The list envelope exactly as sent on the wire."""
    raw = client.beta.assistants.with_raw_response.list(**params)
    assert raw.status_code == 200
    return json.loads(raw.text)


def ids_of(envelope: dict) -> list[str]:
    return [item["id"] for item in envelope["data"]]


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    """A fresh server holding exactly N assistants, created in order a0..a24."""
    srv = ServerProcess(tmp_path_factory.mktemp("pagination") / "data")
    srv.start()
    client = srv.client()
    empty = raw_list(client)
    created = [client.beta.assistants.create(model="gpt-4o", name=f"a{i}").id for i in range(N)]
    yield {"server": srv, "client": client, "asc": created, "desc": created[::-1], "empty": empty}
    client.close()
    srv.stop()


@pytest.fixture
def pc(paged):
    return paged["client"]


def test_empty_list_envelope(paged):
    env = paged["empty"]
    assert env == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


def test_empty_list_sdk(client, thread):
    page = client.beta.threads.messages.list(thread.id)
    assert page.data == []
    assert page.has_more is False
    assert list(page) == []
    raw = json.loads(client.beta.threads.messages.with_raw_response.list(thread.id).text)
    assert raw["object"] == "list"
    assert raw["data"] == [] and raw["has_more"] is False
    assert raw["first_id"] is None and raw["last_id"] is None


def test_auto_pagination_desc(pc, paged):
    seen = [a.id for a in pc.beta.assistants.list(limit=10)]
    assert len(seen) == len(set(seen)), "an item was yielded twice"
    assert seen == paged["desc"]


def test_auto_pagination_asc(pc, paged):
    seen = [a.id for a in pc.beta.assistants.list(limit=10, order="asc")]
    assert seen == paged["asc"]


def test_page_sizes(pc):
    sizes = [len(p.data) for p in pc.beta.assistants.list(limit=10).iter_pages()]
    assert sizes == [10, 10, 5]
    flags = [p.has_more for p in pc.beta.assistants.list(limit=10).iter_pages()]
    assert flags == [True, True, False]


def test_envelope_fields(pc, paged):
    desc = paged["desc"]
    first = raw_list(pc, limit=10)
    assert set(first) >= {"object", "data", "first_id", "last_id", "has_more"}
    assert first["object"] == "list"
    assert ids_of(first) == desc[:10]
    assert first["first_id"] == desc[0]
    assert first["last_id"] == desc[9]
    assert first["has_more"] is True
    assert all(item["object"] == "assistant" for item in first["data"])

    second = raw_list(pc, limit=10, after=desc[9])
    assert ids_of(second) == desc[10:20]
    assert (second["first_id"], second["last_id"], second["has_more"]) == (desc[10], desc[19], True)

    last = raw_list(pc, limit=10, after=desc[19])
    assert ids_of(last) == desc[20:]
    assert (last["first_id"], last["last_id"], last["has_more"]) == (desc[20], desc[24], False)


def test_has_more_is_false_when_page_ends_exactly_at_the_end(pc, paged):
    env = raw_list(pc, limit=N)
    assert ids_of(env) == paged["desc"]
    assert env["has_more"] is False
    env = raw_list(pc, limit=5, after=paged["desc"][19])
    assert ids_of(env) == paged["desc"][20:]
    assert env["has_more"] is False
    env = raw_list(pc, limit=10, after=paged["desc"][-1])
    assert env["data"] == [] and env["has_more"] is False


def test_default_limit_is_20(pc, paged):
    env = raw_list(pc)
    assert ids_of(env) == paged["desc"][:20]
    assert env["has_more"] is True


def test_limit_1(pc, paged):
    env = raw_list(pc, limit=1)
    assert ids_of(env) == paged["desc"][:1]
    assert env["first_id"] == env["last_id"] == paged["desc"][0]
    assert env["has_more"] is True
    assert [a.id for a in pc.beta.assistants.list(limit=1)] == paged["desc"]


def test_limit_100(pc, paged):
    env = raw_list(pc, limit=100)
    assert ids_of(env) == paged["desc"]
    assert env["has_more"] is False
    env = raw_list(pc, limit=100, order="asc")
    assert ids_of(env) == paged["asc"]
    assert env["has_more"] is False


def test_after_cursor(pc, paged):
    desc, asc = paged["desc"], paged["asc"]
    assert ids_of(raw_list(pc, after=desc[4], limit=3)) == desc[5:8]
    assert ids_of(raw_list(pc, after=asc[4], limit=3, order="asc")) == asc[5:8]
    assert [a.id for a in pc.beta.assistants.list(after=desc[4], limit=7)] == desc[5:]


def test_before_cursor(pc, paged):
    desc, asc = paged["desc"], paged["asc"]
    # Everything that comes before the cursor in the requested order, in that order.
    assert ids_of(raw_list(pc, before=desc[10], limit=100)) == desc[:10]
    assert ids_of(raw_list(pc, before=asc[10], limit=100, order="asc")) == asc[:10]
    assert raw_list(pc, before=desc[0], limit=100)["data"] == []
    # "before" fetches the previous page: the items right before the cursor.
    assert ids_of(raw_list(pc, before=desc[10], limit=3)) == desc[7:10]
    assert ids_of(raw_list(pc, before=asc[10], limit=3, order="asc")) == asc[7:10]


def test_after_and_before_together(pc, paged):
    desc = paged["desc"]
    env = raw_list(pc, after=desc[3], before=desc[8], limit=100)
    assert ids_of(env) == desc[4:8]


def test_deleting_while_iterating_visits_every_item(server_factory):
    srv = server_factory().start()
    c = srv.client()
    created = [c.beta.assistants.create(model="gpt-4o", name=f"d{i}").id for i in range(N)]
    visited = []
    for a in c.beta.assistants.list(limit=10):
        visited.append(a.id)
        c.beta.assistants.delete(a.id)
    assert visited == created[::-1]
    assert c.beta.assistants.list().data == []

    created = [c.beta.assistants.create(model="gpt-4o", name=f"e{i}").id for i in range(N)]
    visited = []
    for a in c.beta.assistants.list(limit=4, order="asc"):
        visited.append(a.id)
        c.beta.assistants.delete(a.id)
    assert visited == created
    assert c.beta.assistants.list().data == []

    files = [c.files.create(file=(f"f{i}.txt", b"x", "text/plain"), purpose="assistants").id for i in range(7)]
    visited = []
    for f in c.files.list(limit=3):
        visited.append(f.id)
        c.files.delete(f.id)
    assert visited == files[::-1]
    assert c.files.list().data == []
    c.close()


def test_deleting_messages_while_iterating(client):
    t = client.beta.threads.create(messages=[{"role": "user", "content": str(i)} for i in range(12)])
    before = [m.id for m in client.beta.threads.messages.list(t.id, limit=100)]
    assert len(before) == 12
    visited = []
    for m in client.beta.threads.messages.list(t.id, limit=5):
        visited.append(m.id)
        client.beta.threads.messages.delete(m.id, thread_id=t.id)
    assert visited == before
    assert client.beta.threads.messages.list(t.id).data == []


def test_file_pagination(server_factory):
    srv = server_factory().start()
    c = srv.client()
    ids = [c.files.create(file=(f"p{i}.txt", b"p", "text/plain"), purpose="assistants").id for i in range(5)]
    assert [f.id for f in c.files.list(limit=2)] == ids[::-1]
    assert [f.id for f in c.files.list(limit=2, order="asc")] == ids
    assert [len(p.data) for p in c.files.list(limit=2).iter_pages()] == [2, 2, 1]
    raw = json.loads(c.files.with_raw_response.list(limit=2).text)
    assert raw["object"] == "list"
    assert raw["has_more"] is True
    assert [x["id"] for x in raw["data"]] == ids[::-1][:2]
    raw = json.loads(c.files.with_raw_response.list(after=ids[1]).text)
    assert [x["id"] for x in raw["data"]] == [ids[0]]
    assert raw["has_more"] is False
    c.close()
