"""Log formatting and redaction, and the SIGTERM drain, without a server."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from venuecode.observability.drain import Drain
from venuecode.observability.logs import JsonFormatter, TextFormatter, redact, request_id

ID = "330106196005010011"
PHONE = "13800000001"
TOKEN = "eyJ1aWQiOjEyMywiZXhwIjoxNzAwMDAwMDAwfQ.Zx8d9fK2mQv7Lr0aBcDeFgHiJkLmNoPq"


def test_redact_masks_id_numbers_phones_and_tokens_but_keeps_ordinary_text() -> None:
    line = f"user {PHONE} ({ID}, old 330106600501001) sent Authorization: Bearer {TOKEN} at 12:05"
    masked = redact(line)
    for secret in (ID, PHONE, TOKEN, "330106600501001"):
        assert secret not in masked
    assert masked.startswith("user [redacted] ([redacted], old [redacted]) sent Authorization: "
                             "Bearer [redacted] at 12:05")
    assert redact("POST /api/v1/scans 201 3.4ms") == "POST /api/v1/scans 201 3.4ms"
    assert redact("+8613800000001") == "[redacted]"
    assert redact('File "x.py", in _wait_tasks_to_complete_and_close') == (
        'File "x.py", in _wait_tasks_to_complete_and_close')


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("venuecode.test", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_the_json_line_has_the_fields_and_masks_messages_extras_and_tracebacks() -> None:
    token = request_id.set("abc123")
    try:
        try:
            raise ValueError(f"no person {ID}")
        except ValueError:
            record = _record("lookup of %s failed", PHONE, path=f"/people/{ID}", status=404)
            record.exc_info = sys.exc_info()
        entry = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert entry["level"] == "warning" and entry["logger"] == "venuecode.test"
    assert entry["message"] == "lookup of [redacted] failed"
    assert entry["path"] == "/people/[redacted]" and entry["status"] == 404
    assert entry["request_id"] == "abc123"
    assert "ValueError: no person [redacted]" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_the_text_line_is_masked_and_names_the_request() -> None:
    token = request_id.set("abc123")
    try:
        line = TextFormatter().format(_record("for %s", ID))
    finally:
        request_id.reset(token)
    assert ID not in line and line.endswith("venuecode.test: for [redacted] [abc123]")


DRAIN_SCENARIO = """
import asyncio, json, os, signal
from venuecode.observability.drain import Drain

calls = []
drain = Drain(delay_seconds=float(os.environ["DELAY"]))
signal.signal(signal.SIGTERM, lambda sig, frame: calls.append((sig, drain.draining)))

async def scenario():
    installed = drain.install()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(0)
    at_once = list(calls)
    while installed and not calls:
        await asyncio.sleep(0.01)
    return installed, at_once

installed, at_once = asyncio.run(scenario())
signal.signal(signal.SIGTERM, signal.SIG_DFL)
print(json.dumps({"installed": installed, "at_once": at_once, "calls": calls,
                  "draining": drain.draining}))
"""


def _drain(delay: float) -> dict[str, object]:
    # A process of its own: signal handlers belong to the main thread, which a browser test
    # in this worker may be using for its event loop.
    out = subprocess.run([sys.executable, "-c", DRAIN_SCENARIO], capture_output=True, text=True,
                         check=True, env={**os.environ, "DELAY": str(delay)}).stdout
    result: dict[str, object] = json.loads(out)
    return result


def test_sigterm_marks_draining_and_hands_over_to_the_servers_handler_after_the_delay() -> None:
    result = _drain(0.2)
    assert result["installed"] is True and result["draining"] is True
    assert result["at_once"] == []  # the server's handler waits for the drain delay
    assert result["calls"] == [[signal.SIGTERM, True]]


def test_without_a_delay_the_servers_handler_runs_at_once() -> None:
    result = _drain(0)
    assert result["at_once"] == [[signal.SIGTERM, True]]


def test_drain_is_not_installed_off_the_main_thread() -> None:
    async def install() -> bool:
        return Drain().install()

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, install()).result() is False
