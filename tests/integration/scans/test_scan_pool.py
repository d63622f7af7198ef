"""The check-in pipeline on the production connection pool, with committed rows.

Everything else in tests/integration runs inside one rolled-back outer transaction, which
an engine-bound pool cannot see. These tests get their own database (PostgreSQL: a fresh
one next to the test database; SQLite: a fresh file), create what they need, commit it,
and drop it at the end.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import _fresh_postgres_database, sign_in
from tests.support import factories
from tests.support import facts as f
from venuecode.access.ratelimit import Limiter
from venuecode.assist import service as help_service
from venuecode.assist.identify import Identity, Method
from venuecode.assist.models import GateDevice
from venuecode.assist.paper_codes import PaperKey
from venuecode.assist.schemas import SentinelItem
from venuecode.assist.sentinel import upload
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock, SystemClock, set_clock
from venuecode.config import Settings, set_settings
from venuecode.db import make_engine, make_sessionmaker
from venuecode.people.auth import issue_token
from venuecode.people.models import User
from venuecode.scans import service as scan_service
from venuecode.scans.succession import NEXT_OF_ROW
from venuecode.schema import create_schema
from venuecode.venues import service as venues
from venuecode.venues.models import Venue

BASE = datetime(2022, 4, 19, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pool_engine(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('pool') / 'pool.db'}"
    else:
        url = _fresh_postgres_database(database_url, "pool")
    engine = make_engine(url)
    create_schema(engine)
    yield engine
    engine.dispose()
    if not url.startswith("sqlite"):
        name = make_url(url).database
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pool_settings(settings: Settings, pool_engine: Engine) -> Iterator[Settings]:
    s = settings.model_copy(update={"database_url": pool_engine.url.render_as_string(
        hide_password=False)})
    set_settings(s)
    yield s


@pytest.fixture
def factory(pool_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(pool_engine)


@pytest.fixture
def pool_client(pool_settings: Settings, pool_engine: Engine,
                factory: sessionmaker[Session]) -> Iterator[TestClient]:
    from venuecode.web.app import create_app

    app = create_app(pool_settings, engine=pool_engine, factory=factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def signer(settings: Settings) -> venues.CodeSigner:
    return venues.CodeSigner(settings.secret("code_signing_key").encode(), 1, settings.public_url)


def new_venues(factory: sessionmaker[Session], n: int) -> list[Venue]:
    with factory() as db:
        made = [factories.venue(db, name=f"池{i}") for i in range(n)]
        db.commit()
        return made


def citizen(client: TestClient, settings: Settings, factory: sessionmaker[Session], at: datetime
            ) -> tuple[dict[str, str], str]:
    """A signed-in citizen with a bound identity and healthy facts, all committed."""
    headers = sign_in(client, settings, factories.phone())
    number = factories.id_number()
    response = client.put("/api/v1/me/identity", json={"id_number": number, "name": "池测"},
                          headers=headers)
    assert response.status_code == 200, response.text
    with factory() as db:
        f.healthy(db, number, at)
        db.commit()
    return headers, number


def scan_url(settings: Settings, venue: Venue) -> str:
    return signer(settings).url(venues.venue_token(signer(settings), venue) or "")


def stored_rows(engine: Engine, number: str) -> list[tuple[int, int, int | None]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(  # type: ignore[misc]
            "SELECT venue_pk, scanned_at, next_scanned_at FROM checkins WHERE id_number = :p"
            " ORDER BY scanned_at, venue_pk"), {"p": number})]


def wrong_links(engine: Engine) -> list[tuple[int, int | None]]:
    differs = "IS DISTINCT FROM" if engine.dialect.name == "postgresql" else "IS NOT"
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(  # type: ignore[misc]
            f"SELECT r.id, r.next_scanned_at FROM checkins r"
            f" WHERE r.next_scanned_at {differs} {NEXT_OF_ROW}"))]


def test_an_api_scan_on_the_pool_commits_the_check_in_and_its_link(
        pool_client: TestClient, pool_settings: Settings, pool_engine: Engine,
        factory: sessionmaker[Session], clock: FixedClock) -> None:
    headers, number = citizen(pool_client, pool_settings, factory, clock.now())
    first, second = new_venues(factory, 2)
    for venue in (first, second):
        response = pool_client.post("/api/v1/scans", json={"venue_code": scan_url(pool_settings, venue)},
                                    headers=headers)
        assert response.status_code == 201, response.text
        assert response.json()["decision"] == "pass"
        clock.advance(timedelta(minutes=3))
    t0 = int(BASE.timestamp() * 1_000_000)
    three = 3 * 60_000_000
    assert stored_rows(pool_engine, number) == [(first.id, t0, t0 + three), (second.id, t0 + three, None)]


def test_a_failing_relink_stores_no_check_in(
        pool_client: TestClient, pool_settings: Settings, pool_engine: Engine,
        factory: sessionmaker[Session], clock: FixedClock) -> None:
    """Row and relink are one transaction: when linking the previous check-in fails, the
    new check-in is not stored either (before, on PostgreSQL, the INSERT had committed)."""
    headers, number = citizen(pool_client, pool_settings, factory, clock.now())
    first, second = new_venues(factory, 2)
    assert pool_client.post("/api/v1/scans", json={"venue_code": scan_url(pool_settings, first)},
                            headers=headers).status_code == 201
    clock.advance(timedelta(minutes=5))
    postgres = pool_engine.dialect.name == "postgresql"
    with pool_engine.begin() as c:
        if postgres:
            c.execute(text("CREATE FUNCTION vc_refuse() RETURNS trigger LANGUAGE plpgsql AS"
                           " $$BEGIN RAISE EXCEPTION 'relink refused'; END$$"))
            c.execute(text("CREATE TRIGGER vc_refuse BEFORE UPDATE ON checkins FOR EACH ROW"
                           " EXECUTE FUNCTION vc_refuse()"))
        else:
            c.execute(text("CREATE TRIGGER vc_refuse BEFORE UPDATE ON checkins"
                           " BEGIN SELECT RAISE(ABORT, 'relink refused'); END"))
    try:
        response = pool_client.post("/api/v1/scans", json={"venue_code": scan_url(pool_settings, second)},
                                    headers=headers)
        assert response.status_code == 500
    finally:
        with pool_engine.begin() as c:
            c.execute(text("DROP TRIGGER vc_refuse ON checkins" if postgres else "DROP TRIGGER vc_refuse"))
            if postgres:
                c.execute(text("DROP FUNCTION vc_refuse()"))
    t0 = int(BASE.timestamp() * 1_000_000)
    assert stored_rows(pool_engine, number) == [(first.id, t0, None)]
    # The pool's connection is usable again, and the next scan stores and links both.
    again = pool_client.post("/api/v1/scans", json={"venue_code": scan_url(pool_settings, second)},
                             headers=headers)
    assert again.status_code == 201, again.text
    assert [r[2] for r in stored_rows(pool_engine, number)] == [t0 + 5 * 60_000_000, None]


def test_a_scan_after_the_server_dropped_every_connection_succeeds(
        pool_client: TestClient, pool_settings: Settings, pool_engine: Engine,
        factory: sessionmaker[Session], clock: FixedClock) -> None:
    if pool_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    headers, number = citizen(pool_client, pool_settings, factory, clock.now())
    first, second = new_venues(factory, 2)
    assert pool_client.post("/api/v1/scans", json={"venue_code": scan_url(pool_settings, first)},
                            headers=headers).status_code == 201
    with pool_engine.connect() as c:
        killed = c.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    assert killed >= 1  # at least the scan pool's connection
    clock.advance(timedelta(minutes=1))
    response = pool_client.post("/api/v1/scans", json={"venue_code": scan_url(pool_settings, second)},
                                headers=headers)
    assert response.status_code == 201, response.text
    assert [r[0] for r in stored_rows(pool_engine, number)] == [first.id, second.id]


class TickingClock:
    """Each `now()` a different microsecond: API scans from many threads at distinct times."""

    def __init__(self, start: datetime) -> None:
        self._ticks = itertools.count()
        self._lock = threading.Lock()
        self.start = start

    def now(self) -> datetime:
        with self._lock:
            n = next(self._ticks)
        return self.start + timedelta(seconds=37 * n, microseconds=n % 7 * 10)


@dataclass
class Person:
    headers: dict[str, str]
    number: str


def test_many_threads_writing_one_persons_check_ins_through_every_path_keep_every_link(
        pool_client: TestClient, pool_settings: Settings, pool_engine: Engine,
        factory: sessionmaker[Session], clock: FixedClock) -> None:
    """API scans, page scans, help-scans and offline uploads of the same few persons at
    once; afterwards every stored `next_scanned_at` equals its definition."""
    rng = random.Random(7)
    persons = [Person(*citizen(pool_client, pool_settings, factory, BASE)) for _ in range(4)]
    places = new_venues(factory, 8)
    with factory() as db:
        helpers = [factories.user(db) for _ in range(4)]
        # Each venue's gate device, registered before the scans it uploads.
        devices = {v.id: GateDevice(venue_pk=v.id, label="池门", prefix=f"vcg_pool{v.id}",
                                    key_hash="-", created_at=BASE - timedelta(days=1))
                   for v in places}
        db.add_all(devices.values())
        db.commit()
        helper_ids = [h.id for h in helpers]
    ticking = TickingClock(BASE)
    set_clock(ticking)
    key = PaperKey(b"k" * 32, 1, pool_settings.public_url)
    limiter = Limiter.memory()  # fresh: this test's helpers only
    actor = Actor.cli()

    def minute(residue: int) -> datetime:
        # Coarse instants (ties at two venues happen) with a residue per path, so two
        # paths never write the same natural key.
        return BASE + timedelta(minutes=rng.randrange(0, 90), microseconds=residue)

    def api_scan(i: int) -> None:
        person, venue = persons[i % len(persons)], places[rng.randrange(len(places))]
        response = pool_client.post("/api/v1/scans", headers=person.headers,
                                    json={"venue_code": scan_url(pool_settings, venue)})
        assert response.status_code == 201, response.text

    def page_scan(i: int) -> None:
        person, venue, at = persons[i % len(persons)], places[rng.randrange(len(places))], minute(1)
        with factory() as db:
            scan_service.scan(db, pool_settings, signer(pool_settings), person.number, "池测",
                              scan_url(pool_settings, venue), at, flood_key=f"pool:{i}",
                              limiter=limiter)
            db.commit()

    def help_scan(i: int) -> None:
        person, venue, at = persons[i % len(persons)], places[rng.randrange(len(places))], minute(2)
        with factory() as db:
            helper = db.get(User, helper_ids[i % len(helper_ids)])
            assert helper is not None
            help_service.help_person(db, pool_settings, limiter, actor, helper, db.merge(venue), None,
                                     Identity(person.number, "池测", Method.ID_TYPED), at)
            db.commit()

    def offline_upload(i: int) -> None:
        venue = places[rng.randrange(len(places))]
        items = [SentinelItem(client_id=str(n), id_number=p.number, name="池测",
                              scanned_at=minute(3).isoformat())
                 for n, p in enumerate(rng.sample(persons, 3))]
        with factory() as db:
            result = upload(db, pool_settings, key, actor, db.merge(devices[venue.id]),
                            db.merge(venue), items, BASE + timedelta(hours=3))
            db.commit()
        assert result.rejected == 0, result

    jobs = [(api_scan, i) for i in range(32)] + [(page_scan, i) for i in range(32)]
    jobs += [(help_scan, i) for i in range(24)] + [(offline_upload, i) for i in range(12)]
    rng.shuffle(jobs)
    try:
        with ThreadPoolExecutor(8) as pool:
            for future in [pool.submit(job, i) for job, i in jobs]:
                future.result()
    finally:
        set_clock(SystemClock())
    numbers = {p.number for p in persons}
    with pool_engine.connect() as c:
        rows = c.execute(text("SELECT channel, id_number FROM checkins")).all()
    channels = {ch: sum(1 for c, n in rows if c == ch and n in numbers) for ch, _n in rows}
    assert set(channels) >= {"scan", "help", "sentinel"}, channels
    assert sum(channels.values()) > 60, channels
    assert wrong_links(pool_engine) == []


class MillisecondClock:
    """Each `now()` one millisecond after the last: two taps of one person a moment apart."""

    def __init__(self, start: datetime) -> None:
        self._ticks = itertools.count()
        self._lock = threading.Lock()
        self.start = start

    def now(self) -> datetime:
        with self._lock:
            return self.start + timedelta(milliseconds=next(self._ticks))


def test_a_double_tap_stores_one_check_in(
        pool_client: TestClient, pool_settings: Settings, pool_engine: Engine,
        factory: sessionmaker[Session]) -> None:
    """Issue 11: two taps of one person at one venue, sent at once (each request its own
    instant, a millisecond apart), stored two check-ins when both reads ran before either
    insert (27 extra among 400 pairs on PostgreSQL). The look and the insert are now one
    atomic step: exactly one row a pair, and the second tap answers as a repeat."""
    pairs = 120
    places = new_venues(factory, 6)
    secret = pool_settings.secret("secret_key")
    with factory() as db:
        people = []
        for _ in range(pairs):
            user = factories.user(db)
            user.id_number, user.real_name = factories.id_number(), "连点"
            f.healthy(db, user.id_number, BASE)
            people.append(user)
        db.commit()
        taps = [({"Authorization": f"Bearer {issue_token(secret, u)}"}, u.id_number or "")
                for u in people]
    urls = [scan_url(pool_settings, v) for v in places]
    barriers = [threading.Barrier(2, timeout=30) for _ in range(pairs)]
    set_clock(MillisecondClock(BASE))

    def tap(i: int) -> dict[str, object]:
        barriers[i].wait()
        response = pool_client.post("/api/v1/scans", headers=taps[i][0],
                                    json={"venue_code": urls[i % len(urls)]})
        assert response.status_code == 201, response.text
        body: dict[str, object] = response.json()
        return body

    try:
        with ThreadPoolExecutor(8) as pool:  # even, FIFO: both taps of a pair run together
            futures = [pool.submit(tap, i) for i in range(pairs) for _ in range(2)]
            answers = [future.result() for future in futures]
    finally:
        set_clock(SystemClock())
    with pool_engine.connect() as c:
        counts = dict(c.execute(text("SELECT id_number, count(*) FROM checkins"
                                     " GROUP BY id_number")).all())
    extra = {number: counts.get(number, 0) for _h, number in taps if counts.get(number, 0) != 1}
    assert extra == {}, f"{len(extra)} of {pairs} pairs did not store exactly one check-in"
    for i in range(pairs):
        first, second = answers[2 * i], answers[2 * i + 1]
        assert first["decision"] == second["decision"] == "pass"
        assert first["id"] == second["id"] and sorted([first["repeat"], second["repeat"]]) == [False, True]
    assert wrong_links(pool_engine) == []
