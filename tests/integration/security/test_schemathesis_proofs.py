"""schemathesis on the proof routes only, harder than the whole-API run: 0 5xx.

`POST /api/v1/verify`, `POST /api/v1/verify/photo` and the key set take anyone's input, so
each gets `SCHEMATHESIS_PROOF_EXAMPLES` cases (default 300) per caller on the same real
server as `test_schemathesis.py`.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from tests.integration.security.test_schemathesis import ROLES, Live, live  # noqa: F401 - fixture

pytestmark = pytest.mark.schemathesis
EXAMPLES = int(os.environ.get("SCHEMATHESIS_PROOF_EXAMPLES", "300"))
PATHS = ("/api/v1/verify", "/api/v1/verify/photo", "/.well-known/venuecode-keys.json")


@pytest.mark.parametrize("role", ROLES[:2])
def test_no_input_to_the_proof_routes_gets_a_server_error(live: Live, role: str) -> None:  # noqa: F811
    api = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    found: list[str] = []
    seen: set[str] = set()
    requests = 0
    for result in api.get_all_operations():
        operation = result.ok()
        if operation.path not in PATHS:
            continue
        seen.add(operation.path)

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def one(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal requests
            response = case.call(base_url=live.url, headers=live.headers[role], timeout=30)
            requests += 1
            if response.status_code >= 500:
                found.append(f"{case.method} {case.path} -> {response.status_code} "
                             f"{response.text[:200]}")
            case.validate_response(response, checks=[not_a_server_error])

        try:
            one()
        except Exception:
            if not found:
                raise
    assert seen == set(PATHS)
    assert requests > 100
    assert not found, "\n".join(found[:20])
