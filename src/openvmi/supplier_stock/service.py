"""Use cases for supplier-published stock: import a file, adjust a line, set thresholds. Every
change keeps history and re-checks thresholds in the same transaction. Caller commits."""
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import (
    Column, ColumnElement, Date, Integer, MetaData, String, Table, and_, case, exists, func, insert,
    literal, or_, select, text, update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from openvmi.alerts import service as alerts_service
from openvmi.alerts.schemas import AlertSignal
from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import Quantity, quantize, utcnow
from openvmi.errors import (
    Conflict, FieldError, IdempotencyMismatch, InvalidImportFile, InvalidInput, NotFound, Reason, RowError,
)
from openvmi.locations.models import Location
from openvmi.parties.models import Party
from openvmi.scoping import current_supplier_scope
from openvmi.supplier_stock import importer, rules
from openvmi.supplier_stock.models import (
    StockThreshold, SupplierColumnMapping, SupplierStock, SupplierStockHistory, SupplierStockImport,
)
from openvmi.supplier_stock.schemas import (
    ImportRequest, PreviewLine, StockLineCreate, StockLineUpdate, ThresholdSet,
)

MAX_REPORTED_ERRORS = 1000
MAX_PREVIEW_LINES = 500
MAX_ROWS = 2_000_000
CHUNK_ROWS = 5000
SQLITE_IMPORT_CACHE_KB = 64 * 1024

_stage_metadata = MetaData()
# Scratch space for one import, private to its transaction: rows are checked for duplicates and
# compared with current stock in SQL, so a million rows never sit in Python memory at once.
stage = Table(
    "supplier_stock_stage", _stage_metadata,
    Column("row_number", Integer, nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("location_id", Integer, nullable=False),
    Column("on_hand", Quantity(), nullable=False),
    Column("available", Quantity(), nullable=False),
    Column("next_available_date", Date),
    Column("lead_time_days", Integer),
    Column("unit", String(20), nullable=False),
    prefixes=["TEMPORARY"],
)
_STAGE_COLUMNS = [c.name for c in stage.columns]


class StaleVersion(Conflict):
    """The line changed since the caller read it; it must re-read instead of overwriting."""

    code = "stale_version"


@dataclass
class ImportOutcome:
    batch: SupplierStockImport
    replayed: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    preview: list[PreviewLine] = field(default_factory=list)


def import_supplier_stock(session: Session, request: ImportRequest, *, stream: BinaryIO,
                          actor_id: int | None, idempotency_key: str | None = None,
                          progress: importer.Progress | None = None, now: datetime | None = None
                          ) -> ImportOutcome:
    """Check a whole stock file, then apply it all or nothing (full: a snapshot per site; delta:
    the rows given). A bad file raises InvalidImportFile with every bad row and changes no stock;
    its rejected batch stays recorded when the caller commits. Caller commits."""
    now = now or utcnow()
    supplier = _import_supplier(session, request.supplier_code)
    file_hash = _sha256(stream)

    if not request.dry_run:
        replay = _find_replay(session, supplier.id, file_hash, request, idempotency_key)
        if replay is not None:
            # Same figures, reported again (an ERP exporting unchanged stock every day): nothing
            # changes but the freshness of the lines that file reported.
            session.execute(update(_stock).where(_stock.c.supplier_id == supplier.id,
                                                 _stock.c.reported_at >= replay.created_at).values(reported_at=now))
            return ImportOutcome(replay, replayed=True)

    batch = _new_batch(session, supplier, request, status="running", file_hash=file_hash, actor_id=actor_id,
                       idempotency_key=idempotency_key, now=now)
    return _check_and_apply(session, batch, supplier, request, stream=stream, actor_id=actor_id, progress=progress,
                            now=now)


def queue_import(session: Session, request: ImportRequest, *, stream: BinaryIO, storage: Path,
                 actor_id: int | None, idempotency_key: str | None = None,
                 now: datetime | None = None) -> SupplierStockImport:
    """Keep the file under `storage` and queue it for a runner (run_queued_import): for files too
    big to answer while the user waits. The same Idempotency-Key answers with the first import.
    Caller commits."""
    now = now or utcnow()
    supplier = _import_supplier(session, request.supplier_code)
    storage.mkdir(parents=True, exist_ok=True)
    path = storage / f"supplier-stock-{uuid.uuid4().hex}.upload"
    digest = hashlib.sha256()
    stream.seek(0)
    with path.open("xb") as stored:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
            stored.write(chunk)
    file_hash = digest.hexdigest()
    try:
        earlier = None if request.dry_run else _keyed_import(session, supplier.id, idempotency_key, file_hash,
                                                             request.mode)
    except IdempotencyMismatch:
        path.unlink()
        raise
    if earlier is not None:
        path.unlink()  # the first upload's copy is the one that counts
        return earlier
    return _new_batch(session, supplier, request, status="queued", file_hash=file_hash, actor_id=actor_id,
                      idempotency_key=idempotency_key, now=now, stored_file=str(path),
                      options={"encoding": request.encoding, "sheet": request.sheet, "mapping": request.mapping,
                               "save_mapping": request.save_mapping})


def claim_queued_import(session: Session, *, worker_id: str, now: datetime,
                        lease: timedelta) -> SupplierStockImport | None:
    """The oldest queued import, or one whose runner's lease ran out (it died), claimed for
    `lease`; `attempts` counts the claims. Caller commits."""
    expired = and_(SupplierStockImport.status == "running", SupplierStockImport.claimed_until < now)
    candidate = session.scalars(
        select(SupplierStockImport.id)
        .where(or_(SupplierStockImport.status == "queued", expired))
        .order_by(SupplierStockImport.id).limit(1)).first()
    if candidate is None:
        return None
    # Another runner may have claimed it since the SELECT: only one UPDATE wins.
    claimed = session.execute(
        update(SupplierStockImport)
        .where(SupplierStockImport.id == candidate, or_(SupplierStockImport.status == "queued", expired))
        .values(status="running", claimed_by=worker_id, claimed_until=now + lease,
                attempts=SupplierStockImport.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return None
    return session.get(SupplierStockImport, candidate, populate_existing=True)


def run_queued_import(session: Session, import_id: int, *, worker_id: str, progress: importer.Progress | None = None,
                      now: datetime | None = None) -> ImportOutcome | None:
    """Run an import this worker claimed, as its uploader asked, all or nothing, like
    import_supplier_stock. None if the claim was lost (its lease ran out and another runner took it).
    A bad file raises InvalidImportFile with the rejection recorded. Caller commits, then removes
    the stored file."""
    now = now or utcnow()
    batch = session.scalars(select(SupplierStockImport).where(
        SupplierStockImport.id == import_id, SupplierStockImport.status == "running",
        SupplierStockImport.claimed_by == worker_id)).first()
    if batch is None or batch.stored_file is None:
        return None
    supplier = session.get(Party, batch.supplier_id)
    assert supplier is not None
    options = batch.options or {}
    request = ImportRequest(supplier_code=supplier.code, filename=batch.filename, mode=batch.mode,  # type: ignore[arg-type]
                            dry_run=batch.dry_run, encoding=options.get("encoding"), sheet=options.get("sheet"),
                            mapping=options.get("mapping"), save_mapping=bool(options.get("save_mapping")))

    def report(done: int, total: int) -> None:
        _running[import_id] = (done, total)
        if progress is not None:
            progress(done, total)

    _running[import_id] = (0, 1)
    try:
        with Path(batch.stored_file).open("rb") as stream:
            return _check_and_apply(session, batch, supplier, request, stream=stream, actor_id=batch.created_by_id,
                                    progress=report, now=now)
    finally:
        del _running[import_id]


# (done, total) of the queued imports running in this process. Kept in memory, never committed:
# an import is one transaction, so nothing it writes is visible to others before its end.
_running: dict[int, tuple[int, int]] = {}


def import_progress(import_id: int) -> float | None:
    """How far an import running in this process has read its file (0..1), else None."""
    done, total = _running.get(import_id, (0, 0))
    return min(1.0, done / total) if total else None


def import_finished(session: Session, import_id: int) -> bool:
    status = session.scalar(select(SupplierStockImport.status).where(SupplierStockImport.id == import_id))
    return status not in ("queued", "running")


def fail_import(session: Session, import_id: int, reason: Reason, *, worker_id: str,
                now: datetime | None = None) -> None:
    """Record an import that broke for a reason other than its file (the runner logs the cause),
    unless another runner has taken it over since."""
    batch = session.get(SupplierStockImport, import_id)
    if batch is not None and batch.status == "running" and batch.claimed_by == worker_id:
        _fail(batch, reason, now=now or utcnow())
        session.flush()


def _fail(batch: SupplierStockImport, reason: Reason, *, now: datetime) -> None:
    batch.status = "failed"
    batch.claimed_until = None
    batch.idempotency_key = None  # the same file may be sent again
    batch.errors = [{"row": None, "column": None, "reason": reason, "value": None, "msgid": reason.msgid,
                     "params": reason.params}]
    batch.error_count = 1
    batch.finished_at = now


def _check_and_apply(session: Session, batch: SupplierStockImport, supplier: Party, request: ImportRequest, *,
                     stream: BinaryIO, actor_id: int | None, progress: importer.Progress | None,
                     now: datetime) -> ImportOutcome:
    mapping = request.mapping if request.mapping is not None else _saved_mapping(session, supplier.id)
    savepoint = session.begin_nested()
    try:
        outcome = _read_check_apply(session, batch, supplier, request, stream=stream, mapping=mapping,
                                    actor_id=actor_id, progress=progress, now=now)
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
        batch.status = "previewed"
    else:
        savepoint.commit()
        batch.status = "applied"
    if request.mapping is not None and request.save_mapping:  # a mapping that just read a good file
        save_column_mapping(session, supplier.id, request.mapping, now=now)
    batch.finished_at = utcnow()
    batch.claimed_until = None
    session.flush()
    return outcome


def _read_check_apply(session: Session, batch: SupplierStockImport, supplier: Party, request: ImportRequest,
                      *, stream: BinaryIO, mapping: dict[str, str] | None, actor_id: int | None,
                      progress: importer.Progress | None, now: datetime) -> ImportOutcome:
    reader = importer.open_table(stream, filename=request.filename, encoding=request.encoding,
                                 sheet=request.sheet, judge_header=lambda cells: rules.header_fitness(cells, mapping))
    try:
        batch.file_format, batch.encoding = reader.file_format, reader.encoding
        header = rules.match_headers(reader.headers, mapping)
        if header.problems:
            raise InvalidImportFile([RowError(reader.header_row, column or None, reason)
                                     for column, reason in header.problems] + reader.header_hints())
        validator = _validator(session, supplier, header, reader.headers, today=now.date())
        errors = _ErrorList()
        _create_stage(session)
        row_count = _load_stage(session, reader, validator, errors, progress)
    finally:
        reader.close()
    batch.row_count = row_count
    if errors.duplicates_possible:
        _report_duplicates(session, errors, column=reader.headers[_key_column(header)])
    if errors.count:
        raise InvalidImportFile(errors.sorted(), error_count=errors.count)
    if row_count == 0:
        raise InvalidImportFile([RowError(None, None, Reason("the file has a header but no data rows"))])

    present = set(header.columns)
    _lock_supplier(session, supplier.id)
    outcome = ImportOutcome(batch, ignored_columns=header.ignored)
    if request.dry_run:
        _count_changes(session, batch, supplier.id, present, full=request.mode == "full")
        outcome.preview = _preview(session, supplier.id, present, full=request.mode == "full")
    else:
        _apply(session, batch, supplier.id, present, full=request.mode == "full", actor_id=actor_id, now=now)
        sync_threshold_alerts(session, supplier.id, _items_changed_by(batch.id))
    _drop_stage(session)
    return outcome


def _import_supplier(session: Session, supplier_code: str | None) -> Party:
    """The supplier the file is for: named by staff, implied for a supplier user (whose session
    cannot even see another supplier, so naming one answers 'not found')."""
    if supplier_code:
        supplier = session.scalars(select(Party).where(Party.code == supplier_code,
                                                       Party.kind == "supplier")).first()
    else:
        scope = current_supplier_scope(session)
        if scope is None:
            raise InvalidInput([FieldError("supplier", "name the supplier whose stock this is")])
        supplier = session.scalars(select(Party).where(Party.id == scope)).first()
    if supplier is None:
        raise NotFound(f"no such supplier: {supplier_code}")
    return supplier


def _sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _find_replay(session: Session, supplier_id: int, file_hash: str, request: ImportRequest,
                 idempotency_key: str | None) -> SupplierStockImport | None:
    """The same Idempotency-Key, or the same file as the last applied import with no change to
    the supplier's stock since, answers with the first import and changes nothing."""
    earlier = _keyed_import(session, supplier_id, idempotency_key, file_hash, request.mode)
    if earlier is not None:
        return earlier
    last = session.scalars(select(SupplierStockImport).where(
        SupplierStockImport.supplier_id == supplier_id, SupplierStockImport.status == "applied")
        .order_by(SupplierStockImport.id.desc()).limit(1)).first()
    if last is None or last.file_hash != file_hash or last.mode != request.mode:
        return None
    changed_since = session.scalar(select(exists().where(
        SupplierStockHistory.supplier_id == supplier_id, SupplierStockHistory.id > _last_history_id(session, last.id),
        or_(SupplierStockHistory.import_id.is_(None), SupplierStockHistory.import_id != last.id))))
    return None if changed_since else last


def _keyed_import(session: Session, supplier_id: int, idempotency_key: str | None, file_hash: str,
                  mode: str) -> SupplierStockImport | None:
    """The import this Idempotency-Key already made; the key with another file or mode is refused."""
    if not idempotency_key:
        return None
    earlier = session.scalars(select(SupplierStockImport).where(
        SupplierStockImport.supplier_id == supplier_id,
        SupplierStockImport.idempotency_key == idempotency_key)).first()
    if earlier is not None and (earlier.file_hash != file_hash or earlier.mode != mode):
        raise IdempotencyMismatch(f"Idempotency-Key {idempotency_key!r} was used for another file or mode")
    return earlier


def _new_batch(session: Session, supplier: Party, request: ImportRequest, *, status: str, file_hash: str,
               actor_id: int | None, idempotency_key: str | None, now: datetime,
               **queued: Any) -> SupplierStockImport:
    batch = SupplierStockImport(
        supplier_id=supplier.id, status=status, mode=request.mode, dry_run=request.dry_run,
        filename=request.filename[:300], file_hash=file_hash, file_format="csv",
        idempotency_key=None if request.dry_run else idempotency_key, created_by_id=actor_id,
        created_at=now, errors=[], **queued)
    session.add(batch)
    session.flush()
    return batch


def _last_history_id(session: Session, import_id: int) -> int:
    return session.scalar(select(func.coalesce(func.max(SupplierStockHistory.id), 0)).where(
        SupplierStockHistory.import_id <= import_id)) or 0


_FACTS = ("file_format", "encoding", "row_count", "new_count", "changed_count", "unchanged_count", "zeroed_count")


def _batch_facts(batch: SupplierStockImport) -> dict[str, Any]:
    """What was learnt inside the savepoint; rolling it back also rolls back these attributes."""
    return {name: getattr(batch, name) for name in _FACTS}


def _reject(session: Session, batch: SupplierStockImport, error: InvalidImportFile, *, facts: dict[str, Any],
            now: datetime) -> None:
    for name, value in facts.items():
        setattr(batch, name, value)
    batch.status = "rejected"
    batch.claimed_until = None
    batch.idempotency_key = None  # a corrected file may reuse the key
    batch.error_count = error.error_count
    batch.errors = [{"row": e.row, "column": e.column, "reason": e.reason, "value": e.value,
                     "msgid": getattr(e.reason, "msgid", None), "params": getattr(e.reason, "params", None)}
                    for e in error.errors[:MAX_REPORTED_ERRORS]]
    batch.new_count = batch.changed_count = batch.unchanged_count = batch.zeroed_count = 0
    batch.finished_at = now
    session.flush()


class _ErrorList:
    """Every error is counted; the first MAX_REPORTED_ERRORS are kept to show."""

    def __init__(self) -> None:
        self.count = 0
        self.bad_rows = 0
        self.duplicates_possible = True
        self.kept: list[RowError] = []

    def add(self, errors: list[RowError]) -> None:
        self.count += len(errors)
        room = MAX_REPORTED_ERRORS - len(self.kept)
        if room > 0:
            self.kept.extend(errors[:room])

    def sorted(self) -> list[RowError]:
        return sorted(self.kept, key=lambda e: (e.row or 0, e.column or ""))


def _validator(session: Session, supplier: Party, header: rules.HeaderMatch, headers: list[str], *,
               today: date) -> importer.RowValidator:
    items_by_code: dict[str, importer.ItemRef] = {}
    items_by_part: dict[str, importer.ItemRef] = {}
    # Core, not the ORM: the supplier is named explicitly, and a big catalogue loads twice as fast.
    rows = session.connection().execute(
        select(Item.id, Item.code, Item.unit, SupplierItem.supplier_part_number, SupplierItem.lead_time_days)
        .join(SupplierItem, SupplierItem.item_id == Item.id)
        .where(SupplierItem.supplier_id == supplier.id, SupplierItem.active.is_(True)))
    for item_id, code, unit, part_number, lead_time in rows:
        ref = importer.ItemRef(item_id, code, unit, lead_time)
        items_by_code[code.upper()] = ref
        items_by_part[part_number.upper()] = ref
    site = Location.__table__.c
    sites = {code.upper(): site_id for site_id, code in session.execute(
        select(site.id, site.code).where(site.supplier_id == supplier.id, site.kind == "supplier_site",
                                         site.active.is_(True)))}
    default_site = None
    if "site" not in header.columns:
        if len(sites) != 1:
            raise InvalidImportFile([RowError(None, None, Reason(
                "no site column (e.g. 仓库/site), and %(supplier)s has %(count)s sites, so the site must be given",
                supplier=supplier.code, count=len(sites)))])
        default_site = next(iter(sites.values()))
    return importer.RowValidator(header.columns, headers, items_by_code, items_by_part, sites, default_site, today)


def _create_stage(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # The default 2 MB page cache thrashes while a million rows go through four indexes.
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KB}")
    stage.drop(connection, checkfirst=True)
    stage.create(connection)


def _drop_stage(session: Session) -> None:
    connection = session.connection()
    stage.drop(connection, checkfirst=True)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default, for the pooled connection


def _load_stage(session: Session, reader: importer.TableReader, validator: importer.RowValidator,
                errors: _ErrorList, progress: importer.Progress | None) -> int:
    """Check every row and bulk-load the good ones: COPY on PostgreSQL, executemany on SQLite."""
    good_rows = _checked_rows(reader, validator, errors, progress)
    connection = session.connection()
    raw = connection.connection.driver_connection
    count = 0
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
                f"COPY supplier_stock_stage ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy:
            for row in good_rows:
                copy.write_row(row)  # a StockRow is in the staging table's column order
                count += 1
    else:
        sql = (f"INSERT INTO supplier_stock_stage ({', '.join(_STAGE_COLUMNS)}) "
               f"VALUES ({', '.join('?' * len(_STAGE_COLUMNS))})")
        cursor = raw.cursor()  # type: ignore[union-attr]
        # SQLite's NUMERIC affinity turns the quantity text into the number it stores.
        cursor.executemany(sql, good_rows)
        count = cursor.rowcount
        cursor.close()
    try:
        # A unique index is as cheap as a plain one and proves "no duplicates" in passing;
        # only when it fails does _report_duplicates look for the rows to blame.
        connection.exec_driver_sql("SAVEPOINT stage_unique")
        connection.exec_driver_sql(
            "CREATE UNIQUE INDEX ix_supplier_stock_stage_key ON supplier_stock_stage (item_id, location_id)")
        connection.exec_driver_sql("RELEASE SAVEPOINT stage_unique")
        errors.duplicates_possible = False
    except IntegrityError:
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT stage_unique")
        connection.exec_driver_sql("RELEASE SAVEPOINT stage_unique")
        errors.duplicates_possible = True
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE supplier_stock_stage")  # autovacuum never sees temp tables
    return count + errors.bad_rows


def _checked_rows(reader: importer.TableReader, validator: importer.RowValidator, errors: _ErrorList,
                  progress: importer.Progress | None) -> Iterator[importer.StockRow]:
    rows = 0
    for row_number, cells in reader.rows():
        rows += 1
        if rows > MAX_ROWS:
            raise InvalidImportFile([RowError(row_number, None, Reason("more than %(limit)s rows; split the file",
                                                                       limit=f"{MAX_ROWS:,}"))])
        checked = validator.check(row_number, cells)
        if checked is None:
            continue  # a totals row or a repeated header
        if isinstance(checked, list):
            errors.add(checked)
            errors.bad_rows += 1
        else:
            yield checked
        if progress is not None and rows % CHUNK_ROWS == 0:
            progress(reader.done(), reader.total)
    if progress is not None:
        progress(reader.total, reader.total)


def _key_column(header: rules.HeaderMatch) -> int:
    """The column that names the item: the one a duplicate row is reported in."""
    return header.columns.get("item_code", header.columns.get("supplier_part_number", 0))


def _report_duplicates(session: Session, errors: _ErrorList, *, column: str) -> None:
    first = (select(stage.c.item_id, stage.c.location_id, func.min(stage.c.row_number).label("first_row"))
             .group_by(stage.c.item_id, stage.c.location_id).having(func.count() > 1).subquery())
    duplicates = session.execute(
        select(stage.c.row_number, first.c.first_row)
        .join(first, and_(first.c.item_id == stage.c.item_id, first.c.location_id == stage.c.location_id))
        .where(stage.c.row_number > first.c.first_row).order_by(stage.c.row_number))
    for row_number, first_row in duplicates:
        errors.add([RowError(row_number, column, Reason("duplicate: the same item and site as row %(row)s",
                                                        row=first_row))])


def _lock_supplier(session: Session, supplier_id: int) -> None:
    """Imports and adjustments of one supplier queue here (PostgreSQL; SQLite has one writer)."""
    session.execute(select(Party.id).where(Party.id == supplier_id).with_for_update())


_stock = SupplierStock.__table__
_history = SupplierStockHistory.__table__


def _differs(new: Any, old: Any, present: set[str]) -> ColumnElement[bool]:
    """SQL: the staged figure differs from the current one (columns absent from the file keep
    their current value, so they cannot differ)."""
    conditions = [new.on_hand != old.on_hand, new.available != old.available]
    if "next_available_date" in present:
        conditions.append(new.next_available_date.is_distinct_from(old.next_available_date))
    if "lead_time_days" in present:
        conditions.append(new.lead_time_days.is_distinct_from(old.lead_time_days))
    return or_(*conditions)


def _staged_join(supplier_id: int):  # noqa: ANN202
    current = _stock.alias("current")
    on = and_(current.c.supplier_id == supplier_id, current.c.item_id == stage.c.item_id,
              current.c.location_id == stage.c.location_id)
    return current, on


def _missing_from_file(supplier_id: int) -> ColumnElement[bool]:
    """Current lines at a site the file covers, for an item the file no longer lists (full mode)."""
    return and_(
        _stock.c.supplier_id == supplier_id,
        _stock.c.location_id.in_(select(stage.c.location_id).distinct()),
        ~exists().where(stage.c.item_id == _stock.c.item_id, stage.c.location_id == _stock.c.location_id),
        or_(_stock.c.on_hand != 0, _stock.c.available != 0))


def _count_changes(session: Session, batch: SupplierStockImport, supplier_id: int, present: set[str], *,
                   full: bool) -> None:
    current, on = _staged_join(supplier_id)
    new, changed = session.execute(
        select(func.count().filter(current.c.id.is_(None)),
               func.count().filter(and_(current.c.id.is_not(None), _differs(stage.c, current.c, present))))
        .select_from(stage.outerjoin(current, on))).one()
    batch.new_count, batch.changed_count = new, changed
    batch.unchanged_count = batch.row_count - new - changed
    batch.zeroed_count = (session.scalar(select(func.count()).select_from(_stock).where(_missing_from_file(supplier_id)))
                          or 0) if full else 0


def _preview(session: Session, supplier_id: int, present: set[str], *, full: bool) -> list[PreviewLine]:
    current, on = _staged_join(supplier_id)
    site = Location.__table__
    rows = session.execute(
        select(stage.c.row_number, Item.code, site.c.code, current.c.id, current.c.on_hand, stage.c.on_hand,
               current.c.available, stage.c.available)
        .select_from(stage.outerjoin(current, on))
        .join(Item, Item.id == stage.c.item_id).join(site, site.c.id == stage.c.location_id)
        .where(or_(current.c.id.is_(None), _differs(stage.c, current.c, present)))
        .order_by(stage.c.row_number).limit(MAX_PREVIEW_LINES)).all()
    lines = [PreviewLine(row=r[0], change="new" if r[3] is None else "changed", item_code=r[1], site_code=r[2],
                         old_on_hand=r[4], new_on_hand=r[5], old_available=r[6], new_available=r[7])
             for r in rows]
    if full and len(lines) < MAX_PREVIEW_LINES:
        zeroed = session.execute(
            select(Item.code, site.c.code, _stock.c.on_hand, _stock.c.available)
            .select_from(_stock).join(Item, Item.id == _stock.c.item_id)
            .join(site, site.c.id == _stock.c.location_id)
            .where(_missing_from_file(supplier_id)).order_by(Item.code, site.c.code)
            .limit(MAX_PREVIEW_LINES - len(lines)))
        lines += [PreviewLine(row=None, change="zeroed", item_code=item_code, site_code=site_code,
                              old_on_hand=on_hand, new_on_hand=Decimal(0), old_available=available,
                              new_available=Decimal(0)) for item_code, site_code, on_hand, available in zeroed]
    return lines


def _apply(session: Session, batch: SupplierStockImport, supplier_id: int, present: set[str], *, full: bool,
           actor_id: int | None, now: datetime) -> None:
    """History first (it needs the old figures), then zero what a full snapshot omits, then upsert."""
    source = f"import:{batch.id}"
    current, on = _staged_join(supplier_id)
    session.execute(insert(_history).from_select(
        ["supplier_id", "item_id", "location_id", "old_on_hand", "new_on_hand", "old_available", "new_available",
         "source", "import_id", "changed_by_id", "changed_at"],
        select(literal(supplier_id), stage.c.item_id, stage.c.location_id, current.c.on_hand, stage.c.on_hand,
               current.c.available, stage.c.available, literal(source), literal(batch.id),
               literal(actor_id, Integer), literal(now, _history.c.changed_at.type))
        .select_from(stage.outerjoin(current, on))
        .where(or_(current.c.id.is_(None), _differs(stage.c, current.c, present)))))
    zeroed = 0
    if full:
        session.execute(insert(_history).from_select(
            ["supplier_id", "item_id", "location_id", "old_on_hand", "new_on_hand", "old_available",
             "new_available", "source", "import_id", "changed_by_id", "changed_at"],
            select(_stock.c.supplier_id, _stock.c.item_id, _stock.c.location_id, _stock.c.on_hand, literal(0),
                   _stock.c.available, literal(0), literal(source), literal(batch.id), literal(actor_id, Integer),
                   literal(now, _history.c.changed_at.type))
            .where(_missing_from_file(supplier_id))))
        zeroed = session.execute(update(_stock).where(_missing_from_file(supplier_id)).values(
            on_hand=0, available=0, updated_at=now, reported_at=now, source=source, import_id=batch.id,
            updated_by_id=actor_id, version=_stock.c.version + 1)).rowcount
    session.execute(_upsert_statement(session, present, supplier_id=supplier_id, import_id=batch.id,
                                      source=source, actor_id=actor_id, now=now))
    # Counted from the history just written (INSERT ... SELECT reports no row count on psycopg).
    written, new = session.execute(select(func.count(), func.count().filter(_history.c.old_on_hand.is_(None)))
                                   .where(_history.c.import_id == batch.id)).one()
    changed = written - new - zeroed
    batch.new_count, batch.changed_count = new, changed
    batch.unchanged_count = batch.row_count - new - changed
    batch.zeroed_count = zeroed


def _upsert_statement(session: Session, present: set[str], *, supplier_id: int, import_id: int, source: str,
                      actor_id: int | None, now: datetime) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    when = literal(now, _stock.c.updated_at.type)
    columns = ["supplier_id", "item_id", "location_id", "on_hand", "available", "next_available_date",
               "lead_time_days", "unit", "updated_at", "reported_at", "source", "import_id", "updated_by_id",
               "version"]
    statement = dialect_insert(_stock).from_select(columns, select(
        literal(supplier_id), stage.c.item_id, stage.c.location_id, stage.c.on_hand, stage.c.available,
        stage.c.next_available_date, stage.c.lead_time_days, stage.c.unit, when, when, literal(source),
        literal(import_id), literal(actor_id, Integer), literal(1)).where(text("true")))
    new, old = statement.excluded, _stock.c
    differs = _differs(new, old, present)
    values: dict[str, Any] = {
        "on_hand": new.on_hand, "available": new.available, "reported_at": new.reported_at,
        "updated_at": case((differs, new.updated_at), else_=old.updated_at),
        "source": case((differs, new.source), else_=old.source),
        "import_id": case((differs, new.import_id), else_=old.import_id),
        "updated_by_id": case((differs, new.updated_by_id), else_=old.updated_by_id),
        "version": case((differs, old.version + 1), else_=old.version),
    }
    for optional in ("next_available_date", "lead_time_days"):
        if optional in present:
            values[optional] = getattr(new, optional)
    return statement.on_conflict_do_update(index_elements=["supplier_id", "item_id", "location_id"], set_=values)


def _items_changed_by(import_id: int) -> Any:
    return select(_history.c.item_id).where(_history.c.import_id == import_id).distinct()


def _saved_mapping(session: Session, supplier_id: int) -> dict[str, str] | None:
    row = session.scalars(select(SupplierColumnMapping).where(SupplierColumnMapping.supplier_id == supplier_id)).first()
    return row.mapping if row is not None else None


def save_column_mapping(session: Session, supplier_id: int, mapping: dict[str, str], *,
                        now: datetime | None = None) -> SupplierColumnMapping:
    """Remember a supplier's own header names for its next uploads. Caller commits."""
    unknown = set(mapping) - set(rules.FIELDS)
    if unknown:
        raise InvalidInput([FieldError(f"mapping.{name}", "unknown field") for name in sorted(unknown)])
    if session.scalars(select(Party.id).where(Party.id == supplier_id, Party.kind == "supplier")).first() is None:
        raise NotFound(f"no such supplier: {supplier_id}")  # also what another supplier's user is told
    row = session.scalars(select(SupplierColumnMapping).where(SupplierColumnMapping.supplier_id == supplier_id)).first()
    if row is None:
        row = SupplierColumnMapping(supplier_id=supplier_id, mapping=dict(mapping))
        session.add(row)
    row.mapping = dict(mapping)
    row.updated_at = now or utcnow()
    session.flush()
    return row


def create_supplier_stock(session: Session, line: StockLineCreate, *, actor_id: int | None, source: str,
                          now: datetime | None = None) -> SupplierStock:
    """Publish a line that does not exist yet (an existing one is changed with its version). Caller commits."""
    now = now or utcnow()
    supplier = _import_supplier(session, line.supplier_code)
    item = _supplier_item(session, supplier, line)
    sites = Location.__table__.c
    site = session.execute(select(sites.id, sites.code).where(
        sites.code == line.site_code, sites.supplier_id == supplier.id, sites.kind == "supplier_site")).first()
    if site is None:
        raise InvalidInput([FieldError("site_code", f"not a site of {supplier.code}: {line.site_code}")])
    _lock_supplier(session, supplier.id)
    existing = session.scalars(select(SupplierStock).where(
        SupplierStock.supplier_id == supplier.id, SupplierStock.item_id == item.id,
        SupplierStock.location_id == site.id)).first()
    if existing is not None:
        raise Conflict(f"{item.code} at {site.code} is already published (line {existing.id}); "
                       "change it with PUT/PATCH and its ETag")
    available = line.on_hand if line.available is None else line.available
    _check_figures(line.on_hand, available, line.next_available_date, today=now.date())
    row = SupplierStock(supplier_id=supplier.id, item_id=item.id, location_id=site.id, on_hand=quantize(line.on_hand),
                        available=quantize(available), next_available_date=line.next_available_date,
                        lead_time_days=line.lead_time_days, unit=item.unit, updated_at=now, reported_at=now,
                        source=source, updated_by_id=actor_id, version=1)
    session.add(row)
    session.add(SupplierStockHistory(supplier_id=supplier.id, item_id=item.id, location_id=site.id, old_on_hand=None,
                                     new_on_hand=row.on_hand, old_available=None, new_available=row.available,
                                     source=source, changed_by_id=actor_id, changed_at=now))
    session.flush()
    sync_threshold_alerts(session, supplier.id, [item.id])
    return row


def adjust_supplier_stock(session: Session, stock_id: int, changes: StockLineUpdate, *, expected_version: int,
                          actor_id: int | None, source: str, now: datetime | None = None) -> SupplierStock:
    """Change one published line; a stale `expected_version` is refused, never overwritten. Caller commits."""
    now = now or utcnow()
    row = get_supplier_stock(session, stock_id)
    if row.version != expected_version:
        raise StaleVersion(f"stock line {stock_id} changed since you read it "
                           f"(version {row.version}, yours {expected_version}); reload it")
    values = changes.model_dump(exclude_unset=True)
    on_hand = values.get("on_hand", row.on_hand)
    if on_hand is None:
        raise InvalidInput([FieldError("on_hand", "must not be empty")])
    if values.get("available") is not None:
        available = values["available"]
    elif "available" in values:
        available = on_hand  # PUT without it, or an explicit null: all of it is available
    else:
        available = min(row.available, on_hand)  # PATCH of on-hand keeps what is still possible
    next_date = values.get("next_available_date", row.next_available_date)
    _check_figures(on_hand, available, next_date if "next_available_date" in values else None, today=now.date())
    old_on_hand, old_available = row.on_hand, row.available
    row.on_hand, row.available = quantize(Decimal(on_hand)), quantize(Decimal(available))
    row.next_available_date = next_date
    if "lead_time_days" in values:
        row.lead_time_days = values["lead_time_days"]
    row.updated_at = row.reported_at = now
    row.source, row.import_id, row.updated_by_id = source, None, actor_id
    # The UPDATE carries "WHERE version = <read>", so a concurrent writer makes this flush fail.
    row.version = expected_version + 1
    session.add(SupplierStockHistory(supplier_id=row.supplier_id, item_id=row.item_id, location_id=row.location_id,
                                     old_on_hand=old_on_hand, new_on_hand=row.on_hand, old_available=old_available,
                                     new_available=row.available, source=source, changed_by_id=actor_id,
                                     changed_at=now))
    try:
        session.flush()
    except StaleDataError as error:
        raise StaleVersion(f"stock line {stock_id} was changed by someone else; reload it") from error
    sync_threshold_alerts(session, row.supplier_id, [row.item_id])
    return row


def _check_figures(on_hand: Decimal, available: Decimal, next_date: date | None, *, today: date) -> None:
    errors = []
    if available > on_hand:
        errors.append(FieldError("available", f"available ({available}) is more than on hand ({on_hand})"))
    if next_date is not None and next_date < today:
        errors.append(FieldError("next_available_date", "date is in the past"))
    if errors:
        raise InvalidInput(errors)


def _supplier_item(session: Session, supplier: Party, line: StockLineCreate) -> Item:
    statement = select(Item).join(SupplierItem, SupplierItem.item_id == Item.id).where(
        SupplierItem.supplier_id == supplier.id)
    if line.item_code:
        statement = statement.where(Item.code == line.item_code)
    if line.supplier_part_number:
        statement = statement.where(SupplierItem.supplier_part_number == line.supplier_part_number)
    item = session.scalars(statement).first()
    if item is None:
        field_name = "item_code" if line.item_code else "supplier_part_number"
        raise InvalidInput([FieldError(field_name, f"not one of {supplier.code}'s supplier items")])
    return item


def get_supplier_stock(session: Session, stock_id: int) -> SupplierStock:
    row = session.scalars(select(SupplierStock).where(SupplierStock.id == stock_id)).first()
    if row is None:
        raise NotFound(f"no such stock line: {stock_id}")
    return row


def set_threshold(session: Session, request: ThresholdSet, *, actor_id: int | None,
                  now: datetime | None = None) -> StockThreshold:
    """Set the low-water (and optional high-water) mark of a supplier item. Caller commits."""
    supplier = session.scalars(select(Party).where(Party.code == request.supplier_code,
                                                   Party.kind == "supplier")).first()
    item = session.scalars(select(Item).where(Item.code == request.item_code)).first()
    errors = []
    if supplier is None:
        errors.append(FieldError("supplier_code", f"no such supplier: {request.supplier_code}"))
    if item is None:
        errors.append(FieldError("item_code", f"no such item: {request.item_code}"))
    elif supplier is not None and not session.scalar(select(exists().where(
            SupplierItem.supplier_id == supplier.id, SupplierItem.item_id == item.id))):
        # it could never fire: only the supplier's own items are published
        errors.append(FieldError("item_code", f"{supplier.code} does not supply {item.code}"))
    if errors:
        raise InvalidInput(errors)
    assert supplier is not None and item is not None
    row = session.scalars(select(StockThreshold).where(StockThreshold.supplier_id == supplier.id,
                                                       StockThreshold.item_id == item.id)).first()
    if row is None:
        row = StockThreshold(supplier_id=supplier.id, item_id=item.id)
        session.add(row)
    row.low_water, row.high_water = quantize(request.low_water), (
        quantize(request.high_water) if request.high_water is not None else None)
    row.updated_by_id, row.updated_at = actor_id, now or utcnow()
    session.flush()
    sync_threshold_alerts(session, supplier.id, [item.id])
    return row


def delete_threshold(session: Session, threshold_id: int) -> None:
    """Remove a supplier item's own threshold (the item's default applies again). Caller commits."""
    row = session.scalars(select(StockThreshold).where(StockThreshold.id == threshold_id)).first()
    if row is None:
        raise NotFound(f"no such threshold: {threshold_id}")
    supplier_id, item_id = row.supplier_id, row.item_id
    session.delete(row)
    session.flush()
    sync_threshold_alerts(session, supplier_id, [item_id], include_unwatched=True)


def threshold_signals(session: Session, supplier_id: int, item_ids: Any, *,
                      include_unwatched: bool = False) -> list[AlertSignal]:
    """Low- and high-water signals for a supplier's items: total available across its sites
    against the supplier item's own threshold, else the item's default low-water."""
    scope = [SupplierStock.supplier_id == supplier_id, SupplierStock.item_id.in_(item_ids)]
    if not include_unwatched:  # most items have no threshold: skip summing them
        scope.append(or_(
            SupplierStock.item_id.in_(select(StockThreshold.item_id).where(StockThreshold.supplier_id == supplier_id)),
            SupplierStock.item_id.in_(select(Item.id).where(Item.default_low_water.is_not(None)))))
    totals = (select(SupplierStock.item_id, func.sum(SupplierStock.available).label("available"))
              .where(*scope).group_by(SupplierStock.item_id).subquery())
    rows = session.execute(
        select(Item.id, Item.code, Item.unit, Item.default_low_water, StockThreshold.low_water,
               StockThreshold.high_water, totals.c.available)
        .select_from(totals).join(Item, Item.id == totals.c.item_id)
        .outerjoin(StockThreshold, and_(StockThreshold.supplier_id == supplier_id,
                                        StockThreshold.item_id == totals.c.item_id))
        .where(or_(StockThreshold.id.is_not(None), Item.default_low_water.is_not(None), literal(include_unwatched))))
    supplier_code = session.scalar(select(Party.code).where(Party.id == supplier_id))
    signals = []
    for item_id, code, unit, default_low, own_low, own_high, total in rows:
        total = quantize(Decimal(str(total)))
        marks = rules.effective_thresholds(own_low=own_low, own_high=own_high, item_default_low=default_low)
        numbers = {"available": str(total), "low_water": str(marks.low_water),
                   "high_water": str(marks.high_water)}
        signals.append(AlertSignal(
            kind="low_stock", supplier_id=supplier_id, item_id=item_id, location_id=None,
            active=rules.is_low(total, marks), numbers=numbers,
            message=f"{supplier_code}: {total} {unit} of {code} available, below the low-water mark {marks.low_water}"))
        signals.append(AlertSignal(
            kind="high_stock", supplier_id=supplier_id, item_id=item_id, location_id=None,
            active=rules.is_high(total, marks), numbers=numbers,
            message=f"{supplier_code}: {total} {unit} of {code} available, above the high-water mark {marks.high_water}"))
    return signals


def _anything_watched(session: Session, supplier_id: int) -> bool:
    return bool(session.scalar(select(or_(
        exists().where(StockThreshold.supplier_id == supplier_id),
        exists().where(Item.default_low_water.is_not(None))))))


def sync_threshold_alerts(session: Session, supplier_id: int, item_ids: Any, *,
                          include_unwatched: bool = False) -> None:
    """Hand the current threshold state of these items to the alerts feature (edge-triggered there)."""
    if not include_unwatched and not _anything_watched(session, supplier_id):
        return  # no threshold anywhere: nothing can open, nothing is open
    signals = threshold_signals(session, supplier_id, item_ids, include_unwatched=include_unwatched)
    if signals:
        alerts_service.sync_alerts(session, signals)

