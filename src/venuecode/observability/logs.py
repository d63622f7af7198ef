"""Logs: one JSON object per line (production) or one readable line (development).

Every line passes `redact`, so a sign-in token, an ID number or a phone number that an
exception message or a library happens to carry is masked before it is written.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

request_id: ContextVar[str | None] = ContextVar("venuecode_request_id", default=None)

_SECRETS = re.compile(
    r"(?i)(?P<bearer>bearer\s+)\S+"                   # Authorization: Bearer …
    r"|(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"   # 18-digit ID number
    r"|(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"          # old 15-digit ID number
    r"|(?<![0-9A-Za-z])(?:\+?86)?1[3-9]\d{9}(?!\d)"    # mainland mobile number
    # Tokens and signed codes: long runs of letters and digits, both present (so that
    # long identifiers in a traceback stay readable).
    r"|(?<![A-Za-z0-9_\-])(?=[A-Za-z_\-]*\d)(?=[0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{24,}"
    r"(?:\.[A-Za-z0-9_\-.]+)?"
)
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


def redact(text: str) -> str:
    return _SECRETS.sub(lambda m: (m.group("bearer") or "") + "[redacted]", text)


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        rid = request_id.get()
        if rid is not None:
            entry["request_id"] = rid
        for key, value in _extra(record).items():
            entry[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = redact(super().format(record))
        rid = getattr(record, "request_id", None) or request_id.get()
        return f"{line} [{rid}]" if rid else line


def log_config(fmt: Literal["json", "text"], level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn (applied in every worker process too)."""
    formatter = f"{__name__}.{'JsonFormatter' if fmt == 'json' else 'TextFormatter'}"
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": {"()": formatter}},
        "handlers": {"main": handler},
        "root": {"handlers": ["main"], "level": level.upper()},
        "loggers": {
            # uvicorn's own loggers carry handlers by default; route them to ours once.
            "uvicorn": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }
