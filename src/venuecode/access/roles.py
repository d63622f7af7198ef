"""Roles and permissions: least privilege, checked in one place (`web.deps.require`)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    VENUE_MANAGER = "venue_manager"
    DISTRICT_ADMIN = "district_admin"
    TRACER = "tracer"
    TRACING_SUPERVISOR = "tracing_supervisor"
    SYSTEM_ADMIN = "system_admin"
    # Other departments' systems authenticate with API keys, not user accounts.
    DATA_SOURCE = "data_source"


class Permission(enum.StrEnum):
    SCAN = "scan"                                  # scan a venue code, see own history
    VENUE_APPLY = "venue.apply"                    # apply for a code, manage own venues
    VENUE_VIEW_ENTRIES = "venue.view_entries"      # today's masked entries at own venue
    VENUE_APPROVE = "venue.approve"                # approve/reject/revoke in own district
    DISTRICT_VIEW = "district.view"                # district venues and scan volumes
    TRACE_RUN = "trace.run"                        # run traces, see contacts (audited)
    TRACE_APPROVE_ACTION = "trace.approve_action"  # approve or reject health-code pushes
    TRACE_LIFT_MARK = "trace.lift_mark"            # lift tracing marks (解除管控)
    INGEST_UPLOAD = "ingest.upload"                # upload data files, see batches
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    # Service desk (服务窗口): bind an identity after checking the ID card in person, and
    # revoke a paper code on someone's behalf (docs/permissions.md, "Identity binding").
    IDENTITY_VERIFY = "identity.verify"
    # Operator console (/admin/console; docs/permissions.md, "Operator console").
    # Accounts within the holder's reach (console/accounts.py `reach_of`): a system admin
    # every account, a district admin the venue managers of their district.
    ACCOUNTS_MANAGE = "accounts.manage"
    SOURCES_MANAGE = "sources.manage"              # data-source API keys: create, revoke
    SETTINGS_VIEW = "settings.view"                # the settings in force, secrets hidden


_CITIZEN = {Permission.SCAN}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CITIZEN: frozenset(_CITIZEN),
    Role.VENUE_MANAGER: frozenset(_CITIZEN | {Permission.VENUE_APPLY,
                                              Permission.VENUE_VIEW_ENTRIES}),
    Role.DISTRICT_ADMIN: frozenset(_CITIZEN | {Permission.VENUE_APPROVE,
                                               Permission.DISTRICT_VIEW,
                                               Permission.IDENTITY_VERIFY,
                                               Permission.ACCOUNTS_MANAGE}),
    Role.TRACER: frozenset(_CITIZEN | {Permission.TRACE_RUN}),
    Role.TRACING_SUPERVISOR: frozenset(_CITIZEN | {Permission.TRACE_RUN,
                                                   Permission.TRACE_APPROVE_ACTION,
                                                   Permission.TRACE_LIFT_MARK}),
    Role.SYSTEM_ADMIN: frozenset(_CITIZEN | {Permission.INGEST_UPLOAD, Permission.USERS_MANAGE,
                                             Permission.AUDIT_VIEW, Permission.VENUE_APPROVE,
                                             Permission.DISTRICT_VIEW,
                                             Permission.ACCOUNTS_MANAGE,
                                             Permission.SOURCES_MANAGE,
                                             Permission.SETTINGS_VIEW}),
    Role.DATA_SOURCE: frozenset(),
}

# Roles whose sign-in needs a password as a second factor after the SMS code.
SECOND_FACTOR_ROLES = frozenset(
    {Role.TRACER, Role.TRACING_SUPERVISOR, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN}
)


def permissions_of(role: str) -> frozenset[Permission]:
    try:
        return ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()


def has_permission(role: str, permission: Permission) -> bool:
    return permission in permissions_of(role)
