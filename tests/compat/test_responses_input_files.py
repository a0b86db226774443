"""input_file parts of the Responses API with the official openai package: an uploaded file (`file_id`) or
inline data (`file_data`, a data URL or bare base64, with `filename`) is read by the model as its text, in the
user message where the part stands; later turns and conversations still read it; input items list the part
back naming a file; input token counts include it; what cannot be read is a 4xx naming the part."""

from __future__ import annotations

import base64

import openai
import pytest

from compat_support import assert_sdk_error
from fake_model import conversation
from run_support import text_reply


def pdf(text: str) -> bytes:
    """A one-page PDF whose text is `text` (Helvetica, no compression), as pdftotext reads it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 18 Tf 72 720 Td (" + text.encode() + b") Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def file_block(filename: str, text: str) -> str:
    return f"\n[File: {filename}]\n{text}\n[End of file: {filename}]\n"


def test_an_uploaded_file_is_read_where_its_part_stands(run_client, fake):
    c = run_client
    uploaded = c.files.create(file=("launch.pdf", pdf("The launch code is 7391.")), purpose="user_data")
    fake.script(text_reply("7391."), text_reply("Yes, 7391."))
    first = c.responses.create(
        model="gpt-4o",
        input=[{"role": "user", "content": [
            {"type": "input_file", "file_id": uploaded.id},
            {"type": "input_text", "text": "What is the launch code?"},
        ]}],
    )
    assert first.status == "completed" and first.output_text == "7391."
    (body,) = fake.requests()
    ((role, text),) = conversation(body)
    assert role == "user"
    assert text.startswith("\n[File: launch.pdf]\nThe launch code is 7391.")
    assert text.endswith("[End of file: launch.pdf]\nWhat is the launch code?")

    # The input lists the part as it was sent.
    (item,) = c.responses.input_items.list(first.id).data
    assert [part.type for part in item.content] == ["input_file", "input_text"]
    assert item.content[0].file_id == uploaded.id

    # A later turn still reads the file.
    c.responses.create(model="gpt-4o", input="Sure?", previous_response_id=first.id)
    _, body = fake.requests()
    assert [role for role, _ in conversation(body)] == ["user", "assistant", "user"]
    assert "The launch code is 7391." in conversation(body)[0][1]


@pytest.mark.parametrize("as_data_url", [True, False])
def test_inline_file_data_is_kept_as_a_user_data_file(run_client, fake, as_data_url):
    c = run_client
    encoded = base64.b64encode(b"Ship the order to Lisbon.").decode()
    file_data = f"data:text/plain;base64,{encoded}" if as_data_url else encoded
    fake.script(text_reply("Lisbon."))
    response = c.responses.create(
        model="gpt-4o",
        input=[{"role": "user", "content": [
            {"type": "input_text", "text": "Where to?"},
            {"type": "input_file", "filename": "order.txt", "file_data": file_data},
        ]}],
    )
    assert response.status == "completed"
    (body,) = fake.requests()
    assert conversation(body) == [("user", "Where to?" + file_block("order.txt", "Ship the order to Lisbon."))]

    (item,) = c.responses.input_items.list(response.id).data
    assert [part.type for part in item.content] == ["input_text", "input_file"]
    part = item.content[1]
    assert part.filename == "order.txt" and part.file_data is None and part.file_id.startswith("file-")
    kept = c.files.retrieve(part.file_id)
    assert kept.purpose == "user_data" and kept.filename == "order.txt"
    assert c.files.content(part.file_id).read() == b"Ship the order to Lisbon."


def test_a_conversation_keeps_its_files_for_later_responses(run_client, fake):
    c = run_client
    encoded = base64.b64encode(b"The meeting is at noon.").decode()
    conv = c.conversations.create(items=[{"type": "message", "role": "user", "content": [
        {"type": "input_file", "filename": "plan.md", "file_data": f"data:text/markdown;base64,{encoded}"},
    ]}])
    (item,) = c.conversations.items.list(conv.id).data
    assert item.content[0].type == "input_file" and item.content[0].file_id.startswith("file-")
    fake.script(text_reply("Noon."))
    response = c.responses.create(model="gpt-4o", conversation=conv.id, input="When is the meeting?")
    assert response.output_text == "Noon."
    (body,) = fake.requests()
    assert conversation(body) == [("user", file_block("plan.md", "The meeting is at noon.")), ("user", "When is the meeting?")]


def test_input_tokens_count_the_files_text(run_client, fake):
    c = run_client
    words = "alpha beta gamma delta " * 50
    uploaded = c.files.create(file=("words.txt", words.encode()), purpose="user_data")
    plain = c.responses.input_tokens.count(model="gpt-4o", input="Count.").input_tokens
    by_id = c.responses.input_tokens.count(model="gpt-4o", input=[{"role": "user", "content": [
        {"type": "input_file", "file_id": uploaded.id}, {"type": "input_text", "text": "Count."},
    ]}]).input_tokens
    inline = c.responses.input_tokens.count(model="gpt-4o", input=[{"role": "user", "content": [
        {"type": "input_file", "filename": "words.txt", "file_data": base64.b64encode(words.encode()).decode()},
        {"type": "input_text", "text": "Count."},
    ]}]).input_tokens
    assert by_id >= plain + 200 and inline >= plain + 200
    assert fake.requests() == []


def test_files_that_cannot_be_read_are_refused_by_name(run_client, fake):
    c = run_client
    image = c.files.create(file=("chart.png", b"\x89PNG\r\n\x1a\n"), purpose="user_data")

    def create(part: dict):
        return c.responses.create(model="gpt-4o", input=[{"role": "user", "content": [{"type": "input_text", "text": "x"}, part]}])

    with pytest.raises(openai.NotFoundError) as e:
        create({"type": "input_file", "file_id": "file-missing"})
    assert_sdk_error(e.value, 404, param="input[0].content[1].file_id")
    with pytest.raises(openai.BadRequestError) as e:
        create({"type": "input_file", "file_url": "https://example.com/report.pdf"})
    assert_sdk_error(e.value, 400, type_="invalid_request_error", param="input[0].content[1].file_url")
    assert "does not fetch URLs" in e.value.body["message"]
    with pytest.raises(openai.BadRequestError) as e:
        create({"type": "input_file", "file_id": image.id})
    assert_sdk_error(e.value, 400, param="input[0].content[1].file_id")
    assert e.value.body["code"] == "unsupported_file"
    with pytest.raises(openai.BadRequestError) as e:
        create({"type": "input_file", "filename": "a.txt", "file_data": "not base64!"})
    assert_sdk_error(e.value, 400, param="input[0].content[1].file_data")
    assert fake.requests() == []
