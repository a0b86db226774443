"""Projects and their keys, made with the admin commands on a running deployment (its data directory, or its
PostgreSQL database in cluster mode), used through the official package: what one project's key made is
invisible to another's, and a revoked key stops working."""

from __future__ import annotations

import subprocess
import time

import openai
import pytest

from compat_support import server_binary
from run_support import text_reply


def admin(server, *args: str) -> str:
    """Runs `assistants <args>` on the server's deployment, as an operator would beside it."""
    database_url = getattr(server, "database_url", None)
    where = ["--database-url", database_url] if database_url else ["--data-dir", str(server.data_dir)]
    done = subprocess.run([str(server_binary()), *args, *where], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"assistants {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_two_projects_are_walled_off_and_keys_are_revoked(run_server_factory, fake):
    server = run_server_factory().start()
    admin(server, "projects", "create", "team-a")
    admin(server, "projects", "create", "team-b")
    key_a = admin(server, "keys", "create", "--project", "team-a", "--name", "ci").strip()
    key_b = admin(server, "keys", "create", "--project", "team-b").strip()
    assert key_a.startswith("sk-proj-") and key_a != key_b
    projects = {line.split("\t")[1]: line.split("\t")[0] for line in admin(server, "projects", "list").splitlines()}
    assert set(projects) == {"default", "team-a", "team-b"}

    a = server.client(api_key=key_a)
    b = server.client(api_key=key_b)
    assistant = a.beta.assistants.create(model="gpt-4o", name="A's")
    thread = a.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
    fake.script(text_reply("Hello, A."))
    run = a.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    assert run.status == "completed"
    uploaded = a.files.create(file=("a.txt", b"team A's notes"), purpose="assistants")
    fake.script(text_reply("Four."))
    response = a.responses.create(model="gpt-4o", input="2+2?")
    conversation = a.conversations.create()

    theirs = b.beta.threads.create()
    for name, call in [
        ("assistant", lambda: b.beta.assistants.retrieve(assistant.id)),
        ("thread", lambda: b.beta.threads.retrieve(thread.id)),
        ("messages", lambda: b.beta.threads.messages.list(thread_id=thread.id)),
        ("run", lambda: b.beta.threads.runs.retrieve(run.id, thread_id=thread.id)),
        ("file", lambda: b.files.retrieve(uploaded.id)),
        ("file content", lambda: b.files.content(uploaded.id)),
        ("response", lambda: b.responses.retrieve(response.id)),
        ("conversation", lambda: b.conversations.retrieve(conversation.id)),
        ("run with A's assistant", lambda: b.beta.threads.runs.create(thread_id=theirs.id, assistant_id=assistant.id)),
        ("delete", lambda: b.beta.assistants.delete(assistant.id)),
    ]:
        with pytest.raises(openai.NotFoundError):
            call()
            pytest.fail(f"{name}: project B reached project A's object")
    assert [x.id for x in b.beta.assistants.list()] == []
    assert [x.id for x in b.files.list()] == []
    assert [x.id for x in a.beta.assistants.list()] == [assistant.id]
    # ASSISTANTS_API_KEYS' keys are the default project's: not team A's either.
    with pytest.raises(openai.NotFoundError):
        server.client().beta.assistants.retrieve(assistant.id)
    assert a.beta.assistants.retrieve(assistant.id).name == "A's"

    # Keys are listed redacted; the value itself is never shown again.
    listed = admin(server, "keys", "list", "--project", "team-a")
    assert key_a not in listed and key_a[-4:] in listed
    key_id = listed.split("\t")[0]
    admin(server, "keys", "revoke", key_id)
    # The servers stop taking it within seconds.
    deadline = time.monotonic() + 15
    while True:
        try:
            a.beta.assistants.list()
        except openai.AuthenticationError:
            break
        assert time.monotonic() < deadline, "the revoked key still works"
        time.sleep(0.5)
    assert [x.id for x in b.beta.assistants.list()] == []


def test_admin_commands_say_what_went_wrong(server):
    database_url = getattr(server, "database_url", None)
    where = ["--database-url", database_url] if database_url else ["--data-dir", str(server.data_dir)]
    for args, message in [
        (["keys", "create", "--project", "nobody"], "No project is named 'nobody'"),
        (["keys", "revoke", "key_missing"], "No live key has the id 'key_missing'"),
        (["projects", "create", "default"], "A project named 'default' exists already"),
    ]:
        done = subprocess.run([str(server_binary()), *args, *where], capture_output=True, text=True, timeout=60)
        assert done.returncode != 0 and message in done.stderr, (args, done.stdout, done.stderr)


def test_a_key_over_its_requests_per_minute_gets_429_on_every_node(server):
    admin(server, "projects", "create", "limited")
    admin(server, "projects", "update", "limited", "--requests-per-minute", "4")
    key = admin(server, "keys", "create", "--project", "limited").strip()
    assert "4 requests/min per key" in admin(server, "projects", "list")
    client = server.client(api_key=key)  # max_retries=0: the 429 reaches the test
    # The limit counts this key's requests on every node (behind nginx, round robin): each gets its share.
    refused = None
    for _ in range(12):
        try:
            client.beta.assistants.list()
        except openai.RateLimitError as error:
            refused = error
            break
    assert refused is not None, "12 requests in a row never met the limit of 4 per minute"
    assert refused.status_code == 429
    assert refused.code == "rate_limit_exceeded"
    assert 1 <= int(refused.response.headers["retry-after"]) <= 60
    # The configured keys have no limit.
    for _ in range(8):
        server.client().beta.assistants.list()
