"""The API scan's read: the venue, the person's facts and the repeat check in ONE statement.

The ORM version took ~11 round trips per scan (user, venue, health code, tests, doses,
itinerary, case, marks, risk areas, repeat check, insert, commit). Here a scan is:
one UNION ALL select (venue + every fact kind + the latest entry at this venue within
`scan_repeat_minutes`, and for the API the account row), the policy in Python, and the
check-in pipeline (`scans.pipeline`) stores the outcome in one more round trip. Risk
areas (a small table, published in batches) come from a per-process cache refreshed
every `RISK_CACHE_SECONDS`. Account and venue are read fresh
on every scan: a sign-out, deactivation, revoke or re-issue applies to the very next scan.

Rows share one shape (k, s1..s5, n1..n4): `k` names the kind (`D`: the venue's display-code
columns, which did not fit the `V` row), the rest are the kind's text
and integer columns (times are Instant = BIGINT microseconds, see `venuecode.db`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from venuecode.config import Settings
from venuecode.facts.repository import ITINERARY_HISTORY, TEST_HISTORY
from venuecode.people.auth import ScanUser
from venuecode.policy.engine import Decision, evaluate
from venuecode.policy.facts import (
    CodeColor,
    HealthCode,
    ItineraryStop,
    MarkKind,
    NucleicAcidTest,
    PersonFacts,
    RiskArea,
    RiskLevel,
    TestResult,
    TracingMark,
    Vaccination,
)
from venuecode.policy.requirements import VenueRequirements, requirements_for
from venuecode.scans.driver import run
from venuecode.scans.store import Entry
from venuecode.timeutil import from_micros, to_micros
from venuecode.venues.models import SubArea, Venue
from venuecode.venues.service import CodeSigner, ResolvedCode, check_code
from venuecode.venues.tokens import CodeClaims, CodeKind

# A newly published or lifted risk area reaches scans within this bound.
RISK_CACHE_SECONDS = 5.0


def _scan_sql(venue_pk: str, sub_area: bool, person: str, account: bool) -> str:
    area = (
        "UNION ALL SELECT 'A', a.name, NULL, NULL, NULL, NULL, a.id, a.code_issue, a.venue_pk,"
        " CASE WHEN a.active THEN 1 ELSE 0 END FROM venue_sub_areas a WHERE a.id = :object_id\n"
        if sub_area else ""
    )
    user = (
        "UNION ALL SELECT 'U', u.role, u.id_number, u.real_name, NULL, NULL, u.id,"
        " u.token_version, CASE WHEN u.active THEN 1 ELSE 0 END,"
        " (SELECT 1 FROM revoked_tokens r WHERE r.jti = :jti)"  # signed out (people.auth)
        " FROM users u WHERE u.id = :uid\n"
        if account else ""
    )
    # Only the fixed fragments above are interpolated; every value is a bound parameter.
    # `p` once (MATERIALIZED), not a users lookup per branch. `r.venue_pk + 0` keeps the
    # repeat check on the person's index (a handful of rows), never on a busy venue's.
    return f"""
WITH p AS MATERIALIZED (SELECT {person} AS id_number)
SELECT 'V' AS k, v.venue_id AS s1, v.name AS s2, v.category AS s3, v.district AS s4,
       v.status AS s5, v.id AS n1, v.code_issue AS n2, v.test_window_hours AS n3,
       CASE WHEN v.require_full_vaccination IS NULL THEN NULL
            WHEN v.require_full_vaccination THEN 1 ELSE 0 END AS n4
  FROM venues v WHERE v.id = {venue_pk}
UNION ALL SELECT 'D', NULL, NULL, NULL, NULL, NULL, v.display_issue,
       CASE WHEN v.display_required THEN 1 ELSE 0 END, NULL, NULL
  FROM venues v WHERE v.id = {venue_pk}
{area}{user}UNION ALL SELECT 'H', h.color, h.reason, NULL, NULL, NULL, h.since, NULL, NULL, NULL
  FROM health_codes h WHERE h.id_number = (SELECT p.id_number FROM p)
