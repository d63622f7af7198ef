"""Domain errors.

Raised anywhere inside; translated to HTTP (JSON for /api, a page for browsers) in
exactly one place, `venuecode.web.errors`, and to exit codes in the CLI. Each error
carries a stable `code` for clients and a message a person can act on, in Chinese and
English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DomainError(Exception):
    """Base of every error the application raises on purpose."""

    code: str
    message_zh: str
    message_en: str
    details: dict[str, Any] = field(default_factory=dict)
    status: int = 400

    def __str__(self) -> str:
        return f"{self.code}: {self.message_en}"

    def message(self, locale: str) -> str:
        return self.message_zh if locale.startswith("zh") else self.message_en


class InvalidInput(DomainError):
    """Input that cannot be used as given (status 422)."""

    def __init__(self, code: str, zh: str, en: str, **details: Any) -> None:
        super().__init__(code, zh, en, details, 422)


class NotFound(DomainError):
    def __init__(self, code: str, zh: str, en: str, **details: Any) -> None:
        super().__init__(code, zh, en, details, 404)


class Conflict(DomainError):
    def __init__(self, code: str, zh: str, en: str, **details: Any) -> None:
        super().__init__(code, zh, en, details, 409)


class NotAuthenticated(DomainError):
    def __init__(self, code: str = "not_authenticated", zh: str = "请先登录。",
                 en: str = "Please sign in first.", **details: Any) -> None:
        super().__init__(code, zh, en, details, 401)


class PermissionDenied(DomainError):
    def __init__(self, code: str = "permission_denied",
                 zh: str = "您没有执行此操作的权限。",
                 en: str = "You do not have permission to do this.", **details: Any) -> None:
        super().__init__(code, zh, en, details, 403)


class RateLimited(DomainError):
    def __init__(self, code: str, zh: str, en: str, retry_after: int, **details: Any) -> None:
        super().__init__(code, zh, en, {"retry_after": retry_after, **details}, 429)
