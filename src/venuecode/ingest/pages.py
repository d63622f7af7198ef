"""Administrators' upload page and the list of recent batches per source."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from venuecode.access.roles import Permission
from venuecode.audit.actions import AuditAction
from venuecode.audit.service import Actor, record_about
from venuecode.errors import InvalidInput, NotFound
from venuecode.ingest.interrupted import mark_interrupted
from venuecode.ingest.kinds import KINDS
from venuecode.ingest.models import IngestBatch, IngestReject
from venuecode.ingest.readers import FileRefused
from venuecode.ingest.service import import_file, reject_rows
from venuecode.msgid import N_
from venuecode.people.idnumber import IdNumberError, parse_id_number
from venuecode.people.models import User
from venuecode.web.deps import SessionDep, StateDep, actor_of, require, writes
from venuecode.web.params import ObjectId
from venuecode.web.templating import render

router = APIRouter(include_in_schema=False)
Uploader = Annotated[User, Depends(require(Permission.INGEST_UPLOAD))]
_SUFFIXES = (".csv", ".xlsx", ".jsonl", ".ndjson", ".json")
_COPY_CHUNK = 1 << 20
_ID_FIELD = re.compile(r'"id_number":\s*"([^"]{1,40})"')


class UploadForm(BaseModel):
    """The upload page's fields (a FastAPI `Form()` model); `title` is the label shown."""

    kind: str = Field(default="", title=N_("Data kind"))
    source: str = Field(default="", title=N_("Source (department)"))
    file: UploadFile | None = Field(default=None, title=N_("File"))


def _save_upload(upload: UploadFile, limit_bytes: int, folder: Path) -> Path:
    """Copy the upload to a temporary file (never all in memory), refusing oversize files."""
    name = Path(upload.filename or "upload.csv").name
    if not name.lower().endswith(_SUFFIXES):
        raise InvalidInput("upload_type", "请上传 CSV、XLSX 或 JSON Lines 文件。",
                           "Upload a CSV, XLSX or JSON Lines (.jsonl) file.")
    target = folder / name
    written = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(_COPY_CHUNK):
            written += len(chunk)
            if written > limit_bytes:
                raise InvalidInput(
                    "upload_too_large",
                    f"文件超过 {limit_bytes >> 20} MB，请分批上传，或由运维人员用 venuecode import 导入。",
                    f"The file is larger than {limit_bytes >> 20} MB; split it, or have an "
                    "operator load it with `venuecode import`.")
            out.write(chunk)
    if written == 0:
        raise InvalidInput("upload_empty", "上传的文件是空的。", "The uploaded file is empty.")
    return target


@router.get("/admin/ingest", response_class=HTMLResponse)
def upload_form(request: Request, user: Uploader) -> HTMLResponse:
    return render(request, "ingest/upload.html", {"kinds": sorted(KINDS), "summary": None,
                                                  "error": None, "source": "upload"})


@router.post("/admin/ingest", response_class=HTMLResponse)
def upload(request: Request, user: Uploader, state: StateDep, session: SessionDep,
           form: Annotated[UploadForm, Form()]) -> HTMLResponse:
    # Plain `def`: copying and importing a file of a million rows takes a while, in
    # FastAPI's threadpool, off the event loop (the body was spooled before we run).
    kind = form.kind
    source = (form.source or "upload").strip()[:64]
    context: dict[str, object] = {"kinds": sorted(KINDS), "summary": None, "error": None, "source": source,
               "kind": kind}
    if kind not in KINDS:
        context["error"] = f"未知的数据类别 / unknown data kind: {kind!r}"
        return render(request, "ingest/upload.html", context, status_code=422)
    if form.file is None:
        context["error"] = "请选择要上传的文件 / choose a file to upload"
        return render(request, "ingest/upload.html", context, status_code=422)
    with tempfile.TemporaryDirectory() as tmp:
        path = _save_upload(form.file, state.settings.upload_max_mb << 20, Path(tmp))
        try:
            # The request's own session: one unit of work per request, as everywhere.
            summary = import_file(session, kind, path, source=source,
                                  actor=actor_of(user, request))
            session.commit()
        except FileRefused as refused:
            context["error"] = f"{refused.zh} / {refused.en}"
            return render(request, "ingest/upload.html", context, status_code=422)
    context["summary"] = summary
    return render(request, "ingest/upload.html", context)


@router.get("/admin/ingest/batches", response_class=HTMLResponse)
@writes  # marks batches of killed imports interrupted
def batches(request: Request, user: Uploader, session: SessionDep,
            source: str | None = None) -> HTMLResponse:
    if mark_interrupted(session):  # so a killed import never shows as still running
        session.commit()
    query = select(IngestBatch).order_by(IngestBatch.received_at.desc()).limit(200)
    if source:
        query = query.where(IngestBatch.source == source)
    rows = session.scalars(query).all()
    sources = sorted({r.source for r in session.scalars(
        select(IngestBatch).order_by(IngestBatch.id.desc()).limit(1000))})
    return render(request, "ingest/batches.html", {"batches": rows, "sources": sources,
                                                   "source": source})


def reject_persons(raws: Iterable[str]) -> tuple[list[str], int]:
    """The valid id numbers in rejected records (stored as JSON, maybe truncated, so read
    by pattern), and how many records name no valid one."""
    persons: list[str] = []
    without = 0
    for raw in raws:
        found = _ID_FIELD.search(raw)
        if found is None:
            without += 1
            continue
        try:
            persons.append(parse_id_number(found.group(1)).value)
        except IdNumberError:
            without += 1
    return persons, without


def audit_rejects_download(session: Session, actor: Actor, batch: IngestBatch) -> None:
    """The rejects file holds personal records: each person in it sees the download in
    their access log; rows without a valid id number are noted on the batch's event."""
    raws = session.scalars(select(IngestReject.raw).where(IngestReject.batch_id == batch.id)
                           .execution_options(yield_per=5000))
    persons, without = reject_persons(raws)
    note = f"{without} 条记录无有效身份证号码" if without else ""
    record_about(session, actor, AuditAction.INGEST_REJECTS_DOWNLOADED, "ingest_batch",
                 batch.id, persons, note, kind=batch.kind, source=batch.source,
                 without_id_number=without)
    session.commit()


@router.get("/admin/ingest/batches/{batch_id}/rejects.csv")
@writes  # audited read
def batch_rejects(batch_id: ObjectId, request: Request, user: Uploader,
                  session: SessionDep) -> StreamingResponse:
    """The rejected records of a batch, safe to open in a spreadsheet (no formulas run);
    audited per person in it."""
    batch = session.get(IngestBatch, batch_id)
    if batch is None:
        raise NotFound("batch_not_found", "找不到该批次。", f"No batch {batch_id}.")
    audit_rejects_download(session, actor_of(user, request), batch)
    filename = f"rejects-{batch.kind}-{batch_id}.csv"
    # Streamed a page of rows at a time: a batch of a million rejects never sits in memory.
    return StreamingResponse(_csv_bytes(reject_rows(session, batch_id)),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _csv_bytes(pages: Iterator[list[list[str]]]) -> Iterator[bytes]:
    yield "\ufeff".encode()  # the BOM: Excel then reads the file as UTF-8
    for rows in pages:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        yield buffer.getvalue().encode("utf-8")
