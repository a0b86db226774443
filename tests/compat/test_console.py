"""The web console the server serves at `/`, driven in a real headless browser (Debian's Chromium, through
Playwright), and its own endpoint `GET /console/api/threads`.

Chromium: CHROMIUM_BIN, else /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it).

The browser tests run in the cluster mode of scripts/test too: the console's streams then go through nginx
to whichever node, which single-node runs cannot show.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from compat_support import API_KEYS, httpx
from conftest import BETA_HEADERS, ServerProcess
from run_support import text_reply, tool_reply

REPO_ROOT = Path(__file__).resolve().parents[2]
CONSOLE_DIR = REPO_ROOT / "console"
CHROMIUM = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or "/usr/bin/chromium"
TIMEOUT_MS = 15_000

WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}


# ---------------------------------------------------------------------------
# fixtures: servers, a browser, pages that record every console error
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def keyless_run_server(tmp_path_factory, fake_model):
    """A server without API keys (the browser's requests must pass its same-origin guard), on the fake model."""
    root = tmp_path_factory.mktemp("console-keyless")
    srv = ServerProcess(root / "data", log_path=root / "server.log", api_keys=(), upstream_url=fake_model.base_url)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium, or set CHROMIUM_BIN", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


class ConsolePage:
    """A fresh browser context on the console, recording console errors and uncaught exceptions."""

    def __init__(self, browser, server, **context_options):
        self.server = server
        self.context = browser.new_context(**context_options)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.allowed: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def open(self, fragment: str = ""):
        self.page.goto(f"{self.server.url}/{fragment}")
        return self.page

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self.allowed)]


@pytest.fixture
def console(browser, keyless_run_server):
    view = ConsolePage(browser, keyless_run_server)
    yield view
    view.context.close()
    assert view.unexpected_errors() == []


@pytest.fixture
def api(keyless_run_server):
    with httpx.Client(base_url=keyless_run_server.url, headers=BETA_HEADERS, timeout=30) as c:
        yield c


def weather_assistant(api, name="Weather bot") -> dict:
    r = api.post("/v1/assistants", json={
        "model": "gpt-4o", "name": name, "instructions": "Answer about the weather.",
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER_SCHEMA}}],
    })
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def sdk(keyless_run_server):
    """The official client on the keyless server, for setting up what the browser then shows."""
    c = keyless_run_server.client(api_key="unused")
    yield c
    c.close()


def ingested_store(sdk, name: str, files: dict[str, str]):
    """A vector store holding `files` (filename → text), once every file is read."""
    store = sdk.vector_stores.create(name=name)
    batch = sdk.vector_stores.file_batches.upload_and_poll(store.id, files=[(n, t.encode()) for n, t in files.items()])
    assert batch.file_counts.completed == len(files), batch
    return store


TEA = "Green tea steeps for two minutes at 80 degrees. Black tea takes four minutes in boiling water."
BIKES = "Oil a bicycle chain every few hundred kilometres, and wipe off what it does not take up."


def librarian(api, name: str, store) -> dict:
    r = api.post("/v1/assistants", json={
        "model": "gpt-4o", "name": name, "instructions": "Answer from the files.", "tools": [{"type": "file_search"}],
        "tool_resources": {"file_search": {"vector_store_ids": [store.id]}},
    })
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------------------
# the files, as served
# ---------------------------------------------------------------------------

def test_the_console_files_are_served_from_the_binary(server):
    """Every file of console/ is served as it is on disk (the build embedded it), typed and revalidated."""
    files = sorted(p for p in CONSOLE_DIR.rglob("*") if p.is_file())
    assert files
    types = {".html": "text/html", ".css": "text/css", ".js": "text/javascript"}
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for path in files:
            relative = path.relative_to(CONSOLE_DIR).as_posix()
            url = "/" if relative == "index.html" else f"/console/{relative}"
            r = http.get(url)
            assert r.status_code == 200, (url, r.status_code)
            assert r.text == path.read_text(), f"{url} differs from console/{relative}: rebuild the server"
            assert r.headers["content-type"].startswith(types[path.suffix]), (url, r.headers["content-type"])
            assert r.headers["cache-control"] == "no-cache"
            assert r.headers["x-content-type-options"] == "nosniff"
            again = http.get(url, headers={"If-None-Match": r.headers["etag"]})
            assert again.status_code == 304 and again.content == b""
        page = http.get("/")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert http.get("/console/missing.js").status_code == 404


# ---------------------------------------------------------------------------
# GET /console/api/threads
# ---------------------------------------------------------------------------

