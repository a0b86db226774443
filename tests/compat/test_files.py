"""client.files: upload, retrieve, list, content, delete."""

from __future__ import annotations

import io

import openai
import pytest

from compat_support import assert_present, assert_recent_timestamp, assert_sdk_error, binary_blob, tiny_png

NOTES = b"Meeting notes\nline two\n\xc3\xa9t\xc3\xa9\n"


def check_file(f, *, filename: str, size: int, purpose: str):
    assert f.id.startswith("file-"), f.id
    assert f.object == "file"
    assert f.bytes == size
    assert f.filename == filename
    assert f.purpose == purpose
    assert f.status in ("uploaded", "processed")
    assert_recent_timestamp(f.created_at)
    assert_present(f, "id", "object", "bytes", "created_at", "filename", "purpose", "status")


def test_upload_tuple(client):
    f = client.files.create(file=("notes.txt", NOTES, "text/plain"), purpose="assistants")
    check_file(f, filename="notes.txt", size=len(NOTES), purpose="assistants")
    assert client.files.content(f.id).read() == NOTES


def test_upload_pathlib_path(client, tmp_path):
    path = tmp_path / "report.csv"
    data = b"a,b,c\n1,2,3\n"
    path.write_bytes(data)
    f = client.files.create(file=path, purpose="assistants")
    check_file(f, filename="report.csv", size=len(data), purpose="assistants")
    assert client.files.content(f.id).read() == data


def test_upload_file_object(client):
    buf = io.BytesIO(b"from a file object")
    buf.name = "buffer.md"
    f = client.files.create(file=buf, purpose="assistants")
    check_file(f, filename="buffer.md", size=len(b"from a file object"), purpose="assistants")


@pytest.mark.parametrize("purpose", ["assistants", "vision", "batch", "fine-tune", "user_data"])
def test_upload_purposes(client, purpose):
    data = tiny_png() if purpose == "vision" else b'{"a": 1}\n'
    name = "img.png" if purpose == "vision" else "data.jsonl"
    f = client.files.create(file=(name, data), purpose=purpose)
    assert f.purpose == purpose
    assert client.files.retrieve(f.id).purpose == purpose


def test_retrieve(client):
    f = client.files.create(file=("retrieve.txt", b"12345", "text/plain"), purpose="assistants")
    got = client.files.retrieve(f.id)
    check_file(got, filename="retrieve.txt", size=5, purpose="assistants")
    assert got.id == f.id
    assert got.created_at == f.created_at


def test_binary_content_is_exact(client):
    blob = binary_blob(3)
    assert set(blob) == set(range(256))
    f = client.files.create(file=("blob.bin", blob, "application/octet-stream"), purpose="assistants")
    assert f.bytes == len(blob)
    got = client.files.content(f.id).read()
    assert len(got) == len(blob)
    assert got == blob
    assert client.files.retrieve(f.id).bytes == len(blob)


def test_empty_file(client):
    f = client.files.create(file=("empty.txt", b"", "text/plain"), purpose="assistants")
    assert f.bytes == 0
    assert client.files.content(f.id).read() == b""


def test_list_contains_upload(client):
    f = client.files.create(file=("listed.txt", b"listed", "text/plain"), purpose="assistants")
    page = client.files.list()
    assert page.data[0].id == f.id, "default order is desc: newest first"
    listed = {x.id: x for x in client.files.list()}
    assert f.id in listed
    check_file(listed[f.id], filename="listed.txt", size=6, purpose="assistants")


def test_list_purpose_filter(client):
    vision = client.files.create(file=("v.png", tiny_png(), "image/png"), purpose="vision")
    assistants = client.files.create(file=("a.txt", b"a", "text/plain"), purpose="assistants")
    vision_ids = [f.id for f in client.files.list(purpose="vision")]
    assert vision.id in vision_ids
    assert assistants.id not in vision_ids
    assert all(f.purpose == "vision" for f in client.files.list(purpose="vision"))
    assistants_ids = [f.id for f in client.files.list(purpose="assistants")]
    assert assistants.id in assistants_ids
    assert vision.id not in assistants_ids


def test_list_order_and_limit(client):
    ids = [client.files.create(file=(f"o{i}.txt", b"x", "text/plain"), purpose="assistants").id for i in range(3)]
    desc = [f.id for f in client.files.list(limit=2) if f.id in ids]
    assert desc == ids[::-1]
    asc = [f.id for f in client.files.list(limit=2, order="asc") if f.id in ids]
    assert asc == ids
    page = client.files.list(limit=1)
    assert len(page.data) == 1
    assert page.has_more is True


def test_delete(client):
    f = client.files.create(file=("bye.txt", b"bye", "text/plain"), purpose="assistants")
    deleted = client.files.delete(f.id)
    assert deleted.id == f.id
    assert deleted.object == "file"
    assert deleted.deleted is True

    with pytest.raises(openai.NotFoundError) as ei:
        client.files.retrieve(f.id)
    assert_sdk_error(ei.value, 404)
    assert f.id in ei.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        client.files.content(f.id)
    with pytest.raises(openai.NotFoundError):
        client.files.delete(f.id)
    assert f.id not in {x.id for x in client.files.list()}


def test_files_are_not_sent_the_beta_header(client):
    raw = client.files.with_raw_response.create(file=("h.txt", b"h", "text/plain"), purpose="assistants")
    assert "openai-beta" not in raw.http_request.headers
    assert raw.status_code == 200
    assert raw.parse().filename == "h.txt"


def test_expires_after(client):
    f = client.files.create(
        file=("temp.txt", b"temporary", "text/plain"),
        purpose="assistants",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert f.expires_at == f.created_at + 3600
    assert client.files.retrieve(f.id).expires_at == f.created_at + 3600


def test_no_expiry_by_default(client):
    f = client.files.create(file=("keep.txt", b"keep", "text/plain"), purpose="assistants")
    assert f.expires_at is None


@pytest.mark.parametrize("expires_after", [
    {"anchor": "created_at", "seconds": 3599},
    {"anchor": "created_at", "seconds": 2_592_001},
    {"anchor": "last_active_at", "seconds": 3600},
])
def test_expires_after_out_of_range(client, expires_after):
    with pytest.raises(openai.BadRequestError) as ei:
        client.files.create(file=("t.txt", b"t", "text/plain"), purpose="assistants", expires_after=expires_after)
    assert_sdk_error(ei.value, 400)
    assert ei.value.param is not None and ei.value.param.startswith("expires_after"), ei.value.body
