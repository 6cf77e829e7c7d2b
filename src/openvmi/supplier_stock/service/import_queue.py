"""Imports too big to answer while the user waits: the file is kept and queued, a runner claims it
with a lease (a runner that dies gives it back) and runs it like any import. Caller commits."""
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from openvmi.db import utcnow
from openvmi.errors import Conflict, Reason
from openvmi.parties.models import Party
from openvmi.supplier_stock import queries
from openvmi.tabular.kept import keep_upload, sweep_kept_files
from openvmi.tabular.table_reader import Progress
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.supplier_stock.models import SupplierStockImport
from openvmi.supplier_stock.rules import UNFINISHED, ImportStatus
from openvmi.supplier_stock.schemas import ImportRequest
from openvmi.supplier_stock.service.imports import (
    ImportOutcome, check_and_apply, keyed_import_taken, new_batch, request_of,
)

KEPT_PREFIX = "supplier-stock"  # its kept uploads: supplier-stock-<random>.upload in the import storage


def queue_import(session: Session, request: ImportRequest, *, stream: BinaryIO, storage: Path,
                 actor_id: int | None, idempotency_key: str | None = None,
                 now: datetime | None = None) -> SupplierStockImport:
    """Keep the file under `storage` and queue it for a runner (run_queued_import): for files too
    big to answer while the user waits. The same Idempotency-Key answers with the first import.
    Caller commits."""
    now = now or utcnow()
    supplier = queries.get_publishing_supplier(session, request.supplier_code)
    path, file_hash = keep_upload(stream, storage, prefix=KEPT_PREFIX)
    try:
        earlier = None if request.dry_run else queries.find_keyed_import(
            session, supplier.id, idempotency_key=idempotency_key, file_hash=file_hash, mode=request.mode)
        if earlier is None:
            try:
                return new_batch(session, supplier, request, status=ImportStatus.QUEUED, file_hash=file_hash,
                                 actor_id=actor_id, idempotency_key=idempotency_key, now=now, stored_file=str(path),
                                 options={"encoding": request.encoding, "sheet": request.sheet,
                                          "mapping": request.mapping, "save_mapping": request.save_mapping})
            except Conflict:  # a concurrent upload with the same key committed first
                earlier = keyed_import_taken(session, supplier.id, request, idempotency_key=idempotency_key,
                                             file_hash=file_hash)
    except BaseException:
        path.unlink(missing_ok=True)  # no import refers to this copy
        raise
    path.unlink()  # the first upload's copy is the one that counts
    return earlier


