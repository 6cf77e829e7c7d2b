"""Use cases of consumption: production takes VMI stock (the ownership transfer, priced on one
settlement line per move), and brings some of it back (the reversal). Caller commits."""
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from pydantic import ValidationError

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.catalog import rules as price_rules
from openvmi.db import utcnow
from openvmi.errors import (
    Conflict, FieldError, IdempotencyMismatch, InvalidImportFile, InvalidInput, NotFound, Reason, RowError,
)
from openvmi.ledger import queries as ledger_queries
from openvmi.ledger import service as ledger
from openvmi.ledger.rules import DocumentKind, MoveKind
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate
from openvmi.locations.rules import LocationKind
from openvmi.settlement import rules as settlement_rules
from openvmi.settlement import service as settlement
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.rules import SettlementKind
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.consumptions import fast_path, queries, rules
from openvmi.vmi.consumptions.models import Consumption, ConsumptionLine
from openvmi.tabular.formats import open_table
from openvmi.tabular.report import ErrorList
from openvmi.tabular.values import CellError, parse_quantity, readable
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.vmi.consumptions.schemas import (
    MAX_LINES, ConsumptionCreate, ConsumptionLineCreate, ConsumptionUpload, ReversalCreate, ReversalRead,
)
from openvmi.vmi.replenishment import queries as replenishment_queries
from openvmi.vmi.replenishment import service as replenishment
from openvmi.vmi.shipments import queries as places


class BadConsumption(InvalidInput):
    code = "consumption_invalid"


@dataclass(frozen=True)
class _Line:
    """A request line with everything its move and settlement line need."""

    item_id: int
    quantity: Decimal
    location_id: int
    production_location_id: int
    buyer_id: int
    agreement: rules.Candidate
    price: price_rules.PricePeriod


def record_consumption(session: Session, request: ConsumptionCreate, *, actor: Actor, zone: str,
                       idempotency_key: str | None = None) -> tuple[int, bool]:
    """Hand every line's quantity of the supplier's VMI stock to production, oldest layers first, each as one
    ownership move with one settlement line at the price of the plant's local day for that quantity; all lines
    or none (every short line named). Returns (consumption id, replayed): with an Idempotency-Key a retry,
    also a concurrent one, answers the first consumption and changes nothing. Caller commits."""
    request_hash = hashlib.sha256(request.model_dump_json().encode()).hexdigest()
    now = utcnow()
    day = rules.price_day(now, zone)
    if fast_path.applies(session):  # one round trip on PostgreSQL; anything but the happy path comes back here
        recorded = fast_path.record(session, request, actor=actor, idempotency_key=idempotency_key,
                                    request_hash=request_hash, now=now, day=day)
        if recorded is not None:
            consumption_id, stock = recorded
            _sync_alerts(session, {line.agreement_id for line in stock if rules.crosses_a_level(
                line.before, line.after, min_level=line.min_level, max_level=line.max_level)}, today=now.date())
            return consumption_id, False
    # The header first: its insert finds a retry (answered before the lines are checked, as always) in the
    # same round trip, and a refused request is rolled back by its caller with everything else.
    consumption_id = _insert_header(session, {
        "reference": request.reference, "caller_key": actor.caller_key, "idempotency_key": idempotency_key,
        "request_hash": request_hash, "created_by_id": actor.user_id, "created_at": now})
    if consumption_id is None:  # a retry, also a concurrent one that committed first: its answer is ours
        replay = _replay(session, actor, idempotency_key, request_hash)
        if replay is None:
            raise Conflict(f"Idempotency-Key {idempotency_key!r} is in use by an unfinished request; retry")
        return replay, True
    lines = _checked_lines(session, request.lines, day=day)
    reference = request.reference or f"CONSUMPTION-{consumption_id}"
    posted = ledger.post_moves(session, PostingCreate(moves=[MoveCreate(
        item_id=line.item_id, quantity=line.quantity, from_location_id=line.location_id,
        from_owner_id=line.agreement.supplier_id, to_location_id=line.production_location_id,
        to_owner_id=line.buyer_id, kind=MoveKind.CONSUMPTION, reference=reference) for line in lines]),
        actor=actor, document=DocumentRef(kind=DocumentKind.CONSUMPTION, id=consumption_id))
    settlement_ids = settlement.record_lines(session, [settlement_rules.owed_row(
        SettlementKind.CONSUMPTION, move_id=move.id, quantity=move.quantity, unit_price=line.price.price,
        currency=line.agreement.currency, tax_rate_percent=line.agreement.tax_rate_percent,
        supplier_id=line.agreement.supplier_id, agreement_id=line.agreement.agreement_id,
        supplier_item_id=line.agreement.supplier_item_id, item_id=line.item_id, price_day=day,
        occurred_at=move.created_at) for line, move in zip(lines, posted.moves, strict=True)])
    # Each line's supplier stock after the posting comes back with the line's insert (no read of its own).
    after = dict(zip(((line.item_id, line.location_id, line.agreement.supplier_id) for line in lines),
                     session.connection().execute(_INSERT_LINES, [{
        "consumption_id": consumption_id, "supplier_id": line.agreement.supplier_id,
        "agreement_id": line.agreement.agreement_id, "item_id": line.item_id, "location_id": line.location_id,
        "production_location_id": line.production_location_id, "buyer_id": line.buyer_id,
        "quantity": move.quantity, "move_id": move.id, "settlement_line_id": settlement_id}
        for line, move, settlement_id in zip(lines, posted.moves, settlement_ids, strict=True)]).scalars()))
    taken: dict[tuple[int, int, int], Decimal] = {}
    for line in lines:
        key = (line.item_id, line.location_id, line.agreement.supplier_id)
        taken[key] = taken.get(key, Decimal(0)) + line.quantity
    crossed = set()
    for line in lines:
        key = (line.item_id, line.location_id, line.agreement.supplier_id)
        if rules.crosses_a_level(after[key] + taken[key], after[key], min_level=line.agreement.min_level,
                                 max_level=line.agreement.max_level):
            crossed.add(line.agreement.agreement_id)
    _sync_alerts(session, crossed, today=now.date())
    return consumption_id, False


