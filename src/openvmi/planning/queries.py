"""Reading demand plans: versions, the current plan's lines, what changed per week since the version
before, and the planned quantity per item, plant and day over a horizon (for replenishment)."""
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Date, case, func, literal, select, tuple_, union_all
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item
from openvmi.db import quantize
from openvmi.errors import FieldError, InvalidInput, NotFound
from openvmi.limits import counter
from openvmi.pagination import fetch_page
from openvmi.parties.models import Plant
from openvmi.planning import rules
from openvmi.planning.models import DemandPlanCheck, DemandPlanLine, DemandPlanVersion
from openvmi.planning.schemas import (
    PlanChangesRead, PlanLinePage, PlanLineRead, PlanVersionPage, PlanVersionRead, WeekChangeRead,
)
from openvmi.scoping import select_rows

_line = DemandPlanLine


def item_codes(session: Session) -> dict[str, int]:
    """Active items by upper-cased code: what a plan may name."""
    return {code.upper(): item_id for item_id, code in
            session.execute(select(Item.id, Item.code).where(Item.active.is_(True)))}


def plant_codes(session: Session) -> dict[str, int]:
    return {code.upper(): plant_id for plant_id, code in session.execute(select(Plant.id, Plant.code))}


def find_keyed_version(session: Session, idempotency_key: str) -> DemandPlanVersion | None:
    return session.scalars(select(DemandPlanVersion).where(DemandPlanVersion.idempotency_key == idempotency_key)
                           ).first()


def latest_number(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(DemandPlanVersion.number), 0))) or 0


def find_current_version(session: Session) -> DemandPlanVersion | None:
    return session.scalars(select(DemandPlanVersion).order_by(DemandPlanVersion.number.desc()).limit(1)).first()


def get_current_version(session: Session) -> DemandPlanVersion:
    version = find_current_version(session)
    if version is None:
        raise NotFound("no demand plan has been published yet")
    return version


def get_version(session: Session, number: int) -> DemandPlanVersion:
    version = session.scalars(select(DemandPlanVersion).where(DemandPlanVersion.number == number)).first()
    if version is None:
        raise NotFound(f"no such demand plan version: {number}")
    return version


def get_check(session: Session, check_id: int) -> DemandPlanCheck:
    check = session.get(DemandPlanCheck, check_id)
    if check is None:
        raise NotFound(f"no such checked plan file: {check_id}")
    return check


def find_previous_version(session: Session, version: DemandPlanVersion) -> DemandPlanVersion | None:
    return session.scalars(select(DemandPlanVersion).where(DemandPlanVersion.number < version.number)
                           .order_by(DemandPlanVersion.number.desc()).limit(1)).first()


def list_versions(session: Session, *, cursor: str | None, limit: int) -> PlanVersionPage:
    rows, next_cursor = fetch_page(session, select(DemandPlanVersion), DemandPlanVersion.id, cursor=cursor,
                                   limit=limit, descending=True)
    return PlanVersionPage(items=[PlanVersionRead.model_validate(v) for v in rows], next_cursor=next_cursor)


@dataclass(frozen=True)
class LineFilter:
    item_id: int | None = None
    plant_id: int | None = None
    since: date | None = None
    until: date | None = None


def list_lines(session: Session, version: DemandPlanVersion, wanted: LineFilter, *, cursor: str | None,
               limit: int) -> PlanLinePage:
    """A version's lines (for a supplier user: of its own items only, through the session's scope)."""
    statement = select(_line).where(_line.version_id == version.id)
    for column, value, test in ((_line.item_id, wanted.item_id, "eq"), (_line.plant_id, wanted.plant_id, "eq"),
                                (_line.day, wanted.since, "ge"), (_line.day, wanted.until, "le")):
        if value is not None:
            statement = statement.where(column == value if test == "eq" else column >= value if test == "ge"
                                        else column <= value)
    rows, next_cursor = fetch_page(session, statement, _line.id, cursor=cursor, limit=limit)
    items, plants = _codes(session, {r.item_id for r in rows}, {r.plant_id for r in rows})
    return PlanLinePage(version=version.number, next_cursor=next_cursor, items=[
        PlanLineRead(item_id=r.item_id, item_code=items[r.item_id], plant_id=r.plant_id, plant_code=plants[r.plant_id],
                     bucket=r.bucket, day=r.day, week=rules.week_label(r.week_start), quantity=r.quantity)
        for r in rows])


def _codes(session: Session, item_ids: Collection[int], plant_ids: Collection[int]
           ) -> tuple[dict[int, str], dict[int, str]]:
    items = dict(session.execute(select(Item.id, Item.code).where(Item.id.in_(item_ids))).all())
    plants = dict(session.execute(select(Plant.id, Plant.code).where(Plant.id.in_(plant_ids))).all())
    return items, plants


