import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support import factories
from venuecode.access.roles import Role
from venuecode.audit.models import AuditEvent
from venuecode.audit.service import Actor
from venuecode.config import Settings
from venuecode.errors import Conflict, InvalidInput, PermissionDenied
from venuecode.venues import service
from venuecode.venues.models import Venue
from venuecode.venues.tokens import CodeRefused


@pytest.fixture
def signer(settings: Settings) -> service.CodeSigner:
    return service.CodeSigner(settings.secret("code_signing_key").encode(), 1,
                              settings.public_url)


def venue_count(db: Session) -> int:
    return db.scalar(select(func.count(Venue.id))) or 0


def test_an_approved_venue_code_resolves_to_the_venue(db: Session, signer: service.CodeSigner,
                                                      ) -> None:
    venue = factories.venue(db)
    token = service.venue_token(signer, venue)
    assert token is not None
    assert service.resolve_code(db, signer, signer.url(token)).venue.id == venue.id


def test_an_application_has_no_code_until_approved(db: Session, signer: service.CodeSigner,
                                                   ) -> None:
    venue = factories.venue(db, approved=False)
    assert service.venue_token(signer, venue) is None
    assert venue.status == "applied"


def test_reissue_refuses_the_old_token_and_accepts_the_new(db: Session,
                                                           signer: service.CodeSigner) -> None:
    venue = factories.venue(db, sub_areas=["包厢 A"])
    old = service.venue_token(signer, venue)
    old_area = service.sub_area_token(signer, venue, venue.sub_areas[0])
    service.reissue_code(db, Actor.cli(), venue)
    assert old is not None and old_area is not None
    for stale in (old, old_area):
        with pytest.raises(CodeRefused) as info:
            service.resolve_code(db, signer, stale)
        assert info.value.code == "code_replaced"
    new = service.venue_token(signer, venue)
    assert new is not None and service.resolve_code(db, signer, new).venue.id == venue.id


def test_a_revoked_venue_code_is_refused(db: Session, signer: service.CodeSigner) -> None:
    venue = factories.venue(db)
    token = service.venue_token(signer, venue)
    service.revoke_venue(db, Actor.cli(), venue, "closed down", None)
    assert token is not None
    with pytest.raises(CodeRefused) as info:
        service.resolve_code(db, signer, token)
    assert info.value.code == "code_revoked"


def test_a_sub_area_has_its_own_code_naming_the_area(db: Session,
                                                     signer: service.CodeSigner) -> None:
    venue = factories.venue(db, category="metro", sub_areas=["3号车厢", "4号车厢"])
    token = service.sub_area_token(signer, venue, venue.sub_areas[1])
    assert token is not None
    resolved = service.resolve_code(db, signer, token)
    assert resolved.venue.id == venue.id
    assert resolved.sub_area is not None and resolved.sub_area.name == "4号车厢"


def test_a_duplicate_venue_id_is_refused_and_nothing_changes(db: Session) -> None:
    factories.venue(db, venue_id="HZ-1")
    before = venue_count(db)
    with pytest.raises(Conflict) as info:
        factories.venue(db, venue_id="HZ-1", name="另一个场所")
    assert info.value.code == "venue_id_taken"
    assert venue_count(db) == before


@pytest.mark.parametrize(
    ("field", "value", "hint"),
    [
        ("category", "casino", "not one of the venue categories"),
        ("name", "", "at least 1 character"),
        ("name", "长" * 500, "at most 100 characters"),
        ("manager_phone", "12345", "mobile number"),
    ],
)
def test_bad_applications_are_refused_with_a_reason(field: str, value: str, hint: str) -> None:
    with pytest.raises(ValidationError) as info:
        factories.application(**{field: value})
    assert hint in str(info.value)


def test_reject_needs_a_reason_and_keeps_it(db: Session) -> None:
    venue = factories.venue(db, approved=False)
    with pytest.raises(InvalidInput):
        service.reject_venue(db, Actor.cli(), venue, "  ", None)
    assert venue.status == "applied"
    service.reject_venue(db, Actor.cli(), venue, "地址不完整", None)
    assert (venue.status, venue.rejection_reason) == ("rejected", "地址不完整")


def test_a_district_admin_decides_only_in_their_district(db: Session) -> None:
    admin = factories.user(db, Role.DISTRICT_ADMIN, district="上城区")
    venue = factories.venue(db, approved=False, district="西湖区")
    actor = Actor(f"user:{admin.id}", admin.role)
    with pytest.raises(PermissionDenied):
        service.approve_venue(db, actor, venue, admin.district)
    assert venue.status == "applied"


def test_every_decision_is_audited(db: Session) -> None:
    venue = factories.venue(db, approved=True)
    actions = set(db.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_id == venue.venue_id)))
    assert {"venue.applied", "venue.approved"} <= actions


def test_approving_twice_is_refused(db: Session) -> None:
    venue = factories.venue(db)
    with pytest.raises(Conflict):
        service.approve_venue(db, Actor.cli(), venue, None)