def record_consumption_file(session: Session, upload: ConsumptionUpload, *, stream: BinaryIO, actor: Actor,
                            zone: str, idempotency_key: str | None = None,
                            xlsx_limits: XlsxLimits | None = None) -> tuple[int, bool]:
    """Consume the lines of a backflush file (CSV in UTF-8, UTF-8 BOM or GBK/GB18030, or XLSX: item, quantity,
    location, optionally supplier) as one consumption, all or none; InvalidImportFile lists every bad row as a
    plan upload does. Caller commits."""
    reader = open_table(stream, filename=upload.filename, encoding=upload.encoding, sheet=upload.sheet,
                        judge_header=rules.header_fitness, xlsx_limits=xlsx_limits)
    try:
        columns, problems = rules.match_headers(reader.headers)
        if problems:
            raise InvalidImportFile([RowError(reader.header_row, column or None, reason)
                                     for column, reason in problems] + reader.header_hints())
        errors, lines, rows = ErrorList(), [], []
        for row, cells in reader.rows():
            if len(rows) >= MAX_LINES:
                raise InvalidImportFile([RowError(row, None, Reason("more than %(limit)s rows; split the file",
                                                                    limit=f"{MAX_LINES:,}"))])
            line, row_errors = _file_line(row, cells, columns, reader.headers)
            errors.add(row_errors)
            if line is not None:
                lines.append(line)
                rows.append(row)
    finally:
        reader.close()
    errors.refuse_bad_file(data_rows=len(lines))
    try:
        return record_consumption(session, ConsumptionCreate(lines=lines, reference=upload.reference), actor=actor,
                                  zone=zone, idempotency_key=idempotency_key)
    except BadConsumption as refused:  # the same problems, told by the file's row numbers
        raise InvalidImportFile([_row_error(error, rows, columns, reader.headers) for error in refused.errors]) from None


def _file_line(row: int, cells: list[object], columns: dict[str, int],
               headers: list[str]) -> tuple[ConsumptionLineCreate | None, list[RowError]]:
    found: dict[str, object] = {}
    errors = []
    for name, index in columns.items():
        try:
            value = readable(cells[index] if index < len(cells) else None)
            found[name] = parse_quantity(value) if name == "quantity" and value is not None else value
        except CellError as error:
            errors.append(RowError(row, headers[index], error.reason, str(cells[index])))
    if errors:
        return None, errors
    try:
        return ConsumptionLineCreate(**{name: value if name == "quantity" or value is None else str(value).strip()
                                        for name, value in found.items()}), []
    except ValidationError as error:
        return None, [RowError(row, headers[columns[str(e["loc"][0])]] if e["loc"] and e["loc"][0] in columns
                               else None, e["msg"]) for e in error.errors()]


