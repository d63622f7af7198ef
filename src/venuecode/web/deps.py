"""Request dependencies: short route signatures via `Annotated` aliases.

`SessionDep` yields a session that is rolled back unless the route commits: routes that
change data call `session.commit()` themselves, so a response is never sent for work that
was not stored. For GET, HEAD and OPTIONS it is a read-only session (`db.read_session`:
on SQLite it never takes the write lock, so an import or a burst of scans never stalls a
read); a GET handler that writes (an audit row of a staff read) is marked `@writes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.access.roles import Permission, has_permission
from venuecode.audit.service import Actor
from venuecode.db import read_session
from venuecode.errors import NotAuthenticated, PermissionDenied
from venuecode.people.auth import (
    ScanUser,
    TokenClaims,
    check_account,
    peek_claims,
    revoked_clause,
)
from venuecode.people.models import User
from venuecode.web.i18n import request_locale
from venuecode.web.state import AppState

SESSION_COOKIE = "vc_session"


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.venuecode
    return state


StateDep = Annotated[AppState, Depends(get_state)]


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES = "__venuecode_writes__"
F = TypeVar("F", bound=Callable[..., object])


def writes(endpoint: F) -> F:
    """Mark a GET handler that writes: its request gets a write session (BEGIN IMMEDIATE)."""
    setattr(endpoint, _WRITES, True)
    return endpoint


def wants_write_session(request: Request) -> bool:
    if request.method not in SAFE_METHODS:
        return True
    return bool(getattr(request.scope.get("endpoint"), _WRITES, False))


def get_session(request: Request, state: StateDep) -> Iterator[Session]:
    # One session per request, shared by every dependency (the signed-in user included),
    # so its mode is the request's: decided here, once, before anything is read.
    session = (state.sessionmaker() if wants_write_session(request)
               else read_session(state.sessionmaker))
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def get_locale(request: Request) -> str:
    return request_locale(request)


LocaleDep = Annotated[str, Depends(get_locale)]


def presented_token(request: Request, otherwise: str | None) -> str | None:
    """`Authorization: Bearer …` when sent, else `otherwise` (a cookie, another header)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return (otherwise or "").strip() or None


def bearer_token(request: Request) -> str | None:
    """A sign-in token: the Authorization header (apps) or the session cookie (pages)."""
    return presented_token(request, request.cookies.get(SESSION_COOKIE))


def load_user(request: Request, state: AppState, session: Session,
              allow_pending_factor: bool = False) -> User | None:
    token = bearer_token(request)
    if not token:
        return None
    claims = peek_claims(state.secret, token)
    # The account and whether this token was signed out, in one select.
    row = session.execute(select(User, revoked_clause(claims))
                          .where(User.id == claims.user_id)).first()
    user, revoked = (row[0], bool(row[1])) if row is not None else (None, False)
    return check_account(state.secret, token, claims, user, revoked, allow_pending_factor)


def token_claims(request: Request, state: AppState) -> TokenClaims | None:
    """The presented token's claims, unchecked: for signing that token out."""
    token = bearer_token(request)
    return peek_claims(state.secret, token) if token else None


def scan_claims(secret: str, token: str | None) -> TokenClaims:
    """The token's claims before the account is read (see `check_scan_user`)."""
    if not token:
        raise NotAuthenticated()
    return peek_claims(secret, token)


def check_scan_user(secret: str, token: str, claims: TokenClaims,
                    user: ScanUser | None) -> ScanUser:
    """`load_user`'s checks for the scan hot path, on the account row it read itself."""
    return check_account(secret, token, claims, user, user.token_revoked if user else False)


def get_optional_user(request: Request, state: StateDep, session: SessionDep) -> User | None:
    try:
        return load_user(request, state, session)
    except NotAuthenticated:
        return None


def get_current_user(request: Request, state: StateDep, session: SessionDep) -> User:
    user = load_user(request, state, session)
    if user is None:
        raise NotAuthenticated()
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]


def actor_of(user: User, request: Request) -> Actor:
    return Actor(f"user:{user.id}", user.role, request.client.host if request.client else None)


def require(permission: Permission) -> Callable[..., User]:
    """Dependency factory: the signed-in user, if their role has `permission`."""

    def dependency(user: CurrentUser) -> User:
        if not has_permission(user.role, permission):
            raise PermissionDenied(details={"needs": permission.value})
        return user

    return dependency