def test_threads_are_listed_newest_first_without_private_threads(run_server, run_client, fake):
    fake.script(text_reply("A response."))
    response = run_client.responses.create(model="gpt-4o", input="Hi")
    created = [run_client.beta.threads.create(metadata={"n": str(i)}).id for i in range(3)]
    with httpx.Client(base_url=run_server.url, timeout=10) as http:
        assert http.get("/console/api/threads").status_code == 401
        auth = {"Authorization": f"Bearer {API_KEYS[0]}"}
        listed = http.get("/console/api/threads", params={"limit": 100}, headers=auth).json()
        ids = [t["id"] for t in listed["data"]]
        assert ids[:3] == created[::-1]
        assert listed["object"] == "list"
        private = run_client.responses.retrieve(response.id)
        assert all(t["object"] == "thread" for t in listed["data"])
        assert not any(i in ids for i in _private_thread_ids(http, auth, private.id))

        first = http.get("/console/api/threads", params={"limit": 2}, headers=auth).json()
        assert [t["id"] for t in first["data"]] == created[:0:-1] and first["has_more"] is True
        following = http.get("/console/api/threads", params={"limit": 2, "after": first["last_id"]}, headers=auth).json()
        assert following["data"][0]["id"] == created[0]
        ascending = http.get("/console/api/threads", params={"limit": 100, "order": "asc"}, headers=auth).json()
        assert [t["id"] for t in ascending["data"]][-3:] == created
        bad = http.get("/console/api/threads", params={"limit": 0}, headers=auth)
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "limit"


def _private_thread_ids(http, auth, response_id):
    """No route names a response's private thread, so every listed thread is tried: none may be the response's."""
    listed = http.get("/console/api/threads", params={"limit": 100}, headers=auth).json()["data"]
    private = []
    for thread in listed:
        r = http.get(f"/v1/threads/{thread['id']}", headers={**auth, **BETA_HEADERS})
        if r.status_code == 404:  # the thread routes answer 404 for a response's private thread
            private.append(thread["id"])
    return private


# ---------------------------------------------------------------------------
# in the browser
# ---------------------------------------------------------------------------

def test_create_edit_and_delete_an_assistant_with_a_function_tool(console, api):
    page = console.open("#/assistants")
    page.get_by_role("link", name="New assistant").click()
    page.get_by_label("Name", exact=True).fill("Forecaster")
    page.get_by_label("Model").fill("gpt-4o")
    page.get_by_label("Instructions").fill("Say the weather.")
    page.get_by_label("Temperature").fill("0.3")
    page.get_by_label("Code interpreter").check()
    page.get_by_role("button", name="Add function").click()
    page.get_by_label("Function name").fill("get_weather")
    page.get_by_label("Function description").fill("The weather in a city.")
    page.get_by_label("Parameters (JSON schema)").fill("{not json")
    page.get_by_role("button", name="Create assistant").click()
    page.get_by_role("alert").filter(has_text="not valid JSON").wait_for()
    page.get_by_label("Parameters (JSON schema)").fill(json.dumps(WEATHER_SCHEMA))
    # A response format with a schema, which must be JSON too.
    expect(page.get_by_label("JSON schema", exact=True)).to_be_hidden()
    page.get_by_label("Response format").select_option("json_schema")
    page.get_by_label("JSON schema", exact=True).fill("{oops")
    page.get_by_role("button", name="Create assistant").click()
    page.get_by_role("alert").filter(has_text="The JSON schema is not valid JSON").wait_for()
    forecast = {"name": "forecast", "schema": {"type": "object", "properties": {"sky": {"type": "string"}}}, "strict": False}
    page.get_by_label("JSON schema", exact=True).fill(json.dumps(forecast))
    page.get_by_role("button", name="Create assistant").click()
    page.get_by_role("link", name="Forecaster", exact=True).wait_for()

    created = next(a for a in api.get("/v1/assistants", params={"limit": 100}).json()["data"] if a["name"] == "Forecaster")
    assert created["model"] == "gpt-4o" and created["instructions"] == "Say the weather."
    assert created["temperature"] == pytest.approx(0.3)
    assert [t["type"] for t in created["tools"]] == ["code_interpreter", "function"]
    function = created["tools"][1]["function"]
    assert (function["name"], function["description"], function["parameters"]) == ("get_weather", "The weather in a city.", WEATHER_SCHEMA)
    assert created["response_format"]["type"] == "json_schema"
    assert created["response_format"]["json_schema"]["name"] == "forecast"
    assert created["response_format"]["json_schema"]["schema"] == forecast["schema"]

    page.get_by_role("link", name="Edit Forecaster").click()
    assert json.loads(page.get_by_label("Parameters (JSON schema)").input_value()) == WEATHER_SCHEMA
    expect(page.get_by_label("Response format")).to_have_value("json_schema")
    assert json.loads(page.get_by_label("JSON schema", exact=True).input_value())["name"] == "forecast"
    page.get_by_label("Name", exact=True).fill("Forecaster 2")
    page.get_by_label("Code interpreter").uncheck()
    page.get_by_label("Response format").select_option("json_object")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Forecaster 2", exact=True).wait_for()
    edited = api.get(f"/v1/assistants/{created['id']}").json()
    assert edited["name"] == "Forecaster 2" and [t["type"] for t in edited["tools"]] == ["function"]
    assert edited["response_format"] == {"type": "json_object"}

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Forecaster 2").click()
    page.get_by_role("status").filter(has_text="Deleted Forecaster 2").wait_for()
    assert api.get(f"/v1/assistants/{created['id']}").status_code == 404


