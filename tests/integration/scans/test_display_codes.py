"""Rotating display codes (动态场所码): through the one scan pipeline, on a fixed clock."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.scans.test_scan_api import citizen, entries  # noqa: F401 (fixture)
from tests.support import factories
from tests.support import facts as f
from venuecode.audit.service import Actor
from venuecode.clock import FixedClock
from venuecode.config import Settings
from venuecode.errors import InvalidInput
from venuecode.venues import display
from venuecode.venues import service as venues
from venuecode.venues.models import Venue

REFUSAL = "请扫描现场展示的场所码"


def signer_of(settings: Settings, **overrides: object) -> venues.CodeSigner:
    return venues.CodeSigner.of(settings.model_copy(update=overrides))


def display_url_at(db: Session, settings: Settings, venue: Venue, clock: FixedClock,
                   steps_ago: int) -> str:
    at = clock.now() - timedelta(seconds=settings.display_code_seconds * steps_ago)
    url = venues.display_url(signer_of(settings), venue, at)
    assert url is not None
    return url


def scan(client: TestClient, headers: dict[str, str], url: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/scans", json={"venue_code": url}, headers=headers)


def test_a_display_code_within_the_grace_window_checks_in_and_one_step_older_is_refused(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock,
        citizen) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    headers, number = citizen
    f.healthy(db, number, clock.now())
    venue = factories.venue(db)
    venue.display_required = True
    db.commit()
    grace = settings.display_code_grace_steps
    assert grace == 2
    fresh = display_url_at(db, settings, venue, clock, grace)  # two steps old: still good
    assert f"/s/{venues.venue_token(signer_of(settings), venue)}." in fresh
    ok = scan(client, headers, fresh)
    assert ok.status_code == 201, ok.text
    assert entries(db, number) == 1
    stale = display_url_at(db, settings, venue, clock, grace + 1)
    clock.advance(timedelta(minutes=10))  # past the repeat window: a new scan would store
    refused = scan(client, headers, display_url_at(db, settings, venue, clock, grace + 1))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "code_display_expired"
    assert REFUSAL in refused.json()["error"]["message"]
    assert scan(client, headers, stale).status_code == 422
    assert entries(db, number) == 1  # nothing stored for a refused code


def test_a_required_venue_refuses_the_printed_poster_and_an_unrequired_one_takes_both(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock,
        citizen) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    headers, number = citizen
    f.healthy(db, number, clock.now())
    signer = signer_of(settings)
    required, free = factories.venue(db), factories.venue(db)
    required.display_required = True
    db.commit()
    poster = signer.url(venues.venue_token(signer, required) or "")
    refused = scan(client, headers, poster)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "code_display_required"
    assert REFUSAL in refused.json()["error"]["message"]
    assert scan(client, headers, display_url_at(db, settings, required, clock, 0)
                ).status_code == 201
    assert scan(client, headers, signer.url(venues.venue_token(signer, free) or "")
                ).status_code == 201
    clock.advance(timedelta(minutes=10))
    assert scan(client, headers, display_url_at(db, settings, free, clock, 0)).status_code == 201
    assert entries(db, number) == 3


def test_a_forged_or_rotated_stamp_is_refused(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock,
        citizen) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    headers, number = citizen
    f.healthy(db, number, clock.now())
    venue = factories.venue(db)
    db.commit()
    url = display_url_at(db, settings, venue, clock, 0)
    forged = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    for bad in (forged, url.rsplit(".", 1)[0] + ".!!!", url + "x"):
        answer = scan(client, headers, bad)
        assert answer.status_code == 422, (bad, answer.text)
    assert scan(client, headers, forged).json()["error"]["code"] == "code_display_invalid"
    # Another venue's key does not sign this venue's code.
    other = factories.venue(db)
    db.commit()
    token = venues.venue_token(signer_of(settings), venue) or ""
    step = display.step_of(clock.now(), settings.display_code_seconds)
    borrowed = display.stamped(token, signer_of(settings).display_key(other), step)
    assert scan(client, headers, f"http://testserver/s/{borrowed}").status_code == 422
    # Rotating the display key: the old screen's codes stop working at once.
    venues.rotate_display_key(db, Actor.cli(), venue)
    db.commit()
    assert scan(client, headers, url).json()["error"]["code"] == "code_display_invalid"
    assert scan(client, headers, display_url_at(db, settings, venue, clock, 0)
                ).status_code == 201
    assert entries(db, number) == 1


def test_a_district_that_requires_the_rotating_code_refuses_posters(
        db: Session, settings: Settings, clock: FixedClock) -> None:
    venue = factories.venue(db)
    db.flush()
    signer = signer_of(settings, display_code_districts=(venue.district,))
    poster = signer.url(venues.venue_token(signer, venue) or "")
    with pytest.raises(InvalidInput) as refused:
        venues.resolve_code(db, signer, poster)
    assert refused.value.code == "code_display_required"
    shown = venues.display_url(signer, venue, clock.now())
    assert shown is not None
    assert venues.resolve_code(db, signer, shown).venue.id == venue.id
    # Elsewhere the poster stays valid.
    assert venues.resolve_code(db, signer_of(settings), poster).venue.id == venue.id


def test_the_cli_prints_the_url_the_display_shows_now_and_it_scans(
        tmp_path, settings: Settings, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from venuecode.cli.main import app
    from venuecode.config import set_settings
    from venuecode.db import make_engine, make_sessionmaker, transaction
    from venuecode.schema import create_schema

    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    create_schema(engine)
    local = settings.model_copy(update={"database_url": url})
    set_settings(local)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        venue_id = factories.venue(session).venue_id
    result = CliRunner().invoke(app, ["venues", "display-code", venue_id])
    assert result.exit_code == 0, result.output
    printed = result.output.strip()
    assert printed.startswith(f"{settings.public_url}/s/") and printed.count(".") >= 2
    with transaction(factory) as session:
        venue = venues.get_venue(session, venue_id)
        venue.display_required = True
        assert venues.resolve_code(session, venues.CodeSigner.of(local), printed).venue.id == venue.id
        clock.advance(timedelta(seconds=settings.display_code_seconds * 3))
        with pytest.raises(InvalidInput, match="code_display_expired"):
            venues.resolve_code(session, venues.CodeSigner.of(local), printed)
    assert CliRunner().invoke(app, ["venues", "display-code", "NOPE"]).exit_code != 0
    engine.dispose()


def test_the_manager_requires_the_rotating_code_and_rotates_the_key_on_the_pages(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock,
        citizen) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.conftest import sign_in
    from venuecode.access.roles import Role

    html = {"accept": "text/html"}
    owner = factories.user(db, Role.VENUE_MANAGER)
    venue = factories.venue(db, manager=owner, venue_id="HZ-DSP1")
    db.commit()
    manager = {**sign_in(client, settings, owner.phone), **html}
    detail = client.get("/manage/venues/HZ-DSP1", headers=manager).text
    assert "张贴的场所码和动态场所码都可以登记。" in detail
    assert 'data-confirm="张贴的场所码将不能再登记。确定继续吗？"' in detail  # asks first
    shown = client.get("/manage/venues/HZ-DSP1/display", headers=manager)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    key = display.key_text(signer_of(settings).display_key(venue))
    assert f'data-key="{key}"' in shown.text and "动态场所码" in shown.text

    done = client.post("/manage/venues/HZ-DSP1/display/required", data={"required": "true"},
                       headers=manager, follow_redirects=False)
    assert done.headers["location"] == "/manage/venues/HZ-DSP1"
    said = client.get(done.headers["location"], headers=manager).text
    assert "已设置：本场所现在只接受动态场所码。" in said
    headers, number = citizen
    f.healthy(db, number, clock.now())
    db.refresh(venue)
    assert venue.display_required is True
    poster = signer_of(settings).url(venues.venue_token(signer_of(settings), venue) or "")
    assert scan(client, headers, poster).json()["error"]["code"] == "code_display_required"

    old = display_url_at(db, settings, venue, clock, 0)
    rotated = client.post("/manage/venues/HZ-DSP1/display/rotate", headers=manager,
                          follow_redirects=False)
    assert rotated.headers["location"] == "/manage/venues/HZ-DSP1"
    db.refresh(venue)
    assert venue.display_issue == 2
    assert key not in client.get("/manage/venues/HZ-DSP1/display", headers=manager).text
    assert scan(client, headers, old).json()["error"]["code"] == "code_display_invalid"
    # Another manager may not open the display (it holds the key).
    stranger = factories.user(db, Role.VENUE_MANAGER)
    db.commit()
    other = {**sign_in(client, settings, stranger.phone), **html}
    assert client.get("/manage/venues/HZ-DSP1/display", headers=other).status_code == 403
    off = client.post("/manage/venues/HZ-DSP1/display/required", data={"required": "false"},
                      headers=manager, follow_redirects=False)
    assert off.headers["location"] == "/manage/venues/HZ-DSP1"
    assert scan(client, headers, poster).status_code == 201


def test_the_scan_page_refuses_a_stale_display_code_in_words_and_takes_a_fresh_one(
        client: TestClient, db: Session, settings: Settings, clock: FixedClock,
        citizen) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    headers, number = citizen
    f.healthy(db, number, clock.now())
    venue = factories.venue(db)
    venue.display_required = True
    db.commit()
    html = {**headers, "accept": "text/html"}
    stale = display_url_at(db, settings, venue, clock, 3).replace("http://testserver", "")
    page = client.get(stale, headers=html)
    assert page.status_code == 422 and REFUSAL in page.text
    # Refused before anyone is asked to sign in, as a bad printed code is.
    signed_out = client.get(stale, headers={"accept": "text/html"}, follow_redirects=False)
    assert signed_out.status_code == 422
    fresh = display_url_at(db, settings, venue, clock, 1).replace("http://testserver", "")
    assert client.get(fresh, headers={"accept": "text/html"}, follow_redirects=False
                      ).headers["location"] == f"/login?next={fresh}"
    done = client.get(fresh, headers=html)
    assert done.status_code == 200 and "已扫码" in done.text
    assert entries(db, number) == 1
