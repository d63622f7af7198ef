"""`venuecode trace`: trace cases from the registry, print JSON or write CSV/XLSX.

Exit codes: 0 done, 1 domain error (unknown case, empty registry...), 2 bad usage.
The run is audited as `trace.run` (actor "cli") with the cases and the reason; the
result itself is not stored (use the API or the pages for a stored trace).
"""

from __future__ import annotations

import getpass
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer

from venuecode.timeutil import TimeFormatError, parse_instant

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session


class OutputFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def trace_command(
    case: Annotated[list[str] | None, typer.Option(
        "--case", help="ID number of a case in the registry; repeat for several.")] = None,
    all_cases: Annotated[bool, typer.Option(
        "--all-cases", help="Trace every case in the case registry.")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Trace as of this time (ISO 8601, local time without offset); default now.")] = None,
    look_back_days: Annotated[float | None, typer.Option(
        "--look-back-days", help="Days before the case's reference time (default: settings).")] = None,
    close_minutes: Annotated[float | None, typer.Option(
        "--close-minutes", help="Minutes of exposure that make a close contact.")] = None,
    depth: Annotated[int | None, typer.Option(
        "--depth", help="1 close/general only, 2 adds secondary, 3 tertiary (max 5).")] = None,
    dwell: Annotated[list[str] | None, typer.Option(
        "--dwell", help="Stay length for a venue category, CATEGORY=MINUTES (e.g. metro=10); repeat.")] = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="json (default), csv or xlsx.")] = OutputFormat.JSON,
    output: Annotated[Path | None, typer.Option(
        "--output", help="Write to this file instead of standard output.")] = None,
    reason: Annotated[str, typer.Option(
        "--reason", help="Why personal data is looked at (kept in the audit log).")] = "",
) -> None:
    """Trace the contacts of cases (tracing-rules.md) and print them as JSON, CSV or XLSX."""
    from venuecode.cmdline import fail, session_scope, settings

    if bool(case) == all_cases:
        fail("give --case ID_NUMBER (one or more) or --all-cases, not both")
    if output_format is OutputFormat.XLSX and output is None:
        fail("--format xlsx needs --output FILE")
    from venuecode.tracing.service import parse_stays

    try:
        stays = parse_stays(dwell or [])
    except ValueError as exc:
        fail(f"--dwell {exc}")
    s = settings()
    try:
        when = None if as_of is None else parse_instant(as_of, s.tz)
    except TimeFormatError as exc:
        fail(f"--as-of: {exc}")
    with session_scope() as session:
        data = _run(session, case if not all_cases else None, when, look_back_days, close_minutes,
                    depth, output_format, reason, stays)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"written to {output}", err=True)


def _run(session: Session, cases: list[str] | None, as_of: datetime | None, look_back_days: float | None,
         close_minutes: float | None, depth: int | None, fmt: OutputFormat, reason: str,
         dwell: dict[str, float]) -> bytes:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from venuecode import clock
    from venuecode.audit.actions import AuditAction
    from venuecode.audit.service import Actor, record_about
    from venuecode.cmdline import settings
    from venuecode.tracing.core import result_to_json_dict
    from venuecode.tracing.export import render, watermark
    from venuecode.tracing.reads import result_persons
    from venuecode.tracing.service import TraceRequest, compute_trace, format_time_for

    s = settings()
    request = TraceRequest(cases, as_of, look_back_days, close_minutes, depth, reason, dwell or None)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), transient=True,
                  # No bar when stderr is not a terminal (pipes, CI, tests).
                  console=Console(file=sys.stderr, quiet=not sys.stderr.isatty())) as bar:
        task = bar.add_task("tracing", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"tracing: {stage}", completed=done, total=total)

        result = compute_trace(session, s, request, progress)
    payload = result_to_json_dict(result, format_time_for(s.tz))
    # The persons of the result reach every access log, as for a trace run on the web.
    record_about(session, Actor.cli(), AuditAction.TRACE_RUN, "trace", "cli",
                 result_persons(payload), reason, cases=[c.person for c in result.cases],
                 contacts=len(result.contacts), format=fmt.value, rules=payload["rules"])
    if fmt is OutputFormat.JSON:
        return orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n"
    record_about(session, Actor.cli(), AuditAction.TRACE_EXPORTED, "trace", "cli",
                 result_persons(payload), reason, format=fmt.value)
    return render(session, payload, fmt.value, watermark(f"cli:{_user()}", clock.now(), s.tz),
                  s.tz)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
