"""Production refuses unsafe secrets and a plain-http public URL (issue 11, finding 11).

Each refusal names the variable to set and how to generate a value.
"""

from __future__ import annotations

import base64
import random
import re
import secrets
import string
from pathlib import Path

import pytest

from venuecode.config import DOCUMENTED_EXAMPLES, Settings, SettingsError, secret_problem

ROOT = Path(__file__).resolve().parents[3]
GENERATE = "secrets.token_urlsafe(48)"


def production(tmp_path: Path, **kw: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production", "public_url": "https://csm.example.gov.cn",
        "secret_key": secrets.token_urlsafe(48), "code_signing_key": secrets.token_urlsafe(48),
        "proof_signing_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "sms_backend": "http", "sms_http_url": "https://sms.internal/send",
        "redis_url": "redis://127.0.0.1:6379/15", **kw}
    return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg]


def refusal(settings: Settings) -> str:
    with pytest.raises(SettingsError) as info:
        settings.check_for_start()
    return str(info.value)


def test_strong_distinct_secrets_and_https_start(tmp_path: Path) -> None:
    production(tmp_path).check_for_start()
    production(tmp_path, metrics_token=secrets.token_urlsafe(32)).check_for_start()


@pytest.mark.parametrize(("value", "why"), [
    ("a" * 32, "repeats"),
    ("a" * 64, "repeats"),
    ("abcd" * 12, "repeats"),
    ("Kx9!" * 10 + "Kx", "repeats"),
    ("abcdefghijklmnopqrstuvwxyz0123456789", "consecutive"),
    ("9876543210zyxwvutsrqponmlkjihgfedcba", "consecutive"),
    ("q7W_" + "000000" + "pL3xR9tY2bN8mK4vC1zD6fG5hJ0sA", "consecutive"),
    ("aaaabbbbccccddddaaaabbbbccccdddd1", "predictable"),
    ("c954d59024aaa52b1dc2ea1d47a120aa", "predictable"),  # 128 bits, but under the estimate
    ("python -c 'import secrets; print(secrets.token_urlsafe(48))'", "documentation"),
    ("...", "documentation"),
    ("changeme", "documentation"),
    ("short-but-random-Zq8", "fewer than 32"),
    ("kR8vQ2nX w4LzT7pYb1mC9dF3hJ6sA0eG5uV oIqWZt", "spaces"),
])
def test_a_weak_secret_is_refused_saying_what_to_set(tmp_path: Path, value: str,
                                                     why: str) -> None:
    message = refusal(production(tmp_path, secret_key=value))
    assert "VENUECODE_SECRET_KEY" in message and why in message
    assert GENERATE in message
    message = refusal(production(tmp_path, code_signing_key=value))
    assert "VENUECODE_CODE_SIGNING_KEY" in message and GENERATE in message


def test_random_keys_pass_the_estimate() -> None:
    # The checks must not refuse what the docs tell people to run (nor shorter urlsafe keys).
    # Seeded, so the suite is repeatable: a rare chance refusal (a run of six, about once
    # in ten million keys) must not make CI fail at random.
    rng = random.Random(20261201)
    urlsafe = string.ascii_letters + string.digits + "-_"
    for length, alphabet in ((64, urlsafe), (43, urlsafe), (64, "0123456789abcdef")):
        keys = ["".join(rng.choices(alphabet, k=length)) for _ in range(2000)]
        assert [k for k in keys if secret_problem(k) is not None] == []


def test_the_same_value_for_two_keys_is_refused(tmp_path: Path) -> None:
    shared = secrets.token_urlsafe(48)
    message = refusal(production(tmp_path, secret_key=shared, code_signing_key=shared))
    assert "VENUECODE_SECRET_KEY and VENUECODE_CODE_SIGNING_KEY have the same value" in message
    assert GENERATE in message
    message = refusal(production(tmp_path, secret_key=shared, metrics_token=shared))
    assert "VENUECODE_SECRET_KEY and VENUECODE_METRICS_TOKEN" in message


