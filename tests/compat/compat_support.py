"""Shared assertions and test data for the compatibility suite."""

from __future__ import annotations

import os
import subprocess

import struct
import time
import zlib
from pathlib import Path

try:  # openai>=3 ships httpx2; older releases ship httpx.
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

ERROR_KEYS = {"message", "type", "param", "code"}

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / ".build" / "debug" / "assistants"
API_KEYS = ("test-key-1", "test-key-2")
LOG_TAIL_CHARS = 6000


def server_binary() -> Path:
    """The server binary the suite starts: ASSISTANTS_BIN, or the debug build."""
    return Path(os.environ.get("ASSISTANTS_BIN") or DEFAULT_BIN)


def assert_error_body(body, *, param=..., code=..., type_=...):
    """`body` is what the SDK puts in `e.body`: the object under "error"."""
    assert isinstance(body, dict), f"error body is not an object: {body!r}"
    missing = ERROR_KEYS - body.keys()
    assert not missing, f"error object misses {sorted(missing)}: {body!r}"
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["type"], str) and body["type"], body
    assert body["param"] is None or isinstance(body["param"], str), body
    assert body["code"] is None or isinstance(body["code"], str), body
    if param is not ...:
        assert body["param"] == param, f"param: expected {param!r}, got {body['param']!r} ({body['message']!r})"
    if code is not ...:
        assert body["code"] == code, f"code: expected {code!r}, got {body['code']!r} ({body['message']!r})"
    if type_ is not ...:
        assert body["type"] == type_, body


def assert_sdk_error(exc, status: int, **kw):
    """Check an openai.APIStatusError raised by the SDK."""
    assert exc.status_code == status, f"expected HTTP {status}, got {exc.status_code}: {exc.body!r}"
    assert_error_body(exc.body, **kw)
    # The SDK copies the fields onto the exception too.
    assert exc.param == exc.body["param"]
    assert exc.code == exc.body["code"]


def assert_error_response(resp, status: int | None = None, **kw):
    """Check a raw HTTP error response: status and the full envelope."""
    if status is not None:
        assert resp.status_code == status, f"expected HTTP {status}, got {resp.status_code}: {resp.text[:500]}"
    assert 400 <= resp.status_code < 500 and resp.status_code != 409, (
        f"bad input must get a 4xx other than 409, got {resp.status_code}: {resp.text[:500]}"
    )
    assert resp.headers.get("content-type", "").startswith("application/json"), resp.headers.get("content-type")
    payload = resp.json()
    assert isinstance(payload, dict) and set(payload) >= {"error"}, payload
    assert_error_body(payload["error"], **kw)
    return payload["error"]


def assert_recent_timestamp(value):
    assert isinstance(value, int) and not isinstance(value, bool), f"timestamp is not an int: {value!r}"
    assert abs(value - time.time()) < 300, f"timestamp {value} is not unix seconds near now"


def assert_present_none(model, *fields):
    """Each field is present in the JSON (not just defaulted by the SDK) and null."""
    for f in fields:
        assert f in model.model_fields_set, f"{type(model).__name__}.{f} missing from the response JSON"
        assert getattr(model, f) is None, f"{type(model).__name__}.{f} = {getattr(model, f)!r}, expected None"


def assert_present(model, *fields):
    for f in fields:
        assert f in model.model_fields_set, f"{type(model).__name__}.{f} missing from the response JSON"


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def binary_blob(size_mib: int = 3) -> bytes:
    """Every byte value, plus sequences that trip naive multipart parsers."""
    traps = (
        b"\r\n--" + b"-" * 20 + b"boundary\r\n"
        b"Content-Disposition: form-data; name=\"purpose\"\r\n\r\nvision\r\n"
        b"\r\n\r\n\x00\x00\xff\xfe"
    )
    body = bytes(range(256)) * (size_mib * 1024 * 4)
    return traps + body + traps + bytes(reversed(range(256)))


def terminate(proc: subprocess.Popen, timeout: float) -> int:
    """SIGTERM, then SIGKILL if the process is still there after ``timeout`` seconds; its exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class LocalService:
    """A process listening on 127.0.0.1:``self.port`` with an OpenAI-style ``/v1``; ``with X(...) as x:``
    starts it, and stops it however the block ends."""

    port: int | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
