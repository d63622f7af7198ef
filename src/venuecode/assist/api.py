"""JSON routes: help-scan, ID-card reading, QR decoding, paper codes, sentinel, alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, Path, Request, UploadFile
from fastapi.responses import Response

from venuecode import clock
from venuecode.access.roles import Permission
from venuecode.assist.deps import IdReaderDep, paper_key
from venuecode.assist.flow import (
    card_response,
    helped_out,
    helper_identity,
    identity_from_reading,
    identity_of,
    reading_out,
)
from venuecode.assist.gate_devices import (
    KEY_HEADER,
    DeviceKeyRefused,
    authenticate,
    charge,
    device_actor,
    issue_device,
    list_devices,
    revoke_device,
)
from venuecode.assist.idcard import MAX_IMAGE_BYTES, read_id_card
from venuecode.assist.identify import Identity, Method, by_number_and_name, guarded, settle
from venuecode.assist.models import GateDevice
from venuecode.assist.paper_access import reissue_checked, revoke_checked
from venuecode.assist.paper_codes import issue_paper_code
from venuecode.assist.qr import decode_qr
from venuecode.assist.schemas import (
    GateDeviceIn,
    GateDeviceIssued,
    GateDeviceOut,
    HelpAlertOut,
    HelpPersonIn,
    HelpRequest,
    HelpResponse,
    IdCardReadingOut,
    PaperCodeRequest,
    PaperCodeStatus,
    QrTextOut,
    ReasonOut,
    SentinelScanOut,
    SentinelUpload,
    SentinelUploadResult,
)
from venuecode.assist.sentinel import scan_one, upload
from venuecode.assist.service import alerts_for, check_visit, help_person, helped_today
from venuecode.assist.status import paper_code_status, require_staff
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.errors import DomainError, InvalidInput
from venuecode.people.idnumber import mask_id_number, mask_name
from venuecode.people.models import User
from venuecode.scans.service import IdentityRequired
from venuecode.venues.models import Venue
from venuecode.venues.service import get_venue, resolve_code
from venuecode.web.deps import CurrentUser, LocaleDep, SessionDep, StateDep, actor_of, require, writes

router = APIRouter(prefix="/api/v1", tags=["assist"])
Helper = Annotated[User, Depends(require(Permission.SCAN))]
DistrictViewer = Annotated[User, Depends(require(Permission.DISTRICT_VIEW))]
Photo = Annotated[UploadFile, File(description="JPEG or PNG photo")]


def read_photo(photo: UploadFile) -> bytes:
    # Read one byte past the limit so `load_image` can refuse an oversized upload.
    return photo.file.read(MAX_IMAGE_BYTES + 1)


def bound(user: User) -> User:
    """Helping and applying for others is done under the helper's own real name."""
    if user.id_number is None:
        raise IdentityRequired()
    return user


@router.post("/scans/help", status_code=201)
def post_help(body: HelpRequest, request: Request, user: Helper, session: SessionDep,
              state: StateDep, locale: LocaleDep) -> HelpResponse:
    """Check in up to 5 helped people at once; all are checked before any is recorded."""
    helper, now = bound(user), clock.now()
    resolved = resolve_code(session, state.signer, body.venue_code)
    key = paper_key(state)
    actor = actor_of(helper, request)
    identities: list[Identity] = []
    for index, person in enumerate(body.persons):
        try:
            identity = helper_identity(session, state.limiter, actor, helper.id, key, person,
                                       now.date())
            check_visit(identity, helper, [i.id_number for i in identities])
        except DomainError as exc:
            exc.details["person_index"] = index
            settle(session, exc)
            raise
        identities.append(identity)
    helped = [help_person(session, state.settings, state.limiter, actor, helper, resolved.venue,
                          resolved.sub_area, identity, now) for identity in identities]
    count = helped_today(session, state.settings, helper.id, now)
    session.commit()
    return HelpResponse(venue_id=resolved.venue.venue_id, venue_name=resolved.venue.name,
                        sub_area=resolved.sub_area.name if resolved.sub_area else None,
                        persons=[helped_out(h, locale) for h in helped], helped_today=count)


@router.post("/assist/id-card")
def post_id_card(photo: Photo, request: Request, user: Helper, session: SessionDep,
                 reader: IdReaderDep, locale: LocaleDep) -> IdCardReadingOut:
    """Read name and number off a card photo for the helper to confirm; nothing is kept."""
    reading = read_id_card(read_photo(photo), reader, today=clock.now().date())
    record(session, actor_of(user, request), AuditAction.ID_CARD_READ, "person",
           reading.id_number or "unread", problems=reading.problems)
    session.commit()
    return reading_out(reading, locale)


