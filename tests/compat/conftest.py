"""Fixtures for the OpenAI-compatibility suite.

The suite starts the *built* server binary and drives it over HTTP with the
official ``openai`` package, the way users' code does.

Environment:
  ASSISTANTS_BIN   path of the server binary (default: <repo>/.build/debug/assistants)
  FAKE_MODEL_BIN   path of the scripted model used as upstream by run tests
                   (default: <repo>/.build/debug/fake-model)
  ASSISTANTS_COMPAT_CLUSTER  N: every server is a cluster of N nodes on PostgreSQL behind nginx
                   (scripts/cluster; see cluster_support.py)
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import openai
import pytest

from cluster_support import CLUSTER_NODES, ClusterProcess, stop_session_postgres
from compat_support import API_KEYS, LOG_TAIL_CHARS, LocalService, httpx, server_binary, terminate
from fake_model import FakeModel

BETA_HEADERS = {"OpenAI-Beta": "assistants=v2"}

STARTUP_TIMEOUT_S = 30.0
SHUTDOWN_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NodeProcess(LocalService):
    """Starts and stops one server process on a given data directory.

    Usable as a context manager.  ``start()`` may be called again after
    ``stop()`` (same data dir, new port) to test restarts.
    """

    running: "set[NodeProcess]" = set()

    def __init__(
        self,
        data_dir: Path,
        *,
        log_path: Path | None = None,
        api_keys=API_KEYS,
        upstream_url: str | None = None,
        extra_args=(),
    ):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = Path(log_path) if log_path else self.data_dir.parent / f"{self.data_dir.name}.log"
        self.api_keys = tuple(api_keys)
        # The OpenAI-compatible model endpoint runs call (e.g. the fake model); None: no upstream.
        self.upstream_url = upstream_url
        self.extra_args = tuple(extra_args)
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.returncode: int | None = None
        self._log_file = None

    # -- clients -------------------------------------------------------
    def client(self, api_key: str = API_KEYS[0], **kwargs) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=api_key, max_retries=0, **kwargs)

    # -- logs ----------------------------------------------------------
    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def read_log(self, start: int = 0, limit: int = LOG_TAIL_CHARS) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(start)
                data = f.read()
        except OSError:
            return "<no log>"
        text = data.decode("utf-8", "replace")
        if len(text) > limit:
            text = "...\n" + text[-limit:]
        return text

    # -- lifecycle -----------------------------------------------------
    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> "NodeProcess":
        binary = server_binary()
        if not binary.exists():
            pytest.fail(
                f"server binary not found: {binary}\n"
                "Build it first (swift build) or point ASSISTANTS_BIN at it.",
                pytrace=False,
            )
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANTS_")}
        env["ASSISTANTS_API_KEYS"] = ",".join(self.api_keys)
        cmd = [
            str(binary), "serve",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--data-dir", str(self.data_dir),
        ]
        if self.upstream_url:
            cmd += ["--upstream-url", self.upstream_url]
        cmd += list(self.extra_args)
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"\n=== $ {' '.join(cmd)}\n".encode())
        self._log_file.flush()
        self.returncode = None
        self.proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT,
        )
        NodeProcess.running.add(self)
        deadline = time.monotonic() + timeout
        last_error = "no attempt"
        while True:
            code = self.proc.poll()
            if code is not None:
                self._cleanup()
                pytest.fail(
                    f"server exited with code {code} before /health answered.\n"
                    f"--- server log ({self.log_path}) ---\n{self.read_log()}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self
                    last_error = f"HTTP {resp.status}"
            except urllib.error.HTTPError as e:
                last_error = f"HTTP {e.code}"
            except (urllib.error.URLError, OSError) as e:
                last_error = repr(e)
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"server did not answer 200 on /health within {timeout:.0f}s (last: {last_error}).\n"
                    f"--- server log ({self.log_path}) ---\n{self.read_log()}",
                    pytrace=False,
                )
            time.sleep(0.1)  # the one poll the suite allows itself

    def kill(self) -> int | None:
        """SIGKILL: no chance to clean up (a crash). Returns the exit code."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.returncode = self.proc.returncode
        self._cleanup()
        return self.returncode

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT_S) -> int | None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds. Returns the exit code."""
        if self.proc is None:
            return self.returncode
        self.returncode = terminate(self.proc, timeout)
        self._cleanup()
        return self.returncode

    def _cleanup(self):
        NodeProcess.running.discard(self)
        if self.proc is not None and self.proc.poll() is not None:
            self.returncode = self.proc.returncode
        self.proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


# What the fixtures and tests start as "a server": one process, or a cluster with the same interface.
ServerProcess = ClusterProcess if CLUSTER_NODES else NodeProcess


# ---------------------------------------------------------------------------
# pytest hooks
# ---------------------------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    item._server_log_offsets = {s: s.log_size() for s in ServerProcess.running}
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and call.when in ("setup", "call"):
        offsets = getattr(item, "_server_log_offsets", {})
        for server in list(ServerProcess.running) + [s for s in offsets if s not in ServerProcess.running]:
            text = server.read_log(offsets.get(server, 0))
            if text.strip():
                rep.sections.append((f"server log {server.log_path.name} (during this test)", text))


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The shared server used by most tests."""
    root = tmp_path_factory.mktemp("server")
    srv = ServerProcess(root / "data", log_path=root / "server.log")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def port(server) -> int:
    return server.port


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server.base_url


