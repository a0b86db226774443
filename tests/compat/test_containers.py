"""client.containers and client.containers.files: create, list, retrieve, delete; uploads, copies of
stored files, content."""

from __future__ import annotations

import io

import openai
import pytest

from compat_support import assert_present, assert_recent_timestamp, assert_sdk_error

CONTAINER_FIELDS = ("id", "object", "created_at", "name", "status", "expires_after", "last_active_at", "memory_limit", "network_policy")
FILE_FIELDS = ("id", "object", "created_at", "bytes", "container_id", "path", "source")


def check_container(c, *, name: str, minutes: int = 20, memory_limit: str = "1g"):
    assert c.id.startswith("cntr_"), c.id
    assert c.object == "container"
    assert c.name == name
    assert c.status == "running"
    assert c.expires_after.anchor == "last_active_at" and c.expires_after.minutes == minutes
    assert c.memory_limit == memory_limit
    assert c.network_policy.type == "disabled"
    assert_recent_timestamp(c.created_at)
    assert c.last_active_at >= c.created_at
    assert_present(c, *CONTAINER_FIELDS)


def check_file(f, *, container_id: str, path: str, size: int):
    assert f.id.startswith("cfile_"), f.id
    assert f.object == "container.file"
    assert f.container_id == container_id
    assert f.path == path
    assert f.bytes == size
    assert f.source == "user"
    assert_recent_timestamp(f.created_at)
    assert_present(f, *FILE_FIELDS)


def test_create_retrieve_list_delete(client):
    c = client.containers.create(name="compat box", expires_after={"anchor": "last_active_at", "minutes": 5}, memory_limit="4g")
    check_container(c, name="compat box", minutes=5, memory_limit="4g")
    got = client.containers.retrieve(c.id)
    check_container(got, name="compat box", minutes=5, memory_limit="4g")
    assert got.id == c.id and got.created_at == c.created_at

    other = client.containers.create(name="compat other")
    check_container(other, name="compat other")
    listed = [x.id for x in client.containers.list(limit=100)]
    assert listed.index(other.id) < listed.index(c.id), "newest first by default"
    named = client.containers.list(name="compat box", order="asc")
    assert c.id in [x.id for x in named.data] and other.id not in [x.id for x in named.data]

    assert client.containers.delete(c.id) is None
    with pytest.raises(openai.NotFoundError) as ei:
        client.containers.retrieve(c.id)
    assert_sdk_error(ei.value, 404)
    assert ei.value.body["message"] == f"Container with id '{c.id}' not found."
    with pytest.raises(openai.NotFoundError):
        client.containers.delete(c.id)
    assert c.id not in {x.id for x in client.containers.list(limit=100)}


def test_lists_page_with_after(client):
    name = "compat paged"
    made = [client.containers.create(name=name).id for _ in range(3)]
    first = client.containers.list(name=name, limit=2, order="asc")
    assert [x.id for x in first.data] == made[:2] and first.has_more is True
    # The SDK follows `after` through every page.
    assert [x.id for x in client.containers.list(name=name, limit=1, order="asc")] == made

    box = made[0]
    files = [client.containers.files.create(box, file=(f"f{i}.txt", b"x" * i)).id for i in range(3)]
    assert [f.id for f in client.containers.files.list(box, limit=1, order="asc")] == files
    page = client.containers.files.list(box, limit=2)
    assert [f.id for f in page.data] == files[::-1][:2] and page.has_more is True


def test_file_ids_are_copied_in(client):
    stored = client.files.create(file=("data.csv", b"a,b\n1,2\n", "text/csv"), purpose="assistants")
    c = client.containers.create(name="with files", file_ids=[stored.id])
    files = client.containers.files.list(c.id)
    assert len(files.data) == 1
    check_file(files.data[0], container_id=c.id, path="/mnt/data/data.csv", size=8)
    # A copy: the stored file may go, the container keeps its bytes.
    client.files.delete(stored.id)
    assert client.containers.files.content.retrieve(files.data[0].id, container_id=c.id).read() == b"a,b\n1,2\n"


