"""Import a supplier's stock file: checked whole, then applied all or nothing; a rejected file is
recorded with its bad rows. Also the supplier's saved column mapping for its files. Caller commits."""
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import add_unique, utcnow
from openvmi.errors import Conflict, FieldError, InvalidImportFile, InvalidInput, NotFound, Reason, RowError
from openvmi.parties.models import Party
from openvmi.supplier_stock import queries, rules, site_names
from openvmi.tabular.formats import file_sha256, open_table
from openvmi.tabular.report import ErrorList, stored_errors
from openvmi.tabular.table_reader import Progress
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.supplier_stock.locks import lock_supplier
from openvmi.supplier_stock.models import SupplierColumnMapping, SupplierStock, SupplierStockImport
from openvmi.supplier_stock.row_check import ItemRef, RowValidator
from openvmi.supplier_stock.rules import ImportMode, ImportStatus
from openvmi.supplier_stock.schemas import ImportRequest, PreviewLine
from openvmi.supplier_stock.service import staging
from openvmi.supplier_stock.service.thresholds import sync_threshold_alerts

_stock = SupplierStock.__table__


@dataclass
class ImportOutcome:
    batch: SupplierStockImport
    replayed: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    preview: list[PreviewLine] = field(default_factory=list)
    zeroed: list[PreviewLine] = field(default_factory=list)  # a full dry run: lines it would set to zero
    history_mark: int | None = None  # a dry run: the last stock change it saw (dry_runs confirms against it)


def import_supplier_stock(session: Session, request: ImportRequest, *, stream: BinaryIO,
                          actor_id: int | None, idempotency_key: str | None = None,
                          progress: Progress | None = None, now: datetime | None = None,
                          xlsx_limits: XlsxLimits | None = None) -> ImportOutcome:
    """Check a whole stock file, then apply it all or nothing (full: a snapshot per site; delta:
    the rows given). A bad file raises InvalidImportFile with every bad row and changes no stock;
    its rejected batch stays recorded when the caller commits. Caller commits."""
    now = now or utcnow()
    supplier = queries.get_publishing_supplier(session, request.supplier_code)
    file_hash = file_sha256(stream)

    if not request.dry_run:
        replay = queries.find_replayed_import(session, supplier.id, file_hash=file_hash, mode=request.mode,
                                              idempotency_key=idempotency_key)
        if replay is not None:
            return _replayed(session, replay, now=now)
    try:
        batch = new_batch(session, supplier, request, status=ImportStatus.RUNNING, file_hash=file_hash,
                          actor_id=actor_id, idempotency_key=idempotency_key, now=now)
    except Conflict:  # a concurrent upload with the same key committed its import first: that is the answer
        return _replayed(session, keyed_import_taken(session, supplier.id, request, idempotency_key=idempotency_key,
                                                     file_hash=file_hash), now=now)
    return check_and_apply(session, batch, supplier, request, stream=stream, actor_id=actor_id, progress=progress,
                           now=now, xlsx_limits=xlsx_limits)


def _replayed(session: Session, replay: SupplierStockImport, *, now: datetime) -> ImportOutcome:
    """Same figures, reported again (an ERP exporting unchanged stock every day): nothing changes
    but the freshness of the lines that file reported."""
    session.execute(update(_stock).where(_stock.c.supplier_id == replay.supplier_id,
                                         _stock.c.reported_at >= replay.created_at).values(reported_at=now))
    return ImportOutcome(replay, replayed=True)


def new_batch(session: Session, supplier: Party, request: ImportRequest, *, status: str, file_hash: str,
              actor_id: int | None, idempotency_key: str | None, now: datetime,
              **queued: Any) -> SupplierStockImport:
    """The record of one uploaded file, answered now (`running`) or later (`queued`). Conflict if a
    concurrent upload with the same Idempotency-Key committed its record first."""
    batch = SupplierStockImport(
        supplier_id=supplier.id, status=status, mode=request.mode, dry_run=request.dry_run,
        filename=request.filename[:300], file_hash=file_hash, file_format="csv",
        idempotency_key=None if request.dry_run else idempotency_key, created_by_id=actor_id,
        created_at=now, errors=[], **queued)
    # PostgreSQL makes the second insert of a key wait for the first transaction, then refuses it.
    add_unique(session, batch, conflict="idempotency key taken")
    return batch


def request_of(batch: SupplierStockImport, supplier_code: str, *, dry_run: bool) -> ImportRequest:
    """How a kept file (queued, or checked) is read again: as its uploader asked (batch.options)."""
    options = batch.options or {}
    return ImportRequest(supplier_code=supplier_code, filename=batch.filename, mode=batch.mode,  # type: ignore[arg-type]
                         dry_run=dry_run, encoding=options.get("encoding"), sheet=options.get("sheet"),
                         mapping=options.get("mapping"), save_mapping=bool(options.get("save_mapping")))


