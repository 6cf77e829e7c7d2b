"""A checked file is kept for a while, bound to who checked it: confirming applies exactly what the
dry run showed without the file being sent again, and a refused file can be checked again after a
fix (a site alias). Caller commits; a used file is deleted by the import runner's sweep."""
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import update
from sqlalchemy.orm import Session

from openvmi.db import utcnow
from openvmi.errors import Conflict, InvalidImportFile, NotFound, Reason
from openvmi.parties.models import Party
from openvmi.supplier_stock import queries
from openvmi.tabular.kept import keep_upload, kept_file
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.supplier_stock.models import SupplierStockImport
from openvmi.supplier_stock.rules import ChangeKind, ImportStatus
from openvmi.supplier_stock.schemas import ImportRequest
from openvmi.supplier_stock.service.import_queue import KEPT_PREFIX
from openvmi.supplier_stock.service.imports import (
    ImportOutcome, check_and_apply, import_supplier_stock, request_of,
)


def check_file(session: Session, request: ImportRequest, *, stream: BinaryIO, storage: Path, keep_for: timedelta,
               actor_id: int, now: datetime | None = None,
               xlsx_limits: XlsxLimits | None = None) -> ImportOutcome:
    """A dry run of the file whose file is kept under `storage` for `keep_for`, to be confirmed (or,
    refused, checked again) by `actor_id` alone. A bad file raises InvalidImportFile, its record
    keeping the file. Caller commits."""
    now = now or utcnow()
    request = request.model_copy(update={"dry_run": True})
    try:
        outcome = import_supplier_stock(session, request, stream=stream, actor_id=actor_id, now=now,
                                        xlsx_limits=xlsx_limits)
    except InvalidImportFile as error:
        refused = session.get(SupplierStockImport, error.import_id) if error.import_id else None
        if refused is not None:
            _keep(refused, request, stream=stream, storage=storage, until=now + keep_for, outcome=None)
            session.flush()
        raise
    _keep(outcome.batch, request, stream=stream, storage=storage, until=now + keep_for, outcome=outcome)
    session.flush()
    return outcome


def confirm_dry_run(session: Session, import_id: int, *, actor_id: int, now: datetime | None = None,
                    xlsx_limits: XlsxLimits | None = None) -> ImportOutcome:
    """Apply the kept file of a dry run as it was checked, refused if the stock changed since (the
    dry run would show something else now). Not found for another user's dry run; a Conflict once
    it has expired or was already confirmed. Caller commits."""
    now = now or utcnow()
    batch = _kept(session, import_id, actor_id=actor_id, now=now, status=ImportStatus.PREVIEWED)
    # Two confirmations at once: only one UPDATE finds the dry run still unconfirmed.
    claimed = session.execute(
        update(SupplierStockImport).where(SupplierStockImport.id == batch.id,
                                          SupplierStockImport.status == ImportStatus.PREVIEWED)
        .values(status=ImportStatus.RUNNING, dry_run=False).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise Conflict(Reason("this dry run was already confirmed"))
    session.refresh(batch)
    options = batch.options or {}
    request = request_of(batch, _supplier(session, batch).code, dry_run=False)
    with Path(batch.stored_file or "").open("rb") as stream:
        outcome = check_and_apply(session, batch, _supplier(session, batch), request, stream=stream,
                                  actor_id=actor_id, progress=None, now=now, xlsx_limits=xlsx_limits,
                                  unchanged_after=options.get("history_mark", 0))
    batch.stored_file = batch.kept_until = None  # used: the runner's sweep deletes the file
    session.flush()
    return outcome


def check_again(session: Session, import_id: int, *, actor_id: int, storage: Path, keep_for: timedelta,
                now: datetime | None = None, xlsx_limits: XlsxLimits | None = None) -> ImportOutcome:
    """A new dry run of a kept file (after the supplier added a site alias, say); the new record
    takes the file over. Caller commits."""
    now = now or utcnow()
    batch = _kept(session, import_id, actor_id=actor_id, now=now, status=None)
    request = request_of(batch, _supplier(session, batch).code, dry_run=True)
    path = Path(batch.stored_file or "")
    batch.stored_file = batch.kept_until = None  # the new check keeps its own copy; the sweep deletes this one
    session.flush()
    with path.open("rb") as stream:
        return check_file(session, request, stream=stream, storage=storage, keep_for=keep_for,
                          actor_id=actor_id, now=now, xlsx_limits=xlsx_limits)


def _kept(session: Session, import_id: int, *, actor_id: int, now: datetime,
          status: ImportStatus | None) -> SupplierStockImport:
    batch = queries.get_import(session, import_id)  # another supplier's: not found
    if batch.created_by_id != actor_id:
        raise NotFound(f"no such checked file: {import_id}")  # only who checked a file may use it
    if status is not None and batch.status != status:
        raise Conflict(Reason("this dry run was already confirmed") if batch.status == ImportStatus.APPLIED
                       else Reason("only a dry run that found no problems can be confirmed"))
    if kept_file(batch.stored_file, kept_until=batch.kept_until, checked_by=batch.created_by_id, user_id=actor_id,
                 now=now) is None:
        raise Conflict(Reason("the checked file is no longer kept (it expired or was used); upload it again"))
    return batch


def _keep(batch: SupplierStockImport, request: ImportRequest, *, stream: BinaryIO, storage: Path,
          until: datetime, outcome: ImportOutcome | None) -> None:
    path, _ = keep_upload(stream, storage, prefix=KEPT_PREFIX)
    batch.stored_file, batch.kept_until = str(path), until
    # what the check saw and showed: the confirmation is refused if the stock moved past the mark
    batch.options = {"encoding": request.encoding, "sheet": request.sheet, "mapping": request.mapping,
                     "save_mapping": request.save_mapping, "history_mark": outcome and outcome.history_mark,
                     "preview": [line.model_dump(mode="json") for line in outcome.preview
                                 if line.change != ChangeKind.ZEROED] if outcome else [],
                     "zeroed": [line.model_dump(mode="json") for line in outcome.zeroed] if outcome else []}


def _supplier(session: Session, batch: SupplierStockImport) -> Party:
    supplier = session.get(Party, batch.supplier_id)
    assert supplier is not None
    return supplier