def _row_error(error: FieldError, rows: list[int], columns: dict[str, int], headers: list[str]) -> RowError:
    """A line's problem (field `lines[3].item_code`) as the file's row and column."""
    index, field = re.fullmatch(r"lines\[(\d+)\]\.?(\w*)", error.field).groups()  # type: ignore[union-attr]
    column = headers[columns[field]] if field in columns else None
    return RowError(rows[int(index)], column, error.message)


def reverse_consumption(session: Session, consumption_id: int, request: ReversalCreate, *, actor: Actor,
                        idempotency_key: str | None = None) -> ReversalRead:
    """Take `quantity` of a consumption line back from production into the VMI location, the supplier's
    again, restoring the layers it took, with the negative settlement line at the line's price; never more
    than consumed minus returned (checked under the ledger's locks). Caller commits."""
    line = session.scalars(select(ConsumptionLine).where(ConsumptionLine.id == request.line_id,
                                                         ConsumptionLine.consumption_id == consumption_id)).first()
    if line is None:
        raise NotFound(Reason("consumption %(consumption)s has no line %(line)s", consumption=consumption_id,
                              line=request.line_id))
    posted = ledger.post_moves(session, PostingCreate(moves=[MoveCreate(
        item_id=line.item_id, quantity=request.quantity, from_location_id=line.production_location_id,
        from_owner_id=line.buyer_id, to_location_id=line.location_id, to_owner_id=line.supplier_id,
        kind=MoveKind.CONSUMPTION, reverses_move_id=line.move_id, reference=f"CONSUMPTION-{consumption_id}")]),
        actor=actor, idempotency_key=idempotency_key,
        document=DocumentRef(kind=DocumentKind.CONSUMPTION, id=consumption_id))
    move = posted.moves[0]
    if posted.replayed:
        settlement_id, net = session.execute(select(SettlementLine.id, SettlementLine.net_amount)
                                             .where(SettlementLine.move_id == move.id)).one()
    else:
        # The ledger holds the balance locks of the consumed move now: no other return of it runs meanwhile.
        original = session.execute(select(SettlementLine.__table__).where(
            SettlementLine.id == line.settlement_line_id)).mappings().one()
        returned_before = queries.returned_quantities(session, [original["id"]]).get(original["id"], Decimal(0))
        row = settlement_rules.returned_row(original, line_id=original["id"], move_id=move.id,
                                            quantity=move.quantity, returned_before=returned_before,
                                            occurred_at=move.created_at)
        (settlement_id,) = settlement.record_lines(session, [row])
        net = row["net_amount"]
        agreement = session.get(VmiAgreement, line.agreement_id)
        after = ledger_queries.on_hand(session, item_id=line.item_id, location_id=line.location_id,
                                       owner_id=line.supplier_id)
        if agreement is not None and rules.crosses_a_level(after - move.quantity, after, min_level=agreement.min_level,
                                                           max_level=agreement.max_level):
            _sync_alerts(session, {line.agreement_id}, today=move.created_at.date())
    return ReversalRead(consumption_id=consumption_id, line_id=line.id, move_id=move.id,
                        settlement_line_id=settlement_id, quantity=move.quantity, net_amount=net,
                        replayed=posted.replayed)


def _replay(session: Session, actor: Actor, idempotency_key: str | None, request_hash: str) -> int | None:
    if idempotency_key is None:
        return None
    found = queries.find_keyed_consumption(session, actor.caller_key, idempotency_key)
    if found is not None and found.request_hash != request_hash:
        raise IdempotencyMismatch("this Idempotency-Key was used for another consumption")
    return found.id if found is not None else None


def _insert_header(session: Session, row: dict[str, object]) -> int | None:
    """The consumption's row, or None when a concurrent request holds its Idempotency-Key (it waits on the
    unique index until that one ends, as the ledger's keyed posting does)."""
    connection = session.connection()
    return connection.execute(_INSERT_HEADER[connection.dialect.name], row).scalar_one_or_none()