def keyed_import_taken(session: Session, supplier_id: int, request: ImportRequest, *, idempotency_key: str | None,
                       file_hash: str) -> SupplierStockImport:
    """The import that took `idempotency_key` while this upload was on its way (IdempotencyMismatch
    if it was another file)."""
    earlier = queries.find_keyed_import(session, supplier_id, idempotency_key=idempotency_key, file_hash=file_hash,
                                        mode=request.mode)
    if earlier is None:
        raise Conflict(Reason("the Idempotency-Key was taken and released again; send the file again"))
    return earlier


def check_and_apply(session: Session, batch: SupplierStockImport, supplier: Party, request: ImportRequest, *,
                    stream: BinaryIO, actor_id: int | None, progress: Progress | None,
                    now: datetime, xlsx_limits: XlsxLimits | None = None,
                    unchanged_after: int | None = None) -> ImportOutcome:
    """Read, check and apply (or preview) the file of `batch` inside a savepoint; a bad file rolls
    the savepoint back, records the rejection on `batch` and raises InvalidImportFile. With
    `unchanged_after` (a dry run's history mark) the file is refused if the supplier's stock changed since."""
    mapping = request.mapping
    if mapping is None:  # the supplier's saved header names, if any
        saved = queries.find_column_mapping(session, supplier.id)
        mapping = saved.mapping if saved is not None else None
    savepoint = session.begin_nested()
    try:
        outcome = _read_check_apply(session, batch, supplier, request, stream=stream, mapping=mapping,
                                    actor_id=actor_id, progress=progress, now=now, xlsx_limits=xlsx_limits,
                                    unchanged_after=unchanged_after)
    except InvalidImportFile as error:
        facts = _batch_facts(batch)
        savepoint.rollback()
        _reject(session, batch, error, facts=facts, now=now)
        raise InvalidImportFile(error.errors, error_count=error.error_count, import_id=batch.id) from None
    except BaseException:
        savepoint.rollback()
        raise
    if request.dry_run:
        facts = _batch_facts(batch)
        savepoint.rollback()  # a preview writes nothing but its own record (rolled-back values restored)
        for name, value in facts.items():
            setattr(batch, name, value)
        batch.status = ImportStatus.PREVIEWED
    else:
        savepoint.commit()
        batch.status = ImportStatus.APPLIED
    if request.mapping is not None and request.save_mapping:  # a mapping that just read a good file
        save_column_mapping(session, supplier.id, request.mapping, now=now)
    batch.finished_at = utcnow()
    batch.claimed_until = None
    session.flush()
    return outcome


def _read_check_apply(session: Session, batch: SupplierStockImport, supplier: Party, request: ImportRequest,
                      *, stream: BinaryIO, mapping: dict[str, str] | None, actor_id: int | None,
                      progress: Progress | None, now: datetime, xlsx_limits: XlsxLimits | None,
                      unchanged_after: int | None) -> ImportOutcome:
    reader = open_table(stream, filename=request.filename, encoding=request.encoding, sheet=request.sheet,
                        judge_header=lambda cells: rules.header_fitness(cells, mapping), xlsx_limits=xlsx_limits)
    try:
        batch.file_format, batch.encoding = reader.file_format, reader.encoding
        header = rules.match_headers(reader.headers, mapping)
        if header.problems:
            raise InvalidImportFile([RowError(reader.header_row, column or None, reason)
                                     for column, reason in header.problems] + reader.header_hints())
        validator = _validator(session, supplier, header, reader.headers, today=now.date())
        errors = ErrorList()
        staging.create_stage(session)
        row_count = staging.load_stage(session, reader, validator, errors, progress)
    finally:
        reader.close()
    batch.row_count = row_count
    if errors.duplicates_possible:
        staging.report_duplicates(session, errors, column=reader.headers[_key_column(header)])
    if errors.count:
        raise InvalidImportFile(errors.sorted(), error_count=errors.count)
    if row_count == 0:
        raise InvalidImportFile([RowError(None, None, Reason("the file has a header but no data rows"))])

    present = set(header.columns)
    full = request.mode == ImportMode.FULL
    lock_supplier(session, supplier.id)
    if not request.dry_run:
        if unchanged_after is not None:
            _refuse_if_changed(session, supplier.id, after=unchanged_after)
        _refuse_if_superseded(session, batch)
    outcome = ImportOutcome(batch, ignored_columns=header.ignored)
    if request.dry_run:
        staging.count_changes(session, batch, supplier.id, present, full=full)
        outcome.preview = staging.preview_changes(session, supplier.id, present, full=full)
        if batch.zeroed_count:
            outcome.zeroed = staging.zeroed_lines(session, supplier.id)
        outcome.history_mark = queries.last_history_id(session)  # under the supplier's lock
    else:
        staging.apply_changes(session, batch, supplier.id, present, full=full, actor_id=actor_id, now=now)
        sync_threshold_alerts(session, supplier.id, staging.items_changed_by(batch.id))
    staging.drop_stage(session)
    return outcome


