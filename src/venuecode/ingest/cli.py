"""`venuecode import KIND FILE` and `venuecode sources ...` (API keys of data sources).

Exit codes of import: 0 every record accepted (new, replaced or unchanged), 1 some
records rejected (the others are stored), 2 the file is unusable (missing, unknown kind
or type, undecodable, header without a required column) and nothing was written.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from venuecode.cells import safe_cell

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from venuecode.ingest.service import BatchSummary, RejectedRecord

_BAR_FROM_BYTES = 5 << 20  # files smaller than this finish before a bar is useful


class RejectReport:
    """Rejected records to a CSV file: row, reasons, the record as received."""

    def __init__(self, stream: TextIO) -> None:
        self._writer = csv.writer(stream)
        self._writer.writerow(["row", "codes", "reasons", "record"])

    def add(self, rejected: RejectedRecord) -> None:
        self._writer.writerow([
            str(rejected.position),
            safe_cell(",".join(r.code for r in rejected.reasons)),
            safe_cell("; ".join(r.text() for r in rejected.reasons)),
            safe_cell(rejected.raw),
        ])


@contextmanager
def _progress(path: Path, enabled: bool) -> Iterator[Callable[[float], None] | None]:
    if not enabled or not path.is_file() or path.stat().st_size < _BAR_FROM_BYTES:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(f"importing {path.name}"), BarColumn(),
               TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("import", total=1.0)
        yield lambda fraction: bar.update(task, completed=fraction)


def run_import(session: Session, kind: str, file: Path, source: str = "cli",
               report: Path | None = None, json_output: bool = False,
               out: TextIO | None = None) -> int:
    """The import command on a given session; returns the exit code."""
    from venuecode.ingest.readers import FileRefused
    from venuecode.ingest.service import import_file

    out = out or sys.stdout
    report_stream = None
    try:
        sink = None
        if report is not None:
            report_stream = report.open("w", encoding="utf-8-sig", newline="")
            sink = RejectReport(report_stream).add
        with _progress(file, not json_output) as progress:
            summary = import_file(session, kind, file, source=source, on_reject=sink,
                                  progress=progress)
    except FileRefused as refused:
        if json_output:
            out.write(json.dumps({"error": refused.code, "message": refused.en,
                                  "message_zh": refused.zh}, ensure_ascii=False) + "\n")
        else:
            print(f"error: {refused.en}\n       {refused.zh}", file=sys.stderr)
        return 2
    finally:
        if report_stream is not None:
            report_stream.close()
    _print_summary(summary, json_output, out, report)
    return 1 if summary.rejected else 0


def _print_summary(summary: BatchSummary, json_output: bool, out: TextIO,
                   report: Path | None) -> None:
    if json_output:
        body = {**summary.counts(), "batch_id": summary.batch_id, "warnings": summary.warnings}
        out.write(json.dumps(body, ensure_ascii=False) + "\n")
        return
    c = summary.counts()
    out.write(f"{summary.kind}: read {c['read']}, accepted {c['accepted']}, replaced "
              f"{c['replaced']}, unchanged {c['unchanged']}, rejected {c['rejected']} "
              f"(batch {summary.batch_id})\n")
    for warning in summary.warnings:
        out.write(f"warning: {warning}\n")
    for rejected in summary.rejects[:20]:
        reasons = "; ".join(r.text() for r in rejected.reasons)
        out.write(f"row {rejected.position}: {reasons}\n")
    if summary.rejected > 20:
        more = f"see {report}" if report else "use --report FILE.csv to list them all"
        out.write(f"... {summary.rejected - 20} more rejected rows; {more}\n")


def import_command(
    kind: Annotated[str, typer.Argument(help="Data kind: persons, venues, checkins, ...")],
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GBK), XLSX or JSON Lines file.")],
    source: Annotated[str, typer.Option("--source", help="Sending department.")] = "cli",
    report: Annotated[Path | None, typer.Option("--report",
                                                help="Write rejected rows to this CSV.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Import a file of one data kind (see docs/data-interfaces.md)."""
    from venuecode.cmdline import session_scope

    with session_scope() as session:
        code = run_import(session, kind, file, source, report, json_output)
    raise typer.Exit(code)


sources_app = typer.Typer(help="Data sources and their API keys for the push API.",
                          no_args_is_help=True)


@sources_app.command("create")
def create_source(
    name: Annotated[str, typer.Argument(help="The sending department's system, e.g. lab-3.")],
    kinds: Annotated[str, typer.Option("--kinds", help="Comma-separated kinds it may push.")],
) -> None:
    """Create a source and print its API key (shown only this once)."""
    from venuecode.cmdline import session_scope
    from venuecode.ingest.sources import create_key

    with session_scope() as session:
        row, key = create_key(session, name, kinds.split(","))
        typer.echo(f"source {row.name} may push: {row.kinds}")
        typer.echo(f"API key (shown only now, store it safely): {key}")


@sources_app.command("list")
def list_sources() -> None:
    """List sources: name, key prefix, kinds, created, last used, revoked."""
    from venuecode.cmdline import session_scope
    from venuecode.ingest.sources import list_keys

    with session_scope() as session:
        for row in list_keys(session):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            used = (f"last used {row.last_used_at:%Y-%m-%d %H:%M}Z" if row.last_used_at
                    else "never used")
            typer.echo(f"{row.name}\t{row.prefix}...\t{row.kinds}\t"
                       f"created {row.created_at:%Y-%m-%d}\t{used}\t{state}")


@sources_app.command("revoke")
def revoke_source(name: Annotated[str, typer.Argument(help="The source to revoke.")]) -> None:
    """Revoke a source's API key at once; its pushes are refused from now on."""
    from venuecode.cmdline import session_scope
    from venuecode.ingest.sources import revoke_key

    with session_scope() as session:
        revoke_key(session, name)
        typer.echo(f"revoked {name}")
