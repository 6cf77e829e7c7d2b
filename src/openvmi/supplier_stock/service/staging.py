"""The staging table behind an import: every good row is bulk-loaded into a temporary table,
checked for duplicates and compared with current stock in SQL, then applied in a few set-based
statements, so a million rows never sit in Python memory. Used by `imports` only."""
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column, ColumnElement, Date, Integer, MetaData, String, Table, and_, case, exists, func, insert, literal, or_,
    select, text, update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item
from openvmi.db import Quantity
from openvmi.errors import InvalidImportFile, Reason, RowError
from openvmi.locations.models import Location
from openvmi.tabular.report import ErrorList
from openvmi.tabular.table_reader import Progress, TableReader
from openvmi.supplier_stock.models import SupplierStock, SupplierStockHistory, SupplierStockImport
from openvmi.supplier_stock.row_check import RowValidator, StockRow
from openvmi.supplier_stock.rules import ChangeKind
from openvmi.supplier_stock.schemas import PreviewLine

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


def create_stage(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # The default 2 MB page cache thrashes while a million rows go through four indexes.
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KB}")
    stage.drop(connection, checkfirst=True)
    stage.create(connection)


def drop_stage(session: Session) -> None:
    connection = session.connection()
    stage.drop(connection, checkfirst=True)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default, for the pooled connection


def load_stage(session: Session, reader: TableReader, validator: RowValidator,
               errors: ErrorList, progress: Progress | None) -> int:
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
        # only when it fails does report_duplicates look for the rows to blame.
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


def _checked_rows(reader: TableReader, validator: RowValidator, errors: ErrorList,
                  progress: Progress | None) -> Iterator[StockRow]:
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


def report_duplicates(session: Session, errors: ErrorList, *, column: str) -> None:
    first = (select(stage.c.item_id, stage.c.location_id, func.min(stage.c.row_number).label("first_row"))
             .group_by(stage.c.item_id, stage.c.location_id).having(func.count() > 1).subquery())
    duplicates = session.execute(
        select(stage.c.row_number, first.c.first_row)
        .join(first, and_(first.c.item_id == stage.c.item_id, first.c.location_id == stage.c.location_id))
        .where(stage.c.row_number > first.c.first_row).order_by(stage.c.row_number))
    for row_number, first_row in duplicates:
        errors.add([RowError(row_number, column, Reason("duplicate: the same item and site as row %(row)s",
                                                        row=first_row))])


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


def count_changes(session: Session, batch: SupplierStockImport, supplier_id: int, present: set[str], *,
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


def preview_changes(session: Session, supplier_id: int, present: set[str], *, full: bool) -> list[PreviewLine]:
    current, on = _staged_join(supplier_id)
    site = Location.__table__
    rows = session.execute(
        select(stage.c.row_number, Item.code, site.c.code, current.c.id, current.c.on_hand, stage.c.on_hand,
               current.c.available, stage.c.available)
        .select_from(stage.outerjoin(current, on))
        .join(Item, Item.id == stage.c.item_id).join(site, site.c.id == stage.c.location_id)
        .where(or_(current.c.id.is_(None), _differs(stage.c, current.c, present)))
        .order_by(stage.c.row_number).limit(MAX_PREVIEW_LINES)).all()
    lines = [PreviewLine(row=r[0], change=ChangeKind.NEW if r[3] is None else ChangeKind.CHANGED,
                         item_code=r[1], site_code=r[2], old_on_hand=r[4], new_on_hand=r[5], old_available=r[6],
                         new_available=r[7])
             for r in rows]
    if full and len(lines) < MAX_PREVIEW_LINES:
        lines += zeroed_lines(session, supplier_id, limit=MAX_PREVIEW_LINES - len(lines))
    return lines


def zeroed_lines(session: Session, supplier_id: int, *, limit: int = MAX_PREVIEW_LINES) -> list[PreviewLine]:
    """The lines a full import of the staged file sets to zero (the first `limit`, by item and site)."""
    site = Location.__table__
    zeroed = session.execute(
        select(Item.code, site.c.code, _stock.c.on_hand, _stock.c.available)
        .select_from(_stock).join(Item, Item.id == _stock.c.item_id)
        .join(site, site.c.id == _stock.c.location_id)
        .where(_missing_from_file(supplier_id)).order_by(Item.code, site.c.code).limit(limit))
    return [PreviewLine(row=None, change=ChangeKind.ZEROED, item_code=item_code, site_code=site_code,
                        old_on_hand=on_hand, new_on_hand=Decimal(0), old_available=available,
                        new_available=Decimal(0)) for item_code, site_code, on_hand, available in zeroed]


def apply_changes(session: Session, batch: SupplierStockImport, supplier_id: int, present: set[str], *, full: bool,
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
    session.execute(upsert_statement(session, present, supplier_id=supplier_id, import_id=batch.id,
                                      source=source, actor_id=actor_id, now=now))
    # Counted from the history just written (INSERT ... SELECT reports no row count on psycopg).
    written, new = session.execute(select(func.count(), func.count().filter(_history.c.old_on_hand.is_(None)))
                                   .where(_history.c.import_id == batch.id)).one()
    changed = written - new - zeroed
    batch.new_count, batch.changed_count = new, changed
    batch.unchanged_count = batch.row_count - new - changed
    batch.zeroed_count = zeroed


def upsert_statement(session: Session, present: set[str], *, supplier_id: int, import_id: int, source: str,
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


def items_changed_by(import_id: int) -> Any:
    return select(_history.c.item_id).where(_history.c.import_id == import_id).distinct()