def _refuse_if_changed(session: Session, supplier_id: int, *, after: int) -> None:
    """A confirmed dry run applies what it showed: not if the stock it compared against has changed."""
    if queries.stock_changed_after(session, supplier_id, history_mark=after):
        raise InvalidImportFile([RowError(None, None, Reason(
            "the stock changed after this file was checked (another upload or an edit), so what the check showed "
            "is out of date; check the file again to see what it would do now"))])


def _refuse_if_superseded(session: Session, batch: SupplierStockImport) -> None:
    """An upload never overwrites the figures of one made after it (a queued file whose runner
    died, taken up again after a newer file was applied). Checked under the supplier's lock."""
    newer = queries.find_newer_applied_import(session, batch.supplier_id, than_id=batch.id)
    if newer is not None:
        applied_at = (newer.finished_at or newer.created_at).strftime("%Y-%m-%d %H:%M UTC")
        raise InvalidImportFile([RowError(None, None, Reason(
            "a newer import (no. %(newer)s) was applied at %(at)s; this file was sent before it, so it was not "
            "applied over it (send it again if its figures are still current)", newer=newer.id, at=applied_at))])



_FACTS = ("file_format", "encoding", "row_count", "new_count", "changed_count", "unchanged_count", "zeroed_count")


def _batch_facts(batch: SupplierStockImport) -> dict[str, Any]:
    """What was learnt inside the savepoint; rolling it back also rolls back these attributes."""
    return {name: getattr(batch, name) for name in _FACTS}


def _reject(session: Session, batch: SupplierStockImport, error: InvalidImportFile, *, facts: dict[str, Any],
            now: datetime) -> None:
    for name, value in facts.items():
        setattr(batch, name, value)
    batch.status = ImportStatus.REJECTED
    batch.claimed_until = None
    batch.idempotency_key = None  # a corrected file may reuse the key
    batch.error_count = error.error_count
    batch.errors = stored_errors(error.errors)
    batch.new_count = batch.changed_count = batch.unchanged_count = batch.zeroed_count = 0
    batch.finished_at = now
    session.flush()


def _validator(session: Session, supplier: Party, header: rules.HeaderMatch, headers: list[str], *,
               today: date) -> RowValidator:
    items_by_code: dict[str, ItemRef] = {}
    items_by_part: dict[str, ItemRef] = {}
    # Core, not the ORM: the supplier is named explicitly, and a big catalogue loads twice as fast.
    rows = session.connection().execute(
        select(Item.id, Item.code, Item.unit, SupplierItem.supplier_part_number, SupplierItem.lead_time_days)
        .join(SupplierItem, SupplierItem.item_id == Item.id)
        .where(SupplierItem.supplier_id == supplier.id, SupplierItem.active.is_(True)))
    for item_id, code, unit, part_number, lead_time in rows:
        ref = ItemRef(item_id, code, unit, lead_time)
        items_by_code[code.upper()] = ref
        items_by_part[part_number.upper()] = ref
    sites = site_names.list_sites(session, supplier.id)
    default_site = None
    if "site" not in header.columns:
        if len(sites) != 1:
            raise InvalidImportFile([RowError(None, None, Reason(
                "no site column (e.g. 仓库/site), and %(supplier)s has %(count)s sites, so the site must be given",
                supplier=supplier.code, count=len(sites)))])
        default_site = sites[0][0]
    return RowValidator(header.columns, headers, items_by_code, items_by_part, site_names.site_keys(session, supplier.id),
                        default_site, today, site_list=rules.describe_sites([(code, name) for _, code, name in sites]))


def _key_column(header: rules.HeaderMatch) -> int:
    """The column that names the item: the one a duplicate row is reported in."""
    return header.columns.get("item_code", header.columns.get("supplier_part_number", 0))


def save_column_mapping(session: Session, supplier_id: int, mapping: dict[str, str], *,
                        now: datetime | None = None) -> SupplierColumnMapping:
    """Remember a supplier's own header names for its next uploads. Caller commits."""
    unknown = set(mapping) - set(rules.FIELDS)
    if unknown:
        raise InvalidInput([FieldError(f"mapping.{name}", "unknown field") for name in sorted(unknown)])
    if session.scalars(select(Party.id).where(Party.id == supplier_id, Party.kind == "supplier")).first() is None:
        raise NotFound(f"no such supplier: {supplier_id}")  # also what another supplier's user is told
    row = queries.find_column_mapping(session, supplier_id)
    if row is None:
        row = SupplierColumnMapping(supplier_id=supplier_id, mapping=dict(mapping))
        session.add(row)
    row.mapping = dict(mapping)
    row.updated_at = now or utcnow()
    session.flush()
    return row
