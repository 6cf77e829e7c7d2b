"""Checking plan rows (from a file or the API) against the items and plants, and against each other:
one requirement per item, plant and day or week, never both a week and days of it."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from openvmi.errors import Reason
from openvmi.planning import rules
from openvmi.planning.rules import Bucket
from openvmi.tabular import values
from openvmi.tabular.cells import cell_text


class CheckedLine(NamedTuple):
    """A plan line whose item and plant were found: what a version stores. A tuple, not a model:
    a plan has hundreds of thousands of them."""

    item_id: int
    plant_id: int
    bucket: str
    day: date
    quantity: Decimal


class Problem(NamedTuple):
    field: str  # one of rules.FIELDS
    reason: Reason
    value: object


_UNKNOWN_ITEM, _NO_ITEM = Reason("unknown item code"), Reason("no item given")
_UNKNOWN_PLANT, _NO_PLANT = Reason("unknown plant code"), Reason("no plant given")


@dataclass
class PlanChecker:
    """Checks one row at a time; `where` is how the user finds it again (file row, line number)."""

    items_by_code: dict[str, int]  # keys upper-cased
    plants_by_code: dict[str, int]  # keys upper-cased
    today: date
    _days: dict[tuple[int, int, date], int] = field(default_factory=dict)  # (item, plant, day) -> where
    _weeks: dict[tuple[int, int, date], tuple[str, int]] = field(default_factory=dict)  # -> (bucket, where)
    # A plan names a few dozen days and weeks and few distinct quantities a hundred thousand times.
    _read_when: dict[tuple[object, object], tuple[str, date]] = field(default_factory=dict)
    _read_quantity: dict[object, Decimal] = field(default_factory=dict)

    def check(self, where: int, *, item: object, plant: object, day: object, week: object,
              quantity: object) -> CheckedLine | list[Problem]:
        """The checked line, or every problem of the row."""
        problems: list[Problem] = []
        item_id = self._find(self.items_by_code, item, "item_code", problems, _UNKNOWN_ITEM, _NO_ITEM)
        plant_id = self._find(self.plants_by_code, plant, "plant", problems, _UNKNOWN_PLANT, _NO_PLANT)
        bucket, when = self._read_when.get((day, week)) or self._when(day, week, problems)
        amount = None if isinstance(quantity, bool) else self._read_quantity.get(quantity)  # True == 1
        if amount is not None:
            pass
        elif quantity is None:
            problems.append(Problem("quantity", Reason("no quantity given"), None))
        else:
            try:
                amount = self._read_quantity[quantity] = values.parse_quantity(quantity)
            except values.CellError as error:
                problems.append(Problem("quantity", error.reason, quantity))
        if problems:
            return problems
        assert item_id is not None and plant_id is not None and bucket is not None and when is not None
        duplicate = self._duplicate(where, item_id, plant_id, bucket, when)
        if duplicate is not None:
            return [duplicate]
        assert amount is not None
        return CheckedLine(item_id, plant_id, bucket, when, amount)

    @staticmethod
    def _find(codes: dict[str, int], value: object, name: str, problems: list[Problem], unknown: Reason,
              missing: Reason) -> int | None:
        if value is None:
            problems.append(Problem(name, missing, None))
            return None
        found = codes.get(cell_text(value).upper())
        if found is None:
            problems.append(Problem(name, unknown, value))
        return found

    def _when(self, day: object, week: object, problems: list[Problem]) -> tuple[str | None, date | None]:
        if day is not None and week is not None:
            problems.append(Problem("week", Reason("give a date or a week, not both"), week))
            return None, None
        try:
            if day is not None:
                read = self._read_when[day, week] = Bucket.DAY, values.parse_date(day, today=self.today)
                return read
            if week is not None:
                read = self._read_when[day, week] = Bucket.WEEK, rules.parse_week(week, today=self.today)
                return read
        except values.CellError as error:
            problems.append(Problem("day" if day is not None else "week", error.reason, day if day is not None
                                    else week))
            return None, None
        problems.append(Problem("day", Reason("no date or week given"), None))
        return None, None

    def _duplicate(self, where: int, item_id: int, plant_id: int, bucket: str, when: date) -> Problem | None:
        """The same requirement twice, or a week given both whole and by its days."""
        monday = rules.week_start(when)
        week_key = (item_id, plant_id, monday)
        seen = self._weeks.get(week_key)
        if bucket == Bucket.WEEK:
            if seen is not None:
                reason = (Reason("duplicate: the same item, plant and week as row %(row)s", row=seen[1])
                          if seen[0] == Bucket.WEEK else
                          Reason("week %(week)s is given whole here and by its days in row %(row)s",
                                 week=rules.week_label(monday), row=seen[1]))
                return Problem("week", reason, rules.week_label(monday))
            self._weeks[week_key] = (bucket, where)
            return None
        if seen is not None and seen[0] == Bucket.WEEK:
            return Problem("day", Reason("week %(week)s is given whole in row %(row)s and by its days here",
                                         week=rules.week_label(monday), row=seen[1]), when.isoformat())
        day_key = (item_id, plant_id, when)
        first = self._days.get(day_key)
        if first is not None:
            return Problem("day", Reason("duplicate: the same item, plant and date as row %(row)s", row=first),
                           when.isoformat())
        self._days[day_key] = where
        self._weeks.setdefault(week_key, (bucket, where))
        return None
