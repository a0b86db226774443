"""Vector stores and file_search as users meet them through the official SDK: stores, uploads with
the polling helpers, search with filters, and an assistant answering from a file with a citation.

The fake model calls `file_search`; the server searches the stores and hands the model passages behind
citation markers; the scripted answer copies a marker, which becomes a `file_citation` annotation.
"""

from __future__ import annotations

import io
import json
import zipfile

import openai
import pytest
from openai import AssistantEventHandler

from run_support import message_text, text_reply, tool_reply

TEA = "Green tea is steeped at 80 degrees for two minutes. Black tea wants boiling water and four minutes."
BIKES = "A bicycle chain should be cleaned and oiled every 300 kilometres, more often in the rain."
INCLUDE_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"


def search_call(query: str) -> dict:
    return tool_reply(("file_search", json.dumps({"query": query})))


def docx(text: str) -> bytes:
    """A minimal Word document holding one paragraph."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()


def pdf(text: str) -> bytes:
    """A one-page PDF showing `text`, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode()


def test_upload_and_poll_a_batch_then_search(client):
    store = client.vector_stores.create(name="kb", metadata={"team": "docs"})
    assert store.object == "vector_store" and store.name == "kb" and store.file_counts.total == 0
    batch = client.vector_stores.file_batches.upload_and_poll(
        vector_store_id=store.id,
        files=[("tea.md", TEA.encode()), ("bikes.txt", BIKES.encode()), ("manual.docx", docx("Descale the kettle monthly.")),
               ("leaflet.pdf", pdf("Oolong tea is rolled and oxidised."))],
    )
    assert batch.object == "vector_store.files_batch"
    assert batch.file_counts.in_progress == 0 and batch.file_counts.completed == 4, batch.file_counts
    store = client.vector_stores.retrieve(store.id)
    assert store.status == "completed" and store.file_counts.completed == 4 and store.usage_bytes > 0

    page = client.vector_stores.search(store.id, query="how long to steep black tea", max_num_results=2)
    results = list(page)
    assert results[0].filename == "tea.md" and 0 < results[0].score <= 1
    assert TEA in results[0].content[0].text
    assert len(results) <= 2
    assert list(client.vector_stores.search(store.id, query="kettle descale"))[0].filename == "manual.docx"
    assert list(client.vector_stores.search(store.id, query="oolong oxidised"))[0].filename == "leaflet.pdf"

    files = list(client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id))
    assert len(files) == 4 and {f.status for f in files} == {"completed"}


def test_search_takes_ranking_options_and_rewrite_query_and_answers_a_page(client):
    store = client.vector_stores.create(name="ranked")
    client.vector_stores.file_batches.upload_and_poll(
        vector_store_id=store.id, files=[("tea.md", TEA.encode()), ("bikes.txt", BIKES.encode())])
    raw = client.vector_stores.with_raw_response.search(
        store.id, query="green tea steeping", rewrite_query=False, max_num_results=5,
        ranking_options={"ranker": "auto", "score_threshold": 0.0},
    )
    body = raw.http_response.json()
    assert body["object"] == "vector_store.search_results.page" and body["search_query"] == ["green tea steeping"]
    assert body["has_more"] is False and body["next_page"] is None
    first = body["data"][0]
    assert set(first) == {"file_id", "filename", "score", "attributes", "content"}
    assert first["filename"] == "tea.md" and first["content"] == [{"type": "text", "text": TEA}]
    scores = [result["score"] for result in body["data"]]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 5

    # OpenAI's dated ranker is accepted; a threshold no passage reaches leaves none.
    assert list(client.vector_stores.search(
        store.id, query="green tea", ranking_options={"ranker": "default-2024-11-15", "score_threshold": 1.0})) == []
    rewritten = list(client.vector_stores.search(store.id, query="green tea steeping", rewrite_query=True))
    assert rewritten[0].filename == "tea.md"
    with pytest.raises(openai.BadRequestError) as bad:
        client.vector_stores.search(store.id, query="tea", ranking_options={"score_threshold": 2})
    assert bad.value.body["param"] == "ranking_options.score_threshold"


