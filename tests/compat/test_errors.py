"""Errors as users see them: SDK exception classes, status codes and the error envelope."""

from __future__ import annotations

import openai
import pytest

from compat_support import assert_error_response, assert_sdk_error, httpx

# ---------------------------------------------------------------------------
# 404s
# ---------------------------------------------------------------------------


def test_missing_assistant(client):
    with pytest.raises(openai.NotFoundError) as ei:
        client.beta.assistants.retrieve("asst_x")
    e = ei.value
    assert e.status_code == 404
    assert_sdk_error(e, 404, type_="invalid_request_error")
    assert e.body["message"] == "No assistant found with id 'asst_x'."


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.beta.assistants.update("asst_doesnotexist", name="x"),
        lambda c: c.beta.assistants.delete("asst_doesnotexist"),
    ],
    ids=["update", "delete"],
)
def test_missing_assistant_other_verbs(client, call):
    with pytest.raises(openai.NotFoundError) as ei:
        call(client)
    assert_sdk_error(ei.value, 404)
    assert ei.value.body["message"] == "No assistant found with id 'asst_doesnotexist'."


def test_missing_thread(client):
    with pytest.raises(openai.NotFoundError) as ei:
        client.beta.threads.retrieve("thread_doesnotexist")
    assert_sdk_error(ei.value, 404, type_="invalid_request_error")
    assert ei.value.body["message"] == "No thread found with id 'thread_doesnotexist'."


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.beta.threads.update("thread_doesnotexist", metadata={"a": "b"}),
        lambda c: c.beta.threads.delete("thread_doesnotexist"),
        lambda c: c.beta.threads.messages.list("thread_doesnotexist"),
        lambda c: c.beta.threads.messages.create("thread_doesnotexist", role="user", content="hi"),
        lambda c: c.beta.threads.messages.retrieve("msg_doesnotexist", thread_id="thread_doesnotexist"),
    ],
    ids=["update", "delete", "list-messages", "create-message", "retrieve-message"],
)
def test_missing_thread_other_verbs(client, call):
    with pytest.raises(openai.NotFoundError) as ei:
        call(client)
    assert_sdk_error(ei.value, 404)
    assert "thread_doesnotexist" in ei.value.body["message"]


def test_missing_message(client, thread):
    with pytest.raises(openai.NotFoundError) as ei:
        client.beta.threads.messages.retrieve("msg_doesnotexist", thread_id=thread.id)
    assert_sdk_error(ei.value, 404, type_="invalid_request_error")
    assert "msg_doesnotexist" in ei.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.messages.update("msg_doesnotexist", thread_id=thread.id, metadata={"a": "b"})
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.messages.delete("msg_doesnotexist", thread_id=thread.id)


def test_missing_file(client):
    for call in (
        lambda: client.files.retrieve("file-doesnotexist"),
        lambda: client.files.content("file-doesnotexist"),
        lambda: client.files.delete("file-doesnotexist"),
    ):
        with pytest.raises(openai.NotFoundError) as ei:
            call()
        assert_sdk_error(ei.value, 404, type_="invalid_request_error")
        assert "file-doesnotexist" in ei.value.body["message"]


# ---------------------------------------------------------------------------
# 400s from the SDK
# ---------------------------------------------------------------------------

def meta(n_pairs=1, key_len=3, value_len=3):
    return {f"{i:03d}".ljust(key_len, "k"): "v" * value_len for i in range(n_pairs)}


def metadata_param(e):
    assert e.param is not None and e.param.startswith("metadata"), f"param {e.param!r}: {e.body!r}"


BAD_ASSISTANT_CREATES = [
    # (id, kwargs, expected param: str for exact, callable for a check)
    ("metadata-17-pairs", dict(metadata=meta(17)), "metadata"),
    ("metadata-key-65", dict(metadata=meta(1, key_len=65)), metadata_param),
    ("metadata-value-513", dict(metadata=meta(1, value_len=513)), metadata_param),
    ("name-257", dict(name="n" * 257), "name"),
    ("description-513", dict(description="d" * 513), "description"),
    ("instructions-256001", dict(instructions="i" * 256_001), "instructions"),
    ("tools-129", dict(tools=[{"type": "code_interpreter"}] * 129), "tools"),
    ("tool-type-unknown", dict(tools=[{"type": "browser"}]), "tools[0].type"),
    ("second-tool-type-unknown", dict(tools=[{"type": "code_interpreter"}, {"type": "browser"}]), "tools[1].type"),
    ("temperature-3", dict(temperature=3), "temperature"),
    ("temperature-negative", dict(temperature=-0.1), "temperature"),
    ("top_p-1.5", dict(top_p=1.5), "top_p"),
    ("name-int", dict(extra_body={"name": 123}), "name"),
    ("description-list", dict(extra_body={"description": ["x"]}), "description"),
    ("temperature-string", dict(extra_body={"temperature": "hot"}), "temperature"),
    ("tools-object", dict(extra_body={"tools": {"type": "code_interpreter"}}), "tools"),
    ("metadata-list", dict(extra_body={"metadata": ["a", "b"]}), "metadata"),
    ("metadata-value-int", dict(extra_body={"metadata": {"a": 1}}), metadata_param),
]


