"""What a scan needs of an account, read by the hot path in its one select."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScanUser:
    id: int
    role: str
    active: bool
    token_version: int
    id_number: str | None
    real_name: str | None