def _checked_lines(session: Session, lines: Sequence[ConsumptionLineCreate], *, day: date) -> list[_Line]:
    """Every line resolved to its item, VMI location, production place, agreement and price, or BadConsumption
    naming every line that cannot be consumed as consignment stock."""
    named = queries.names_in(session, lines)
    errors: list[FieldError] = []
    resolved: list[tuple[int, int | None, queries.Place, ConsumptionLineCreate] | None] = []
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        item_id = named.items.get(line.item_code if line.item_code is not None else line.item_id)  # type: ignore[arg-type]
        location = named.locations.get(line.location_code if line.location_code is not None
                                       else line.location_id)  # type: ignore[arg-type]
        supplier_named = line.supplier_code if line.supplier_code is not None else line.supplier_id
        problems = []
        if item_id is None:
            problems.append(FieldError(f"{where}.{'item_code' if line.item_code is not None else 'item_id'}",
                                       Reason("no such item")))
        if location is None or location.kind != LocationKind.VMI or not location.active:
            problems.append(FieldError(
                f"{where}.{'location_code' if line.location_code is not None else 'location_id'}",
                Reason("not an active VMI location")))
        if supplier_named is not None and supplier_named not in named.suppliers:
            problems.append(FieldError(
                f"{where}.{'supplier_code' if line.supplier_code is not None else 'supplier_id'}",
                Reason("no such supplier")))
        errors += problems
        resolved.append(None if problems else (item_id, named.suppliers.get(supplier_named), location, line))  # type: ignore[arg-type]
    found, prices = queries.candidates(session, {(entry[0], entry[2].id) for entry in resolved if entry is not None},
                                       day=day)
    chosen: list[tuple[int, int | None, queries.Place, ConsumptionLineCreate, rules.Candidate]] = []
    for index, entry in enumerate(resolved):
        if entry is None:
            continue
        item_id, supplier_id, location, line = entry
        agreement = rules.choose_agreement(found.get((item_id, location.id), []), supplier_id=supplier_id)
        if isinstance(agreement, Reason):
            errors.append(FieldError(f"lines[{index}]", agreement))
        else:
            chosen.append((index, supplier_id, location, line, agreement))
    checked = []
    for index, _, location, line, agreement in chosen:
        price = price_rules.price_on(prices[agreement.supplier_item_id], day, line.quantity)
        if price is None:
            errors.append(FieldError(f"lines[{index}].quantity", Reason(
                "the supplier item has no price for %(quantity)s on %(day)s", quantity=f"{line.quantity:f}",
                day=day.isoformat())))
            continue
        if price.currency != agreement.currency:
            errors.append(FieldError(f"lines[{index}]", Reason(
                "the price is in %(price)s but the agreement settles in %(agreement)s", price=price.currency,
                agreement=agreement.currency)))
            continue
        if location.production_id is None:  # no production place is set up: default_place says so
            places.default_place(session, LocationKind.PRODUCTION, plant_id=location.plant_id)
        checked.append(_Line(item_id=named.items[line.item_code if line.item_code is not None else line.item_id],  # type: ignore[index]
                             quantity=line.quantity, location_id=location.id,
                             production_location_id=location.production_id,
                             buyer_id=location.buyer_id,  # type: ignore[arg-type]
                             agreement=agreement, price=price))
    if errors:
        raise BadConsumption(errors)
    return checked


def _sync_alerts(session: Session, agreement_ids: set[int], *, today: date) -> None:
    """VMI below min after a consumption (and back above after a return), in the same transaction; only for
    agreements whose stock crossed a level (the projection behind the alerts costs more than the posting)."""
    if not agreement_ids:
        return
    replenishment.sync_vmi_alerts(session, replenishment_queries.Wanted(agreement_ids=tuple(sorted(agreement_ids))),
                                  today=today)


_INSERT_LINES = insert(ConsumptionLine.__table__).returning(
    ledger_queries.on_hand_returned(ConsumptionLine.__tablename__, owner_column="supplier_id"),
    sort_by_parameter_order=True)

_INSERT_HEADER = {
    name: dialect.insert(Consumption.__table__).on_conflict_do_nothing(
        index_elements=["caller_key", "idempotency_key"]).returning(Consumption.__table__.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