def test_files_upload_copy_read_and_delete(client, tmp_path):
    c = client.containers.create(name="files")
    uploaded = client.containers.files.create(c.id, file=("notes.txt", b"hello container", "text/plain"))
    check_file(uploaded, container_id=c.id, path="/mnt/data/notes.txt", size=15)

    path = tmp_path / "report.md"
    path.write_bytes(b"# report\n")
    from_path = client.containers.files.create(c.id, file=path)
    check_file(from_path, container_id=c.id, path="/mnt/data/report.md", size=9)

    buf = io.BytesIO(b"buffer bytes")
    buf.name = "buffer.bin"
    from_buffer = client.containers.files.create(c.id, file=buf)
    check_file(from_buffer, container_id=c.id, path="/mnt/data/buffer.bin", size=12)

    stored = client.files.create(file=("copied.json", b'{"a": 1}', "application/json"), purpose="assistants")
    by_id = client.containers.files.create(c.id, file_id=stored.id)
    check_file(by_id, container_id=c.id, path="/mnt/data/copied.json", size=8)

    got = client.containers.files.retrieve(uploaded.id, container_id=c.id)
    check_file(got, container_id=c.id, path="/mnt/data/notes.txt", size=15)
    assert client.containers.files.content.retrieve(uploaded.id, container_id=c.id).read() == b"hello container"
    assert client.containers.files.content.retrieve(by_id.id, container_id=c.id).read() == b'{"a": 1}'
    listed = [f.id for f in client.containers.files.list(c.id, order="asc")]
    assert listed == [uploaded.id, from_path.id, from_buffer.id, by_id.id]

    assert client.containers.files.delete(uploaded.id, container_id=c.id) is None
    with pytest.raises(openai.NotFoundError) as ei:
        client.containers.files.retrieve(uploaded.id, container_id=c.id)
    assert_sdk_error(ei.value, 404)
    assert ei.value.body["message"] == f"Container file with id '{uploaded.id}' not found."
    with pytest.raises(openai.NotFoundError):
        client.containers.files.content.retrieve(uploaded.id, container_id=c.id)
    with pytest.raises(openai.NotFoundError):
        client.containers.files.delete(uploaded.id, container_id=c.id)

    # Deleting the container takes its files with it.
    client.containers.delete(c.id)
    with pytest.raises(openai.NotFoundError):
        client.containers.files.list(c.id)


def test_bad_requests(client):
    with pytest.raises(openai.BadRequestError) as ei:
        client.containers.create(name="x", expires_after={"anchor": "last_active_at", "minutes": 0})
    assert_sdk_error(ei.value, 400, param="expires_after.minutes")
    with pytest.raises(openai.BadRequestError) as ei:
        client.containers.create(name="x", file_ids=["file-doesnotexist"])
    assert_sdk_error(ei.value, 400, param="file_ids[0]")
    with pytest.raises(openai.BadRequestError) as ei:
        client.containers.create(name="x", network_policy={"type": "allowlist", "allowed_domains": ["example.com"]})
    assert_sdk_error(ei.value, 400, param="network_policy.type")

    c = client.containers.create(name="errors")
    with pytest.raises(openai.BadRequestError) as ei:
        client.containers.files.create(c.id)
    assert_sdk_error(ei.value, 400, param="file_id")
    with pytest.raises(openai.BadRequestError) as ei:
        client.containers.files.create(c.id, file_id="file-doesnotexist")
    assert_sdk_error(ei.value, 400, param="file_id")
    with pytest.raises(openai.NotFoundError) as ei:
        client.containers.files.create("cntr_doesnotexist", file=("a.txt", b"a"))
    assert_sdk_error(ei.value, 404)
    assert ei.value.body["message"] == "Container with id 'cntr_doesnotexist' not found."
    with pytest.raises(openai.BadRequestError) as ei:
        client.containers.retrieve("file-abc")
    assert_sdk_error(ei.value, 400, param="container_id")