@pytest.fixture
def client(server) -> openai.OpenAI:
    c = openai.OpenAI(base_url=f"http://127.0.0.1:{server.port}/v1", api_key="test-key-1", max_retries=0)
    yield c
    c.close()


@pytest.fixture
def http(server):
    """A raw HTTP client for what the SDK can't send (bad JSON, missing headers...).

    No default headers: each test says what it sends.
    """
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture
def auth_headers() -> dict:
    return {"Authorization": f"Bearer {API_KEYS[0]}"}


@pytest.fixture
def beta_headers(auth_headers) -> dict:
    return {**auth_headers, **BETA_HEADERS}


@pytest.fixture
def server_factory(tmp_path_factory):
    """Start extra servers on fresh (or given) data dirs; all are stopped at teardown."""
    started: list[ServerProcess] = []

    def make(data_dir: Path | None = None) -> ServerProcess:
        if data_dir is None:
            data_dir = tmp_path_factory.mktemp("extra") / "data"
        srv = ServerProcess(data_dir)
        started.append(srv)
        return srv

    yield make
    for s in started:
        s.stop()


@pytest.fixture
def uploaded_file(client):
    """A small text file with purpose 'assistants'."""
    f = client.files.create(file=("fixture.txt", b"fixture file contents\n", "text/plain"), purpose="assistants")
    return f


@pytest.fixture
def thread(client):
    return client.beta.threads.create()


@pytest.fixture
def assistant(client):
    return client.beta.assistants.create(model="gpt-4o", name="fixture assistant")


# ---------------------------------------------------------------------------
# run fixtures: a scripted fake model as the upstream
# ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def fake_model(tmp_path_factory):
    """One fake-model process for the whole session."""
    root = tmp_path_factory.mktemp("fake-model")
    fm = FakeModel(root / "fake-model.log")
    fm.start()
    yield fm
    fm.stop()


@pytest.fixture(scope="session")
def run_server(tmp_path_factory, fake_model):
    """A server whose upstream is the session's fake model."""
    root = tmp_path_factory.mktemp("run-server")
    srv = ServerProcess(root / "data", log_path=root / "server.log", upstream_url=fake_model.base_url)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def fake(fake_model):
    """The session's fake model, reset (empty script, no recorded requests) before the test."""
    fake_model.reset()
    yield fake_model


@pytest.fixture
def run_client(run_server):
    """An SDK client for `run_server`."""
    c = run_server.client()
    yield c
    c.close()


@pytest.fixture
def run_assistant(run_client):
    return run_client.beta.assistants.create(model="gpt-4o", name="run test assistant", instructions="You are terse.")


@pytest.fixture
def run_server_factory(tmp_path_factory, fake_model):
    """Extra servers pointed at the fake model (fresh or given data dir); all stopped at teardown."""
    started: list[ServerProcess] = []

    def make(data_dir: Path | None = None, extra_args=()) -> ServerProcess:
        if data_dir is None:
            data_dir = tmp_path_factory.mktemp("run-extra") / "data"
        srv = ServerProcess(data_dir, upstream_url=fake_model.base_url, extra_args=extra_args)
        started.append(srv)
        return srv

    yield make
    for s in started:
        s.stop()


def pytest_sessionfinish(session, exitstatus):
    """Safety net: no server or fake model outlives the session (e.g. after an interrupted fixture)."""
    for s in list(ServerProcess.running):
        s.stop()
    for f in list(FakeModel.running):
        f.stop()
    stop_session_postgres()
