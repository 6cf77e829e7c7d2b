"""Publishing a demand plan, from the API's lines or an uploaded file: checked whole, then stored as
the next version in one go; a plan with any bad line publishes nothing. Caller commits."""
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.db import add_unique, utcnow
from openvmi.errors import Conflict, FieldError, IdempotencyMismatch, InvalidImportFile, InvalidInput, Reason, RowError
from openvmi.planning import queries, rules
from openvmi.planning.locks import lock_publications
from openvmi.planning.models import DemandPlanVersion
from openvmi.planning.row_check import CheckedLine, PlanChecker, Problem
from openvmi.planning.rules import Source
from openvmi.planning.schemas import PlanCheckRead, PlanPublish, PlanUploadRequest, PlanVersionRead
from openvmi.tabular.formats import file_sha256, open_table
from openvmi.tabular.report import ErrorList
from openvmi.tabular.table_reader import Progress
from openvmi.tabular.values import CellError, is_total_label, readable
from openvmi.tabular.xlsx_archive import XlsxLimits

MAX_FILE_ROWS = 1_000_000


@dataclass
class Publication:
    """What a publication (or its dry run) answers."""

    version: DemandPlanVersion | None
    lines: list[CheckedLine]
    replayed: bool = False
    ignored_columns: list[str] = field(default_factory=list)

    def read(self) -> PlanCheckRead:
        days = [line.day for line in self.lines]
        known = not self.replayed
        return PlanCheckRead(
            version=PlanVersionRead.model_validate(self.version) if self.version is not None else None,
            replayed=self.replayed, line_count=len(self.lines) if self.version is None else self.version.line_count,
            item_count=len({line.item_id for line in self.lines}) if known else None,
            plant_count=len({line.plant_id for line in self.lines}) if known else None,
            first_day=min(days, default=None), last_day=max(days, default=None), ignored_columns=self.ignored_columns)


def publish_plan(session: Session, plan: PlanPublish, *, actor: Actor, idempotency_key: str | None = None,
                 now: datetime | None = None) -> Publication:
    """Publish plan lines sent by API as the next version; InvalidInput names every bad line and
    nothing is published. Caller commits."""
    now = now or utcnow()
    request_hash = hashlib.sha256(plan.model_dump_json().encode()).hexdigest()
    key = _scoped_key(actor, idempotency_key)
    replay = _replay(session, key, request_hash)
    if replay is not None:
        return replay
    checker = _checker(session, now.date())
    lines: list[CheckedLine] = []
    errors: list[FieldError] = []
    for index, line in enumerate(plan.lines):
        checked = checker.check(index + 1, item=line.item_code, plant=line.plant_code, day=line.day, week=line.week,
                                quantity=line.quantity)
        if isinstance(checked, list):
            errors.extend(FieldError(f"lines[{index}].{_API_FIELDS[p.field]}", p.reason) for p in checked)
        else:
            lines.append(checked)
    if errors:
        raise InvalidInput(errors)
    return _store(session, lines, source=Source.API, filename=None, actor=actor, key=key, request_hash=request_hash,
                  now=now)


_API_FIELDS = {"item_code": "item_code", "plant": "plant_code", "day": "day", "week": "week", "quantity": "quantity"}


def publish_plan_file(session: Session, request: PlanUploadRequest, *, stream: BinaryIO, actor: Actor,
                      idempotency_key: str | None = None, progress: Progress | None = None,
                      now: datetime | None = None, xlsx_limits: XlsxLimits | None = None) -> Publication:
    """Check a whole plan file, then publish it as the next version (or, for a dry run, only say
    what it holds). InvalidImportFile lists every bad row; nothing is published. Caller commits."""
    now = now or utcnow()
    file_hash = file_sha256(stream)
    key = None if request.dry_run else _scoped_key(actor, idempotency_key)  # a dry run consumes no key
    replay = _replay(session, key, file_hash)
    if replay is not None:
        return replay
    lines, ignored = _read_file(session, request, stream, today=now.date(), progress=progress,
                                xlsx_limits=xlsx_limits)
    if request.dry_run:
        return Publication(None, lines, ignored_columns=ignored)
    publication = _store(session, lines, source=Source.UPLOAD, filename=request.filename[:300], actor=actor, key=key,
                         request_hash=file_hash, now=now)
    publication.ignored_columns = ignored
    return publication


def _read_file(session: Session, request: PlanUploadRequest, stream: BinaryIO, *, today: date,
               progress: Progress | None, xlsx_limits: XlsxLimits | None) -> tuple[list[CheckedLine], list[str]]:
    reader = open_table(stream, filename=request.filename, encoding=request.encoding, sheet=request.sheet,
                        judge_header=rules.header_fitness, xlsx_limits=xlsx_limits)
    try:
        header = rules.match_headers(reader.headers)
        if header.problems:
            raise InvalidImportFile([RowError(reader.header_row, column or None, reason)
                                     for column, reason in header.problems] + reader.header_hints())
        checker = _checker(session, today)
        errors = ErrorList()
        lines = list(_checked_rows(reader.rows(), header.columns, reader.headers, checker, errors))
        if progress is not None:
            progress(reader.total, reader.total)
    finally:
        reader.close()
    errors.refuse_bad_file(data_rows=len(lines))
    return lines, header.ignored


