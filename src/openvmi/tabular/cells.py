"""A cell as the user sees it: its text, or a formula whose value was never saved."""
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class FormulaWithoutValue:
    formula: str


def cell_text(value: object) -> str:
    """The cell as text, the way a spreadsheet shows it (a formula without a value: the formula)."""
    if value is None or isinstance(value, FormulaWithoutValue):
        return "" if value is None else value.formula
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 10023.0 from a numeric item-code cell
    if isinstance(value, datetime | date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()