def test_chat_streams_the_answer_and_takes_function_outputs(console, api, fake):
    assistant = weather_assistant(api, name="Streaming weather")
    fake.script(
        tool_reply(("get_weather", '{"city":"Paris"}', "call_paris")),
        {"chunks": ["It is ", "21C ", "and sunny ", "in Paris."], "delay_ms_between": 250},
    )
    page = console.open(f"#/playground?assistant={assistant['id']}")
    expect(page.get_by_label("Assistant", exact=True)).to_have_value(assistant["id"])
    # Every text the answer shows on its way, to see it grow a piece at a time.
    page.evaluate("""() => {
        window.seenTexts = [];
        new MutationObserver(() => {
            for (const text of document.querySelectorAll('.message.assistant .text')) window.seenTexts.push(text.textContent);
        }).observe(document.querySelector('.transcript'), {childList: true, subtree: true, characterData: true});
    }""")
    message = page.get_by_label("Message", exact=True)
    message.fill("Weather in Paris?")
    message.press("Shift+Enter")
    message.press_sequentially("Please.")
    assert message.input_value() == "Weather in Paris?\nPlease."
    message.press("Enter")

    call = page.locator(".tool-call")
    call.filter(has_text="get_weather").wait_for()
    assert '{"city":"Paris"}' in call.inner_text()
    page.get_by_label("Output of get_weather").fill("21C, sunny")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    page.get_by_role("button", name="Submit outputs").click()

    answer = page.locator(".message.assistant .text")
    answer.filter(has_text="It is 21C and sunny in Paris.").wait_for()
    page.get_by_role("status").filter(has_text="Run completed").wait_for()
    assert "→ 21C, sunny" in call.inner_text()
    seen = page.evaluate("window.seenTexts")
    partial = [t for t in seen if t and t != "It is 21C and sunny in Paris."]
    assert any("It is 21C and sunny in Paris.".startswith(t) for t in partial), seen

    thread_id = page.evaluate("location.hash").removeprefix("#/playground/")
    assert thread_id.startswith("thread_")
    sent = [m for m in fake.requests()[0]["messages"] if m["role"] == "user"]
    assert sent[-1]["content"] in ("Weather in Paris?\nPlease.", [{"type": "text", "text": "Weather in Paris?\nPlease."}])

    # A reload reopens the thread: its messages, and the tool call between them with its output.
    page.reload()
    page.locator(".message.assistant .text").filter(has_text="It is 21C and sunny in Paris.").wait_for()
    kinds = page.locator(".transcript > li").evaluate_all("items => items.map(i => i.className)")
    assert kinds == ["message user", "tool-call", "message assistant"], kinds
    expect(page.locator(".message.user .text")).to_have_text("Weather in Paris?\nPlease.")
    expect(page.locator(".tool-call")).to_contain_text('get_weather{"city":"Paris"}→ 21C, sunny')
    expect(page.get_by_label("Assistant", exact=True)).to_have_value(assistant["id"])
    page.get_by_role("status").filter(has_text="Run completed").wait_for()

    # A new thread starts empty; the earlier one is in the list and opens again.
    page.get_by_role("link", name="New thread").click()
    page.wait_for_function("location.hash === '#/playground'")
    page.get_by_label("Message", exact=True).wait_for()
    expect(page.locator(".transcript li")).to_have_count(0)
    page.locator(f"a[data-thread='{thread_id}']").filter(has_text="Weather in Paris?").click()
    page.locator(".message.assistant .text").filter(has_text="It is 21C and sunny in Paris.").wait_for()


def test_code_and_the_figure_it_draws_are_shown(console, api, fake):
    r = api.post("/v1/assistants", json={"model": "gpt-4o", "name": "Plotter", "tools": [{"type": "code_interpreter"}]})
    assert r.status_code == 200, r.text
    assistant = r.json()
    program = "import matplotlib.pyplot as plt\nplt.plot([0, 1, 2], [0, 1, 4])\nprint('plotted')"
    fake.script(tool_reply(("code_interpreter", json.dumps({"code": program}))), text_reply("Here is the plot."))
    page = console.open(f"#/playground?assistant={assistant['id']}")
    expect(page.get_by_label("Assistant", exact=True)).to_have_value(assistant["id"])
    page.get_by_label("Message", exact=True).fill("Plot y = x^2")
    page.get_by_label("Message", exact=True).press("Enter")
    page.get_by_role("status").filter(has_text="Run completed").wait_for()

    def shown(locator):
        """The file ids of the images, once every one of them has loaded as a picture."""
        locator.first.wait_for()
        page.wait_for_function(
            "images => images.every(i => i.complete && i.naturalWidth > 0)", arg=locator.element_handles())
        return locator.evaluate_all("images => images.map(i => i.dataset.file)")

    def check():
        call = page.locator(".tool-call").filter(has_text="code interpreter")
        expect(call).to_contain_text("plt.plot([0, 1, 2], [0, 1, 4])")
        expect(call.locator(".tool-output")).to_contain_text("plotted")
        drawn = shown(call.get_by_role("img", name="Figure the code drew"))
        answer = page.locator(".message.assistant").filter(has_text="Here is the plot.")
        in_answer = shown(answer.get_by_role("img", name="Image in the answer"))
        assert len(drawn) == 1 and drawn == in_answer, (drawn, in_answer)
        return drawn[0]

    file_id = check()
    assert api.get(f"/v1/files/{file_id}/content").content.startswith(b"\x89PNG")
    # Reopened, the thread shows them again.
    page.reload()
    assert check() == file_id