@pytest.mark.parametrize("kwargs,param", [(k, p) for _, k, p in BAD_ASSISTANT_CREATES],
                         ids=[i for i, _, _ in BAD_ASSISTANT_CREATES])
def test_assistant_create_validation(client, kwargs, param):
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.assistants.create(model="gpt-4o", **kwargs)
    e = ei.value
    assert_sdk_error(e, 400, type_="invalid_request_error")
    if callable(param):
        param(e)
    else:
        assert e.param == param, f"param {e.param!r}: {e.body!r}"


def test_assistant_create_missing_model(client):
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.assistants.create(model=openai.omit, name="no model")  # body: {"name": "no model"}
    assert_sdk_error(ei.value, 400, param="model")


def test_assistant_create_model_wrong_type(client):
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.assistants.create(model="gpt-4o", extra_body={"model": 4})
    assert_sdk_error(ei.value, 400, param="model")


def test_assistant_unknown_code_interpreter_file(client):
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.assistants.create(
            model="gpt-4o",
            tools=[{"type": "code_interpreter"}],
            tool_resources={"code_interpreter": {"file_ids": ["file-doesnotexist"]}},
        )
    e = ei.value
    assert_sdk_error(e, 400)
    assert e.param is not None and e.param.startswith("tool_resources.code_interpreter.file_ids"), e.body
    assert "file-doesnotexist" in e.body["message"]


def test_assistant_too_many_code_interpreter_files(client):
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.assistants.create(
            model="gpt-4o", tool_resources={"code_interpreter": {"file_ids": [f"file-{i}" for i in range(21)]}}
        )
    assert ei.value.param is not None and ei.value.param.startswith("tool_resources.code_interpreter.file_ids"), ei.value.body


def test_assistant_update_validation(client, assistant):
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.assistants.update(assistant.id, name="n" * 257)
    assert_sdk_error(ei.value, 400, param="name")
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.assistants.update(assistant.id, metadata=meta(17))
    assert_sdk_error(ei.value, 400, param="metadata")
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.assistants.update(assistant.id, tools=[{"type": "browser"}])
    assert_sdk_error(ei.value, 400, param="tools[0].type")
    # A rejected update changes nothing.
    got = client.beta.assistants.retrieve(assistant.id)
    assert got.to_dict() == assistant.to_dict()


def test_thread_validation(client, thread):
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.threads.create(metadata=meta(17))
    assert_sdk_error(ei.value, 400, param="metadata")
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.threads.update(thread.id, metadata=meta(1, value_len=513))
    metadata_param(ei.value)
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.threads.create(tool_resources={"code_interpreter": {"file_ids": ["file-doesnotexist"]}})
    assert ei.value.param is not None and ei.value.param.startswith("tool_resources.code_interpreter.file_ids")


def test_thread_create_with_invalid_message_creates_nothing(client):
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.threads.create(messages=[{"role": "user", "content": "ok"}, {"role": "system", "content": "no"}])
    assert_sdk_error(ei.value, 400)
    assert ei.value.param is not None and ei.value.param.startswith("messages[1]"), ei.value.body


BAD_MESSAGES = [
    ("role-system", dict(role="system", content="hi"), "role"),
    ("role-null", dict(role="user", content="hi", extra_body={"role": None}), "role"),
    ("role-missing", dict(role=openai.omit, content="hi"), "role"),
    ("content-missing", dict(role="user", content=openai.omit), "content"),
    ("content-empty-list", dict(role="user", content=[]), "content"),
    ("content-int", dict(role="user", content="x", extra_body={"content": 5}), "content"),
    ("part-unknown-type", dict(role="user", content=[{"type": "text", "text": "ok"}, {"type": "audio", "audio": {}}]),
     "content[1]"),
    ("image-file-unknown", dict(role="user", content=[{"type": "image_file", "image_file": {"file_id": "file-nope"}}]),
     "content[0]"),
    ("attachment-unknown-file", dict(role="user", content="x", attachments=[{"file_id": "file-nope", "tools": [{"type": "code_interpreter"}]}]),
     "attachments[0]"),
    ("metadata-17", dict(role="user", content="hi", metadata=meta(17)), "metadata"),
]


