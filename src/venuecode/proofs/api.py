"""Verifying a scan result's proof: `POST /api/v1/verify`, a photo of its QR, and the
public keys at `/.well-known/venuecode-keys.json`.

Open to anyone, signed in or not (docs/proofs.md#who-may-verify): a proof says no more
than the screen it is shown on (verdict, venue, time, the person masked), the key set is
public so anyone can verify offline anyway, and a guard at a small shop may have no
account. The JSON route is cheap (one Ed25519 verify); the photo route decodes an image,
so it is limited per address.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from venuecode import clock
from venuecode.access.ratelimit import Limit
from venuecode.assist.idcard import MAX_IMAGE_BYTES
from venuecode.assist.qr import decode_qr
from venuecode.errors import RateLimited
from venuecode.proofs.codec import MAX_PROOF_CHARS, read_proof
from venuecode.web.deps import StateDep

router = APIRouter(tags=["proofs"])

# A staff phone photographs a few proofs a minute; a flood of images is someone else.
PHOTO_VERIFY = Limit("proof_photo", 30, 60)


class VerifyRequest(BaseModel):
    proof: str = Field(min_length=1, max_length=MAX_PROOF_CHARS,
                       description="The proof from a scan result (its QR's text).")


class VerifiedVenue(BaseModel):
    venue_id: str
    name: str
    sub_area: str | None


class VerifiedPerson(BaseModel):
    name: str | None = Field(description="Masked (张*三).")
    id_number: str = Field(description="Masked (3301**********1234).")


class VerifyResult(BaseModel):
    valid: bool = Field(description="Always true: a proof that does not verify is a 422.")
    decision: str = Field(description="pass or deny, as the scan decided.")
    venue: VerifiedVenue
    scanned_at: str
    expires_at: str
    person: VerifiedPerson
    kid: str = Field(description="The key that signed it (see the key set).")


def _verified(state: StateDep, proof: str) -> dict[str, Any]:
    claims = read_proof(state.proofs, proof, clock.now())
    return {"valid": True, **claims.as_json()}


@router.post("/api/v1/verify", response_model=VerifyResult,
             responses={422: {"description": "proof_malformed, proof_forged, "
                                             "proof_unknown_key or proof_expired"}})
def post_verify(body: VerifyRequest, state: StateDep) -> dict[str, Any]:
    """Verify a scan result's proof: its verdict, venue and time, or 422 saying why not."""
    return _verified(state, body.proof)


@router.post("/api/v1/verify/photo", response_model=VerifyResult)
def post_verify_photo(photo: Annotated[UploadFile, File(description="JPEG or PNG photo")],
                      request: Request, state: StateDep) -> dict[str, Any]:
    """Verify the proof in a photo of a result page's QR (a phone without live scanning)."""
    address = request.client.host if request.client else "unknown"
    wait = state.limiter.hit(PHOTO_VERIFY, f"ip:{address}")
    if wait > 0:
        seconds = int(wait) + 1
        raise RateLimited("verify_too_frequent", f"核验过于频繁，请{seconds}秒后再试。",
                          f"Too many verifications; try again in {seconds} s.", seconds)
    text = decode_qr(photo.file.read(MAX_IMAGE_BYTES + 1))
    return _verified(state, text)


@router.get("/.well-known/venuecode-keys.json", tags=["proofs"])
def proof_keys(state: StateDep) -> JSONResponse:
    """The public keys proofs are signed with (a JWK set: kid, kty OKP, crv Ed25519, x)."""
    # Public and the same for everyone: a device may cache it for a while.
    return JSONResponse(state.proofs.jwks(), headers={"Cache-Control": "public, max-age=300"})