def test_a_run_is_cancelled_from_the_playground(console, api, fake):
    assistant = weather_assistant(api, name="Slow weather")
    fake.script({"chunks": ["Thinking", " slowly", " about", " it."], "delay_ms_between": 3000})
    page = console.open(f"#/playground?assistant={assistant['id']}")
    expect(page.get_by_label("Assistant", exact=True)).to_have_value(assistant["id"])
    page.get_by_label("Message", exact=True).fill("Take your time")
    page.get_by_label("Message", exact=True).press("Enter")
    page.locator(".message.assistant .text").filter(has_text="Thinking").wait_for()
    page.get_by_role("button", name="Cancel run").click()
    page.get_by_role("status").filter(has_text="Run cancelled").wait_for()
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()

    # A run waiting for function outputs has no stream open: cancelling it closes the outputs form.
    fake.script(tool_reply(("get_weather", '{"city":"Oslo"}')))
    page.get_by_label("Message", exact=True).fill("And Oslo?")
    page.get_by_label("Message", exact=True).press("Enter")
    page.get_by_label("Output of get_weather").wait_for()
    page.get_by_role("button", name="Cancel run").click()
    page.get_by_role("status").filter(has_text="Run cancelled").wait_for()
    expect(page.get_by_label("Output of get_weather")).to_have_count(0)
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()


def test_the_console_asks_for_a_key_when_the_server_requires_one(browser, run_server):
    view = ConsolePage(browser, run_server)
    try:
        page = view.open()
        dialog = page.get_by_role("dialog", name="API key required")
        dialog.wait_for()
        page.get_by_label("API key", exact=True).fill("wrong-key")
        page.get_by_role("button", name="Use this key").click()
        # The refused key shows the server's message and the prompt again; the browser logs the 401 itself.
        view.allowed.append("401 (Unauthorized)")
        page.get_by_role("alert").filter(has_text="Incorrect API key").wait_for()
        page.get_by_label("API key", exact=True).fill(API_KEYS[0])
        page.get_by_role("button", name="Use this key").click()
        page.get_by_role("heading", name="Assistants", exact=True).wait_for()
        expect(dialog).to_be_hidden()
        assert page.evaluate("Object.keys(localStorage).length") == 0
        # The key lasts as long as the tab: a reload does not ask again.
        page.reload()
        page.get_by_role("heading", name="Assistants", exact=True).wait_for()
        expect(dialog).to_be_hidden()
        page.get_by_role("button", name="Forget API key").click()
        dialog.wait_for()
    finally:
        view.context.close()
    assert view.unexpected_errors() == []


def test_files_are_uploaded_and_vector_store_ingestion_is_shown(console, api, tmp_path):
    notes = tmp_path / "console-notes.txt"
    notes.write_text("The console uploads this file.\n")
    page = console.open("#/files")
    page.get_by_label("File to upload").set_input_files(str(notes))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_role("status").filter(has_text="Uploaded console-notes.txt.").wait_for()
    uploaded = next(f for f in api.get("/v1/files").json()["data"] if f["filename"] == "console-notes.txt")
    assert api.get(f"/v1/files/{uploaded['id']}/content").text == "The console uploads this file.\n"

    page.get_by_label("Vector store name").fill("Console notes")
    page.get_by_role("group", name="Files to add").get_by_label("console-notes.txt").check()
    page.get_by_role("button", name="Create vector store").click()
    store = page.locator(".card").filter(has=page.get_by_role("heading", name="Console notes"))
    # Ingestion runs in the background; the page looks again until the file is read.
    store.locator(f"[data-file='{uploaded['id']}'][data-status='completed']").wait_for()
    expect(store).to_contain_text("1 of 1 files ready")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete console-notes.txt").click()
    page.get_by_role("status").filter(has_text="Deleted console-notes.txt.").wait_for()
    assert api.get(f"/v1/files/{uploaded['id']}").status_code == 404

    # Files dropped on the page are uploaded too, each with a progress bar while it goes.
    page.evaluate("""() => {
        window.uploadBars = [];
        new MutationObserver((changes) => {
            for (const change of changes) for (const node of change.addedNodes) {
                const bar = node.querySelector?.('progress');
                if (bar) window.uploadBars.push(bar.getAttribute('aria-label'));
            }
        }).observe(document.querySelector('.uploads'), {childList: true});
        const dropped = new DataTransfer();
        dropped.items.add(new File(['Dropped on the page.\\n'], 'dropped.md', {type: 'text/markdown'}));
        dropped.items.add(new File(['x'.repeat(3 * 1024 * 1024)], 'big.txt', {type: 'text/plain'}));
        const zone = document.querySelector('.drop-zone');
        zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dropped, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dropped, bubbles: true, cancelable: true}));
    }""")
    page.get_by_role("status").filter(has_text="Uploaded dropped.md, big.txt.").wait_for()
    assert page.evaluate("window.uploadBars") == ["Uploading dropped.md", "Uploading big.txt"]
    expect(page.locator(".uploads progress")).to_have_count(0)
    files = {f["filename"]: f for f in api.get("/v1/files").json()["data"]}
    assert api.get(f"/v1/files/{files['dropped.md']['id']}/content").text == "Dropped on the page.\n"
    assert files["big.txt"]["bytes"] == 3 * 1024 * 1024
    expect(page.get_by_role("list", name="Files", exact=True)).to_contain_text("dropped.md")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_console_fits_a_phone_in_both_themes(browser, keyless_run_server, api, sdk, fake, scheme):
    assistant = weather_assistant(api, name="Phone weather")
    fake.script(text_reply("Fine."))
    run = sdk.beta.threads.create_and_run_poll(assistant_id=assistant["id"], thread={"messages": [{"role": "user", "content": "Weather?"}]})
    assert run.status == "completed", run
    view = ConsolePage(browser, keyless_run_server, viewport={"width": 375, "height": 740}, color_scheme=scheme)
    try:
        for fragment, ready in (("#/assistants", "New assistant"), ("#/playground", "New thread"), ("#/files", None)):
            page = view.open(fragment)
            if ready:
                page.get_by_role("link", name=ready).wait_for()
            else:
                page.get_by_role("button", name="Upload", exact=True).wait_for()
            # Nothing wider than the screen: no sideways scrolling.
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, fragment
            # Without API keys there is no key to forget.
            expect(page.get_by_role("button", name="Forget API key")).to_be_hidden()
        page = view.open(f"#/playground/{run.thread_id}")
        page.get_by_text("Runs inspector").click()
        page.get_by_role("list", name="Runs").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, "runs inspector"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        channels = [int(c) for c in background.removeprefix("rgb(").removesuffix(")").split(",")[:3]]
        assert (sum(channels) / 3 < 80) == (scheme == "dark"), background
    finally:
        view.context.close()
    assert view.unexpected_errors() == []