@pytest.mark.parametrize("kwargs,param", [(k, p) for _, k, p in BAD_MESSAGES], ids=[i for i, _, _ in BAD_MESSAGES])
def test_message_create_validation(client, thread, kwargs, param):
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.threads.messages.create(thread.id, **kwargs)
    assert_sdk_error(ei.value, 400, type_="invalid_request_error")
    assert ei.value.param is not None and ei.value.param.startswith(param), ei.value.body
    assert client.beta.threads.messages.list(thread.id).data == [], "a rejected message must not be stored"


def test_message_update_validation(client, thread):
    m = client.beta.threads.messages.create(thread.id, role="user", content="x")
    with pytest.raises(openai.BadRequestError) as ei:
        client.beta.threads.messages.update(m.id, thread_id=thread.id, metadata=meta(17))
    assert_sdk_error(ei.value, 400, param="metadata")


# ---------------------------------------------------------------------------
# Raw HTTP: what the SDK would never send
# ---------------------------------------------------------------------------

def test_malformed_json(http, beta_headers):
    r = http.post("/v1/assistants", content=b'{"model": "gpt-4o",', headers={**beta_headers, "Content-Type": "application/json"})
    assert_error_response(r, 400, type_="invalid_request_error")


@pytest.mark.parametrize("body", [b"[]", b'"a string"', b"42", b"null", b"not json at all", b"\xff\xfe"])
def test_non_object_json_bodies(http, beta_headers, body):
    r = http.post("/v1/assistants", content=body, headers={**beta_headers, "Content-Type": "application/json"})
    assert_error_response(r, 400)


def test_empty_body_on_thread_create_is_allowed(http, beta_headers):
    r = http.post("/v1/threads", headers=beta_headers)
    assert r.status_code == 200, r.text
    assert r.json()["object"] == "thread"


def test_missing_beta_header(http, auth_headers):
    expected = (
        "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
        "Please try again by setting the header 'OpenAI-Beta: assistants=v2'."
    )
    for method, path in (("GET", "/v1/assistants"), ("POST", "/v1/assistants"), ("POST", "/v1/threads"),
                         ("GET", "/v1/threads/thread_x/messages")):
        r = http.request(method, path, headers=auth_headers, json={"model": "gpt-4o"} if method == "POST" else None)
        err = assert_error_response(r, 400, code="invalid_beta", type_="invalid_request_error")
        assert err["message"] == expected, (method, path, err)


def test_v1_beta_header_is_rejected(http, auth_headers):
    r = http.get("/v1/assistants", headers={**auth_headers, "OpenAI-Beta": "assistants=v1"})
    err = assert_error_response(r, 400, code="invalid_beta")
    assert "v1 Assistants API has been deprecated" in err["message"]


def test_files_work_without_beta_header(http, auth_headers):
    r = http.post("/v1/files", headers=auth_headers, files={"file": ("raw.txt", b"raw bytes", "text/plain")},
                  data={"purpose": "assistants"})
    assert r.status_code == 200, r.text
    f = r.json()
    assert f["object"] == "file" and f["filename"] == "raw.txt" and f["bytes"] == 9
    r = http.get(f"/v1/files/{f['id']}", headers=auth_headers)
    assert r.status_code == 200 and r.json()["id"] == f["id"]
    r = http.get(f"/v1/files/{f['id']}/content", headers=auth_headers)
    assert r.status_code == 200 and r.content == b"raw bytes"
    r = http.get("/v1/files", headers=auth_headers)
    assert r.status_code == 200 and r.json()["object"] == "list"


def test_file_upload_errors(http, auth_headers):
    # no file part
    r = http.post("/v1/files", headers=auth_headers, files={"other": ("x.txt", b"x", "text/plain")},
                  data={"purpose": "assistants"})
    assert_error_response(r, 400, param="file")
    # no purpose
    r = http.post("/v1/files", headers=auth_headers, files={"file": ("a.txt", b"a", "text/plain")})
    assert_error_response(r, 400, param="purpose")
    # unknown purpose
    r = http.post("/v1/files", headers=auth_headers, files={"file": ("a.txt", b"a", "text/plain")},
                  data={"purpose": "wallpaper"})
    assert_error_response(r, 400, param="purpose")
    # JSON instead of multipart
    r = http.post("/v1/files", headers=auth_headers, json={"purpose": "assistants"})
    assert_error_response(r, 400)


def test_unknown_purpose_via_sdk(client):
    with pytest.raises(openai.BadRequestError) as ei:
        client.files.create(file=("a.txt", b"a"), purpose="wallpaper")
    assert_sdk_error(ei.value, 400, param="purpose")


# ---------------------------------------------------------------------------
# Auth
# ---------------------------------------------------------------------------

def test_wrong_api_key(server):
    bad = server.client(api_key="sk-wrong")
    with pytest.raises(openai.AuthenticationError) as ei:
        bad.beta.assistants.list()
    assert_sdk_error(ei.value, 401)
    with pytest.raises(openai.AuthenticationError):
        bad.files.list()
    with pytest.raises(openai.AuthenticationError):
        bad.beta.threads.create()