@router.post("/assist/decode-qr")
def post_decode_qr(photo: Photo, user: Helper) -> QrTextOut:
    return QrTextOut(text=decode_qr(read_photo(photo)))


def _applicant_identity(session: SessionDep, state: StateDep, request: Request, user: User,
                        body: PaperCodeRequest) -> Identity:
    return guarded(state.limiter, actor_of(user, request), user.id, "paper_code",
                   lambda: by_number_and_name(session, body.id_number, body.name,
                                              Method.ID_TYPED, clock.now().date()),
                   body.id_number)


@router.post("/assist/paper-codes", status_code=201, response_class=Response,
             responses={201: {"content": {"application/pdf": {}}}})
def post_paper_code(body: PaperCodeRequest, request: Request, user: Helper,
                    session: SessionDep, state: StateDep) -> Response:
    """Apply for a person without a phone; the answer is the printable card (PDF)."""
    try:
        identity = _applicant_identity(session, state, request, bound(user), body)
        code = issue_paper_code(session, actor_of(user, request), user.id,
                                identity.id_number, clock.now())
    except DomainError as exc:
        settle(session, exc)
        raise
    response = card_response(paper_key(state), code, identity.name)
    session.commit()
    return response


@router.post("/assist/paper-codes/reissue", status_code=201, response_class=Response,
             responses={201: {"content": {"application/pdf": {}}}})
def post_paper_code_reissue(body: PaperCodeRequest, request: Request, user: Helper,
                            session: SessionDep, state: StateDep) -> Response:
    """A replacement card: only its issuer, the person themself or a service desk."""
    try:
        identity = _applicant_identity(session, state, request, bound(user), body)
        code = reissue_checked(session, actor_of(user, request), user, identity.id_number,
                               clock.now())
    except DomainError as exc:
        settle(session, exc)
        raise
    response = card_response(paper_key(state), code, identity.name)
    session.commit()
    return response


@router.post("/assist/paper-codes/revoke")
def post_paper_code_revoke(body: PaperCodeRequest, request: Request, user: Helper,
                           session: SessionDep, state: StateDep) -> dict[str, object]:
    """Report a card lost: only its issuer, the person themself or a service desk (one refusal)."""
    try:
        code = revoke_checked(session, state.limiter, actor_of(bound(user), request), user,
                              body.id_number, body.name, clock.now())
    except DomainError as exc:
        settle(session, exc)
        raise
    session.commit()
    return {"id_number": mask_id_number(code.id_number), "issue": code.issue, "revoked": True}


@router.get("/assist/paper-codes/{token}")
@writes  # audited read
def get_paper_code(token: str, request: Request, user: CurrentUser, session: SessionDep,
                   state: StateDep) -> PaperCodeStatus:
    """Staff scanning a paper code: the person's CURRENT colour (audited look)."""
    require_staff(user)
    status = paper_code_status(session, paper_key(state), actor_of(user, request), token)
    session.commit()
    return status


# The gate device (数字哨兵): X-Device-Key alone, never a person's sign-in (gate_devices.py).
DeviceKey = Annotated[str | None, Header(
    alias=KEY_HEADER, description="The gate device's key, issued by the venue's manager "
    "(POST /api/v1/venues/{venue_id}/gate-devices).")]


def gate_device(session: SessionDep, request: Request, venue_id: str, presented: str | None
                ) -> tuple[GateDevice, Venue, Actor]:
    """The device calling for `venue_id`, and the actor its records are audited under."""
    ip = request.client.host if request.client else None
    try:
        device, venue = authenticate(session, presented, venue_id, clock.now())
    except DeviceKeyRefused as exc:
        # A revoked or misplaced key may be a stolen device: the venue's operators see it.
        record(session, device_actor(exc.device, ip), AuditAction.GATE_REFUSED, "gate_device",
               exc.device.id, exc.code, venue=venue_id)
        session.commit()
        raise
    return device, venue, device_actor(device, ip)


