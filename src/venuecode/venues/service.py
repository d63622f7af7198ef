"""Venue registry use cases: apply, approve, reject, revoke, re-issue, resolve codes."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass

import orjson
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from venuecode import clock
from venuecode.access.roles import Role
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.categories import get_category
from venuecode.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from venuecode.venues.ids import venue_id_problem
from venuecode.venues.models import ReviewKind, SubArea, Venue, VenueReview, VenueStatus
from venuecode.venues.schemas import ReviewOut, SubAreaOut, VenueApplication, VenueOut
from venuecode.venues.tokens import CodeClaims, CodeKind, CodeRefused, sign_code, verify_venue_code


@dataclass(frozen=True)
class CodeSigner:
    """The deployment's code-signing key and the public URL printed in codes."""

    key: bytes
    key_id: int
    public_url: str

    def token(self, kind: CodeKind, object_id: int, issue: int) -> str:
        return sign_code(self.key, self.key_id, kind, object_id, issue)

    def url(self, token: str) -> str:
        return f"{self.public_url}/s/{token}"


def venue_token(signer: CodeSigner, venue: Venue) -> str | None:
    if venue.status != VenueStatus.APPROVED or venue.code_issue < 1:
        return None
    return signer.token(CodeKind.VENUE, venue.id, venue.code_issue)


def sub_area_token(signer: CodeSigner, venue: Venue, area: SubArea) -> str | None:
    if venue.status != VenueStatus.APPROVED or not area.active:
        return None
    return signer.token(CodeKind.SUB_AREA, area.id, area.code_issue)


def to_out(signer: CodeSigner, venue: Venue, locale: str = "zh") -> VenueOut:
    category = get_category(venue.category)
    token = venue_token(signer, venue)
    return VenueOut(
        id=venue.id, venue_id=venue.venue_id, name=venue.name, category=venue.category,
        category_name=category.name(locale) if category else venue.category,
        district=venue.district, address=venue.address, status=venue.status,
        rejection_reason=venue.rejection_reason, revocation_reason=venue.revocation_reason,
        manager_name=venue.manager_name, manager_phone=venue.manager_phone,
        capacity=venue.capacity, code_issue=venue.code_issue,
        code_url=signer.url(token) if token else None, created_at=venue.created_at,
        sub_areas=[
            SubAreaOut(id=a.id, name=a.name,
                       code_url=signer.url(t) if (t := sub_area_token(signer, venue, a)) else None)
            for a in venue.sub_areas
        ],
    )


def _new_venue_id(session: Session) -> str:
    # Sequential and readable for the poster; a random tail keeps concurrent applications
    # from colliding on the unique constraint.
    count = session.scalar(select(func.count(Venue.id))) or 0
    return f"VC{count + 1:06d}{secrets.randbelow(100):02d}"


def check_district(district: str, districts: Collection[str] | None) -> None:
    """An application names one of the configured districts (`None`: an operator's path,
    the CLI or the demo, which may name any): a district nobody administers would leave the
    application waiting for ever."""
    if districts is None or district in districts:
        return
    raise InvalidInput(
        "district_unknown",
        f"所属区县：“{district}”不是本系统的区县，请从列表中选择（{'、'.join(districts)}）。",
        f"District: {district!r} is not one of the configured districts "
        f"({', '.join(districts)}).",
        field="district", allowed=list(districts))


def _snapshot(application: VenueApplication) -> str:
    return orjson.dumps(application.model_dump(exclude={"venue_id"})).decode()


def _user_id(actor: Actor) -> int | None:
    return int(actor.label.split(":", 1)[1]) if actor.label.startswith("user:") else None


def _review(session: Session, venue: Venue, kind: ReviewKind, actor: Actor, reason: str = "",
            application: VenueApplication | None = None) -> None:
    session.add(VenueReview(venue_pk=venue.id, at=clock.now(), kind=kind.value,
                            actor_user_id=_user_id(actor), actor_role=actor.role, reason=reason,
                            application=_snapshot(application) if application else None))


