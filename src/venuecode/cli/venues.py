"""`venuecode venues ...`: the registry from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from venuecode.cmdline import fail, session_scope, settings

if TYPE_CHECKING:
    from venuecode.venues.service import CodeSigner

app = typer.Typer(help="Venue registry: list, approve, revoke, re-issue, print posters.",
                  no_args_is_help=True)
VenueIdArg = Annotated[str, typer.Argument(help="The venue's id (printed under its code).")]


def _signer() -> CodeSigner:
    from venuecode.venues.service import CodeSigner

    s = settings()
    return CodeSigner(s.secret("code_signing_key").encode(), s.code_key_id, s.public_url)


@app.command("list")
def list_venues(
    status: Annotated[str | None, typer.Option(help="applied|approved|rejected|revoked")] = None,
    district: Annotated[str | None, typer.Option(help="Only this district.")] = None,
) -> None:
    """List venues with their status and code URL."""
    from sqlalchemy import select

    from venuecode.venues import service
    from venuecode.venues.models import Venue

    signer = _signer()
    with session_scope() as session:
        query = select(Venue).order_by(Venue.id)
        if status:
            query = query.where(Venue.status == status)
        if district:
            query = query.where(Venue.district == district)
        for venue in session.scalars(query):
            token = service.venue_token(signer, venue)
            typer.echo(f"{venue.venue_id}\t{venue.status}\t{venue.category}\t{venue.district}\t"
                       f"{venue.name}\t{signer.url(token) if token else '-'}")


@app.command("approve")
def approve(venue_id: VenueIdArg) -> None:
    """Approve an application (operator: any district)."""
    from venuecode.audit.service import Actor
    from venuecode.venues import service

    with session_scope() as session:
        venue = service.approve_venue(session, Actor.cli(), service.get_venue(session, venue_id),
                                      None)
        typer.echo(f"approved {venue.venue_id}")


@app.command("reject")
def reject(venue_id: VenueIdArg,
           reason: Annotated[str, typer.Option(help="Why; shown to the applicant.")]) -> None:
    """Reject an application with a reason."""
    from venuecode.audit.service import Actor
    from venuecode.venues import service

    with session_scope() as session:
        service.reject_venue(session, Actor.cli(), service.get_venue(session, venue_id), reason,
                             None)
        typer.echo(f"rejected {venue_id}")


@app.command("revoke")
def revoke(venue_id: VenueIdArg,
           reason: Annotated[str, typer.Option(help="Why the code is withdrawn.")]) -> None:
    """Withdraw an approved venue's code."""
    from venuecode.audit.service import Actor
    from venuecode.venues import service

    with session_scope() as session:
        service.revoke_venue(session, Actor.cli(), service.get_venue(session, venue_id), reason,
                             None)
        typer.echo(f"revoked {venue_id}")


@app.command("reissue")
def reissue(venue_id: VenueIdArg) -> None:
    """Issue a new code; every older poster of the venue stops working."""
    from venuecode.audit.service import Actor
    from venuecode.venues import service

    with session_scope() as session:
        venue = service.reissue_code(session, Actor.cli(), service.get_venue(session, venue_id))
        typer.echo(f"{venue.venue_id} now at code issue {venue.code_issue}")


@app.command("poster")
def poster(
    venue_id: VenueIdArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="png, svg or pdf")] = "pdf",
    lang: Annotated[str, typer.Option(help="zh (default) or en")] = "zh",
    sub_area: Annotated[int | None, typer.Option(help="Sub-area id for its own poster.")] = None,
) -> None:
    """Write the venue's poster (PNG, SVG or print-ready A4 PDF)."""
    from venuecode.venues import service
    from venuecode.venues.posters_service import venue_poster

    if fmt not in ("png", "svg", "pdf"):
        fail(f"unknown format {fmt!r}; use png, svg or pdf")
    if lang not in ("zh", "en"):
        fail(f"unknown language {lang!r}; use zh or en")
    chosen: Literal["png", "svg", "pdf"] = fmt  # type: ignore[assignment]
    s = settings()
    with session_scope() as session:
        venue = service.get_venue(session, venue_id)
        data = venue_poster(s, _signer(), venue, chosen, lang, sub_area)
    output.write_bytes(data)
    typer.echo(f"wrote {output} ({len(data)} bytes)")



@app.command("check-ids")
def check_ids() -> None:
    """List venues whose id cannot stand in a web address (a "/" and the like, stored before
    such ids were refused): the web cannot manage them. Exit 1 if there are any."""
    from sqlalchemy import select

    from venuecode.venues.ids import venue_id_problem
    from venuecode.venues.models import Venue

    found = 0
    with session_scope() as session:
        for venue_id, status, name in session.execute(
                select(Venue.venue_id, Venue.status, Venue.name).order_by(Venue.id)):
            problem = venue_id_problem(venue_id)
            if problem is not None:
                found += 1
                typer.echo(f"{venue_id}\t{status}\t{name}\t{problem[0]}")
    if found:
        typer.echo(f"{found} venue(s) cannot be managed from the web; manage them with "
                   "`venuecode venues approve|reject|revoke|reissue|poster ID`, or import them "
                   "again under an id of letters, digits, '-', '_' or '.'", err=True)
        raise SystemExit(1)
    typer.echo("every venue id can be used in a web address")
