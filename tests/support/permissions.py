"""Who may call each route: the rule table the role × route test checks every route against.

A route without a rule here fails `tests/integration/foundation/test_permissions_matrix.py`,
and so does a rule whose route no longer exists: adding a route means deciding who may call it.
"""

from __future__ import annotations

from dataclasses import dataclass

from venuecode.access.roles import ROLE_PERMISSIONS, Permission, Role


@dataclass(frozen=True)
class Rule:
    """`public`: anyone. `signed_in`: any account. `permission`: roles holding it.
    `scope` narrows further to the path's object (the principals the test seeds say whose):
    `own_venue` = the venue's manager, an admin of its district, a system admin
    (venues/access.py); `venue_district` = an admin of its district or a system admin;
    `api_key` = another department's system (ingest), never a user account;
    `device_key` = a venue's registered gate device (X-Device-Key), never a user account;
    scope `venue_owner` = the venue's own manager only (issuing gate device keys);
    `loopback` = only from 127.0.0.1/::1 without a proxy header;
    `account_reach` = accounts the caller manages (console/accounts.py `reach_of`).
    `hides`: the code answers 404 instead of 403 so as not to confirm that the object exists."""

    kind: str  # public | signed_in | permission | api_key | device_key | loopback | second_factor
    permission: Permission | None = None
    any_of: frozenset[Permission] = frozenset()  # or: any one of these
    scope: str | None = None
    hides: bool = False


PUBLIC = Rule("public")
SIGNED_IN = Rule("signed_in")
API_KEY = Rule("api_key")
LOOPBACK = Rule("loopback")  # only from this machine, never through the proxy (web/ops.py)
# Staff who may look a paper code up (assist/status.py).
PAPER_STAFF = Rule("permission", any_of=frozenset(
    {Permission.VENUE_VIEW_ENTRIES, Permission.DISTRICT_VIEW, Permission.TRACE_RUN}))


DEVICE_KEY = Rule("device_key")  # the gate device's key (assist/gate_devices.py)
VENUE_OWNER = Rule("signed_in", scope="venue_owner")


def needs(permission: Permission, scope: str | None = None, hides: bool = False) -> Rule:
    return Rule("permission", permission, scope=scope, hides=hides)


def own_venue(hides: bool = False) -> Rule:
    return Rule("signed_in", scope="own_venue", hides=hides)