def apply_for_venue(
    session: Session, actor: Actor, application: VenueApplication, manager_user_id: int | None,
    districts: Collection[str] | None = None,
) -> Venue:
    check_district(application.district, districts)
    venue_id = application.venue_id or _new_venue_id(session)
    problem = venue_id_problem(venue_id)
    if problem is not None:  # the schema's pattern refuses it too; this holds for any caller
        raise InvalidInput("venue_id_unsafe", f"venue_id：{problem[1]}", f"venue_id: {problem[0]}",
                           field="venue_id")
    if session.scalar(select(Venue.id).where(Venue.venue_id == venue_id)) is not None:
        raise Conflict("venue_id_taken", f"场所编号 {venue_id} 已被使用。",
                       f"The venue id {venue_id} is already in use; choose another.",
                       venue_id=venue_id)
    venue = Venue(
        venue_id=venue_id, name=application.name, category=application.category,
        district=application.district, address=application.address,
        manager_name=application.manager_name, manager_phone=application.manager_phone,
        manager_user_id=manager_user_id, capacity=application.capacity,
        status=VenueStatus.APPLIED.value, code_issue=0, created_at=clock.now(),
        sub_areas=[SubArea(name=n, code_issue=1, active=True) for n in application.sub_areas],
    )
    session.add(venue)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("venue_id_taken", f"场所编号 {venue_id} 已被使用。",
                       f"The venue id {venue_id} is already in use; choose another.",
                       venue_id=venue_id) from None
    record(session, actor, AuditAction.VENUE_APPLIED, "venue", venue.venue_id)
    _review(session, venue, ReviewKind.APPLIED, actor, application=application)
    return venue


def resubmit_application(session: Session, actor: Actor, venue: Venue,
                         application: VenueApplication,
                         districts: Collection[str] | None = None) -> Venue:
    """A rejected application, corrected and sent again: back to the district's queue.

    The venue keeps its id; its history keeps the earlier version and why it was
    rejected. Sub-areas are matched by name (a rejected venue never had a working code,
    so nothing refers to the ones dropped)."""
    _require_status(venue, {VenueStatus.REJECTED}, "resubmit")
    check_district(application.district, districts)
    if application.venue_id and application.venue_id != venue.venue_id:
        raise InvalidInput("venue_id_fixed", "场所编号：重新提交时不能更改场所编号。",
                           "Venue id: a resubmitted application keeps its venue id.",
                           field="venue_id")
    for name in ("name", "category", "district", "address", "manager_name", "manager_phone",
                 "capacity"):
        setattr(venue, name, getattr(application, name))
    kept = {a.name: a for a in venue.sub_areas}
    venue.sub_areas = [kept.get(n) or SubArea(name=n, code_issue=1, active=True)
                       for n in application.sub_areas]
    venue.status = VenueStatus.APPLIED.value
    venue.rejection_reason = None
    venue.decided_at = None
    venue.decided_by = None
    record(session, actor, AuditAction.VENUE_RESUBMITTED, "venue", venue.venue_id)
    _review(session, venue, ReviewKind.RESUBMITTED, actor, application=application)
    session.flush()
    return venue


def review_history(session: Session, venue: Venue) -> list[ReviewOut]:
    """Every submission and decision of the venue, oldest first."""
    rows = session.scalars(select(VenueReview).where(VenueReview.venue_pk == venue.id)
                           .order_by(VenueReview.at, VenueReview.id))
    return [ReviewOut(kind=r.kind, at=r.at, actor_role=r.actor_role, reason=r.reason,
                      application=orjson.loads(r.application) if r.application else None)
            for r in rows]


def get_venue(session: Session, venue_id: str) -> Venue:
    venue = session.scalar(
        select(Venue).where(Venue.venue_id == venue_id).options(selectinload(Venue.sub_areas))
    )
    if venue is None:
        raise NotFound("venue_not_found", f"找不到场所 {venue_id}。",
                       f"There is no venue with id {venue_id}.", venue_id=venue_id)
    return venue


def _check_scope(venue: Venue, actor_role: str, actor_district: str | None) -> None:
    """District admins decide only in their own district; system admins everywhere."""
    if actor_role == Role.SYSTEM_ADMIN or actor_role == "operator":
        return
    if actor_role == Role.DISTRICT_ADMIN and actor_district and actor_district == venue.district:
        return
    raise PermissionDenied(
        "venue_out_of_scope", "该场所不在您管辖的区县。",
        "This venue is not in your district.", venue_id=venue.venue_id,
    )


_STATUS_ZH = {"applied": "待审核", "approved": "已通过", "rejected": "已驳回", "revoked": "已停用"}


def _require_status(venue: Venue, allowed: set[VenueStatus], action_en: str) -> None:
    if venue.status not in allowed:
        raise Conflict(
            "venue_wrong_status",
            f"场所当前状态为“{_STATUS_ZH.get(venue.status, venue.status)}”，不能执行此操作。",
            f"Cannot {action_en} a venue whose status is {venue.status!r}.",
            status=venue.status,
        )