def _checked_rows(rows: Iterable[tuple[int, list[object]]], columns: dict[str, int], headers: list[str],
                  checker: PlanChecker, errors: ErrorList) -> Iterable[CheckedLine]:
    count = 0
    for row, cells in rows:
        count += 1
        if count > MAX_FILE_ROWS:
            raise InvalidImportFile([RowError(row, None, Reason("more than %(limit)s rows; split the file",
                                                                limit=f"{MAX_FILE_ROWS:,}"))])
        found: dict[str, object] = {}
        problems: list[Problem] = []
        for name, index in columns.items():
            value = cells[index] if index < len(cells) else None
            if type(value) is str and value[:1] not in _UNUSUAL:  # the common cell: plain text
                found[name] = value.strip() or None
                continue
            try:
                found[name] = readable(value)
            except CellError as error:
                problems.append(Problem(name, error.reason, value))
                found[name] = None
        checked = checker.check(row, item=found["item_code"], plant=found["plant"], day=found.get("day"),
                                week=found.get("week"), quantity=found["quantity"])
        if isinstance(checked, list) and not problems and _not_a_line(cells, headers, found.get("item_code")):
            continue  # only rows that failed pay for this
        if isinstance(checked, list) or problems:
            reported = {p.field for p in problems}  # an unreadable cell is not also "not given"
            problems += [p for p in (checked if isinstance(checked, list) else []) if p.field not in reported]
            errors.add([RowError(row, headers[columns[p.field]] if p.field in columns else p.field, p.reason,
                                 None if p.value is None else str(p.value)) for p in problems])
        else:
            yield checked


_UNUSUAL = ("", "=", "#", "E")  # empty, ="00123", #REF!, Err:502: readable() decides


def _not_a_line(cells: list[object], headers: list[str], item: object) -> bool:
    """The header repeated on a new page, or a totals row (合计/Total with no item named)."""
    texts = [str(c).strip() if c is not None else "" for c in cells]
    if [t for t in texts if t] == [h for h in headers if h]:
        return True
    first = next((t for t in texts if t), "")
    return is_total_label(first) and (item is None or is_total_label(str(item)))


def _checker(session: Session, today: date) -> PlanChecker:
    return PlanChecker(queries.item_codes(session), queries.plant_codes(session), today)


def _scoped_key(actor: Actor, idempotency_key: str | None) -> str | None:
    return None if idempotency_key is None else f"{actor.caller_key}:{idempotency_key}"


def _replay(session: Session, key: str | None, request_hash: str) -> Publication | None:
    """The version a retry with the same Idempotency-Key published; another plan under it is refused."""
    if key is None:
        return None
    earlier = queries.find_keyed_version(session, key)
    if earlier is None:
        return None
    if earlier.request_hash != request_hash:
        raise IdempotencyMismatch("this Idempotency-Key was used for another plan")
    return Publication(earlier, [], replayed=True)


def _store(session: Session, lines: list[CheckedLine], *, source: Source, filename: str | None, actor: Actor,
           key: str | None, request_hash: str, now: datetime) -> Publication:
    """The next version and all its lines, in the caller's transaction: visible all at once on commit."""
    lock_publications(session)
    version = DemandPlanVersion(number=queries.latest_number(session) + 1, source=source, filename=filename,
                                line_count=len(lines), idempotency_key=key, request_hash=request_hash,
                                published_by_id=actor.user_id, published_at=now)
    try:
        add_unique(session, version, conflict="idempotency key taken")
    except Conflict:  # the same key's first request committed while this one was checked: answer with it
        replay = _replay(session, key, request_hash)
        if replay is None:
            raise
        return replay
    _insert_lines(session, version.id, lines)
    return Publication(version, lines)


_LINE_COLUMNS = "version_id, item_id, plant_id, bucket, day, week_start, quantity"


def _insert_lines(session: Session, version_id: int, lines: list[CheckedLine]) -> None:
    """Bulk-load the lines: COPY on PostgreSQL, executemany on SQLite (as the stock import's staging)."""
    connection = session.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
                f"COPY demand_plan_line ({_LINE_COLUMNS}) FROM STDIN") as copy:
            for line in lines:
                copy.write_row((version_id, line.item_id, line.plant_id, line.bucket, line.day,
                                rules.week_start(line.day), line.quantity))
        return
    cursor = raw.cursor()  # type: ignore[union-attr]
    # SQLite keeps dates as ISO text (SQLAlchemy's Date) and turns the quantity text into its number.
    cursor.executemany(f"INSERT INTO demand_plan_line ({_LINE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", (
        (version_id, line.item_id, line.plant_id, str(line.bucket), line.day.isoformat(),
         rules.week_start(line.day).isoformat(), str(line.quantity)) for line in lines))
    cursor.close()

