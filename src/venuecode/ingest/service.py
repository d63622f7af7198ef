"""Use cases: import a file, accept a push. Both end in a `BatchSummary`.

A record is accepted whole or rejected whole; good records are written in chunks
(committed one by one, so a 2-million-row file keeps memory flat and a crash loses at
most a chunk; importing again is idempotent). A file whose header lacks a required
column is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from os import getpid
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from venuecode import clock
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record
from venuecode.cells import safe_cell
from venuecode.config import get_settings
from venuecode.ingest.bulk import BulkWriter, Pacer, Row, extra_columns, lock_budget
from venuecode.ingest.interrupted import HOST, mark_interrupted
from venuecode.ingest.kinds import KINDS, Context, KindSpec
from venuecode.ingest.models import IngestBatch, IngestReject
from venuecode.ingest.readers import FileRefused, Item, Record, object_record, open_reader
from venuecode.ingest.reasons import Reason
from venuecode.observability.metrics import count_imported
from venuecode.timeutil import to_micros
from venuecode.venues.models import Venue

CHUNK = 20_000
MAX_PUSH = 10_000
KEPT_REJECTS = 1_000  # in the summary; all of them go to ingest_rejects and on_reject
# Rejects waiting for their chunk's commit: a file of rejects only never fills a chunk of
# good rows, so rejects are flushed on their own count too (memory stays flat).
REJECT_CHUNK = 5_000
_RAW_LIMIT = 1_000
REJECT_PAGE = 2_000  # rejects read per query when a batch's rejects are listed


@dataclass
class RejectedRecord:
    position: int  # file row (header = row 1) or JSONL line, or 0-based push index
    reasons: list[Reason]
    raw: str

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "reasons": [r.as_dict() for r in self.reasons]}


@dataclass
class BatchSummary:
    kind: str
    batch_id: int
    read: int = 0
    accepted: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[RejectedRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"read": self.read, "accepted": self.accepted, "replaced": self.replaced,
                "unchanged": self.unchanged, "rejected": self.rejected}


def require_kind(kind: str) -> KindSpec:
    spec = KINDS.get(kind)
    if spec is None:
        names = ", ".join(KINDS)
        raise FileRefused("unknown_kind", f"unknown data kind {kind!r}; one of: {names}",
                          f"未知的数据类型 {kind!r}，应为：{names}")
    return spec


def check_header(spec: KindSpec, header: Sequence[str]) -> list[str]:
    """Refuse a header missing a required column; return warnings for unknown ones."""
    seen = [h for h in header if h]
    doubled = sorted({h for h in seen if seen.count(h) > 1})
    if doubled:
        raise FileRefused("duplicate_column", f"the header names {', '.join(doubled)} twice",
                          f"表头中 {', '.join(doubled)} 重复出现")
    missing = [c for c in spec.names if c in spec.required and c not in seen]
    if missing:
        raise FileRefused(
            "missing_column",
            f"the header (row 1) lacks required column(s): {', '.join(missing)}; a "
            f"{spec.name} file has the columns {', '.join(spec.names)}",
            f"表头（第 1 行）缺少必填列：{', '.join(missing)}；{spec.name} 文件的列为 "
            f"{', '.join(spec.names)}")
    return unknown_warnings(spec, {h for h in seen if h not in spec.names})


def superseded_warnings(count: int) -> list[str]:
    if not count:
        return []
    return [f"{count} record(s) had the natural key of a later record in the same file and "
            "were superseded by it / 有记录与同一文件中后面的记录主键相同，以后者为准"]


def unknown_warnings(spec: KindSpec, unknown: set[str]) -> list[str]:
    if not unknown:
        return []
    return [f"ignored column(s) not in the {spec.name} format: {', '.join(sorted(unknown))}"
            " / 已忽略不属于该格式的列"]


def _raw(rec: Record | Reason) -> str:
    if isinstance(rec, Reason):
        return ""
    return orjson.dumps(rec).decode()[:_RAW_LIMIT]


class _Run:
    """One batch in progress: validates, de-duplicates within a chunk, writes chunks."""

    def __init__(self, session: Session, spec: KindSpec, batch: IngestBatch,
                 on_reject: Callable[[RejectedRecord], None] | None, chunk: int,
                 kept: int = KEPT_REJECTS) -> None:
        self.kept = kept
        self.session = session
        self.spec = spec
        self.batch = batch
        self.on_reject = on_reject
        self.chunk_size = chunk
        now = clock.now()
        venue_pks: dict[str, int] = {}
        if spec.name == "checkins":  # loaded once: the check-in path must not query per row
            venue_pks = {v: pk for v, pk in session.execute(select(Venue.venue_id, Venue.id))}
        self.ctx = Context(tz=get_settings().tz, now=now, venue_pks=venue_pks)
        insert_only, on_replace = extra_columns(spec, batch.source, batch.id,
                                                to_micros(batch.received_at))
        self.writer = BulkWriter(session, spec, insert_only, on_replace)
        self.pacer = Pacer(lock_budget(session))
        # The batch row and the venue map are read and written: end that transaction before
        # the first record is read, so no lock is held while a file is parsed and validated.
        session.commit()
        self.key_idx = [spec.data_columns.index(k) for k in spec.key]
        self.summary = BatchSummary(spec.name, batch.id)
        self.pending: dict[tuple[object, ...], Row] = {}
        self.pending_rejects: list[dict[str, Any]] = []
        self.superseded = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")
        self._inflight: Future[tuple[int, int, int]] | None = None

    def feed(self, items: Iterable[Item], progress: Callable[[int], None] | None = None
             ) -> None:
        summary, validate, ctx, key_idx = self.summary, self.spec.validate, self.ctx, self.key_idx
        pending = self.pending
        latest = (None if self.spec.latest_wins is None
                  else self.spec.data_columns.index(self.spec.latest_wins))
        for position, rec in items:
            summary.read += 1
            result = rec if isinstance(rec, Reason) else validate(rec, ctx)
            if isinstance(result, Reason):
                self._reject(position, [result], rec)
            elif isinstance(result, list):
                self._reject(position, result, rec)
            else:
                key = tuple([result[i] for i in key_idx])
                earlier = pending.get(key)
                if earlier is not None:
                    # The same key twice in one chunk: one record is kept, the other leaves
                    # no trace and counts as unchanged, so importing the file again gives
                    # the same counts (all unchanged) and the same data.
                    summary.unchanged += 1
                    if earlier == result:
                        continue
                    self.superseded += 1
                    if latest is not None and result[latest] < earlier[latest]:  # type: ignore[operator]
                        continue
                pending[key] = result
                if len(pending) >= self.chunk_size:
                    self.flush()
                    if progress is not None:
                        progress(summary.read)

    def _reject(self, position: int, why: list[Reason], rec: Record | Reason) -> None:
        self.summary.rejected += 1
        rejected = RejectedRecord(position, why, _raw(rec))
        if len(self.summary.rejects) < self.kept:
            self.summary.rejects.append(rejected)
        if self.on_reject is not None:
            self.on_reject(rejected)
        self.pending_rejects.append({
            "batch_id": self.batch.id, "position": position, "raw": rejected.raw,
            "reasons": "\n".join(r.text() for r in why)})
        if len(self.pending_rejects) >= REJECT_CHUNK:
            self.flush()

    def flush(self) -> None:
        """Hand the chunk to the writer thread, after the previous chunk is stored.

        Validation of the next chunk (Python) overlaps the database's work on this one
        (the drivers release the GIL while they wait); chunks are still written in
        order, one at a time, and only the writer thread touches the session meanwhile.
        """
        self._collect()
        rows = list(self.pending.values())
        self.pending.clear()
        rejects, self.pending_rejects = self.pending_rejects, []
        self._inflight = self._pool.submit(self._write, rows, rejects)

    def _write(self, rows: list[Row], rejects: list[dict[str, Any]]) -> tuple[int, int, int]:
        # One slice, one transaction (on SQLite a time-bounded one, see bulk.Pacer): the
        # write lock is held for a fraction of a second at a time, memory and WAL bounded.
        inserted = replaced = 0
        # In natural-key order before slicing: each slice then fills neighbouring index
        # pages, as a whole sorted chunk did (sorted per slice, they scatter: ~3x slower).
        rows.sort(key=self.writer.sort_key)
        for part in self.pacer.slices(rows):
            new, changed = self.writer.write(part)
            inserted, replaced = inserted + new, replaced + changed
            self.session.commit()
        for reject_part in self.pacer.slices(rejects):
            self.session.execute(insert(IngestReject), list(reject_part))
            self.session.commit()
        self.batch.heartbeat_at = clock.now()  # alive: see ingest.interrupted
        self.session.commit()
        return inserted, replaced, len(rows) - inserted - replaced

    def _collect(self) -> None:
        if self._inflight is not None:
            inserted, replaced, unchanged = self._inflight.result()
            self._inflight = None
            self.summary.accepted += inserted
            self.summary.replaced += replaced
            self.summary.unchanged += unchanged

    def close(self) -> None:
        """Wait for the chunk in flight (also when reading failed) and stop the thread."""
        try:
            self._collect()
        finally:
            self._pool.shutdown(wait=True)

    def finish(self, actor: Actor, action: AuditAction) -> BatchSummary:
        self.flush()
        self.close()
        self._save_counts("done")
        self.batch.finished_at = clock.now()
        record(self.session, actor, action, "ingest_batch", self.batch.id, "",
               kind=self.spec.name, source=self.batch.source, counts=self.summary.counts())
        self.session.commit()
        count_imported(self.spec.name, self.summary.accepted, self.summary.rejected)
        return self.summary

    def _save_counts(self, status: str) -> None:
        b, s = self.batch, self.summary
        b.status = status
        b.read, b.accepted, b.replaced, b.unchanged, b.rejected = (
            s.read, s.accepted, s.replaced, s.unchanged, s.rejected)


def _new_batch(session: Session, kind: str, source: str, channel: str,
               filename: str | None, now: datetime) -> IngestBatch:
    # Batches left running by a killed process first (committed apart, so their rows
    # are not locked while this batch runs).
    if mark_interrupted(session, now):
        session.commit()
    batch = IngestBatch(kind=kind, source=source, channel=channel, filename=filename,
                        received_at=now, status="running", host=HOST, pid=getpid(),
                        heartbeat_at=now)
    session.add(batch)
    session.flush()
    return batch


def _mark_failed(session: Session, batch: IngestBatch, exc: BaseException) -> None:
    """Keep a trace of a file that broke mid-way (chunks before it stay stored)."""
    try:
        batch.status = "failed"
        batch.error = str(exc)[:1000]
        batch.finished_at = clock.now()
        session.commit()
    except Exception:  # the session may be unusable after a database error
        session.rollback()


def import_file(
    session: Session,
    kind: str,
    path: Path,
    *,
    source: str = "cli",
    actor: Actor | None = None,
    on_reject: Callable[[RejectedRecord], None] | None = None,
    progress: Callable[[float], None] | None = None,
    chunk: int = CHUNK,
) -> BatchSummary:
    """Import a CSV, XLSX or JSON Lines file; raise FileRefused if it is unusable."""
    spec = require_kind(kind)
    reader = open_reader(path, frozenset(spec.names))
    try:
        warnings = check_header(spec, reader.header) if reader.header is not None else []
        batch = _new_batch(session, kind, source, "file", path.name[:255], clock.now())
        run = _Run(session, spec, batch, on_reject, chunk)
        report = None if progress is None else (lambda _n: progress(reader.fraction_done()))
        try:
            run.feed(reader, report)
        except BaseException as exc:
            run.close()
            _mark_failed(session, batch, exc)
            raise
        run.summary.warnings = (warnings + unknown_warnings(spec, reader.unknown)
                                + superseded_warnings(run.superseded))
        return run.finish(actor or Actor.cli(), AuditAction.INGEST_FILE)
    finally:
        reader.close()


def push(session: Session, kind: str, records: Sequence[Any], *, source: str,
         actor: Actor) -> BatchSummary:
    """Accept pushed records (at most MAX_PUSH; the API refuses more before calling)."""
    spec = require_kind(kind)
    if len(records) > MAX_PUSH:
        raise ValueError(f"at most {MAX_PUSH} records a call")
    known = frozenset(spec.names)
    unknown: set[str] = set()
    batch = _new_batch(session, kind, source, "push", None, clock.now())
    run = _Run(session, spec, batch, None, CHUNK, kept=MAX_PUSH)
    try:
        run.feed((i, object_record(r, unknown, known)) for i, r in enumerate(records))
    except BaseException:
        run.close()
        raise
    run.summary.warnings = unknown_warnings(spec, unknown) + superseded_warnings(run.superseded)
    return run.finish(actor, AuditAction.INGEST_PUSH)


def reject_rows(session: Session, batch_id: int, page: int = REJECT_PAGE
                ) -> Iterator[list[list[str]]]:
    """A batch's rejects as CSV rows (row, reasons, record), formula-safe, page by page.

    The first page starts with the header. Pages are read by id (file order) and each
    read ends its transaction, so a million rejects stream with flat memory and no lock
    is held while a slow client downloads them.
    """
    header = [["row", "reasons", "record"]]
    last = 0
    while True:
        found = session.execute(
            select(IngestReject.id, IngestReject.position, IngestReject.reasons,
                   IngestReject.raw)
            .where(IngestReject.batch_id == batch_id, IngestReject.id > last)
            .order_by(IngestReject.id).limit(page)).all()
        session.rollback()  # ends the read (the route committed what it wrote before)
        rows = [[str(position), safe_cell(reasons.replace("\n", "; ")), safe_cell(raw)]
                for _id, position, reasons, raw in found]
        if header or rows:
            yield header + rows
            header = []
        if len(found) < page:
            return
        last = found[-1][0]