def claim_queued_import(session: Session, *, worker_id: str, now: datetime,
                        lease: timedelta) -> SupplierStockImport | None:
    """The oldest queued import, or one whose runner's lease ran out (it died), claimed for
    `lease`; `attempts` counts the claims. A supplier's files run one after the other in the order
    they came: while an older one of the same supplier waits or runs (in another process), a newer one
    is not taken, or it could be applied first and the older one refused as sent before it. Caller commits."""
    expired = and_(SupplierStockImport.status == ImportStatus.RUNNING, SupplierStockImport.claimed_until < now)
    older = aliased(SupplierStockImport)
    older_unfinished = exists().where(older.supplier_id == SupplierStockImport.supplier_id,
                                      older.id < SupplierStockImport.id, older.status.in_(UNFINISHED))
    candidate = session.scalars(
        select(SupplierStockImport.id)
        .where(or_(SupplierStockImport.status == ImportStatus.QUEUED, expired), ~older_unfinished)
        .order_by(SupplierStockImport.id).limit(1)).first()
    if candidate is None:
        return None
    # Another runner may have claimed it since the SELECT: only one UPDATE wins.
    claimed = session.execute(
        update(SupplierStockImport)
        .where(SupplierStockImport.id == candidate, or_(SupplierStockImport.status == ImportStatus.QUEUED, expired))
        .values(status=ImportStatus.RUNNING, claimed_by=worker_id, claimed_until=now + lease,
                attempts=SupplierStockImport.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return None
    return session.get(SupplierStockImport, candidate, populate_existing=True)


def run_queued_import(session: Session, import_id: int, *, worker_id: str, progress: Progress | None = None,
                      now: datetime | None = None, xlsx_limits: XlsxLimits | None = None) -> ImportOutcome | None:
    """Run an import this worker claimed, as its uploader asked, all or nothing, like
    import_supplier_stock. None if the claim was lost (its lease ran out and another runner took it).
    A bad file raises InvalidImportFile with the rejection recorded. Caller commits, then removes
    the stored file."""
    now = now or utcnow()
    batch = session.scalars(select(SupplierStockImport).where(
        SupplierStockImport.id == import_id, SupplierStockImport.status == ImportStatus.RUNNING,
        SupplierStockImport.claimed_by == worker_id)).first()
    if batch is None or batch.stored_file is None:
        return None
    supplier = session.get(Party, batch.supplier_id)
    assert supplier is not None
    request = request_of(batch, supplier.code, dry_run=batch.dry_run)
    progress_file = _progress_file(batch.stored_file)

    def report(done: int, total: int) -> None:
        _write_progress(progress_file, done, total)
        if progress is not None:
            progress(done, total)

    _write_progress(progress_file, 0, 1)
    try:
        with Path(batch.stored_file).open("rb") as stream:
            return check_and_apply(session, batch, supplier, request, stream=stream, actor_id=batch.created_by_id,
                                   progress=report, now=now, xlsx_limits=xlsx_limits)
    finally:
        progress_file.unlink(missing_ok=True)


# How far a queued import has read its file is kept beside the file, in the import storage every runner shares,
# never committed (an import is one transaction, so nothing it writes is visible to others before its end): the
# status page may be answered by another `serve` process than the one running the import.
def _progress_file(stored_file: str) -> Path:
    return Path(f"{stored_file}.progress")


def _write_progress(path: Path, done: int, total: int) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(f"{done} {total}")
    partial.replace(path)  # a reader sees the last figure whole, never half of one


def import_progress(batch: SupplierStockImport) -> float | None:
    """How far a running import has read its file (0..1), whichever process runs it, else None."""
    if batch.stored_file is None:
        return None
    try:
        done, total = (int(figure) for figure in _progress_file(batch.stored_file).read_text().split())
    except (OSError, ValueError):
        return None  # not running (or ended a moment ago)
    return min(1.0, done / total) if total else None


def sweep_orphan_files(session: Session, storage: Path, *, modified_before: datetime) -> list[Path]:
    """Delete kept uploads that no queued or running import waits for and no checked file still kept
    (dry_runs): used or expired checks, and files left by a process that died between keeping the
    file and committing its import, or between ending it and deleting the file.
    Files modified since `modified_before` may belong to an upload whose request is still running."""
    kept = and_(SupplierStockImport.kept_until.is_not(None), SupplierStockImport.kept_until > utcnow())
    waiting = {Path(name).name for name in session.scalars(select(SupplierStockImport.stored_file).where(
        or_(SupplierStockImport.status.in_(UNFINISHED), kept), SupplierStockImport.stored_file.is_not(None)))}
    removed = sweep_kept_files(storage, prefix=KEPT_PREFIX, waiting=waiting, modified_before=modified_before)
    return removed + _sweep_progress_files(storage, modified_before=modified_before)


def _sweep_progress_files(storage: Path, *, modified_before: datetime) -> list[Path]:
    """Delete progress files whose upload is gone: left by a runner killed while it read the file, when the
    import then ended without running again (failed after too many attempts)."""
    if not storage.is_dir():
        return []
    removed = []
    for path in storage.glob(f"{KEPT_PREFIX}-*.upload.progress*"):  # and its .partial
        upload = path.with_name(path.name.split(".progress", 1)[0])
        try:
            orphan = not upload.exists() and path.stat().st_mtime < modified_before.timestamp()
        except FileNotFoundError:
            continue  # its import ended and removed it
        if orphan:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def fail_import(session: Session, import_id: int, reason: Reason, *, worker_id: str,
                now: datetime | None = None) -> None:
    """Record an import that broke for a reason other than its file (the runner logs the cause),
    unless another runner has taken it over since."""
    batch = session.get(SupplierStockImport, import_id)
    if batch is not None and batch.status == ImportStatus.RUNNING and batch.claimed_by == worker_id:
        _fail(batch, reason, now=now or utcnow())
        session.flush()


def _fail(batch: SupplierStockImport, reason: Reason, *, now: datetime) -> None:
    batch.status = ImportStatus.FAILED
    batch.claimed_until = None
    batch.idempotency_key = None  # the same file may be sent again
    batch.errors = [{"row": None, "column": None, "reason": reason, "value": None, "msgid": reason.msgid,
                     "params": reason.params}]
    batch.error_count = 1
    batch.finished_at = now
