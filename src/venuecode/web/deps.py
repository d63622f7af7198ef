"""Request dependencies: short route signatures via `Annotated` aliases.

`SessionDep` yields a session that is rolled back unless the route commits: routes that
change data call `session.commit()` themselves, so a response is never sent for work that
was not stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from venuecode.access.roles import Permission, has_permission
from venuecode.audit.service import Actor
from venuecode.errors import NotAuthenticated, PermissionDenied
from venuecode.people.auth import ScanUser, TokenClaims, check_account, peek_claims
from venuecode.people.models import User
from venuecode.web.i18n import request_locale
from venuecode.web.state import AppState

SESSION_COOKIE = "vc_session"


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.venuecode
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    session = state.sessionmaker()
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
    return check_account(state.secret, token, claims, session.get(User, claims.user_id),
                         allow_pending_factor)


def scan_claims(secret: str, token: str | None) -> TokenClaims:
    """The token's claims before the account is read (see `check_scan_user`)."""
    if not token:
        raise NotAuthenticated()
    return peek_claims(secret, token)


def check_scan_user(secret: str, token: str, claims: TokenClaims,
                    user: ScanUser | None) -> ScanUser:
    """`load_user`'s checks for the scan hot path, on the account row it read itself."""
    return check_account(secret, token, claims, user)


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
