"""Retention at the edge: rows one hour either side of the cut-off."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support import factories
from venuecode.audit.models import AuditEvent
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock
from venuecode.retention.service import purge
from venuecode.scans.models import Checkin, DeniedAttempt


def test_scan_data_older_than_the_period_goes_and_newer_stays(db: Session, clock: FixedClock
                                                              ) -> None:
    venue = factories.venue(db)
    now = clock.now()
    cutoff = now - timedelta(days=28)
    old, fresh = factories.id_number(401), factories.id_number(402)
    db.add_all([
        Checkin(id_number=old, venue_pk=venue.id, scanned_at=cutoff - timedelta(hours=1)),
        Checkin(id_number=fresh, venue_pk=venue.id, scanned_at=cutoff + timedelta(hours=1)),
        DeniedAttempt(id_number=old, venue_pk=venue.id, attempted_at=cutoff - timedelta(hours=1),
                      reasons="health_code_red"),
        DeniedAttempt(id_number=fresh, venue_pk=venue.id,
                      attempted_at=cutoff + timedelta(hours=1), reasons="health_code_red"),
    ])
    db.flush()
    assert purge(db, Actor.cli(), now, 28, dry_run=True).counts["checkins"] == 1
    assert db.scalar(select(func.count(Checkin.id))) == 2
    counts = purge(db, Actor.cli(), now, 28).counts
    assert counts["checkins"] == 1 and counts["denied_attempts"] == 1
    assert list(db.scalars(select(Checkin.id_number))) == [fresh]
    assert list(db.scalars(select(DeniedAttempt.id_number))) == [fresh]
    assert db.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "retention.purged")) == 1
