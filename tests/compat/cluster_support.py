"""The suite against a cluster: several nodes on one PostgreSQL behind nginx, started by scripts/cluster.

With ``ASSISTANTS_COMPAT_CLUSTER=N`` (N >= 1) every server the suite starts is a cluster of N nodes: the
fixtures get a ``ClusterProcess`` where they would get one process, with the same interface, so the tests
run unchanged. Each cluster has its own database on one PostgreSQL for the whole session (scripts/postgres-
for-tests starts it, or ``ASSISTANTS_TEST_POSTGRES_URL`` names a server whose user may create databases), so
that a cluster stopped and started again finds its data.

Environment:
  ASSISTANTS_COMPAT_CLUSTER   how many nodes each server is (unset or 0: one process on SQLite)
  ASSISTANTS_TEST_POSTGRES_URL  a PostgreSQL server to create the clusters' databases on (optional)
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import openai
import pytest

from compat_support import API_KEYS, LOG_TAIL_CHARS, REPO_ROOT, LocalService, server_binary, terminate

CLUSTER_NODES = int(os.environ.get("ASSISTANTS_COMPAT_CLUSTER") or 0)
CLUSTER_SCRIPT = REPO_ROOT / "scripts" / "cluster"
# How long a node's claim on a run or a file outlives the node (ASSISTANTS_NODE_LEASE_TTL): short, so that a
# killed node's work is taken over within the fault tests' waits.
NODE_LEASE_TTL_S = 5
STARTUP_TIMEOUT_S = 180.0
# scripts/cluster gives each node 20 s to stop after SIGTERM, then nginx and PostgreSQL a moment.
SHUTDOWN_TIMEOUT_S = 60.0


def cluster_skip_reason(why: str):
    """A pytest mark that skips a test in cluster mode, saying why (keep them few)."""
    return pytest.mark.skipif(CLUSTER_NODES > 0, reason=f"cluster mode: {why}")


class _SessionPostgres:
    """One PostgreSQL server for every cluster of the session, started on first use."""

    proc: subprocess.Popen | None = None
    server_url: str | None = None
    # Databases made on a server the suite did not start, dropped at the end of the session.
    made: list[str] = []

    @classmethod
    def new_database_url(cls) -> str:
        if cls.server_url is None:
            given = os.environ.get("ASSISTANTS_TEST_POSTGRES_URL")
            if given:
                cls.server_url = given
            else:
                # The same throwaway server the Swift store tests use; it lives until its stdin closes.
                cls.proc = subprocess.Popen(
                    [str(REPO_ROOT / "scripts" / "postgres-for-tests"), sys.executable, "-c",
                     "import os, sys; print(os.environ['ASSISTANTS_TEST_POSTGRES_URL'], flush=True); sys.stdin.read()"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                )
                line = cls.proc.stdout.readline().strip()
                if not line.startswith("postgres://"):
                    cls.stop()
                    pytest.fail("scripts/postgres-for-tests gave no database URL: is PostgreSQL installed?", pytrace=False)
                cls.server_url = line
        parts = urllib.parse.urlsplit(cls.server_url)
        url = urllib.parse.urlunsplit(parts._replace(path=f"/compat_{uuid.uuid4().hex[:16]}", query=""))
        if cls.proc is None:
            cls.made.append(url)
        return url

    @classmethod
    def stop(cls) -> None:
        for url in cls.made:
            subprocess.run(["bash", "-c", f'. "{REPO_ROOT}/scripts/lib/postgres.sh" && postgres_dropdb "$1"', "-", url],
                           check=False)
        cls.made = []
        if cls.proc is not None:
            cls.proc.stdin.close()
            try:
                cls.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                cls.proc.terminate()
                cls.proc.wait()
            cls.proc = None
            cls.server_url = None


def stop_session_postgres() -> None:
    _SessionPostgres.stop()


class ClusterProcess(LocalService):
    """``scripts/cluster``: N nodes on one database behind nginx, as one server with ServerProcess's interface.

    ``data_dir`` holds the nodes' data, logs and run scripts (``--dir``); the database is chosen at the first
    start and kept, so ``stop()`` then ``start()`` is a restart of every node. ``kill()`` SIGKILLs every node
    (a crash of the whole cluster). ``kill_node(i)`` and ``restart_node(i)`` act on one node.
    """

    running: "set" = set()

    def __init__(self, data_dir: Path, *, log_path: Path | None = None, api_keys=API_KEYS,
                 upstream_url: str | None = None, extra_args=(), nodes: int | None = None,
                 node_env: dict[str, str] | None = None):
        self.data_dir = Path(data_dir)
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = Path(log_path) if log_path else self.data_dir.parent / f"{self.data_dir.name}.log"
        self.api_keys = tuple(api_keys)
        self.upstream_url = upstream_url
        self.extra_args = tuple(extra_args)
        self.nodes = nodes or CLUSTER_NODES or 3
        # Per-node settings: "%n" in a value becomes the node's number (scripts/cluster --node-env).
        self.node_env = dict(node_env or {})
        self.database_url: str | None = None
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.returncode: int | None = None
        self._log_file = None
        self._restarted: list[subprocess.Popen] = []

    # -- clients -------------------------------------------------------
    def client(self, api_key: str = API_KEYS[0], **kwargs) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=api_key, max_retries=0, **kwargs)

    def node_url(self, i: int) -> str:
        """Node i's own URL (1-based), bypassing nginx."""
        env = self._cluster_env()
        return env[f"ASSISTANTS_CLUSTER_NODE{i}_URL"]

    def node_client(self, i: int, api_key: str = API_KEYS[0], **kwargs) -> openai.OpenAI:
        return openai.OpenAI(base_url=f"{self.node_url(i)}/v1", api_key=api_key, max_retries=0, **kwargs)

    def _cluster_env(self) -> dict[str, str]:
        text = (self.data_dir / "cluster.env").read_text()
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    # -- logs: the script's own, then each node's ------------------------
    def log_paths(self) -> list[Path]:
        return [self.log_path] + [self.data_dir / f"node{i}" / "log" for i in range(1, self.nodes + 1)]

    def log_size(self) -> tuple:
        return tuple(p.stat().st_size if p.exists() else 0 for p in self.log_paths())

    def read_log(self, start=0, limit: int = LOG_TAIL_CHARS) -> str:
        offsets = start if isinstance(start, tuple) else (start,) * len(self.log_paths())
        parts = []
        for path, offset in zip(self.log_paths(), offsets):
            try:
                with open(path, "rb") as f:
                    f.seek(offset)
                    text = f.read().decode("utf-8", "replace")
            except OSError:
                continue
            if text.strip():
                if len(text) > limit:
                    text = "...\n" + text[-limit:]
                parts.append(f"--- {path.parent.name}/{path.name} ---\n{text}")
        return "\n".join(parts) or "<no log>"

    # -- lifecycle -----------------------------------------------------
    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> "ClusterProcess":
        binary = server_binary()
        if not binary.exists():
            pytest.fail(f"server binary not found: {binary}\nBuild it first (swift build) or point ASSISTANTS_BIN at it.",
                        pytrace=False)
        if self.database_url is None:
            self.database_url = _SessionPostgres.new_database_url()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANTS_")}
        env["ASSISTANTS_API_KEYS"] = ",".join(self.api_keys)
        env["ASSISTANTS_NODE_LEASE_TTL"] = str(NODE_LEASE_TTL_S)
        cmd = [
            str(CLUSTER_SCRIPT), "--nodes", str(self.nodes), "--dir", str(self.data_dir),
            "--database-url", self.database_url, "--create-database", "--bin", str(binary),
        ]
        if self.upstream_url:
            cmd += ["--serve-arg", "--upstream-url", "--serve-arg", self.upstream_url]
        for arg in self.extra_args:
            cmd += ["--serve-arg", arg]
        for name, value in self.node_env.items():
            cmd += ["--node-env", f"{name}={value}"]
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"\n=== $ {' '.join(cmd)}\n".encode())
        self._log_file.flush()
        self.returncode = None
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._log_file)
        ClusterProcess.running.add(self)
        url = self._read_url(timeout)
        if url is None:
            code = self.stop()
            pytest.fail(f"scripts/cluster did not print its URL within {timeout:.0f}s (exit code {code}).\n"
                        f"--- cluster log ---\n{self.read_log()}", pytrace=False)
        self.port = urllib.parse.urlsplit(url).port
        return self

    def _read_url(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                    break
                line = self.proc.stdout.readline().decode().strip()
                if line.startswith("http://"):
                    return line
                if not line and self.proc.poll() is not None:
                    return None
        return None

    def node_pid(self, i: int) -> int | None:
        try:
            return int((self.data_dir / f"node{i}" / "pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def kill_node(self, i: int) -> None:
        """SIGKILL node i: a crash, nothing cleaned up."""
        pid = self.node_pid(i)
        assert pid is not None, f"node{i} has no pid file"
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        for p in self._restarted:
            if p.pid == pid:
                p.wait()
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and _state(pid) != "Z" and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart_node(self, i: int, timeout: float = 60.0) -> None:
        """Starts node i again with its run script (same port, data dir and node id); waits for /health."""
        proc = subprocess.Popen([str(self.data_dir / f"node{i}" / "run")], stdin=subprocess.DEVNULL)
        self._restarted.append(proc)
        deadline = time.monotonic() + timeout
        url = f"{self.node_url(i)}/health"
        while True:
            if proc.poll() is not None:
                pytest.fail(f"node{i} exited with {proc.returncode} on restart:\n{self.read_log()}", pytrace=False)
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"node{i} did not answer /health within {timeout:.0f}s after a restart", pytrace=False)
            time.sleep(0.1)

    def kill(self) -> int | None:
        """SIGKILL every node (a crash of the whole cluster), then stop nginx. Returns -SIGKILL."""
        if self.proc is None:
            return self.returncode
        for i in range(1, self.nodes + 1):
            self.kill_node(i)
        self.stop()
        self.returncode = -signal.SIGKILL
        return self.returncode

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT_S) -> int | None:
        """SIGTERM to scripts/cluster, which stops every node, nginx and so on. Its exit code: 0 when every
        node shut down cleanly."""
        if self.proc is None:
            return self.returncode
        self.returncode = terminate(self.proc, timeout)
        for p in self._restarted:
            terminate(p, 10)
        self._restarted = []
        ClusterProcess.running.discard(self)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return self.returncode


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"
