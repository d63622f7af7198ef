"""SMS senders: one small interface, chosen by VENUECODE_SMS_BACKEND.

`console` prints (development), `file` appends one JSON object per message with keys
`phone`, `text` and `code` (tests and demos read codes from it), `http` posts to the
city's SMS gateway (production).
"""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path
from typing import Protocol

from venuecode.config import Settings


class SmsSender(Protocol):
    def send_code(self, phone: str, text: str, code: str) -> None: ...


class ConsoleSms:
    def send_code(self, phone: str, text: str, code: str) -> None:
        print(f"[sms to {phone}] {text}", flush=True)


class FileSms:
    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path

    def send_code(self, phone: str, text: str, code: str) -> None:
        line = json.dumps({"phone": phone, "text": text, "code": code}, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class HttpSms:
    """Posts `{"phone": ..., "text": ...}` as JSON to the gateway; the code is not logged."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout

    def send_code(self, phone: str, text: str, code: str) -> None:
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - URL comes from operator settings
            self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            response.read()


def sms_sender(settings: Settings) -> SmsSender:
    if settings.sms_backend == "file":
        return FileSms(settings.sms_file or settings.data_dir / "sms.jsonl")
    if settings.sms_backend == "http":
        if not settings.sms_http_url:
            raise ValueError("VENUECODE_SMS_HTTP_URL is required for the http SMS backend")
        return HttpSms(settings.sms_http_url)
    return ConsoleSms()
