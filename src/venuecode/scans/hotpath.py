"""The scan hot path: the venue, the person's facts and the repeat check in ONE statement.

The ORM version took ~11 round trips per scan (user, venue, health code, tests, doses,
itinerary, case, marks, risk areas, repeat check, insert, commit). Here a scan is:
one UNION ALL select (venue + every fact kind + the latest entry at this venue within
`scan_repeat_minutes`), the policy in Python, and one INSERT ... RETURNING. Risk areas (a
small table, published in batches) come from a per-process cache refreshed every
`RISK_CACHE_SECONDS`; accounts from `web.deps.UserCache`. The venue row is read fresh on
every scan, so a revoke or re-issue is refused from the very next scan.

Rows share one shape (k, s1..s5, n1..n4): `k` names the kind, the rest are the kind's text
and integer columns (times are Instant = BIGINT microseconds, see `venuecode.db`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import TextClause, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from venuecode.config import Settings
from venuecode.facts.repository import ITINERARY_HISTORY, TEST_HISTORY
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
from venuecode.timeutil import from_micros, to_micros
from venuecode.venues.models import SubArea, Venue
from venuecode.venues.service import ResolvedCode, check_code
from venuecode.venues.tokens import CodeClaims, CodeKind
from venuecode.web.deps import UserCache

# A newly published or lifted risk area reaches scans within this bound.
RISK_CACHE_SECONDS = 5.0


def _scan_sql(venue_pk: str, sub_area: bool) -> TextClause:
    area = (
        "UNION ALL SELECT 'A', a.name, NULL, NULL, NULL, NULL, a.id, a.code_issue, a.venue_pk,"
        " CASE WHEN a.active THEN 1 ELSE 0 END FROM venue_sub_areas a WHERE a.id = :object_id\n"
        if sub_area else ""
    )
    # Only the two fixed fragments above are interpolated; every value is a bound parameter.
    return text(f"""
SELECT 'V' AS k, v.venue_id AS s1, v.name AS s2, v.category AS s3, v.district AS s4,
       v.status AS s5, v.id AS n1, v.code_issue AS n2, v.test_window_hours AS n3,
       CASE WHEN v.require_full_vaccination IS NULL THEN NULL
            WHEN v.require_full_vaccination THEN 1 ELSE 0 END AS n4
  FROM venues v WHERE v.id = {venue_pk}
{area}UNION ALL SELECT 'H', h.color, h.reason, NULL, NULL, NULL, h.since, NULL, NULL, NULL
  FROM health_codes h WHERE h.id_number = :idn
UNION ALL SELECT 'T', t.result, t.institution, NULL, NULL, NULL, t.sampled_at, t.reported_at,
       NULL, NULL
  FROM nucleic_acid_tests t WHERE t.id_number = :idn AND t.sampled_at >= :test_since
UNION ALL SELECT 'X', x.product, NULL, NULL, NULL, NULL, x.dose, x.vaccinated_at, NULL, NULL
  FROM vaccinations x WHERE x.id_number = :idn
UNION ALL SELECT 'I', i.city, NULL, NULL, NULL, NULL, i.arrived_at, i.left_at, NULL, NULL
  FROM itineraries i
 WHERE i.id_number = :idn AND (i.left_at IS NULL OR i.left_at >= :itinerary_since)
UNION ALL SELECT 'C', NULL, NULL, NULL, NULL, NULL, c.reference_time, NULL, NULL, NULL
  FROM cases c WHERE c.id_number = :idn
UNION ALL SELECT 'M', m.kind, m.instruction, NULL, NULL, NULL, m.since, NULL, NULL, NULL
  FROM contact_marks m WHERE m.id_number = :idn AND m.cleared_at IS NULL
UNION ALL SELECT 'E', NULL, NULL, NULL, NULL, NULL, e.id, e.scanned_at, NULL, NULL
  FROM (SELECT r.id, r.scanned_at FROM checkins r
         WHERE r.id_number = :idn AND r.venue_pk = {venue_pk}
           AND r.scanned_at >= :repeat_since AND r.scanned_at <= :now
         ORDER BY r.scanned_at DESC LIMIT 1) e
