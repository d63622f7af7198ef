"""Help-scan by ID-card photo with the real OCR engine: bad photos give a clear message,
never somebody else's number, and never a check-in before the helper confirms."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.integration.assist.conftest import venue_token
from tests.support.idcards import noise_image, render_id_card
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.people.idnumber import make_id_number
from venuecode.scans.models import Checkin, DeniedAttempt

pytest.importorskip("rapidocr_onnxruntime")
pytestmark = pytest.mark.ocr

BORN = date(1950, 6, 9)
NUMBER = make_id_number("330106", BORN, 482)
NAME = "周桂兰"


def card(**options: object) -> bytes:
    return render_id_card(NAME, NUMBER, "女", "汉", BORN, "浙江省杭州市西湖区文三路128号3幢502室",
                          **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("label", "photo", "readable"), [
    ("clean", lambda: card(), True),
    ("upside-down", lambda: card(upside_down=True), True),
    ("blurred", lambda: card(blur=7.0), False),
    ("dark", lambda: card(brightness=0.06), False),
    ("cropped", lambda: card(crop_bottom=0.3), False),
    ("not-an-id", lambda: noise_image(seed=5), False),
])
def test_the_photo_step_reads_or_asks_to_retake(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock, helper,  # type: ignore[no-untyped-def]
        label: str, photo, readable: bool) -> None:  # type: ignore[no-untyped-def]
    headers, _ = helper
    token = venue_token(db, settings)
    client.cookies.update({"vc_session": headers["Authorization"].split()[1]})
    assert client.get(f"/help/{token}?start=1").status_code == 200
    page = client.post(f"/help/{token}", data={"method": "id_photo"},
                       files={"photo": ("card.jpg", photo(), "image/jpeg")})
    assert page.status_code == 200, page.text
    assert 'id="confirm-form"' in page.text
    if readable:
        assert f'value="{NUMBER}"' in page.text and f'value="{NAME}"' in page.text
    else:
        # A hard photo is either read right or not at all, with a message saying what to
        # do; a wrong number is never offered for confirmation.
        offered = re.search(r'id="confirm-id"[^>]*value="([^"]*)"', page.text)
        assert offered is not None and offered.group(1) in ("", NUMBER)
        if offered.group(1) == "":
            assert 'class="error"' in page.text
    rows = (db.scalar(select(func.count(Checkin.id)).where(Checkin.id_number == NUMBER)) or 0) + (
        db.scalar(select(func.count(DeniedAttempt.id)).where(DeniedAttempt.id_number == NUMBER)) or 0)
    assert rows == 0
