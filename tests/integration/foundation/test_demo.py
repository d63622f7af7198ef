from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from venuecode.config import Settings
from venuecode.demo import DEMO_CITIZEN_ID, load_city, refresh_demo_citizen, seed_demo
from venuecode.facts.models import CaseRecord
from venuecode.scans.models import Checkin
from venuecode.scans.service import decide
from venuecode.venues.service import get_venue


def test_the_demo_city_loads_every_kind_and_its_citizen_passes(db: Session,
                                                               settings: Settings) -> None:
    assert seed_demo(db) is True
    assert seed_demo(db) is False  # once only
    refresh_demo_citizen(db)
    counts = load_city(db, 300)
    assert all(c["rejected"] == 0 for c in counts.values()), counts
    assert counts["checkins"]["accepted"] > 300
    assert (db.scalar(select(func.count(CaseRecord.id_number))) or 0) >= 5
    assert (db.scalar(select(func.count(Checkin.id))) or 0) == counts["checkins"]["accepted"]
    decision = decide(db, settings, get_venue(db, "HZ-XH-0002"), DEMO_CITIZEN_ID,
                      datetime.now(UTC))
    assert decision.verdict == "pass", decision.reasons