UNION ALL SELECT 'T', t.result, t.institution, NULL, NULL, NULL, t.sampled_at, t.reported_at,
       NULL, NULL
  FROM nucleic_acid_tests t WHERE t.id_number = (SELECT p.id_number FROM p) AND t.sampled_at >= :test_since
UNION ALL SELECT 'X', x.product, NULL, NULL, NULL, NULL, x.dose, x.vaccinated_at, NULL, NULL
  FROM vaccinations x WHERE x.id_number = (SELECT p.id_number FROM p)
UNION ALL SELECT 'I', i.city, NULL, NULL, NULL, NULL, i.arrived_at, i.left_at, NULL, NULL
  FROM itineraries i
 WHERE i.id_number = (SELECT p.id_number FROM p) AND (i.left_at IS NULL OR i.left_at >= :itinerary_since)
UNION ALL SELECT 'C', NULL, NULL, NULL, NULL, NULL, c.reference_time, NULL, NULL, NULL
  FROM cases c WHERE c.id_number = (SELECT p.id_number FROM p)
UNION ALL SELECT 'M', m.kind, m.instruction, NULL, NULL, NULL, m.since, NULL, NULL, NULL
  FROM contact_marks m WHERE m.id_number = (SELECT p.id_number FROM p) AND m.cleared_at IS NULL
UNION ALL SELECT 'E', NULL, NULL, NULL, NULL, NULL, e.id, e.scanned_at, NULL, NULL
  FROM (SELECT r.id, r.scanned_at FROM checkins r
         WHERE r.id_number = (SELECT p.id_number FROM p) AND r.venue_pk + 0 = {venue_pk}
           AND r.scanned_at >= :repeat_since AND r.scanned_at <= :now
         ORDER BY r.scanned_at DESC LIMIT 1) e
