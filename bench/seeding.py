"""Seed a database for scan loads: citizens who pass every entry rule, and approved venues.

Shared by `bench/scan/run.py` and `bench/durability/` (and its pytest version). The
settings come from an explicit `VENUECODE_*` mapping, never from the caller's environment,
so a test process seeding several databases does not leak one into the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select


@dataclass(frozen=True)
class Citizen:
    user_id: int
    id_number: str
    token: str  # a bearer token for the scan API


@dataclass(frozen=True)
class SeededVenue:
    pk: int
    venue_id: str
    url: str  # the venue code as scanned (the poster's URL)


@dataclass(frozen=True)
class Seeded:
    citizens: list[Citizen]
    venues: list[SeededVenue]


def settings_from_env(env: dict[str, str]):  # type: ignore[no-untyped-def]
    """`Settings` from `VENUECODE_*` names only (no .env file, no process environment)."""
    from venuecode.config import Settings

    values = {k.removeprefix("VENUECODE_").lower(): v for k, v in env.items()
              if k.startswith("VENUECODE_")}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def seed(env: dict[str, str], users: int, venues: int) -> Seeded:
    """Create the schema, `venues` approved venues and `users` citizens with healthy facts
    (bound identity, green code, a negative test 20 h ago, two doses)."""
    from venuecode.audit.service import Actor
    from venuecode.config import set_settings
    from venuecode.db import make_engine, make_sessionmaker
    from venuecode.facts.models import HealthCodeRecord, NucleicAcidTestRecord, VaccinationRecord
    from venuecode.people.auth import issue_token
    from venuecode.people.idnumber import make_id_number
    from venuecode.people.models import User
    from venuecode.schema import create_schema
    from venuecode.venues.schemas import VenueApplication
    from venuecode.venues.service import CodeSigner, apply_for_venue, approve_venue, venue_token

    settings = settings_from_env(env)
    set_settings(settings)
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine)
        session = make_sessionmaker(engine)()
        now = datetime.now(UTC)
        signer = CodeSigner(settings.secret("code_signing_key").encode(), settings.code_key_id,
                            settings.public_url)
        seeded_venues = []
        categories = ["metro", "bus", "market", "supermarket", "restaurant", "mall", "office"]
        for i in range(venues):
            app = VenueApplication(venue_id=f"B{i:05d}", name=f"压测场所{i}",
                                   category=categories[i % len(categories)], district="西湖区",
                                   manager_name="压测", manager_phone="13800000000")
            venue = apply_for_venue(session, Actor.cli(), app, None)
            approve_venue(session, Actor.cli(), venue, None)
            session.flush()
            seeded_venues.append(SeededVenue(venue.id, venue.venue_id,
                                             signer.url(venue_token(signer, venue) or "")))
        numbers = [make_id_number("330106", date(1950 + i % 60, 1 + i % 12, 1 + i % 28), i % 1000)
                   for i in range(users)]
        # Sequence digits repeat across the birthday cycle: keep the numbers unique.
        numbers = list(dict.fromkeys(numbers))
        prov = {"source": "bench", "batch_id": None, "received_at": now}
        session.execute(insert(User), [
            {"phone": f"1{3 + i % 6}{i:09d}", "role": "citizen", "display_name": "",
             "id_number": n, "real_name": "压测", "active": True, "token_version": 0,
             "created_at": now} for i, n in enumerate(numbers)])
        session.execute(insert(HealthCodeRecord), [
            {"id_number": n, "color": "green", "since": now - timedelta(days=30), "reason": None,
             **prov} for n in numbers])
        session.execute(insert(NucleicAcidTestRecord), [
            {"id_number": n, "sampled_at": now - timedelta(hours=20), "result": "negative",
             "reported_at": now - timedelta(hours=14), "institution": "lab", **prov}
            for n in numbers])
        session.execute(insert(VaccinationRecord), [
            {"id_number": n, "dose": d, "vaccinated_at": now - timedelta(days=100 * d),
             "product": "x", **prov} for n in numbers for d in (1, 2)])
        session.commit()
        secret = settings.secret("secret_key")
        citizens = [Citizen(u.id, u.id_number or "", issue_token(secret, u))
                    for u in session.scalars(select(User).where(User.id_number.in_(numbers))
                                             .order_by(User.id))]
        session.close()
    finally:
        engine.dispose()
        set_settings(None)
    return Seeded(citizens, seeded_venues)