def approve_venue(session: Session, actor: Actor, venue: Venue, district: str | None) -> Venue:
    _check_scope(venue, actor.role, district)
    _require_status(venue, {VenueStatus.APPLIED}, "approve")
    venue.status = VenueStatus.APPROVED.value
    venue.code_issue = 1
    venue.rejection_reason = None
    _decided(venue, actor)
    record(session, actor, AuditAction.VENUE_APPROVED, "venue", venue.venue_id)
    _review(session, venue, ReviewKind.APPROVED, actor)
    return venue


def reject_venue(
    session: Session, actor: Actor, venue: Venue, reason: str, district: str | None
) -> Venue:
    _check_scope(venue, actor.role, district)
    _require_status(venue, {VenueStatus.APPLIED}, "reject")
    if not reason.strip():
        raise InvalidInput("reason_required", "原因：驳回申请时请写明原因，以便申请人修改。",
                           "Reason: give a reason when rejecting, so the applicant knows what "
                           "to fix.", field="reason")
    venue.status = VenueStatus.REJECTED.value
    venue.rejection_reason = reason.strip()
    _decided(venue, actor)
    record(session, actor, AuditAction.VENUE_REJECTED, "venue", venue.venue_id, reason=reason)
    _review(session, venue, ReviewKind.REJECTED, actor, venue.rejection_reason)
    return venue


def revoke_venue(
    session: Session, actor: Actor, venue: Venue, reason: str, district: str | None
) -> Venue:
    _check_scope(venue, actor.role, district)
    _require_status(venue, {VenueStatus.APPROVED}, "revoke")
    if not reason.strip():
        raise InvalidInput("reason_required", "原因：停用场所码时请写明原因，场所负责人会看到。",
                           "Reason: give a reason when revoking; the venue's manager sees it.",
                           field="reason")
    venue.status = VenueStatus.REVOKED.value
    venue.revocation_reason = reason.strip()
    _decided(venue, actor)
    record(session, actor, AuditAction.VENUE_REVOKED, "venue", venue.venue_id, reason=reason)
    _review(session, venue, ReviewKind.REVOKED, actor, venue.revocation_reason)
    return venue


def reissue_code(session: Session, actor: Actor, venue: Venue) -> Venue:
    """A new code for the venue (and its sub-areas); every older poster stops working."""
    _require_status(venue, {VenueStatus.APPROVED}, "re-issue the code of")
    venue.code_issue += 1
    for area in venue.sub_areas:
        area.code_issue += 1
    record(session, actor, AuditAction.VENUE_REISSUED, "venue", venue.venue_id,
           issue=venue.code_issue)
    return venue


@dataclass(frozen=True)
class ResolvedCode:
    venue: Venue
    sub_area: SubArea | None


def resolve_code(session: Session, signer: CodeSigner, token: str) -> ResolvedCode:
    """Verify a scanned token and find its venue; refuse with a reason a citizen understands."""
    claims = verify_venue_code(signer.key, signer.key_id, token)
    area: SubArea | None = None
    if claims.kind == CodeKind.SUB_AREA:
        area = session.get(SubArea, claims.object_id)
        venue = area.venue if area is not None else None
    else:
        venue = session.get(Venue, claims.object_id)
    return check_code(claims, venue, area)


def check_code(claims: CodeClaims, venue: Venue | None, area: SubArea | None) -> ResolvedCode:
    """The refusals of `resolve_code` for a venue (and sub-area) already read.

    Shared with the scan hot path, which reads the venue in the same statement as the facts
    (always current: a revoke or re-issue is refused from the next scan on, no cache).
    """
    if claims.kind == CodeKind.SUB_AREA:
        current_issue = area.code_issue if area is not None else -1
    else:
        current_issue = venue.code_issue if venue is not None else -1
    if venue is None:
        raise CodeRefused("code_unknown", "找不到该场所码对应的场所。",
                          "No venue matches this code.")
    if venue.status == VenueStatus.REVOKED or (area is not None and not area.active):
        raise CodeRefused("code_revoked", f"“{venue.name}”的场所码已停用，请联系场所工作人员。",
                          f"The code of {venue.name} has been withdrawn; please ask the staff.")
    if venue.status != VenueStatus.APPROVED:
        raise CodeRefused("code_not_approved", "该场所码尚未审核通过，暂不能使用。",
                          "This venue code has not been approved yet.")
    if claims.issue != current_issue:
        raise CodeRefused("code_replaced",
                          f"“{venue.name}”已换发新的场所码，请扫描门口张贴的最新场所码。",
                          f"{venue.name} has a new code; please scan the one now posted at the door.")
    return ResolvedCode(venue, area)


def _decided(venue: Venue, actor: Actor) -> None:
    venue.decided_at = clock.now()
    venue.decided_by = _user_id(actor)
