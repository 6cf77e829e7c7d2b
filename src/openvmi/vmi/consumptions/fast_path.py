"""PostgreSQL only: a consumption's happy path in one call of `vmi_record_consumption`.

The function's SQL lives in `vmi/consumptions/sql/vmi_record_consumption.<version>.sql` (loaded by the
migrations; a test proves the deployed one is the newest file). It writes what the Python path writes
(the document, the posting, its moves and FIFO draws, the settlement lines, the consumption lines) or,
for anything else, nothing, so that the Python path decides and reports: errors have one
implementation. A property-based test compares every column the two write. Figures: bench/README.md.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import get_currency_precision, list_currencies
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.ledger import service as ledger
from openvmi.limits import MAX_QUANTITY
from openvmi.locations.rules import PHYSICAL_KINDS, LocationKind
from openvmi.scoping import current_supplier_scope
from openvmi.settlement.rules import currency_places
from openvmi.vmi.consumptions.schemas import ConsumptionCreate

SQL_FILE = "vmi/consumptions/sql/vmi_record_consumption.5.sql"  # the version the migrations deploy last

# CLDR's minor units (settlement.rules.currency_places) for every currency whose unit is not the default
# of 2, which the function assumes for the rest, as babel does for a code it does not know.
_ODD_CURRENCIES = sorted(code for code in list_currencies() if get_currency_precision(code) != 2)
_ODD_PLACES = [currency_places(code) for code in _ODD_CURRENCIES]
# Sent as array literals built once (ISO codes are letters, so nothing needs quoting): as lists, psycopg
# adapted their 51 elements one by one on every call, 15 % of a single consumption's client CPU.
_ODD_CURRENCIES_ARRAY = "{" + ",".join(_ODD_CURRENCIES) + "}"
_ODD_PLACES_ARRAY = "{" + ",".join(str(places) for places in _ODD_PLACES) + "}"
_PRODUCTION_PHYSICAL = LocationKind.PRODUCTION in PHYSICAL_KINDS


@dataclass(frozen=True)
class LineStock:
    """A line's agreement with the supplier's stock at its VMI location before and after the consumption."""

    agreement_id: int
    min_level: Decimal
    max_level: Decimal
    before: Decimal
    after: Decimal


def applies(session: Session) -> bool:
    """On PostgreSQL, outside a supplier's session (whose criteria the function would not apply)."""
    return session.get_bind().dialect.name == "postgresql" and current_supplier_scope(session) is None


def record(session: Session, request: ConsumptionCreate, *, actor: Actor, idempotency_key: str | None,
           request_hash: str, now: datetime, day: date) -> tuple[int, list[LineStock]] | None:
    """The consumption's id and each line's stock, or None when the function left the request to the
    Python path (it then wrote nothing). The driver's own call with a fixed text, so psycopg prepares it."""
    lines = request.lines
    found = session.connection().connection.driver_connection.execute(_CALL, (
        _column(lines, "item_code"), _column(lines, "item_id"), _column(lines, "location_code"),
        _column(lines, "location_id"), _column(lines, "supplier_code"), _column(lines, "supplier_id"),
        [line.quantity for line in lines],
        [str(line.quantity) for line in lines],  # as the posting's JSON spells them (ledger.service._hash_request)
        request.reference, actor.caller_key, idempotency_key, request_hash, actor.user_id, now, day,
        _ODD_CURRENCIES_ARRAY, _ODD_PLACES_ARRAY, MAX_QUANTITY, _PRODUCTION_PHYSICAL)).fetchone()
    (consumption_id, agreement_ids, min_levels, max_levels, before, after, balance_ids, balance_on_hands,
     drawn_ids, drawn_left) = found
    if consumption_id is None:
        return None
    ledger.refresh_loaded(session, zip(balance_ids, balance_on_hands, strict=True),
                          zip(drawn_ids, drawn_left, strict=True), now=now)
    return consumption_id, [LineStock(*figures) for figures in zip(agreement_ids, min_levels, max_levels, before,
                                                                   after, strict=True)]


def _column(lines: Sequence[object], name: str) -> list[object]:
    return [getattr(line, name) for line in lines]


_CALL = (
    "SELECT * FROM vmi_record_consumption(%s::varchar[], %s::integer[], %s::varchar[], %s::integer[],"
    " %s::varchar[], %s::integer[], %s::numeric[], %s::varchar[], %s::varchar, %s::varchar, %s::varchar,"
    " %s::varchar, %s::integer, %s::timestamptz, %s::date, %s::varchar[], %s::integer[], %s::numeric, %s::boolean)")