def test_files_create_and_poll_attributes_and_filters(client):
    store = client.vector_stores.create()
    tea = client.files.create(file=("tea.md", TEA.encode()), purpose="assistants")
    bikes = client.files.create(file=("bikes.txt", BIKES.encode()), purpose="assistants")
    done = client.vector_stores.files.create_and_poll(file_id=tea.id, vector_store_id=store.id, attributes={"topic": "drinks", "year": 2024})
    assert done.id == tea.id and done.status == "completed" and done.last_error is None
    assert done.chunking_strategy.type == "static" and done.chunking_strategy.static.max_chunk_size_tokens == 800
    client.vector_stores.files.create_and_poll(
        file_id=bikes.id, vector_store_id=store.id, attributes={"topic": "bikes", "year": 2021},
        chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 50}},
    )
    found = list(client.vector_stores.search(store.id, query="tea chain", filters={"type": "eq", "key": "topic", "value": "bikes"}))
    assert [r.file_id for r in found] == [bikes.id]
    assert found[0].attributes == {"topic": "bikes", "year": 2021}
    recent = list(client.vector_stores.search(store.id, query=["tea", "chain"], filters={"type": "gte", "key": "year", "value": 2023}))
    assert [r.file_id for r in recent] == [tea.id]

    updated = client.vector_stores.files.update(tea.id, vector_store_id=store.id, attributes={"topic": "tea"})
    assert updated.attributes == {"topic": "tea"}
    content = list(client.vector_stores.files.content(tea.id, vector_store_id=store.id))
    assert content[0].text == TEA

    deleted = client.vector_stores.files.delete(tea.id, vector_store_id=store.id)
    assert deleted.deleted and deleted.object == "vector_store.file.deleted"
    assert [f.id for f in client.vector_stores.files.list(store.id)] == [bikes.id]
    assert client.vector_stores.delete(store.id).deleted
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.retrieve(store.id)


def test_unreadable_files_fail_alone_with_last_error(client):
    store = client.vector_stores.create()
    good = client.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=("notes.txt", b"plain notes"))
    binary = client.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=("tool.exe", b"MZ\x00\x01"))
    broken = client.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=("broken.pdf", b"%PDF-1.4 not really"))
    assert good.status == "completed"
    assert binary.status == "failed" and binary.last_error.code == "unsupported_file"
    assert broken.status == "failed" and broken.last_error.code == "invalid_file"
    counts = client.vector_stores.retrieve(store.id).file_counts
    assert (counts.completed, counts.failed, counts.total) == (1, 2, 3)
    assert [f.id for f in client.vector_stores.files.list(store.id, filter="failed")] == [broken.id, binary.id]


def test_bad_input_is_a_400_with_the_parameter(client):
    uploaded = client.files.create(file=("a.txt", b"text"), purpose="assistants")
    store = client.vector_stores.create()
    with pytest.raises(openai.BadRequestError) as e:
        client.vector_stores.create(file_ids=["file-missing"])
    assert e.value.param == "file_ids"
    with pytest.raises(openai.BadRequestError) as e:
        client.vector_stores.file_batches.create(store.id, file_ids=[uploaded.id] * 2001)
    assert e.value.param == "file_ids"
    with pytest.raises(openai.BadRequestError) as e:
        client.vector_stores.files.create(store.id, file_id=uploaded.id, chunking_strategy={"type": "semantic"})
    assert e.value.param == "chunking_strategy.type"
    with pytest.raises(openai.BadRequestError) as e:
        client.vector_stores.files.create(store.id, file_id="file-nope")
    assert e.value.param == "file_id"
    with pytest.raises(openai.BadRequestError) as e:
        client.vector_stores.search(store.id, query="x", max_num_results=51)
    assert e.value.param == "max_num_results"


