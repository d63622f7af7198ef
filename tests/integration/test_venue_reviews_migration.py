"""Upgrading with venues already decided: their history and revoke reasons are filled
from the audit events (migration 509a70518136), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.integration.test_partition_migration import old_engine  # noqa: F401 - the fixture
from venuecode.migrate import upgrade_engine

BEFORE = "3f6a1c9d2e47"


def test_existing_decisions_become_the_venues_history(old_engine: Engine) -> None:  # noqa: F811
    upgrade_engine(old_engine, BEFORE)
    with old_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (id, phone, role, display_name, token_version, active, created_at)"
            " VALUES (7, '13900000007', 'district_admin', 'a', 0, true, 0)"))
        conn.execute(text(
            "INSERT INTO venues (id, venue_id, name, category, district, address, manager_name,"
            " manager_phone, status, rejection_reason, code_issue, created_at) VALUES"
            " (1, 'A', 'a', 'market', '西湖区', '', '', '', 'revoked', NULL, 1, 0),"
            " (2, 'B', 'b', 'market', '西湖区', '', '', '', 'rejected', '地址不全', 0, 0)"))
        conn.execute(text(
            "INSERT INTO audit_events (at, actor, actor_role, action, subject_type, subject_id,"
            " reason, details) VALUES"
            " (1, 'cli', 'operator', 'venue.applied', 'venue', 'A', '', '{}'),"
            " (2, 'user:7', 'district_admin', 'venue.approved', 'venue', 'A', '', '{}'),"
            " (3, 'user:7', 'district_admin', 'venue.revoked', 'venue', 'A', '已停业', '{}'),"
            " (4, 'cli', 'operator', 'venue.applied', 'venue', 'B', '', '{}'),"
            " (5, 'user:99', 'district_admin', 'venue.rejected', 'venue', 'B', '地址不全', '{}'),"
            " (6, 'user:7', 'tracer', 'trace.run', 'trace', '1', '', '{}')"))
    upgrade_engine(old_engine)
    with old_engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT venue_pk, at, kind, actor_user_id, actor_role, reason FROM venue_reviews"
            " ORDER BY id")).all()
        reasons = conn.execute(text(
            "SELECT venue_id, revocation_reason FROM venues ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        (1, 1, "applied", None, "operator", ""),
        (1, 2, "approved", 7, "district_admin", ""),
        (1, 3, "revoked", 7, "district_admin", "已停业"),
        (2, 4, "applied", None, "operator", ""),
        (2, 5, "rejected", None, "district_admin", "地址不全"),  # user 99 does not exist
    ]
    assert [tuple(r) for r in reasons] == [("A", "已停业"), ("B", None)]