"""  # noqa: S608


# By account (the API: the account row comes in the same select) or by id number (pages).
_VENUE = ":object_id"
_AREA_VENUE = "(SELECT sa.venue_pk FROM venue_sub_areas sa WHERE sa.id = :object_id)"
_ACCOUNT = "(SELECT ua.id_number FROM users ua WHERE ua.id = :uid)"
SCAN_SQL = {
    (sub_area, account): _scan_sql(_AREA_VENUE if sub_area else _VENUE, sub_area,
                                   _ACCOUNT if account else "CAST(:idn AS VARCHAR(18))",
                                   account)
    for sub_area in (False, True) for account in (False, True)
}
RISK_AREAS = ("SELECT area, level, since, until FROM risk_areas"
              " WHERE until IS NULL OR until >= :cutoff")


def requirements_of(settings: Settings, venue: Venue) -> VenueRequirements:
    return requirements_for(
        venue.category,
        **({"test_window_hours": venue.test_window_hours or None}
           if venue.test_window_hours is not None else {}),
        require_full_vaccination=venue.require_full_vaccination,
        default_test_window_hours=settings.default_test_window_hours,
    )


class RiskAreaCache:
    """Risk areas per look-back, re-read at most every `seconds` (per process).

    Not shared through Redis on purpose: the rows live in the shared database, so the TTL
    bounds how far servers disagree (a change reaches every server's scans within
    `RISK_CACHE_SECONDS`, docs/operations.md#shared-state) at one read per TTL per process.
    """

    def __init__(self, seconds: float = RISK_CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._by_lookback: dict[timedelta, tuple[float, list[RiskArea]]] = {}

    def get(self, connection: Connection, now: datetime, lookback: timedelta) -> list[RiskArea]:
        hit = self._by_lookback.get(lookback)
        if hit is None or hit[0] < time.monotonic():
            # A day of slack so the rows stay right while `now` moves on during the TTL;
            # the exact cut is applied below on every scan.
            areas = read_risk_areas(connection, now - lookback - timedelta(days=1))
            hit = (time.monotonic() + self.seconds, areas)
            self._by_lookback[lookback] = hit
        cutoff = now - lookback
        return [a for a in hit[1] if a.until is None or a.until >= cutoff]


def read_risk_areas(connection: Connection, cutoff: datetime) -> list[RiskArea]:
    return [RiskArea(area, cast(RiskLevel, level), from_micros(since),
                     None if until is None else from_micros(until))
            for area, level, since, until in
            run(connection, RISK_AREAS, {"cutoff": to_micros(cutoff)})]


def _at(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)


class ScanRead:
    """What the one select returned: account, venue, facts and the repeat candidate."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self.user: ScanUser | None = None
        self.venue: Venue | None = None
        self.area: SubArea | None = None
        code: HealthCode | None = None
        tests: list[NucleicAcidTest] = []
        doses: list[Vaccination] = []
        stops: list[ItineraryStop] = []
        marks: list[TracingMark] = []
        self.earlier: Entry | None = None
        display: tuple[int, bool] | None = None
        for k, s1, s2, s3, s4, s5, n1, n2, n3, n4 in rows:
            if k == "H":
                code = HealthCode(cast(CodeColor, s1), from_micros(n1), s2)
            elif k == "T":
                tests.append(NucleicAcidTest(from_micros(n1), cast(TestResult, s1), _at(n2), s2))
            elif k == "X":
                doses.append(Vaccination(n1, from_micros(n2), s1))
            elif k == "I":
                stops.append(ItineraryStop(s1, from_micros(n1), _at(n2)))
            elif k == "C":
                # The case registry's mark first, as `person_facts` orders them.
                marks.insert(0, TracingMark(kind="case", since=from_micros(n1)))
            elif k == "M":
                marks.append(TracingMark(kind=cast(MarkKind, s1), since=from_micros(n1),
                                         instruction=s2))
            elif k == "E":
                self.earlier = Entry(n1, from_micros(n2))
            elif k == "U":
                self.user = ScanUser(n1, s1, bool(n3), n2, s2, s3, n4 is not None)
            elif k == "V":
                # Transient (never added to a session): the outcome and pages read it as usual.
                self.venue = Venue(id=n1, venue_id=s1, name=s2, category=s3, district=s4,
                                   status=s5, code_issue=n2, test_window_hours=n3,
                                   require_full_vaccination=None if n4 is None else bool(n4))
            elif k == "D":  # the venue's rotating display code (venues/display.py)
                display = (n1, bool(n2))
            elif k == "A":
                self.area = SubArea(id=n1, name=s1, code_issue=n2, venue_pk=n3,
                                    active=bool(n4))
        if self.venue is not None and display is not None:
            self.venue.display_issue, self.venue.display_required = display
        self.facts = PersonFacts(health_code=code, tests=tuple(tests),
                                 vaccinations=tuple(doses), itinerary=tuple(stops),
                                 marks=tuple(marks))

    def resolve(self, claims: CodeClaims, signer: CodeSigner, now: datetime) -> ResolvedCode:
        """`resolve_code`'s refusals on the venue read here (a display code's too)."""
        if claims.kind == CodeKind.SUB_AREA and self.area is None:
            # An unknown sub-area is an unknown code.
            return check_code(claims, None, None, signer, now)
        return check_code(claims, self.venue, self.area, signer, now)


def read_scan(connection: Connection, claims: CodeClaims | None, now: datetime,
              repeat_minutes: int, *, user_id: int | None = None, jti: str | None = None,
              id_number: str | None = None) -> ScanRead:
    """One select: the person by account (`user_id`, with the account row) or `id_number`.

    `claims` None (a code that failed verification) reads no venue, only the account, so
    the caller can report account problems first, as the ORM path did.
    """
    sub_area = claims is not None and claims.kind == CodeKind.SUB_AREA
    params: dict[str, Any] = {
        "object_id": claims.object_id if claims is not None else -1, "now": to_micros(now),
        "test_since": to_micros(now - TEST_HISTORY),
        "itinerary_since": to_micros(now - ITINERARY_HISTORY),
        "repeat_since": to_micros(now - timedelta(minutes=repeat_minutes)),
    }
    if user_id is not None:
        params["uid"] = user_id
        params["jti"] = jti
    else:
        params["idn"] = id_number
    return ScanRead(run(connection, SCAN_SQL[(sub_area, user_id is not None)], params))


def decide_read(connection: Connection, settings: Settings, facts: PersonFacts, venue: Venue,
                now: datetime, risks: RiskAreaCache | None) -> Decision:
    """The policy on the facts `read_scan` found (risk areas from the cache when given)."""
    requirements = requirements_of(settings, venue)
    lookback = timedelta(days=requirements.risk_lookback_days)
    risk_areas = (risks.get(connection, now, lookback) if risks is not None
                  else read_risk_areas(connection, now - lookback))
    return evaluate(facts, requirements, risk_areas, now)


# Per worker process: the scans in flight against the database, and the connections they
# hold. On 2 cores more threads only add GIL and context-switch churn (measured: see
# bench/scan/README.md); a citizen's scan waits for a free thread instead.
SCAN_THREADS = 8
# SQLite has one writer: more threads only queue on its lock, and its busy handler waits by
# sleeping (up to 100 ms a try), which is what makes the latency tail.
SQLITE_SCAN_THREADS = 2


def hot_engine(engine: Engine) -> Engine:
    """The scan's own PostgreSQL pool: autocommit, no pre-ping, one connection per thread.

    Autocommit: the read is one statement (under READ COMMITTED a transaction would give it
    its own snapshot anyway), so it needs no BEGIN and COMMIT round trips; the store sends
    the write's BEGIN ... COMMIT together with its statements (`scans.store`).
    No pre-ping (a round trip per checkout): a connection the server has dropped fails
    the scan's first statement, a read, which `HotPath.read` retries once on a new pool.
    SQLite keeps the app's engine and its transaction (BEGIN IMMEDIATE, `venuecode.db`):
    it is in-process, a round trip costs nothing.
    """
    if engine.dialect.name != "postgresql":
        return engine
    return create_engine(engine.url, pool_size=SCAN_THREADS, max_overflow=0,
                         pool_pre_ping=False, isolation_level="AUTOCOMMIT")


class HotPath:
    """Per-app state of the scan endpoint: where it connects and the short-TTL caches."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        bind = factory.kw.get("bind")
        # Bound to an engine (a server): plain connections, autocommit on PostgreSQL. Bound
        # to one connection (the tests' rolled-back outer transaction): go through sessions.
        self.engine = hot_engine(bind) if isinstance(bind, Engine) else None
        if self.engine is None:
            threads = 1  # one shared connection: one scan at a time
        elif self.engine.dialect.name == "sqlite":
            threads = SQLITE_SCAN_THREADS
        else:
            threads = SCAN_THREADS
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="scan")
        self.factory = factory
        self.risks = RiskAreaCache()

    def read(self, connection: Connection, claims: CodeClaims | None, now: datetime,
             repeat_minutes: int, user_id: int, jti: str | None = None) -> ScanRead:
        """`read_scan`, once more on a fresh connection if the pooled one had been dropped."""
        dialect = connection.dialect
        try:
            return read_scan(connection, claims, now, repeat_minutes, user_id=user_id, jti=jti)
        except dialect.loaded_dbapi.Error as exc:
            # `run` uses the DBAPI connection directly, so SQLAlchemy's own disconnect
            # handling does not see this: do its part. A dropped connection usually means a
            # server restart, so every pooled connection is suspect: start a new pool.
            dbapi_connection = connection.connection.dbapi_connection
            if self.engine is None or not dialect.is_disconnect(exc, dbapi_connection, None):
                raise
        self.engine.dispose(close=False)
        connection.invalidate()
        connection.rollback()
        return read_scan(connection, claims, now, repeat_minutes, user_id=user_id, jti=jti)

    @contextmanager
    def unit(self) -> Iterator[Connection]:
        """One unit of work: committed if the block returns, rolled back if it raises."""
        if self.engine is not None:
            with self.engine.connect() as connection:
                yield connection
                connection.commit()
            return
        session = self.factory()
        try:
            yield session.connection()
            session.commit()
        finally:
            session.close()