@pytest.fixture
def librarian(run_client):
    store = run_client.vector_stores.create(name="tea facts")
    run_client.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=("tea.md", TEA.encode()))
    return run_client.beta.assistants.create(
        model="gpt-4o", instructions="Answer from the files.", tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )


class Recorder(AssistantEventHandler):
    def __init__(self):
        super().__init__()
        self.text = ""
        self.tool_calls: list[str] = []

    def on_text_delta(self, delta, snapshot):
        self.text += delta.value or ""

    def on_tool_call_created(self, tool_call):
        self.tool_calls.append(tool_call.type)


def test_an_assistant_answers_from_a_file_with_a_citation(run_client, fake, librarian):
    c = run_client
    thread = c.beta.threads.create(messages=[{"role": "user", "content": "How long should green tea steep?"}])
    fake.script(search_call("green tea steeping time"), text_reply("Two minutes at 80 degrees【0:0†tea.md】."))
    handler = Recorder()
    with c.beta.threads.runs.stream(thread_id=thread.id, assistant_id=librarian.id, event_handler=handler) as stream:
        stream.until_done()
    run = stream.get_final_run()
    assert run.status == "completed", run.last_error
    assert handler.tool_calls == ["file_search"]

    (final,) = stream.get_final_messages()
    text = final.content[0].text
    assert text.value == "Two minutes at 80 degrees【0:0†tea.md】."
    (citation,) = text.annotations
    assert citation.type == "file_citation" and citation.text == "【0:0†tea.md】"
    assert (citation.start_index, citation.end_index) == (25, 37)
    tea_file = c.vector_stores.files.list(librarian.tool_resources.file_search.vector_store_ids[0]).data[0]
    assert citation.file_citation.file_id == tea_file.id
    stored = c.beta.threads.messages.list(thread.id).data[0]
    assert stored.content[0].text.annotations[0].file_citation.file_id == tea_file.id

    # The model saw the passage behind its marker.
    tool_messages = [m for m in fake.requests()[-1]["messages"] if m["role"] == "tool"]
    assert "【0:0†tea.md】\n" + TEA in tool_messages[-1]["content"]

    steps = list(c.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc"))
    (call,) = steps[0].step_details.tool_calls
    assert call.type == "file_search"
    assert call.file_search.results[0].file_name == "tea.md" and call.file_search.results[0].content is None
    detailed = list(c.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc", include=[INCLUDE_CONTENT]))
    assert detailed[0].step_details.tool_calls[0].file_search.results[0].content[0].text == TEA
    one = c.beta.threads.runs.steps.retrieve(steps[0].id, thread_id=thread.id, run_id=run.id, include=[INCLUDE_CONTENT])
    assert one.step_details.tool_calls[0].file_search.results[0].content[0].text == TEA


def test_a_file_search_attachment_gives_the_thread_a_store(run_client, fake):
    c = run_client
    assistant = c.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
    bikes = c.files.create(file=("bikes.txt", BIKES.encode()), purpose="assistants")
    thread = c.beta.threads.create()
    c.beta.threads.messages.create(
        thread_id=thread.id, role="user", content="How often should I oil my chain?",
        attachments=[{"file_id": bikes.id, "tools": [{"type": "file_search"}]}],
    )
    (store_id,) = c.beta.threads.retrieve(thread.id).tool_resources.file_search.vector_store_ids
    store = c.vector_stores.retrieve(store_id)
    assert store.expires_after.days == 7 and store.expires_after.anchor == "last_active_at"

    # The run waits for the thread's file to be ingested, so it is found at once.
    fake.script(search_call("oil chain"), text_reply("Every 300 km【0:0†bikes.txt】."))
    run = c.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed", run.last_error
    answer = c.beta.threads.messages.list(thread.id).data[0]
    assert message_text(answer) == "Every 300 km【0:0†bikes.txt】."
    assert answer.content[0].text.annotations[0].file_citation.file_id == bikes.id
