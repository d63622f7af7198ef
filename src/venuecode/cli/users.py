"""`venuecode users create|list|bind-identity|audit-bindings`: accounts and their bindings."""

from __future__ import annotations

from typing import Annotated

import typer

from venuecode.access.roles import Role
from venuecode.cmdline import fail, session_scope

app = typer.Typer(help="User accounts (staff are created here; citizens sign up by SMS).",
                  no_args_is_help=True)


@app.command("create")
def create(
    phone: Annotated[str, typer.Argument(help="Mobile number the person signs in with.")],
    role: Annotated[Role, typer.Option(help="Role of the account.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    district: Annotated[str | None, typer.Option(help="District (district admins).")] = None,
    password: Annotated[str | None, typer.Option(
        help="Password (second factor for tracers and admins); asked for if needed.")] = None,
) -> None:
    """Create a staff account."""
    if role == Role.DATA_SOURCE:
        fail("data sources use API keys: `venuecode sources create NAME --kinds ...`")
    from venuecode.access.roles import SECOND_FACTOR_ROLES
    from venuecode.audit.service import Actor
    from venuecode.people.service import create_user

    if role in SECOND_FACTOR_ROLES and password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with session_scope() as session:
        user = create_user(session, Actor.cli(), phone, role, name, password, district)
        typer.echo(f"created user {user.id}: {user.phone} ({user.role})")


@app.command("list")
def list_users(
    role: Annotated[Role | None, typer.Option(help="Only this role.")] = None,
) -> None:
    """List staff accounts (citizens are not listed)."""
    from sqlalchemy import select

    from venuecode.people.models import User

    with session_scope() as session:
        query = select(User).where(User.role != Role.CITIZEN.value).order_by(User.id)
        if role is not None:
            query = query.where(User.role == role.value)
        for user in session.scalars(query):
            typer.echo(f"{user.id}\t{user.phone}\t{user.role}\t{user.district or ''}\t"
                       f"{user.display_name}")


@app.command("bind-identity")
def bind_identity(
    phone: Annotated[str, typer.Argument(help="Mobile number of the account to bind.")],
    id_number: Annotated[str, typer.Option("--id-number", help="ID number on the card checked.")],
    name: Annotated[str, typer.Option(help="Name on the card checked.")],
    reason: Annotated[str, typer.Option(help="What was checked, and where (audited).")],
) -> None:
    """Service desk: bind an identity after checking the ID card in person (audited)."""
    from sqlalchemy import select

    from venuecode.audit.service import Actor
    from venuecode.people.auth import normalize_phone
    from venuecode.people.binding import desk_bind
    from venuecode.people.idnumber import mask_id_number
    from venuecode.people.models import User

    with session_scope() as session:
        target = session.scalar(select(User).where(User.phone == normalize_phone(phone)))
        if target is None:
            fail(f"no account uses {phone}: its holder signs in with it once first")
        released = desk_bind(session, Actor.cli(), None, target, id_number, name, reason)
        typer.echo(f"bound user {target.id} to {mask_id_number(target.id_number or '')}"
                   + (f"; released it from user {released.id}" if released else ""))


@app.command("audit-bindings")
def audit_bindings() -> None:
    """List bound accounts the registry does not confirm (nothing is changed)."""
    from venuecode.people.binding_audit import failing_bindings
    from venuecode.people.idnumber import mask_id_number

    count = 0
    with session_scope() as session:
        for problem in failing_bindings(session):
            count += 1
            typer.echo(f"{problem.user_id}\t{problem.phone}\t{mask_id_number(problem.id_number)}"
                       f"\t{problem.problem}")
    typer.echo(f"{count} binding(s) not confirmed by the registry"
               + ("; confirm them at a service desk (`venuecode users bind-identity`)"
                  if count else ""), err=True)
