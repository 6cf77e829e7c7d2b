"""What a cell's value means, for any feature's file: numbers, dates, headers, totals and spreadsheet
errors, read the way spreadsheet programs and ERP exports write them."""
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from openvmi.errors import Reason
from openvmi.limits import MAX_QUANTITY
from openvmi.tabular.cells import FormulaWithoutValue, cell_text


def normalise_header(text: str) -> str:
    """Compare headers loosely: full-width to half-width, case, spaces, punctuation and a unit
    in brackets (库存(PCS), On hand [qty]) do not matter."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[\(\[\{].*?[\)\]\}]", "", text)
    return re.sub(r"[\s_\-./:#*]+", "", text)


# The first cell of a row that sums the ones above it (ERP reports end with one).
TOTAL_LABELS = frozenset(normalise_header(label) for label in (
    "合计", "总计", "小计", "总合计", "合计数", "汇总", "total", "totals", "grandtotal", "subtotal", "sum"))


def is_total_label(text: str) -> bool:
    return normalise_header(text) in TOTAL_LABELS


# What a spreadsheet shows (and saves as the value) when a formula cannot be computed.
SPREADSHEET_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                                "#GETTING_DATA", "#SPILL!", "#CALC!", "Err:502", "Err:504", "Err:522"})


class CellError(ValueError):
    """A cell that cannot be read; `reason` is shown to the user."""

    def __init__(self, msgid: str, **params: object) -> None:
        self.reason = Reason(msgid, **params)
        super().__init__(self.reason)


def parse_quantity(value: object) -> Decimal:
    """A non-negative quantity with at most 6 decimals, from text ("1,234.5") or a number."""
    if isinstance(value, bool):
        raise CellError("not a number")
    if isinstance(value, int):
        quantity = Decimal(value)
    elif isinstance(value, float):
        # What the spreadsheet shows: 15 significant digits (=0.1*3 is 0.30000000000000004).
        quantity = Decimal(f"{value:.15g}")
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
        if re.fullmatch(r"\d[\d,]*(\.\d+)?-|\(\d[\d,]*(\.\d+)?\)", text):
            raise CellError("negative quantity")  # SAP's trailing minus, accounting brackets
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")  # thousands separators
        elif re.fullmatch(r"-?\d+,\d{1,2}", text):
            text = text.replace(",", ".")  # decimal comma (semicolon-separated European files)
        elif "," in text:  # "1,5000": a typo or 万 grouping; 1.5 or 15000 would both be guesses
            raise CellError("unclear number: write 15000, 15,000 or 1.5")
        try:
            quantity = Decimal(text)
        except InvalidOperation:
            raise CellError("not a number") from None
    if not quantity.is_finite():
        raise CellError("not a number")
    if quantity < 0:
        raise CellError("negative quantity")
    if quantity > MAX_QUANTITY:
        raise CellError("quantity too large: at most %(limit)s", limit=f"{MAX_QUANTITY:,}")
    if quantity != quantity.quantize(Decimal("0.000001")):
        raise CellError("more than 6 decimal places")
    return quantity if quantity else Decimal(0)


_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


EXCEL_EPOCH = date(1899, 12, 30)
_SERIALS = range(36526, 73051)  # 2000-01-01 .. 2099-12-31 as Excel day numbers


def parse_date(value: object, *, today: date) -> date:
    """A date not in the past, from a spreadsheet date or text (2026-12-01, 2026/12/1, 2026年12月1日,
    20261201) or an Excel day number (a date cell that lost its format)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 5:
        value = int(value.strip())
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, int) and not isinstance(value, bool) and value in _SERIALS:
        day = EXCEL_EPOCH + timedelta(days=value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = text.split(" ")[0].split("T")[0]
        for pattern in _DATE_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                try:
                    day = date(*(int(g) for g in match.groups()))
                except ValueError:
                    raise CellError("not a valid date") from None
                break
        else:
            raise CellError("not a date (use YYYY-MM-DD)")
    if day < today:
        raise CellError("date is in the past")
    return day


def readable(value: object) -> object | None:
    """A cell's value as read (None when empty); CellError for a cell that shows no value: a
    formula nobody computed, a spreadsheet error. `="00123"` (exports that keep Excel from
    dropping zeros) is the text inside."""
    if isinstance(value, FormulaWithoutValue):
        raise CellError("formula without a saved value: open and save the file in a spreadsheet program, "
                        "or paste values")
    text = cell_text(value)
    if text.startswith('="') and text.endswith('"') and len(text) > 2:
        value = text = text[2:-1].strip()
    if text in SPREADSHEET_ERRORS:
        raise CellError("the cell shows the spreadsheet error %(error)s: fix its formula", error=text)
    return None if text == "" else value