def week_changes(session: Session, version: DemandPlanVersion, *, only_changed: bool = False,
                 since: date | None = None, limit: int | None = None, cursor: str | None = None) -> PlanChangesRead:
    """Per item, plant and ISO week: the quantity in `version` and in the version before it, in week,
    item and plant order, `limit` at a time (`next_cursor` asks for the rest). Weeks that ended before
    `since` are left out (they no longer matter to anyone)."""
    after = decode_week_cursor(cursor)
    previous = find_previous_version(session, version)
    sides = [select(_line.item_id, _line.plant_id, _line.week_start, _line.quantity.label("current"),
                    literal(Decimal(0)).label("previous")).where(_line.version_id == version.id)]
    if previous is not None:
        sides.append(select(_line.item_id, _line.plant_id, _line.week_start, literal(Decimal(0)).label("current"),
                            _line.quantity.label("previous")).where(_line.version_id == previous.id))
    both = union_all(*sides).subquery()
    current, before = func.sum(both.c.current), func.sum(both.c.previous)
    statement = (select(both.c.item_id, both.c.plant_id, both.c.week_start, current, before)
                 .group_by(both.c.item_id, both.c.plant_id, both.c.week_start)
                 .order_by(both.c.week_start, both.c.item_id, both.c.plant_id))
    if since is not None:
        statement = statement.where(both.c.week_start > since - timedelta(days=7))
    if only_changed:
        statement = statement.having(current != before)
    if after is not None:
        statement = statement.where(tuple_(both.c.week_start, both.c.item_id, both.c.plant_id) > tuple_(
            literal(after[0], Date()), literal(after[1]), literal(after[2])))
    rows = session.execute(statement.limit(None if limit is None else limit + 1)).all()
    next_cursor = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_week_cursor(_as_date(rows[-1][2]), rows[-1][0], rows[-1][1])
    items, plants = _codes(session, {r[0] for r in rows}, {r[1] for r in rows})
    changes = []
    for item_id, plant_id, monday, now, then in rows:
        now, then = quantize(Decimal(now)), quantize(Decimal(then))
        changes.append(WeekChangeRead(item_id=item_id, item_code=items[item_id], plant_id=plant_id,
                                      plant_code=plants[plant_id], week=rules.week_label(monday), week_start=monday,
                                      previous=then, current=now, delta=now - then, change=rules.change_of(then, now)))
    return PlanChangesRead(version=version.number, previous_version=previous.number if previous else None,
                           items=changes, next_cursor=next_cursor)


def encode_week_cursor(week_start: date, item_id: int, plant_id: int) -> str:
    """The last (week, item, plant) of a page of changes: `2026-12-07.12.3`."""
    return f"{week_start.isoformat()}.{item_id}.{plant_id}"


def decode_week_cursor(cursor: str | None) -> tuple[date, int, int] | None:
    if not cursor:
        return None
    parts = cursor.split(".")
    ids = [counter(part) for part in parts[1:]]
    try:
        week = date.fromisoformat(parts[0])
    except ValueError:
        week = None
    if len(parts) != 3 or week is None or None in ids:
        raise InvalidInput([FieldError("cursor", "not a cursor returned by this API")])
    return week, ids[0], ids[1]  # type: ignore[return-value]


class PlannedDay(NamedTuple):
    """Planned consumption of an item at a plant on one day (weeks counted on their Monday). A tuple:
    a replenishment board reads tens of thousands of them (bench/README.md, "Replenishment")."""

    item_id: int
    plant_id: int
    day: date
    quantity: Decimal


def planned_quantities(session: Session, since: date, until: date, *, item_ids: Collection[int] | None = None,
                       plant_ids: Collection[int] | None = None) -> Sequence[PlannedDay]:
    """Planned consumption per item, plant and day from `since` to `until` (inclusive) in the current
    plan, in one statement. A week's quantity is due on its Monday; the week under way when the
    horizon starts counts on its first day (docs/decisions.md, "Demand plans")."""
    version = find_current_version(session)
    if version is None:
        return []
    due = case((_line.day < since, literal(since)), else_=_line.day)
    statement = (select(_line.item_id, _line.plant_id, due.label("due"), func.sum(_line.quantity))
                 .where(_line.version_id == version.id, _line.day <= until,
                        (_line.day >= since) | ((_line.bucket == rules.Bucket.WEEK)
                                                & (_line.day > since - timedelta(days=7))))
                 .group_by(_line.item_id, _line.plant_id, due)
                 .order_by(_line.item_id, _line.plant_id, due))
    if item_ids is not None:
        statement = statement.where(_line.item_id.in_(item_ids))
    if plant_ids is not None:
        statement = statement.where(_line.plant_id.in_(plant_ids))
    return [PlannedDay(i, p, _as_date(d), quantize(Decimal(q)))
            for i, p, d, q in select_rows(session, statement)]


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))  # SQLite's CASE gives text