def test_a_vector_store_is_searched_from_its_card(console, api, sdk):
    store = ingested_store(sdk, "Searchable notes", {"tea.txt": TEA, "bikes.txt": BIKES})
    expected = api.post(f"/v1/vector_stores/{store.id}/search", json={"query": "green tea steeping", "max_num_results": 10}).json()
    assert expected["data"][0]["filename"] == "tea.txt"

    page = console.open("#/files")
    card = page.locator(".card").filter(has=page.get_by_role("heading", name="Searchable notes"))
    search = card.get_by_role("search", name="Passages of Searchable notes")
    search.get_by_label("Search Searchable notes").fill("green tea steeping")
    search.get_by_role("button", name="Search").click()
    results = search.get_by_role("list", name="Search results in Searchable notes").locator("li")
    expect(results).to_have_count(len(expected["data"]))
    # Ranked as the API ranks them, each with its file's name, its score and the passage.
    for position, hit in enumerate(expected["data"]):
        row = results.nth(position)
        expect(row.locator(".name")).to_have_text(hit["filename"])
        expect(row.locator(".score")).to_have_text(f"score {hit['score']:.3f}")
        expect(row.locator(".passage")).to_have_text(hit["content"][0]["text"])
    expect(search.get_by_role("status")).to_have_text(f"{len(expected['data'])} passage(s) found.")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "search results on a phone"

    search.get_by_label("Search Searchable notes").fill("zzzz-nothing-like-this")
    search.get_by_role("button", name="Search").click()
    expect(search.get_by_role("status")).to_have_text("Nothing found.")
    expect(results).to_have_count(0)


def test_a_citation_opens_the_passage_it_cites(console, api, sdk, fake):
    store = ingested_store(sdk, "Cited notes", {"tea-notes.txt": TEA, "bike-notes.txt": BIKES})
    assistant = librarian(api, "Cited librarian", store)
    fake.script(
        tool_reply(("file_search", json.dumps({"query": "green tea steeping"}))),
        text_reply("Two minutes at 80 degrees【0:0†tea-notes.txt】."),
    )
    page = console.open(f"#/playground?assistant={assistant['id']}")
    expect(page.get_by_label("Assistant", exact=True)).to_have_value(assistant["id"])
    page.get_by_label("Message", exact=True).fill("How long does green tea steep?")
    page.get_by_label("Message", exact=True).press("Enter")
    page.get_by_role("status").filter(has_text="Run completed").wait_for()

    def check_citation():
        answer = page.locator(".message.assistant")
        # The marker becomes a numbered button; the rest of the answer stays as written.
        expect(answer.locator(".text")).to_have_text("Two minutes at 80 degrees[1].")
        citation = answer.get_by_role("button", name="Citation 1: tea-notes.txt")
        expect(citation).to_have_attribute("aria-expanded", "false")
        passage = answer.get_by_role("region", name="Cited passage")
        expect(passage).to_be_hidden()
        citation.click()
        expect(citation).to_have_attribute("aria-expanded", "true")
        expect(passage.get_by_role("heading")).to_have_text("[1] tea-notes.txt")
        expect(passage.locator(".passage")).to_have_text(TEA)
        page.set_viewport_size({"width": 375, "height": 740})
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, "a cited passage on a phone"
        page.set_viewport_size({"width": 1280, "height": 720})
        citation.click()
        expect(passage).to_be_hidden()

    check_citation()
    # A reopened thread's answer cites the same way.
    page.reload()
    page.get_by_role("status").filter(has_text="Run completed").wait_for()
    check_citation()