def test_second_api_key_works(server):
    c = server.client(api_key="test-key-2")
    a = c.beta.assistants.create(model="gpt-4o", name="key two")
    assert c.beta.assistants.retrieve(a.id).name == "key two"


def test_no_authorization_header(http):
    for method, path in (("GET", "/v1/assistants"), ("GET", "/v1/files"), ("POST", "/v1/threads")):
        r = http.request(method, path, headers={"OpenAI-Beta": "assistants=v2"})
        assert_error_response(r, 401)


def test_malformed_authorization_header(http):
    for value in ("test-key-1", "Basic dGVzdC1rZXktMQ==", "Bearer", "Bearer test-key-1x", "bearer-test-key-1"):
        r = http.get("/v1/assistants", headers={"Authorization": value, "OpenAI-Beta": "assistants=v2"})
        assert_error_response(r, 401)


def test_auth_is_checked_before_the_beta_header(http):
    r = http.get("/v1/assistants", headers={"Authorization": "Bearer nope"})
    assert_error_response(r, 401)


# ---------------------------------------------------------------------------
# No bad input ever gets a 5xx or a 409
# ---------------------------------------------------------------------------

JUNK_REQUESTS = [
    ("GET", "/v1/assistants?limit=0", None),
    ("GET", "/v1/assistants?limit=101", None),
    ("GET", "/v1/assistants?limit=abc", None),
    ("GET", "/v1/assistants?order=sideways", None),
    ("GET", "/v1/assistants/not-an-id", None),
    ("GET", "/v1/assistants/asst_%00", None),
    ("GET", "/v1/threads/thread_'%3B%20DROP%20TABLE%20threads%3B--", None),
    ("GET", "/v1/threads/thread_x/messages?order=up", None),
    ("GET", "/v1/files?limit=-1", None),
    ("GET", "/v1/files/..%2F..%2Fetc%2Fpasswd/content", None),
    ("POST", "/v1/assistants", {"model": ""}),
    ("POST", "/v1/assistants", {"model": "gpt-4o", "tools": [{}]}),
    ("POST", "/v1/assistants", {"model": "gpt-4o", "tools": [{"type": "function"}]}),
    ("POST", "/v1/assistants", {"model": "gpt-4o", "tools": [{"type": "function", "function": {}}]}),
    ("POST", "/v1/assistants", {"model": "gpt-4o", "tools": [None]}),
    ("POST", "/v1/assistants", {"model": "gpt-4o", "response_format": {"type": "yaml"}}),
    ("POST", "/v1/assistants", {"model": "gpt-4o", "tool_resources": {"code_interpreter": {"file_ids": "x"}}}),
    ("POST", "/v1/assistants", b'{"model": "gpt-4o", "temperature": 1e309}'),
    ("POST", "/v1/threads", {"messages": [{"role": "user"}]}),
    ("POST", "/v1/threads", {"messages": {"role": "user", "content": "x"}}),
    ("POST", "/v1/threads", {"messages": [{"role": "user", "content": [{"type": "text"}]}]}),
    ("POST", "/v1/threads", {"messages": [{"role": "user", "content": [{"type": "image_file", "image_file": {}}]}]}),
    ("POST", "/v1/threads", {"messages": [{"role": "user", "content": "x", "attachments": [{"tools": []}]}]}),
    ("POST", "/v1/threads", {"tool_resources": {"code_interpreter": {"file_ids": [1]}}}),
    ("POST", "/v1/threads", {"metadata": "nope"}),
]


@pytest.mark.parametrize("method,path,body", JUNK_REQUESTS, ids=[f"{m} {p} {b}"[:60] for m, p, b in JUNK_REQUESTS])
def test_junk_gets_a_4xx_envelope(http, beta_headers, method, path, body):
    if isinstance(body, bytes):
        r = http.request(method, path, headers={**beta_headers, "Content-Type": "application/json"}, content=body)
    else:
        r = http.request(method, path, headers=beta_headers, json=body)
    assert_error_response(r)


def test_bad_list_limits_are_400(http, beta_headers):
    for q in ("limit=0", "limit=101", "order=sideways"):
        r = http.get(f"/v1/assistants?{q}", headers=beta_headers)
        assert_error_response(r, 400)


def test_deeply_nested_json_does_not_kill_the_server(server_factory):
    """Its own server: a parser that recurses without a limit would take the shared one down."""
    srv = server_factory().start()
    body = b'{"model": "gpt-4o", "metadata": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    with httpx.Client(base_url=srv.url, timeout=30) as http:
        r = http.post("/v1/assistants", content=body,
                      headers={"Authorization": "Bearer test-key-1", "OpenAI-Beta": "assistants=v2",
                               "Content-Type": "application/json"})
        assert_error_response(r, 400)
        assert http.get("/health").status_code == 200
