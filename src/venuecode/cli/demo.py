"""`venuecode demo`: a small demo city on the embedded database, then serve it."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from venuecode.cli.serve import prepare
from venuecode.cmdline import fail, session_scope, settings


def demo(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Only create the data.")] = False,
    city: Annotated[int, typer.Option(
        help="Also load a simulated city of this many persons (every data kind, through "
             "the importer; 0 = none).")] = 0,
) -> None:
    """Create a demo city (venues, approved codes, an account for every role) and serve it."""
    from venuecode.config import set_settings
    from venuecode.demo import (
        ACCOUNTS,
        DEMO_CITIZEN_ID,
        DEMO_CITIZEN_NAME,
        DEMO_PASSWORD,
        demo_venues,
        load_city,
        refresh_demo_citizen,
        seed_demo,
    )
    from venuecode.venues.service import CodeSigner, venue_token

    s = settings()
    if s.environment == "production":
        # Before any write: the demo's staff accounts share a password printed in the docs.
        fail("venuecode demo refuses to run in production: it creates staff accounts whose "
             "password is published. Run it on a development copy "
             "(VENUECODE_ENVIRONMENT=development, its own VENUECODE_DATABASE_URL); create "
             "real accounts with `venuecode users create PHONE --role ROLE --name NAME`.")
    if "VENUECODE_PUBLIC_URL" not in os.environ and (host or port):
        # Codes printed by the demo must open the server it starts.
        s = s.model_copy(update={"public_url": f"http://{host or s.host}:{port or s.port}"})
        set_settings(s)
    prepare()
    with session_scope() as session:
        created = seed_demo(session)
        refresh_demo_citizen(session)
        if city:
            typer.echo(f"loading a simulated city of {city} persons ...")
            for kind, counts in load_city(session, city).items():
                typer.echo(f"  {kind}: {counts['accepted']} new, {counts['rejected']} rejected")
        signer = CodeSigner.of(s)
        venues = demo_venues(session)
        typer.echo("demo data " + ("created" if created else "already present"))
        typer.echo("\nVenue codes (open on a phone, or in a browser):")
        for venue in venues[:8]:
            token = venue_token(signer, venue)
            if token:
                typer.echo(f"  {venue.name}: {signer.url(token)}")
    base = f"http://{host or s.host}:{port or s.port}"
    typer.echo(f"\nOpen {base}/  (API docs: {base}/api/docs)")
    typer.echo("Sign in with one of these phones; the SMS code is printed in this terminal"
               f" (VENUECODE_SMS_BACKEND={s.sms_backend}).")
    for account in ACCOUNTS:
        extra = f"  password {DEMO_PASSWORD}" if account.role not in ("citizen",
                                                                      "venue_manager") else ""
        typer.echo(f"  {account.phone}  {account.role.value:<20} {account.name}{extra}")
    typer.echo(f"The citizen {ACCOUNTS[0].phone} is bound to {DEMO_CITIZEN_NAME} "
               f"{DEMO_CITIZEN_ID} with a green code and a fresh negative test.")
    if not no_serve:
        from venuecode.cli.serve import serve

        serve(host=host, port=port, workers=1)