def test_the_runs_inspector_shows_runs_and_steps(console, api, sdk, fake):
    assistant = weather_assistant(api, name="Inspected weather")
    thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "Weather in Rome?"}])
    fake.script(
        tool_reply(("get_weather", '{"city":"Rome"}', "call_rome"), usage={"prompt_tokens": 30, "completion_tokens": 7}),
        text_reply("Sunny in Rome.", usage={"prompt_tokens": 40, "completion_tokens": 3}),
        text_reply("Cut", finish_reason="length"),
        {"error": {"status": 400, "message": "This model's maximum context length is 10 tokens"}, "repeat": 0},
    )
    runs_api = sdk.beta.threads.runs
    waiting = runs_api.create_and_poll(thread_id=thread.id, assistant_id=assistant["id"])
    assert waiting.status == "requires_action", waiting
    done = runs_api.submit_tool_outputs_and_poll(
        run_id=waiting.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_rome", "output": "sunny"}])
    short = runs_api.create_and_poll(thread_id=thread.id, assistant_id=assistant["id"], max_completion_tokens=256)
    failed = runs_api.create_and_poll(thread_id=thread.id, assistant_id=assistant["id"])
    assert [done.status, short.status, failed.status] == ["completed", "incomplete", "failed"]

    page = console.open(f"#/playground/{thread.id}")
    page.get_by_role("status").filter(has_text="Run failed").wait_for()
    page.get_by_text("Runs inspector").click()
    runs = page.get_by_role("list", name="Runs").locator(":scope > li")
    expect(runs).to_have_count(3)

    first = page.get_by_role("listitem", name=f"Run {done.id}")
    expect(first.locator(".badge").first).to_have_text("completed")
    expect(first.locator(".facts")).to_contain_text("Tokens70 in, 10 out, 80 total")
    for label in ("Created", "Started", "Ended", "Waited", "Ran"):
        expect(first.locator(".facts")).to_contain_text(label)
    steps = first.get_by_role("list", name=f"Steps of {done.id}").locator(":scope > li")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("Tool calls: get_weather")
    expect(steps.nth(0)).to_contain_text("30 in, 7 out, 37 total")
    expect(steps.nth(1)).to_contain_text("Message")
    expect(steps.nth(1)).to_contain_text("40 in, 3 out, 43 total")

    incomplete = page.get_by_role("listitem", name=f"Run {short.id}")
    expect(incomplete.locator(".badge").first).to_have_text("incomplete")
    expect(incomplete).to_contain_text("Incomplete: max_completion_tokens")

    broken = page.get_by_role("listitem", name=f"Run {failed.id}")
    expect(broken.locator(".badge").first).to_have_text("failed")
    expect(broken).to_contain_text(f"Error ({failed.last_error.code}): {failed.last_error.message}")

    # A run started from the playground appears once it ends, while the inspector is open.
    fake.reset()
    fake.script(text_reply("Still sunny."))
    page.get_by_label("Message", exact=True).fill("And now?")
    page.get_by_label("Message", exact=True).press("Enter")
    page.get_by_role("status").filter(has_text="Run completed").wait_for()
    expect(runs).to_have_count(4)
    expect(runs.nth(3).locator(".badge").first).to_have_text("completed")


def test_a_run_started_elsewhere_is_followed_while_the_thread_is_open(console, api, sdk, fake):
    assistant = weather_assistant(api, name="Followed weather")
    thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "Hello there"}])
    runs_api = sdk.beta.threads.runs
    page = console.open(f"#/playground/{thread.id}")
    page.locator(".message.user .text").filter(has_text="Hello there").wait_for()
    send = page.get_by_role("button", name="Send", exact=True)
    cancel = page.get_by_role("button", name="Cancel run")
    status = page.get_by_role("status").filter(has_text="Run ")

    # A script asks through the API: its message and the function call show, and the page gives the output.
    fake.script(
        tool_reply(("get_weather", '{"city":"Lima"}', "call_lima")),
        {"chunks": ["Cloudy ", "in ", "Lima."], "delay_ms_between": 300},
    )
    sdk.beta.threads.messages.create(thread.id, role="user", content="Weather in Lima?")
    first = runs_api.create(thread_id=thread.id, assistant_id=assistant["id"])
    page.locator(".message.user .text").filter(has_text="Weather in Lima?").wait_for()
    page.locator(".tool-call").filter(has_text="get_weather").wait_for()
    expect(status).to_have_text("Run requires action")
    expect(send).to_be_disabled()
    page.get_by_label("Output of get_weather").fill("cloudy")
    page.get_by_role("button", name="Submit outputs").click()
    page.locator(".message.assistant .text").filter(has_text="Cloudy in Lima.").wait_for()
    expect(status).to_have_text("Run completed")
    assert runs_api.retrieve(first.id, thread_id=thread.id).status == "completed"
    outputs = [m for m in fake.requests()[1]["messages"] if m["role"] == "tool"]
    assert outputs and outputs[0]["content"] == "cloudy", fake.requests()[1]["messages"]

    # A slow answer: the run shows in progress, cancellable, and its answer comes without a reload.
    fake.script({"chunks": ["Still ", "cloudy."], "delay_ms_before_first": 2500, "delay_ms_between": 300})
    runs_api.create(thread_id=thread.id, assistant_id=assistant["id"])
    expect(status).to_have_text("Run in progress")
    expect(cancel).to_be_enabled()
    expect(send).to_be_disabled()
    page.locator(".message.assistant .text").filter(has_text="Still cloudy.").wait_for()
    expect(status).to_have_text("Run completed")
    expect(send).to_be_enabled()
    kinds = page.locator(".transcript > li").evaluate_all("items => items.map(i => i.className)")
    assert kinds == ["message user", "message user", "tool-call", "message assistant", "message assistant"], kinds

    # A run waiting for outputs that another client gives: the form goes, the answer comes.
    fake.script(tool_reply(("get_weather", '{"city":"Quito"}', "call_quito")), text_reply("Rain in Quito."))
    waiting = runs_api.create(thread_id=thread.id, assistant_id=assistant["id"])
    page.get_by_label("Output of get_weather").wait_for()
    runs_api.submit_tool_outputs(run_id=waiting.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_quito", "output": "rain"}])
    page.locator(".message.assistant .text").filter(has_text="Rain in Quito.").wait_for()
    expect(page.get_by_label("Output of get_weather")).to_have_count(0)
    expect(status).to_have_text("Run completed")

    # A run started elsewhere is cancelled from the page.
    fake.script({"chunks": ["Never", " mind."], "delay_ms_before_first": 10_000})
    slow = runs_api.create(thread_id=thread.id, assistant_id=assistant["id"])
    expect(status).to_have_text("Run in progress")
    cancel.click()
    expect(status).to_have_text("Run cancelled")
    assert runs_api.retrieve(slow.id, thread_id=thread.id).status == "cancelled"
    expect(send).to_be_enabled()


def _resources(assistant: dict) -> tuple[list, list]:
    resources = assistant.get("tool_resources") or {}
    return ((resources.get("code_interpreter") or {}).get("file_ids", []),
            (resources.get("file_search") or {}).get("vector_store_ids", []))


def test_an_assistant_gets_tool_resources_from_the_files_and_stores(console, api, sdk):
    data = sdk.files.create(file=("resource-data.csv", b"city,temp\nOslo,3\n"), purpose="assistants")
    notes = sdk.files.create(file=("resource-notes.txt", b"Notes for the code interpreter.\n"), purpose="assistants")
    store = ingested_store(sdk, "Resource store", {"resource-tea.txt": TEA})

    page = console.open("#/assistants/new")
    page.get_by_label("Name", exact=True).fill("Resourceful")
    page.get_by_label("Model").fill("gpt-4o")
    page.get_by_label("Code interpreter").check()
    page.get_by_label("File search", exact=True).check()
    files = page.get_by_role("group", name="Code interpreter files")
    files.get_by_label("resource-data.csv").check()
    page.get_by_label("File search vector store").select_option(label="Resource store")
    page.get_by_role("button", name="Create assistant").click()
    page.get_by_role("link", name="Resourceful", exact=True).wait_for()
    created = next(a for a in api.get("/v1/assistants", params={"limit": 100}).json()["data"] if a["name"] == "Resourceful")
    assert _resources(created) == ([data.id], [store.id]), created["tool_resources"]

    # Editing shows what the assistant holds, and what is unchecked goes.
    page.get_by_role("link", name="Edit Resourceful").click()
    expect(files.get_by_label("resource-data.csv")).to_be_checked()
    expect(files.get_by_label("resource-notes.txt")).not_to_be_checked()
    expect(page.get_by_label("File search vector store")).to_have_value(store.id)
    files.get_by_label("resource-data.csv").uncheck()
    files.get_by_label("resource-notes.txt").check()
    page.get_by_label("File search vector store").select_option(label="None")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Resourceful", exact=True).wait_for()
    assert _resources(api.get(f"/v1/assistants/{created['id']}").json()) == ([notes.id], [])


def test_files_are_attached_to_a_message_from_the_playground(console, api, fake, tmp_path):
    assistant = weather_assistant(api, name="Attachment weather")
    table = tmp_path / "attached-table.csv"
    table.write_text("city,temp\nLima,18\n")
    memo = tmp_path / "attached-memo.txt"
    memo.write_text("Bring an umbrella to Lima in winter.\n")
    fake.script(text_reply("Noted."))
    page = console.open(f"#/playground?assistant={assistant['id']}")
    expect(page.get_by_label("Assistant", exact=True)).to_have_value(assistant["id"])
    page.get_by_text("Attach files").click()
    page.get_by_label("Files to attach").set_input_files([str(table), str(memo)])
    purposes = page.get_by_role("group", name="Attached files are for")
    purposes.get_by_label("File search").uncheck()
    page.get_by_label("Message", exact=True).fill("Read these")
    page.get_by_label("Message", exact=True).press("Enter")
    expect(page.get_by_role("status")).to_have_text("Say what the attached files are for: code interpreter, file search or both.")
    purposes.get_by_label("Code interpreter").check()
    purposes.get_by_label("File search").check()
    page.get_by_label("Message", exact=True).press("Enter")
    page.get_by_role("status").filter(has_text="Run completed").wait_for()

    thread_id = page.evaluate("location.hash").removeprefix("#/playground/")
    sent = [m for m in api.get(f"/v1/threads/{thread_id}/messages", params={"order": "asc"}).json()["data"] if m["role"] == "user"]
    assert len(sent) == 1 and sent[0]["content"][0]["text"]["value"] == "Read these"
    attached = sent[0]["attachments"]
    assert len(attached) == 2
    for item in attached:
        assert sorted(t["type"] for t in item["tools"]) == ["code_interpreter", "file_search"], item
    files = [api.get(f"/v1/files/{item['file_id']}").json() for item in attached]
    assert [(f["filename"], f["purpose"]) for f in files] == [("attached-table.csv", "assistants"), ("attached-memo.txt", "assistants")]
    assert api.get(f"/v1/files/{files[1]['id']}/content").text == "Bring an umbrella to Lima in winter.\n"
    expect(page.get_by_label("Files to attach")).to_have_value("")

    def check_shown():
        shown = page.locator(".message.user").get_by_role("list", name="Attached files").locator("li")
        expect(shown).to_have_count(2)
        expect(shown.nth(0)).to_have_text("attached-table.csv (code interpreter, file search)")
        expect(shown.nth(1)).to_have_text("attached-memo.txt (code interpreter, file search)")

    check_shown()
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "attachments on a phone"
    page.reload()
    page.get_by_role("status").filter(has_text="Run completed").wait_for()
    check_shown()


def test_a_vector_store_is_edited_emptied_and_deleted(console, api, sdk):
    store = ingested_store(sdk, "Editable notes", {"edit-tea.txt": TEA, "edit-bikes.txt": BIKES})
    files = {f.id: sdk.files.retrieve(f.id).filename for f in sdk.vector_stores.files.list(store.id)}
    page = console.open("#/files")

    def card_of(name):
        return page.locator(".card").filter(has=page.get_by_role("heading", name=name, exact=True))

    card = card_of("Editable notes")
    expect(card.locator(".expiry")).to_have_text("Never expires.")
    card.locator(".store-editor > summary").click()
    form = card.get_by_role("form", name="Edit Editable notes")
    expect(form.get_by_label("Name")).to_have_value("Editable notes")
    form.get_by_label("Name").fill("Edited notes")
    form.get_by_label("Expires after days of inactivity (empty: never)").fill("30")
    metadata = form.get_by_label("Metadata (one key=value a line)")
    metadata.fill("team=docs\nnot a pair")
    form.get_by_role("button", name="Save changes").click()
    expect(form.get_by_role("alert")).to_contain_text("“not a pair” is not")
    metadata.fill("team=docs\nreview=2026-12")
    form.get_by_role("button", name="Save changes").click()
    page.get_by_role("status").filter(has_text="Saved Edited notes.").wait_for()
    edited = api.get(f"/v1/vector_stores/{store.id}").json()
    assert edited["name"] == "Edited notes"
    assert edited["expires_after"] == {"anchor": "last_active_at", "days": 30}
    assert edited["metadata"] == {"team": "docs", "review": "2026-12"}
    card = card_of("Edited notes")
    expect(card.locator(".expiry")).to_contain_text("Expires after 30 day(s) of inactivity")
    expect(card.get_by_label("Metadata", exact=True)).to_contain_text("teamdocs")

    # Opened again, the form shows the store as it is; emptied, the expiration and metadata go.
    card.locator(".store-editor > summary").click()
    form = card.get_by_role("form", name="Edit Edited notes")
    expect(form.get_by_label("Expires after days of inactivity (empty: never)")).to_have_value("30")
    metadata = form.get_by_label("Metadata (one key=value a line)")
    expect(metadata).not_to_have_value("")
    # In the order the server keeps the keys.
    assert sorted(metadata.input_value().split("\n")) == ["review=2026-12", "team=docs"]
    form.get_by_label("Expires after days of inactivity (empty: never)").fill("")
    metadata.fill("")
    form.get_by_role("button", name="Save changes").click()
    expect(card.locator(".expiry")).to_have_text("Never expires.")
    cleared = api.get(f"/v1/vector_stores/{store.id}").json()
    assert cleared.get("expires_after") is None and cleared["metadata"] == {} and cleared["name"] == "Edited notes"

    # A file leaves the store, and stays a file.
    bikes = next(i for i, n in files.items() if n == "edit-bikes.txt")
    card.get_by_role("button", name="Remove edit-bikes.txt from Edited notes").click()
    page.get_by_role("status").filter(has_text="Removed edit-bikes.txt from Edited notes.").wait_for()
    expect(card.get_by_role("list", name="Files of Edited notes").locator("li")).to_have_count(1)
    left = [f["id"] for f in api.get(f"/v1/vector_stores/{store.id}/files").json()["data"]]
    assert left == [i for i in files if i != bikes]
    assert api.get(f"/v1/files/{bikes}").status_code == 200

    # And comes back: added from the uploaded files, it is read again.
    adder = card.get_by_role("form", name="Add a file to Edited notes")
    adder.get_by_label("File to add to Edited notes").select_option(label="edit-bikes.txt")
    adder.get_by_role("button", name="Add").click()
    page.get_by_role("status").filter(has_text="Added edit-bikes.txt to Edited notes.").wait_for()
    card.locator(f"[data-file='{bikes}'][data-status='completed']").wait_for()
    assert sorted(f["id"] for f in api.get(f"/v1/vector_stores/{store.id}/files").json()["data"]) == sorted(files)

    # Deleting asks first: refused, the store stays; accepted, it goes.
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "an edited store on a phone"
    page.once("dialog", lambda dialog: dialog.dismiss())
    card.get_by_role("button", name="Delete Edited notes").click()
    expect(card).to_have_count(1)
    assert api.get(f"/v1/vector_stores/{store.id}").status_code == 200
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Delete Edited notes").click()
    expect(card).to_have_count(0)
    assert api.get(f"/v1/vector_stores/{store.id}").status_code == 404