def test_a_weak_metrics_token_is_refused(tmp_path: Path) -> None:
    message = refusal(production(tmp_path, metrics_token="m" * 40))
    assert "VENUECODE_METRICS_TOKEN" in message and GENERATE in message


def test_production_needs_an_https_public_url(tmp_path: Path) -> None:
    message = refusal(production(tmp_path, public_url="http://csm.example.gov.cn"))
    assert "VENUECODE_PUBLIC_URL" in message and "https://" in message and "Secure" in message


def test_development_keeps_its_lenient_checks(tmp_path: Path) -> None:
    # Demos and tests run on http with fixed test keys; only production refuses them.
    dev = Settings(_env_file=None, data_dir=tmp_path, redis_url=None,  # type: ignore[call-arg]
                   secret_key="test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
                   code_signing_key="test-code-key-0123456789abcdefghijklmnopqrstuvwxyz")
    dev.check_for_start()
    assert dev.secret("secret_key").startswith("test-secret-key")


_SECRET_VARIABLE = re.compile(
    r"(?:VENUECODE_(?:SECRET_KEY|CODE_SIGNING_KEY|METRICS_TOKEN)\"?\s*[:=]\s*"
    r"|\b(?:secret_key|code_signing_key|metrics_token)\s*=\s*)[\"']?([^\"'\s`]+)")
_COMMENT_COMMAND = re.compile(r"#\s*(python -c '[^']*'[^\n`]*?)\s*$", re.M)


def published_examples() -> set[str]:
    """Every value this repository shows for a secret: docs, README, tests, bench, scripts."""
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    for folder in ("tests", "bench", "scripts"):
        files += [p for p in (ROOT / folder).rglob("*.py") if p.name != Path(__file__).name]
    found: set[str] = set()
    for path in files:
        text = path.read_text("utf-8")
        found.update(m.group(1) for m in _SECRET_VARIABLE.finditer(text))
        found.update(m.group(1).strip() for m in _COMMENT_COMMAND.finditer(text))
    return {v for v in found if not v.startswith(("{", "$", "<", "None", "secrets.", "s.", "f\""))}


def test_every_published_example_secret_is_refused_in_production() -> None:
    examples = published_examples()
    assert "..." in examples and any(v.startswith("test-secret-key") for v in examples)
    accepted = sorted(v for v in examples if secret_problem(v) is None)
    assert accepted == [], (
        "secrets printed in the repository that production would accept; add them to "
        f"config.DOCUMENTED_EXAMPLES: {accepted}")
    assert {"...", "python -c 'import secrets; print(secrets.token_urlsafe(48))'"} \
        <= DOCUMENTED_EXAMPLES


def test_production_refuses_a_missing_or_weak_proof_signing_key(tmp_path: Path) -> None:
    missing = production(tmp_path, proof_signing_key=None)
    assert "VENUECODE_PROOF_SIGNING_KEY is missing" in refusal(missing)
    weak = base64.b64encode(bytes(range(8)) * 4).decode()  # 32 bytes, but 8 distinct
    assert "VENUECODE_PROOF_SIGNING_KEY" in refusal(production(tmp_path, proof_signing_key=weak))
    # Derived from the secret key as development derives it: no independent key.
    import hashlib
    import hmac
    secret = secrets.token_urlsafe(48)
    derived = base64.b64encode(hmac.new(secret.encode(), b"venuecode/proof-key/v1",
                                        hashlib.sha256).digest()).decode()
    message = refusal(production(tmp_path, secret_key=secret, proof_signing_key=derived))
    assert "derived from another secret" in message


def test_a_proof_key_that_is_not_32_bytes_of_base64_is_refused_by_name(tmp_path: Path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="VENUECODE_PROOF_SIGNING_KEY"):
        production(tmp_path, proof_signing_key="not-a-key")
    with pytest.raises(ValidationError, match="VENUECODE_PROOF_PREVIOUS_KEYS"):
        production(tmp_path, proof_previous_keys="public:abc")
