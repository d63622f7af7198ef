"""Typed settings: environment variables `VENUECODE_*` and an optional `.env` file.

Every setting is documented in docs/settings.md (a test keeps the two in step).
Outside development, missing or placeholder secrets stop the start with a clear message;
in development a missing secret is generated once and kept in the data folder. Production
also refuses weak, shared or documented secrets and a public URL without https
(`check_for_start`, `secret_problem`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import secrets
from collections import Counter
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "test", "production"]
_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "please-change", "xxx"}
_MIN_SECRET_CHARS = 32
_MIN_SECRET_BITS = 128
# The districts venues apply in when VENUECODE_DISTRICTS is unset: Hangzhou's after the
# 2021 re-division (the demo city's).
DEFAULT_DISTRICTS = ("上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "富阳区",
                     "临安区", "临平区", "钱塘区", "桐庐县", "淳安县", "建德市")
_NEW_PROOF_KEY = "`venuecode keys proof-new`"
PUBLIC_KEY_PREFIX = "public:"  # a previous proof key given by its public half only
_GENERATE = "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
# Secrets printed in this repository's docs, tests and scripts: public, so never a secret.
# tests/unit/foundation/test_secret_strength.py fails when a new example is not refused.
DOCUMENTED_EXAMPLES = frozenset({
    "...",
    "python -c 'import secrets; print(secrets.token_urlsafe(48))'",
    "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "test-code-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "deploy-test-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "deploy-test-code-key-0123456789abcdefghijklmnopqrstuvw",
    "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "bench-code-key-0123456789abcdefghijklmnopqrstuvwxyz",
})




class SettingsError(RuntimeError):
    """Settings that cannot be used; the message says which variable to fix and how."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VENUECODE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Environment = "development"
    database_url: str = "sqlite:///./venuecode.db"
    public_url: str = "http://127.0.0.1:8000"
    timezone: str = "Asia/Shanghai"
    data_dir: Path = Path("./data")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    # Shared state of every server process (rate limits); unset: memory, one process only.
    redis_url: str | None = None
    redis_prefix: str = Field(default="venuecode", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")

    secret_key: SecretStr | None = None
    code_signing_key: SecretStr | None = None
    code_key_id: int = Field(default=1, ge=0, le=255)

    sms_backend: Literal["console", "file", "http"] = "console"
    sms_file: Path | None = None
    sms_http_url: str | None = None
    # Sign-in codes one address may ask for an hour (an office or a campus behind one NAT
    # may need more; the browser tests' one local address does).
    sms_per_address_hour: int = Field(default=30, ge=1, le=100_000)

    healthcode_backend: Literal["local", "webhook"] = "local"
    healthcode_webhook_url: str | None = None
    # A push to more persons than this needs a second, different supervisor's approval.
    push_review_persons: int = Field(default=1000, ge=1)

    cjk_font: Path | None = None
    vendor_dir: Path | None = None
    upload_max_mb: int = Field(default=512, ge=1, le=8192)
    # Request bodies (web.limits): every route but the upload page and the push API.
    body_max_mb: int = Field(default=4, ge=1, le=1024)
    # The push API: 10,000 records of the widest kind (venues, every text at its limit).
    push_max_mb: int = Field(default=32, ge=1, le=1024)

    default_test_window_hours: int = Field(default=72, ge=0)
    scan_repeat_minutes: int = Field(default=5, ge=0)
    retention_days: int = Field(default=28, ge=1)
    # Retention periods of the other personal data (venuecode.retention, docs/security.md):
    # each counted from the moment the row stopped being in force. The lower bounds are
    # what the door still reads (facts.repository looks back 14 days) and the six months
    # of logs the Cybersecurity Law asks for (audit).
    nucleic_acid_test_retention_days: int = Field(default=28, ge=14)
    itinerary_retention_days: int = Field(default=28, ge=14)
    vaccination_retention_days: int = Field(default=1095, ge=365)
    contact_mark_retention_days: int = Field(default=28, ge=1)
    paper_code_retention_days: int = Field(default=28, ge=1)
    audit_retention_days: int = Field(default=365, ge=180)

    trace_look_back_days: float = Field(default=4, ge=0)
    trace_close_minutes: float = Field(default=15, gt=0)
    trace_depth: int = Field(default=2, ge=1, le=5)
    # Stay length in minutes per venue category for tracing (rule 2's dwell), overriding
    # venue-categories.csv; JSON, e.g. {"metro": 10}. A venue's own dwell_minutes still wins.
    trace_dwell_minutes: dict[str, float] = Field(default_factory=dict)

    # Running behind a balancer (docs/operations.md).
    log_format: Literal["json", "text"] | None = None  # None: json in production, else text
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    access_log: bool = True
    # Who may set X-Forwarded-For/-Proto: comma-separated addresses or networks of the proxies;
    # empty means nobody, so the client address is the socket's own peer.
    forwarded_allow_ips: str = ""
    shutdown_timeout_seconds: int = Field(default=30, ge=0)
    shutdown_drain_seconds: float = Field(default=0, ge=0)
    readiness_timeout_seconds: float = Field(default=2, gt=0, le=30)
    metrics_token: SecretStr | None = None

    # Gate devices (数字哨兵): how far back an offline upload may reach (assist/sentinel.py).
    gate_offline_hours: int = Field(default=24, ge=1, le=24 * 7)

    # Rotating display codes (venues/display.py): the step, how many steps old a scanned
    # code may be, and the districts where every venue requires it (comma-separated).
    display_code_seconds: int = Field(default=30, ge=5, le=3600)
    display_code_grace_steps: int = Field(default=2, ge=0, le=20)
    display_code_districts: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("display_code_districts", mode="before")
    @classmethod
    def _display_district_list(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("VENUECODE_DISPLAY_CODE_DISTRICTS must be a comma-separated list")
        return tuple(str(v).strip() for v in items if str(v).strip())

    # Verifiable scan results (防伪核验, venuecode.proofs): the Ed25519 key that signs each
    # result's proof (base64 of the raw 32-byte private key), the keys that still verify
    # after a rotation, and how long a proof stays valid.
    proof_signing_key: SecretStr | None = None
    proof_previous_keys: Annotated[tuple[str, ...], NoDecode] = ()
    proof_seconds: int = Field(default=60, ge=10, le=3600)

    @field_validator("proof_signing_key")
    @classmethod
    def _proof_key_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip():
            if decode_key_bytes(value.get_secret_value()) is None:
                raise ValueError("VENUECODE_PROOF_SIGNING_KEY must be the base64 of 32 bytes "
                                 f"(an Ed25519 private key); make one with {_NEW_PROOF_KEY}")
            return value
        return None

    @field_validator("proof_previous_keys", mode="before")
    @classmethod
    def _previous_proof_keys(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("VENUECODE_PROOF_PREVIOUS_KEYS must be a comma-separated list")
        keys = tuple(str(v).strip() for v in items if str(v).strip())
        for key in keys:
            if decode_key_bytes(key.removeprefix(PUBLIC_KEY_PREFIX)) is None:
                raise ValueError("VENUECODE_PROOF_PREVIOUS_KEYS: each entry is a former "
                                 "VENUECODE_PROOF_SIGNING_KEY value, or public: and a "
                                 "published key's x (base64 of 32 bytes)")
        return keys

    def proof_seed(self) -> bytes:
        """The 32 bytes of the proof signing key. Outside production an unset key is
        derived from the secret key (stable across restarts, never published)."""
        value = self.proof_signing_key
        if value is None:
            if self.environment == "production":
                raise SettingsError(
                    "VENUECODE_PROOF_SIGNING_KEY is missing. In production set it to a new "
                    f"Ed25519 key: {_NEW_PROOF_KEY} (docs/operations.md#proof-keys).")
            return hmac.new(self.secret("secret_key").encode(), b"venuecode/proof-key/v1",
                            hashlib.sha256).digest()
        text = value.get_secret_value()
        if self.environment == "production":
            seed = decode_key_bytes(text)
            problem = secret_problem(text.strip())
            if problem is None and seed is not None and len(set(seed)) < 16:
                problem = "has too few distinct bytes to be a random key"
            if problem:
                raise SettingsError(f"VENUECODE_PROOF_SIGNING_KEY {problem}. Make a new one "
                                    f"with {_NEW_PROOF_KEY}.")
        seed = decode_key_bytes(text)
        assert seed is not None  # the validator checked the shape
        return seed

    # The districts venues and accounts may name, comma-separated in the environment: the
    # application page and the operator console offer exactly these, the API refuses others.
    districts: Annotated[tuple[str, ...], NoDecode] = DEFAULT_DISTRICTS

    @field_validator("districts", mode="before")
    @classmethod
    def _district_list(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("VENUECODE_DISTRICTS must be a comma-separated list of names")
        names = tuple(str(v).strip() for v in items if str(v).strip())
        if not names:
            raise ValueError("VENUECODE_DISTRICTS must name at least one district")
        if len(set(names)) != len(names):
            raise ValueError("VENUECODE_DISTRICTS names a district twice")
        if any(len(n) > 64 for n in names):
            raise ValueError("VENUECODE_DISTRICTS: a district name is longer than 64 characters")
        return names

    @field_validator("trace_dwell_minutes")
    @classmethod
    def _known_categories(cls, value: dict[str, float]) -> dict[str, float]:
        from venuecode.categories import dwell_override_problems

        problems = dwell_override_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai"
            ) from None
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("VENUECODE_PUBLIC_URL must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        try:
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            port_ok = False
        database = parts.path.lstrip("/")
        if (parts.scheme not in ("redis", "rediss") or not parts.hostname or not port_ok
                or not (database == "" or database.isdigit())):
            raise ValueError("VENUECODE_REDIS_URL must look like redis://host:6379/0 "
                             "(or rediss:// for TLS); the path is the database number")
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def effective_log_format(self) -> Literal["json", "text"]:
        if self.log_format is not None:
            return self.log_format
        return "json" if self.environment == "production" else "text"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret(self, name: Literal["secret_key", "code_signing_key"]) -> str:
        """The secret's value; in development generated and kept in the data folder."""
        value: SecretStr | None = getattr(self, name)
        if self.environment == "production":
            problem = "is missing" if value is None else secret_problem(value.get_secret_value())
            if problem:
                raise SettingsError(
                    f"VENUECODE_{name.upper()} {problem}. In production set it to a fresh "
                    f"random value (at least {_MIN_SECRET_CHARS} characters, about "
                    f"{_MIN_SECRET_BITS} bits or more), e.g. {_GENERATE}.")
            assert value is not None
            return value.get_secret_value()
        if value is not None and _usable(value.get_secret_value()):
            return value.get_secret_value()
        path = self.data_dir / f"{name}.txt"
        if path.exists():
            kept = path.read_text("utf-8").strip()
            if _usable(kept):
                return kept
        path.parent.mkdir(parents=True, exist_ok=True)
        generated = secrets.token_urlsafe(48)
        path.write_text(generated + "\n", "utf-8")
        path.chmod(0o600)
        return generated

    def check_for_start(self, workers: int | None = None) -> None:
        """Refuse unsafe settings before serving; raise SettingsError saying what to fix.

        `workers`: the process count `venuecode serve` will start (default the setting).
        """
        keys = {"VENUECODE_SECRET_KEY": self.secret("secret_key"),
                "VENUECODE_CODE_SIGNING_KEY": self.secret("code_signing_key")}
        if self.metrics_token is not None:
            token = self.metrics_token.get_secret_value()
            problem = (secret_problem(token) if self.environment == "production"
                       else None if _usable(token) else "is a placeholder or too short")
            if problem:
                raise SettingsError(
                    f"VENUECODE_METRICS_TOKEN {problem}. Set it to a random value of at least "
                    f"{_MIN_SECRET_CHARS} characters, e.g. {_GENERATE} (or unset it: then "
                    "/metrics answers only on the loopback address).")
            keys["VENUECODE_METRICS_TOKEN"] = token
        if self.environment == "production":
            _check_distinct(keys)
            if not self.public_url.startswith("https://"):
                raise SettingsError(
                    f"VENUECODE_PUBLIC_URL is {self.public_url!r}, but production needs https: "
                    "sign-in cookies would travel unencrypted (no Secure flag) and every venue "
                    "code would print a plain-http link. Set VENUECODE_PUBLIC_URL=https://your."
                    "host (TLS ends at nginx, see docs/operations.md).")
            if self.sms_backend != "http":
                raise SettingsError(
                    "VENUECODE_SMS_BACKEND must be 'http' in production: the console and "
                    "file senders do not deliver codes to citizens."
                )
            if not self.sms_http_url:
                raise SettingsError("VENUECODE_SMS_HTTP_URL is required when SMS backend is http")
            if self.healthcode_backend == "webhook" and not self.healthcode_webhook_url:
                raise SettingsError("VENUECODE_HEALTHCODE_WEBHOOK_URL is required for 'webhook'")
        if self.redis_url is None:
            processes = workers or self.workers
            if processes > 1 or self.environment == "production":
                why = (f"{processes} worker processes" if processes > 1
                       else "production mode (several servers behind a balancer)")
                raise SettingsError(
                    f"VENUECODE_REDIS_URL is not set, but {why} would each keep their own "
                    "rate limits (a limit of 20 scans a minute would allow 20 per process). "
                    "Set VENUECODE_REDIS_URL=redis://host:6379/0, or serve one process in "
                    "development."
                )
        self._check_proof_key(keys)

    def _check_proof_key(self, keys: dict[str, str]) -> None:
        proof_seed = self.proof_seed()  # refuses a missing or unsafe key in production
        if self.environment != "production":
            return
        assert self.proof_signing_key is not None
        derived = {hmac.new(k.encode(), b"venuecode/proof-key/v1", hashlib.sha256).digest()
                   for k in keys.values()}
        if proof_seed in derived:
            raise SettingsError("VENUECODE_PROOF_SIGNING_KEY is derived from another secret; "
                                f"make an independent one with {_NEW_PROOF_KEY}.")
        _check_distinct({**keys,
                         "VENUECODE_PROOF_SIGNING_KEY": self.proof_signing_key.get_secret_value()})


def decode_key_bytes(text: str) -> bytes | None:
    """32 raw key bytes from base64 (standard or URL-safe, padded or not), else None."""
    value = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def _usable(value: str) -> bool:
    return value.strip().lower() not in _PLACEHOLDERS and len(value.strip()) >= _MIN_SECRET_CHARS


def entropy_bits(value: str) -> float:
    """Shannon entropy of the string's own characters times its length: an estimate that
    sees repetition and small alphabets (it undercounts short random strings a little)."""
    if not value:
        return 0.0
    counts = Counter(value)
    per_char = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return per_char * len(value)


def _longest_run(value: str, step: int) -> int:
    """Longest stretch of characters each `step` code points after the one before."""
    best = run = 1
    for before, after in pairwise(value):
        run = run + 1 if ord(after) - ord(before) == step else 1
        best = max(best, run)
    return best


def _period(value: str) -> int | None:
    """The shortest unit the string repeats (`abcabcab` -> 3), if it is one."""
    for unit in range(1, len(value) // 2 + 1):
        if all(value[i] == value[i - unit] for i in range(unit, len(value))):
            return unit
    return None


def secret_problem(value: str) -> str | None:
    """Why `value` is no production secret (words for the refusal), or None if it may be."""
    if value.strip() in DOCUMENTED_EXAMPLES or value.strip().lower() in _PLACEHOLDERS:
        return "is an example or placeholder printed in the documentation"
    if any(c.isspace() for c in value) or not value.isprintable():
        return "contains spaces or control characters (a command or sentence, not a key)"
    if len(value) < _MIN_SECRET_CHARS:
        return f"has {len(value)} characters, fewer than {_MIN_SECRET_CHARS}"
    unit = _period(value)
    if unit is not None:
        return f"repeats a {unit}-character pattern"
    # 6 in a row: a random 64-character key has one by chance about once in ten million.
    if max(_longest_run(value, 0), _longest_run(value, 1), _longest_run(value, -1)) >= 6:
        return "contains a run of repeated or consecutive characters (aaaaaa, 123456, abcdef)"
    bits = entropy_bits(value)
    if bits < _MIN_SECRET_BITS:
        return (f"looks too predictable ({len(set(value))} distinct characters, about "
                f"{bits:.0f} bits estimated; at least {_MIN_SECRET_BITS} needed)")
    return None


def _check_distinct(keys: dict[str, str]) -> None:
    # One leaked value must not open both doors: sign-in tokens, venue codes, metrics.
    names = list(keys)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            if keys[first].strip() == keys[second].strip():
                raise SettingsError(
                    f"{first} and {second} have the same value. Give each its own random "
                    f"value, e.g. run {_GENERATE} once for each.")


_settings: Settings | None = None


def get_settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings


def set_settings(settings: Settings | None) -> None:
    """Replace the process-wide settings (tests, CLI options)."""
    global _settings
    _settings = settings