""")  # noqa: S608


# Built once: the text is also the key of psycopg's automatic server-side prepared statements.
VENUE_SCAN = _scan_sql(":object_id", sub_area=False)
SUB_AREA_SCAN = _scan_sql("(SELECT sa.venue_pk FROM venue_sub_areas sa WHERE sa.id = :object_id)",
                          sub_area=True)
INSERT_CHECKIN = text(
    "INSERT INTO checkins (id_number, venue_pk, sub_area_pk, scanned_at, channel)"
    " VALUES (:idn, :venue_pk, :sub_area_pk, :now, 'scan') RETURNING id")
INSERT_DENIED = text(
    "INSERT INTO denied_attempts (id_number, venue_pk, sub_area_pk, attempted_at, reasons,"
    " health_color, channel) VALUES (:idn, :venue_pk, :sub_area_pk, :now, :reasons, :color,"
    " 'scan')")
RISK_AREAS = text("SELECT area, level, since, until FROM risk_areas"
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
    """Risk areas per look-back, re-read at most every `seconds` (per process)."""

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
            connection.execute(RISK_AREAS, {"cutoff": to_micros(cutoff)})]


def _at(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)


class ScanRead:
    """What the one select returned: the venue (checked), the facts, the repeat candidate."""

    def __init__(self, claims: CodeClaims, rows: Sequence[Any]) -> None:
        venue: Venue | None = None
        area: SubArea | None = None
        code: HealthCode | None = None
        tests: list[NucleicAcidTest] = []
        doses: list[Vaccination] = []
        stops: list[ItineraryStop] = []
        marks: list[TracingMark] = []
        self.earlier: tuple[int, datetime] | None = None
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
                self.earlier = (n1, from_micros(n2))
            elif k == "V":
                # Transient (never added to a session): the outcome and pages read it as usual.
                venue = Venue(id=n1, venue_id=s1, name=s2, category=s3, district=s4, status=s5,
                              code_issue=n2, test_window_hours=n3,
                              require_full_vaccination=None if n4 is None else bool(n4))
            elif k == "A":
                area = SubArea(id=n1, name=s1, code_issue=n2, venue_pk=n3, active=bool(n4))
        if claims.kind == CodeKind.SUB_AREA and area is None:
            venue = None  # as resolve_code: an unknown sub-area is an unknown code
        self.resolved: ResolvedCode = check_code(claims, venue, area)
        self.facts = PersonFacts(health_code=code, tests=tuple(tests),
                                 vaccinations=tuple(doses), itinerary=tuple(stops),
                                 marks=tuple(marks))


def read_scan(connection: Connection, claims: CodeClaims, id_number: str, now: datetime,
              repeat_minutes: int) -> ScanRead:
    statement = SUB_AREA_SCAN if claims.kind == CodeKind.SUB_AREA else VENUE_SCAN
    rows = connection.execute(statement, {
        "object_id": claims.object_id, "idn": id_number, "now": to_micros(now),
        "test_since": to_micros(now - TEST_HISTORY),
        "itinerary_since": to_micros(now - ITINERARY_HISTORY),
        "repeat_since": to_micros(now - timedelta(minutes=repeat_minutes)),
    }).all()
    return ScanRead(claims, rows)


def decide_and_record(connection: Connection, settings: Settings, read: ScanRead, id_number: str,
                      now: datetime, risks: RiskAreaCache | None
                      ) -> tuple[Decision, int | None, bool, datetime]:
    """The policy on what `read_scan` found; store a pass (unless a repeat) or a deny."""
    venue, area = read.resolved.venue, read.resolved.sub_area
    requirements = requirements_of(settings, venue)
    lookback = timedelta(days=requirements.risk_lookback_days)
    risk_areas = (risks.get(connection, now, lookback) if risks is not None
                  else read_risk_areas(connection, now - lookback))
    decision = evaluate(read.facts, requirements, risk_areas, now)
    params = {"idn": id_number, "venue_pk": venue.id,
              "sub_area_pk": area.id if area is not None else None, "now": to_micros(now)}
    if decision.verdict == "pass":
        if read.earlier is not None:
            return decision, read.earlier[0], True, read.earlier[1]
        entry_id = connection.execute(INSERT_CHECKIN, params).scalar_one()
        return decision, int(entry_id), False, now
    connection.execute(INSERT_DENIED, {
        **params, "reasons": ",".join(r.code for r in decision.denying_reasons),
        "color": decision.panels.health_code.color})
    return decision, None, False, now


def autocommit_engine(engine: Engine) -> Engine:
    """PostgreSQL: each hot-path statement commits by itself (no BEGIN/COMMIT round trips).

    Safe because the scan writes one row in one statement; under READ COMMITTED the old
    transaction gave each statement its own snapshot anyway. SQLite keeps its transaction
    (BEGIN IMMEDIATE from `venuecode.db`): it is in-process, a round trip costs nothing.
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


class HotPath:
    """Per-app state of the scan endpoint: where it connects and the short-TTL caches."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        bind = factory.kw.get("bind")
        # Bound to an engine (a server): plain connections, autocommit on PostgreSQL. Bound
        # to one connection (the tests' rolled-back outer transaction): go through sessions.
        self.engine = autocommit_engine(bind) if isinstance(bind, Engine) else None
        self.factory = factory
        self.users = UserCache()
        self.risks = RiskAreaCache()

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
