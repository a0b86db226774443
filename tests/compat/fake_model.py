"""The scripted fake model (`fake-model`) used as the server's upstream in run tests.

`fake-model --port 0` prints `fake-model listening on 127.0.0.1:<port>` once ready.  Its control
API scripts replies (`POST /_fake/replies`), shows what it received (`GET /_fake/requests`) and
clears both (`POST /_fake/reset`).

Environment:
  FAKE_MODEL_BIN   path of the binary (default: <repo>/.build/debug/fake-model)
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from compat_support import LocalService, httpx, terminate

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FAKE_BIN = REPO_ROOT / ".build" / "debug" / "fake-model"

STARTUP_TIMEOUT_S = 30.0
_READY = re.compile(rb"fake-model listening on 127\.0\.0\.1:(\d+)")


def fake_model_binary() -> Path:
    return Path(os.environ.get("FAKE_MODEL_BIN") or DEFAULT_FAKE_BIN)


def _wait_for_binary(path: Path, timeout: float = 60.0) -> None:
    """The binary is rebuilt from time to time; give a rebuild a moment to put it back."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(
                f"fake-model binary not found: {path}\n"
                "Build it first (swift build) or point FAKE_MODEL_BIN at it.",
                pytrace=False,
            )
        time.sleep(0.5)


class FakeModel(LocalService):
    """One fake-model process plus helpers for its control API."""

    running: "set[FakeModel]" = set()

    def __init__(self, log_path: Path):
        self.log_path = Path(log_path)
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self._log_file = None
        self._pump: threading.Thread | None = None
        self._http: httpx.Client | None = None

    # -- lifecycle -----------------------------------------------------
    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> "FakeModel":
        binary = fake_model_binary()
        _wait_for_binary(binary)
        self._log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(binary), "--port", "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log_file,
        )
        FakeModel.running.add(self)
        ready = threading.Event()

        def pump():
            # Reads the ready line, then keeps draining stdout into the log so the pipe never fills.
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                if self.port is None:
                    m = _READY.search(line)
                    if m:
                        self.port = int(m.group(1))
                        ready.set()
                try:
                    self._log_file.write(line)
                    self._log_file.flush()
                except (ValueError, AttributeError):  # log closed at stop
                    return
            ready.set()  # EOF: the process exited

        self._pump = threading.Thread(target=pump, name="fake-model-stdout", daemon=True)
        self._pump.start()
        if not ready.wait(timeout) or self.port is None:
            code = self.proc.poll()
            self.stop()
            pytest.fail(
                f"fake-model did not print its port within {timeout:.0f}s (exit code {code}); log: {self.log_path}",
                pytrace=False,
            )
        self._http = httpx.Client(base_url=self.url, timeout=10)
        return self

    def stop(self) -> None:
        FakeModel.running.discard(self)
        if self._http is not None:
            self._http.close()
            self._http = None
        if self.proc is not None:
            terminate(self.proc, timeout=5)
            if self._pump is not None:
                self._pump.join(timeout=2)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            self.proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    # -- control API ---------------------------------------------------
    def reset(self) -> None:
        r = self._http.post("/_fake/reset")
        assert r.status_code == 200, r.text

    def script(self, *replies: dict) -> None:
        """Appends replies to the FIFO; each chat request pops one."""
        r = self._http.post("/_fake/replies", json={"replies": list(replies)})
        assert r.status_code == 200, r.text

    def recorded(self) -> list[dict]:
        """Every chat request received since the last reset: [{"body", "authorization"}]."""
        r = self._http.get("/_fake/requests")
        assert r.status_code == 200, r.text
        return r.json()["requests"]

    def requests(self) -> list[dict]:
        """The JSON bodies of every chat request received since the last reset, in order."""
        return [x["body"] for x in self.recorded()]

    def wait_for_requests(self, n: int, timeout: float = 10.0) -> list[dict]:
        """Bounded poll until at least `n` chat requests were received."""
        deadline = time.monotonic() + timeout
        while True:
            bodies = self.requests()
            if len(bodies) >= n or time.monotonic() > deadline:
                return bodies
            time.sleep(0.05)


# ---------------------------------------------------------------------------
# Reading what the model was sent
# ---------------------------------------------------------------------------

def content_text(message: dict) -> str:
    """A chat message's text: string content, or its text parts joined."""
    content = message.get("content")
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")


def system_text(body: dict) -> str:
    return "\n".join(content_text(m) for m in body["messages"] if m.get("role") in ("system", "developer"))


def conversation(body: dict) -> list[tuple[str, str]]:
    """(role, text) of the non-system messages, in order."""
    return [(m["role"], content_text(m)) for m in body["messages"] if m.get("role") not in ("system", "developer")]


def tool_names(body: dict) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools") or []]