RULES: dict[tuple[str, str], Rule] = {
    # Operations and documentation.
    ("GET", "/openapi.json"): PUBLIC,
    ("HEAD", "/openapi.json"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): LOOPBACK,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/static/vendor/{name}"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/"): PUBLIC,
    # Signing in.
    ("POST", "/api/v1/auth/sms-code"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    # A staff account's first-factor token and its password: no seeded principal holds one
    # (the test sends a wrong password), so every call is refused.
    ("POST", "/api/v1/auth/password"): Rule("second_factor"),
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/login/code"): PUBLIC,
    ("POST", "/login/code"): PUBLIC,
    ("GET", "/login/password"): PUBLIC,
    ("POST", "/login/password"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    # Signing out: this token, or every token of the account (the test re-issues after).
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("POST", "/api/v1/auth/logout-all"): SIGNED_IN,
    ("POST", "/logout-all"): SIGNED_IN,  # the page's "sign out everywhere" (taps)
    # Other accounts (system admins): a throwaway citizen is the target.
    ("POST", "/api/v1/users/{user_id}/deactivate"): needs(Permission.USERS_MANAGE),
    ("POST", "/api/v1/users/{user_id}/activate"): needs(Permission.USERS_MANAGE),
    ("POST", "/api/v1/users/{user_id}/signout"): needs(Permission.USERS_MANAGE),
    # Citizens: their own data only (the account in the token).
    ("POST", "/api/v1/scans"): SIGNED_IN,
    ("POST", "/api/v1/scans/exit"): SIGNED_IN,
    ("GET", "/api/v1/me/scans"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("PUT", "/api/v1/me/identity"): SIGNED_IN,
    ("GET", "/api/v1/me/access-log"): SIGNED_IN,
    ("GET", "/me/identity"): SIGNED_IN,
    ("POST", "/me/identity"): SIGNED_IN,
    # Pages: anonymous visitors are sent to /login and come back.
    ("GET", "/me/scans"): SIGNED_IN,
    ("GET", "/me/access-log"): SIGNED_IN,  # the page of GET /api/v1/me/access-log
    ("GET", "/s/{token}"): SIGNED_IN,
    ("POST", "/s/{token}"): SIGNED_IN,
    ("POST", "/s/{token}/exit"): SIGNED_IN,
    # Service desk.
    ("POST", "/api/v1/identity/desk-bindings"): needs(Permission.IDENTITY_VERIFY),
    # Venues.
    ("POST", "/api/v1/venues"): needs(Permission.VENUE_APPLY),
    ("GET", "/api/v1/venues"): SIGNED_IN,  # lists only the venues the account may see
    ("GET", "/api/v1/venues/{venue_id}"): own_venue(),
    ("POST", "/api/v1/venues/{venue_id}/approve"): needs(Permission.VENUE_APPROVE, "venue_district"),
    ("POST", "/api/v1/venues/{venue_id}/reject"): needs(Permission.VENUE_APPROVE, "venue_district"),
    ("POST", "/api/v1/venues/{venue_id}/revoke"): needs(Permission.VENUE_APPROVE, "venue_district"),
    ("POST", "/api/v1/venues/{venue_id}/reissue"): own_venue(),
    ("GET", "/api/v1/venues/{venue_id}/poster.{fmt}"): own_venue(),
    ("GET", "/manage/venues"): needs(Permission.VENUE_APPLY),
    ("GET", "/manage/venues/new"): needs(Permission.VENUE_APPLY),
    ("POST", "/manage/venues/new"): needs(Permission.VENUE_APPLY),
    ("GET", "/manage/venues/{venue_id}"): needs(Permission.VENUE_APPLY, "own_venue"),
    ("POST", "/manage/venues/{venue_id}/reissue"): needs(Permission.VENUE_APPLY, "own_venue"),
    # Rotating display codes (issue 15): the venue's manager, its district admin, a system admin.
    ("GET", "/manage/venues/{venue_id}/display"): own_venue(),
    ("POST", "/manage/venues/{venue_id}/display/rotate"): own_venue(),
    ("POST", "/manage/venues/{venue_id}/display/required"): own_venue(),
    ("GET", "/admin/venues"): needs(Permission.VENUE_APPROVE),
    ("POST", "/admin/venues/{venue_id}/{action}"): needs(Permission.VENUE_APPROVE, "venue_district"),
    ("GET", "/api/v1/venues/{venue_id}/entries"): needs(Permission.VENUE_VIEW_ENTRIES, "own_venue"),
    ("GET", "/manage/venues/{venue_id}/entries"): needs(Permission.VENUE_VIEW_ENTRIES, "own_venue"),
    # ?district= names the seeded venue's district: its admins and system admins only.
    ("GET", "/api/v1/district/volumes"): needs(Permission.DISTRICT_VIEW, "venue_district"),
    ("GET", "/admin/district"): needs(Permission.DISTRICT_VIEW, "venue_district"),
    # Assisted scans, paper codes, gate scanners.
    ("POST", "/api/v1/scans/help"): needs(Permission.SCAN),
    ("POST", "/api/v1/assist/id-card"): needs(Permission.SCAN),
    ("POST", "/api/v1/assist/decode-qr"): needs(Permission.SCAN),
    ("POST", "/api/v1/assist/paper-codes"): needs(Permission.SCAN),
    ("POST", "/api/v1/assist/paper-codes/reissue"): needs(Permission.SCAN),
    ("POST", "/api/v1/assist/paper-codes/revoke"): needs(Permission.SCAN),
    ("GET", "/api/v1/assist/paper-codes/{token}"): PAPER_STAFF,
    ("GET", "/h/{token}"): PAPER_STAFF,
    ("POST", "/api/v1/sentinel/{venue_id}/scan"): DEVICE_KEY,
    ("POST", "/api/v1/sentinel/{venue_id}/checkins"): DEVICE_KEY,
    ("GET", "/sentinel/{venue_id}"): own_venue(),
    ("GET", "/api/v1/assist/help-alerts"): needs(Permission.DISTRICT_VIEW),
    ("GET", "/admin/help-alerts"): needs(Permission.DISTRICT_VIEW),
    ("GET", "/assist/paper-codes"): needs(Permission.SCAN),
    ("POST", "/assist/paper-codes"): needs(Permission.SCAN),
    ("GET", "/help/{token}"): needs(Permission.SCAN),
    ("POST", "/help/{token}"): needs(Permission.SCAN),
    # Gate devices: the venue's manager issues keys; manager, district, system admin revoke.
    ("GET", "/api/v1/venues/{venue_id}/gate-devices"): own_venue(),
    ("POST", "/api/v1/venues/{venue_id}/gate-devices"): VENUE_OWNER,
    ("POST", "/api/v1/venues/{venue_id}/gate-devices/{device_id}/revoke"): own_venue(),
    ("GET", "/manage/venues/{venue_id}/gate-devices"): own_venue(),
    ("POST", "/manage/venues/{venue_id}/gate-devices"): VENUE_OWNER,
    ("POST", "/manage/venues/{venue_id}/gate-devices/{device_id}/revoke"): own_venue(),
    ("POST", "/help/{token}/done"): needs(Permission.SCAN),  # 完成: closes the helper's visit
    # Data interfaces.
    ("POST", "/api/v1/ingest/{kind}"): API_KEY,
    ("GET", "/admin/ingest"): needs(Permission.INGEST_UPLOAD),
    ("POST", "/admin/ingest"): needs(Permission.INGEST_UPLOAD),
    ("GET", "/admin/ingest/batches"): needs(Permission.INGEST_UPLOAD),
    ("GET", "/admin/ingest/batches/{batch_id}/rejects.csv"): needs(Permission.INGEST_UPLOAD),
    # Tracing.
    ("POST", "/api/v1/traces"): needs(Permission.TRACE_RUN),
    ("GET", "/api/v1/traces"): needs(Permission.TRACE_RUN),
    ("GET", "/api/v1/traces/{trace_id}"): needs(Permission.TRACE_RUN),
    ("GET", "/api/v1/traces/{trace_id}/export.{fmt}"): needs(Permission.TRACE_RUN),
    ("GET", "/tracing"): needs(Permission.TRACE_RUN),
    ("GET", "/tracing/new"): needs(Permission.TRACE_RUN),
    ("POST", "/tracing/traces"): needs(Permission.TRACE_RUN),
    ("GET", "/tracing/traces/{trace_id}"): needs(Permission.TRACE_RUN),
    ("POST", "/tracing/traces/{trace_id}/persons/{id_number}/phone"): needs(Permission.TRACE_RUN),
    ("GET", "/tracing/traces/{trace_id}/graph"): needs(Permission.TRACE_RUN),
    ("GET", "/tracing/traces/{trace_id}/graph.json"): needs(Permission.TRACE_RUN),
    ("POST", "/tracing/traces/{trace_id}/actions"): needs(Permission.TRACE_RUN),
    ("POST", "/tracing/actions/{action_id}/approve"): needs(Permission.TRACE_APPROVE_ACTION),
    ("POST", "/tracing/actions/{action_id}/reject"): needs(Permission.TRACE_APPROVE_ACTION),
    ("POST", "/tracing/actions/{action_id}/withdraw"): needs(Permission.TRACE_RUN),
    ("POST", "/tracing/traces/{trace_id}/persons/{id_number}/lift"): needs(Permission.TRACE_LIFT_MARK),
    ("POST", "/tracing/traces/{trace_id}/lift"): needs(Permission.TRACE_LIFT_MARK),
    # Operator console. Accounts: within the caller's reach (console/accounts.py); the
    # seeded target is a citizen, whom only a system admin reaches (others get 404).
    ("GET", "/admin/console"): needs(Permission.ACCOUNTS_MANAGE),
    ("GET", "/admin/console/accounts"): needs(Permission.ACCOUNTS_MANAGE),
    ("GET", "/admin/console/accounts/new"): needs(Permission.ACCOUNTS_MANAGE),
    ("POST", "/admin/console/accounts"): needs(Permission.ACCOUNTS_MANAGE),
    ("POST", "/admin/console/accounts/{user_id}/deactivate"):
        needs(Permission.ACCOUNTS_MANAGE, "account_reach", hides=True),
    ("POST", "/admin/console/accounts/{user_id}/activate"):
        needs(Permission.ACCOUNTS_MANAGE, "account_reach", hides=True),
    ("POST", "/admin/console/accounts/{user_id}/signout"):
        needs(Permission.ACCOUNTS_MANAGE, "account_reach", hides=True),
    ("GET", "/admin/console/accounts/{user_id}/password"):
        needs(Permission.ACCOUNTS_MANAGE, "account_reach", hides=True),
    ("POST", "/admin/console/accounts/{user_id}/password"):
        needs(Permission.ACCOUNTS_MANAGE, "account_reach", hides=True),
    ("GET", "/admin/console/keys"): needs(Permission.SOURCES_MANAGE),
    ("POST", "/admin/console/keys"): needs(Permission.SOURCES_MANAGE),
    ("POST", "/admin/console/keys/{key_id}/revoke"): needs(Permission.SOURCES_MANAGE),
    ("GET", "/admin/console/audit"): needs(Permission.AUDIT_VIEW),
    ("GET", "/admin/console/audit.csv"): needs(Permission.AUDIT_VIEW),
    ("GET", "/admin/console/settings"): needs(Permission.SETTINGS_VIEW),
    # Venue applications corrected and resubmitted, their history, entries exported.
    ("GET", "/manage/venues/{venue_id}/edit"): needs(Permission.VENUE_APPLY, "own_venue"),
    ("POST", "/manage/venues/{venue_id}/edit"): needs(Permission.VENUE_APPLY, "own_venue"),
    ("PUT", "/api/v1/venues/{venue_id}/application"): needs(Permission.VENUE_APPLY, "own_venue"),
    ("GET", "/api/v1/venues/{venue_id}/reviews"): own_venue(),
    ("GET", "/api/v1/venues/{venue_id}/entries/export.{fmt}"):
        needs(Permission.VENUE_VIEW_ENTRIES, "own_venue"),
    # 防伪核验: anyone may verify a proof (it says no more than the screen it is on, and the
    # key set is public for offline devices anyway); docs/proofs.md#who-may-verify.
    ("POST", "/api/v1/verify"): PUBLIC,
    ("POST", "/api/v1/verify/photo"): PUBLIC,
    ("GET", "/.well-known/venuecode-keys.json"): PUBLIC,
    ("GET", "/verify"): PUBLIC,
}


@dataclass(frozen=True)
class Principal:
    """Who calls: a role (None = anonymous) and, for object scopes, whose objects are theirs."""

    name: str
    role: Role | None
    district: str | None = None
    owns_venue: bool = False
    bound: bool = False


def allowed(rule: Rule, who: Principal, venue_district: str) -> bool:
    """Whether `who` may call a route under `rule` on the seeded objects (the venue of
    another manager in `venue_district`; paper codes and traces of nobody in particular)."""
    if rule.kind == "public":
        return True
    if rule.kind in ("api_key", "device_key", "loopback", "second_factor") or who.role is None:
        return False  # the test calls as a user account, from a non-loopback address
    held = ROLE_PERMISSIONS[who.role]
    if rule.permission is not None and rule.permission not in held:
        return False
    if rule.any_of and not rule.any_of & held:
        return False
    if rule.scope == "own_venue":
        return (who.role == Role.SYSTEM_ADMIN or who.owns_venue
                or (who.role == Role.DISTRICT_ADMIN and who.district == venue_district))
    if rule.scope == "venue_owner":
        return who.owns_venue
    if rule.scope == "venue_district":
        return who.role == Role.SYSTEM_ADMIN or who.district == venue_district
    if rule.scope == "account_reach":  # the seeded target account is a citizen
        return who.role == Role.SYSTEM_ADMIN
    return True
