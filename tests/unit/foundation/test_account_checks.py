"""One set of sign-in checks for every request: pages and API (`User`) and the scan (`ScanUser`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from venuecode.errors import NotAuthenticated
from venuecode.people.auth import ScanUser, TokenClaims, check_account, issue_token, peek_claims
from venuecode.people.models import User

SECRET = "unit-secret-0123456789abcdefghijklmnopqrstuvwxyz"
CITIZEN = ScanUser(7, "citizen", True, 2, "11010519491231002X", "张三")
TRACER = ScanUser(8, "tracer", True, 1, None, None)


def _token(account: ScanUser, second_factor: bool = False) -> tuple[str, TokenClaims]:
    user = User(id=account.id, token_version=account.token_version)
    token = issue_token(SECRET, user, second_factor=second_factor)
    return token, peek_claims(SECRET, token)


def _refusal(account: ScanUser | None, token: str, claims: TokenClaims,
             allow_pending_factor: bool = False) -> str:
    with pytest.raises(NotAuthenticated) as info:
        check_account(SECRET, token, claims, account, account is not None and account.token_revoked,
                      allow_pending_factor)
    return info.value.code


def test_an_active_citizen_with_a_current_token_passes() -> None:
    token, claims = _token(CITIZEN)
    assert check_account(SECRET, token, claims, CITIZEN, False) is CITIZEN


def test_missing_disabled_and_signed_out_accounts_are_refused() -> None:
    token, claims = _token(CITIZEN)
    assert _refusal(None, token, claims) == "not_authenticated"
    assert _refusal(replace(CITIZEN, active=False), token, claims) == "not_authenticated"
    # "Sign out everywhere" bumps the version: older tokens stop working.
    assert _refusal(replace(CITIZEN, token_version=3), token, claims) == "not_authenticated"
    # Signing out one token (its id in `revoked_tokens`) refuses that token alone.
    assert _refusal(replace(CITIZEN, token_revoked=True), token, claims) == "not_authenticated"


def test_every_token_has_its_own_id_for_signing_it_out_alone() -> None:
    first, second = _token(CITIZEN)[1], _token(CITIZEN)[1]
    assert first.jti and second.jti and first.jti != second.jti
    assert first.issued_at is not None


def test_staff_need_the_password_factor_except_on_the_page_that_asks_for_it() -> None:
    token, claims = _token(TRACER)
    assert _refusal(TRACER, token, claims) == "second_factor_required"
    assert check_account(SECRET, token, claims, TRACER, False, allow_pending_factor=True) is TRACER
    token, claims = _token(TRACER, second_factor=True)
    assert check_account(SECRET, token, claims, TRACER, False) is TRACER


def test_an_orm_user_passes_the_same_checks() -> None:
    user = User(id=9, role="citizen", active=True, token_version=1)
    token = issue_token(SECRET, user)
    assert check_account(SECRET, token, peek_claims(SECRET, token), user, False) is user
    user.active = False
    with pytest.raises(NotAuthenticated):
        check_account(SECRET, token, peek_claims(SECRET, token), user, False)