@router.post("/sentinel/{venue_id}/scan", status_code=201)
def post_sentinel_scan(venue_id: str, request: Request, session: SessionDep,
                       state: StateDep, reader: IdReaderDep, locale: LocaleDep,
                       device_key: DeviceKey, method: Annotated[str, Form()],
                       photo: Annotated[UploadFile | None, File()] = None,
                       qr_text: Annotated[str | None, Form(max_length=300)] = None,
                       id_number: Annotated[str | None, Form(max_length=32)] = None,
                       name: Annotated[str | None, Form(max_length=64)] = None,
                       card_number: Annotated[str | None, Form(max_length=32)] = None,
                       ) -> SentinelScanOut:
    """The gate device scans a person: paper code (photo or text), ID-card photo or typed.

    The answer is what the gate screen shows the person in front of it: pass or deny,
    with their colour now."""
    device, venue, actor = gate_device(session, request, venue_id, device_key)
    charge(state.limiter, device, 1, live=True)
    now = clock.now()
    if method == "id_card" and photo is not None:
        reading = read_id_card(read_photo(photo), reader, today=now.date())
        identity = identity_from_reading(session, reading, now.date())
    else:
        if method == "health_code_qr" and photo is not None:
            qr_text = decode_qr(read_photo(photo))
        try:
            person = HelpPersonIn(method=Method(method), qr_text=qr_text, id_number=id_number,
                                  name=name, card_number=card_number)
        except ValueError:
            raise InvalidInput("method_unknown", "未知的识别方式。", "Unknown method.") from None
        identity = identity_of(session, paper_key(state), person, now.date())
    decision, _, repeat, at = scan_one(session, state.settings, actor, device, venue,
                                       identity, now)
    session.commit()
    return SentinelScanOut(
        decision=decision.verdict, health_color=decision.panels.health_code.color,
        name=mask_name(identity.name) if identity.name else None,
        id_number=mask_id_number(identity.id_number),
        reasons=[ReasonOut(code=r.code, message=r.message(locale))
                 for r in decision.denying_reasons],
        scanned_at=at.isoformat(), repeat=repeat)


@router.post("/sentinel/{venue_id}/checkins")
def post_sentinel_checkins(venue_id: str, body: SentinelUpload, request: Request,
                           session: SessionDep, state: StateDep, device_key: DeviceKey
                           ) -> SentinelUploadResult:
    """Check-ins queued on the device during an outage, with their original times (at most
    the offline window back); answered per item without anyone's verdict or colour."""
    device, venue, actor = gate_device(session, request, venue_id, device_key)
    charge(state.limiter, device, len(body.checkins), live=False)
    result = upload(session, state.settings, paper_key(state), actor, device, venue,
                    body.checkins, clock.now())
    session.commit()
    return result


def device_out(device: GateDevice) -> GateDeviceOut:
    return GateDeviceOut(
        id=device.id, label=device.label, prefix=device.prefix,
        created_at=device.created_at.isoformat(), created_by=device.created_by,
        revoked_at=device.revoked_at.isoformat() if device.revoked_at else None,
        last_used_at=device.last_used_at.isoformat() if device.last_used_at else None,
        active=device.revoked_at is None)


@router.get("/venues/{venue_id}/gate-devices")
def get_gate_devices(venue_id: str, user: CurrentUser, session: SessionDep
                     ) -> list[GateDeviceOut]:
    """The venue's gate devices (its manager, an admin of its district, a system admin)."""
    return [device_out(d) for d in list_devices(session, user, get_venue(session, venue_id))]


@router.post("/venues/{venue_id}/gate-devices", status_code=201)
def post_gate_device(venue_id: str, body: GateDeviceIn, request: Request, user: CurrentUser,
                     session: SessionDep) -> GateDeviceIssued:
    """Register a gate device (the venue's own manager): the key is in this answer only."""
    device, key = issue_device(session, actor_of(user, request), user,
                               get_venue(session, venue_id), body.label, clock.now())
    session.commit()
    return GateDeviceIssued(**device_out(device).model_dump(), key=key)


@router.post("/venues/{venue_id}/gate-devices/{device_id}/revoke")
def post_gate_device_revoke(venue_id: str, device_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                            request: Request, user: CurrentUser, session: SessionDep
                            ) -> GateDeviceOut:
    """Revoke a device's key: its next scan or upload is refused (401 device_key_revoked)."""
    device = revoke_device(session, actor_of(user, request), user,
                           get_venue(session, venue_id), device_id, clock.now())
    session.commit()
    return device_out(device)


@router.get("/assist/help-alerts")
@writes  # audited read
def get_help_alerts(request: Request, user: DistrictViewer, session: SessionDep
                    ) -> list[HelpAlertOut]:
    alerts = alerts_for(session, user)
    record(session, actor_of(user, request), AuditAction.HELP_ALERTS_VIEWED, "help_alerts",
           user.district or "*", count=len(alerts))
    session.commit()
    return [HelpAlertOut(id=a.id, helper_user_id=a.helper_user_id, day=a.day,
                         distinct_persons=a.distinct_persons, district=a.district,
                         created_at=a.created_at.isoformat()) for a in alerts]
