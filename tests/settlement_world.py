"""Settlement lines made the way consumption, its reversal and buyout make them: the ownership move is
posted through `ledger.service.post_moves` (a consumption document) and its line written with
`settlement.rules.owed_row` / `returned_row` + `settlement.service.record_lines` in the same transaction."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.access import Actor, Role
from openvmi.db import utcnow
from openvmi.ledger import service as ledger_service
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from openvmi.settlement import service as settlement_service
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.rules import SettlementKind, owed_row, returned_row
from openvmi.vmi.agreements.queries import settlement_cycles
from tests.builders import (
    document, make_buyer, make_item, make_location, make_party, make_supplier_item, make_user, make_vmi_agreement,
    make_vmi_location, receive, unique,
)

cycle_of = settlement_cycles  # what app.py wires into Reactions.settlement_cycles


@dataclass
class Consignment:
    """One supplier's item on consignment under an agreement, with stock to consume."""

    supplier_id: int
    supplier_code: str
    buyer_id: int
    agreement_id: int
    supplier_item_id: int
    item_id: int
    store_id: int
    sink_id: int
    currency: str
    tax_rate_percent: Decimal


def make_consignment(session: Session, *, cycle: str = "monthly", currency: str = "CNY",
                     tax_rate_percent: Decimal = Decimal(13), stock: Decimal = Decimal(1_000_000),
                     supplier=None) -> Consignment:
    supplier = supplier or make_party(session)
    buyer, item = make_buyer(session), make_item(session)
    supplier_item = make_supplier_item(session, supplier=supplier, item=item)
    store = make_vmi_location(session)
    agreement = make_vmi_agreement(session, supplier_item=supplier_item, location=store, activate=True,
                                   settlement_cycle=cycle, currency=currency, tax_rate_percent=tax_rate_percent)
    sink = make_location(session, kind="production")
    receive(session, item=item, location=store, owner=supplier, quantity=stock)
    return Consignment(supplier.id, supplier.code, buyer.id, agreement.id, supplier_item.id, item.id, store.id,
                       sink.id, currency, tax_rate_percent)


def consume(session: Session, world: Consignment, quantities: list[Decimal], *, unit_price: Decimal,
            day: date) -> list[int]:
    """Consume each of `quantities` (one move each, one posting) on local `day` at `unit_price`:
    the moves and their settlement lines in one transaction; the lines' ids."""
    moves = [MoveCreate(item_id=world.item_id, quantity=quantity, from_location_id=world.store_id,
                        from_owner_id=world.supplier_id, to_location_id=world.sink_id, to_owner_id=world.buyer_id,
                        kind="consumption") for quantity in quantities]
    posted = ledger_service.post_moves(session, PostingCreate(moves=moves), actor=None,
                                       document=document(DocumentKind.CONSUMPTION))
    at = datetime.combine(day, time(4), tzinfo=UTC)  # noon in Shanghai: the same local day
    return settlement_service.record_lines(session, [owed_row(
        SettlementKind.CONSUMPTION, move_id=move.id, quantity=move.quantity, unit_price=unit_price,
        currency=world.currency, tax_rate_percent=world.tax_rate_percent, supplier_id=world.supplier_id,
        agreement_id=world.agreement_id, supplier_item_id=world.supplier_item_id, item_id=world.item_id,
        price_day=day, occurred_at=at) for move in posted.moves])


def reverse(session: Session, world: Consignment, line_id: int, quantity: Decimal) -> int:
    """Give `quantity` of a consumed line back from production now: the mirror move and the negative line."""
    line = session.scalars(select(SettlementLine).where(SettlementLine.id == line_id)).one()
    move = MoveCreate(item_id=world.item_id, quantity=quantity, from_location_id=world.sink_id,
                      from_owner_id=world.buyer_id, to_location_id=world.store_id, to_owner_id=world.supplier_id,
                      kind="consumption", reverses_move_id=line.move_id)
    posted = ledger_service.post_moves(session, PostingCreate(moves=[move]), actor=None,
                                       document=document(DocumentKind.CONSUMPTION))
    columns = {column.name: getattr(line, column.name) for column in SettlementLine.__table__.columns}
    [line_id] = settlement_service.record_lines(session, [returned_row(
        columns, line_id=line.id, move_id=posted.moves[0].id, quantity=quantity, returned_before=Decimal(0),
        occurred_at=utcnow())])
    return line_id


def actor_of(user) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=Role(user.role), supplier_id=user.supplier_id)


def finance(session: Session) -> Actor:
    return actor_of(make_user(session, role=Role.FINANCE, email=f"{unique('finance')}@buyer.example"))


def supplier_user(session: Session, world: Consignment) -> Actor:
    from openvmi.parties.models import Party

    party = session.scalars(select(Party).where(Party.id == world.supplier_id)).one()
    return actor_of(make_user(session, role=Role.SUPPLIER, supplier=party, email=f"{unique('sales')}@supplier.example"))


def issued_statement(session: Session, supplier, *, day: date = date(2026, 5, 5)) -> int:
    """The supplier's issued statement of the month holding `day`, with one consumed line on it."""
    from openvmi.settlement.statements import service as statements
    from openvmi.settlement.statements.schemas import StatementGenerate

    world, clerk = make_consignment(session, supplier=supplier), finance(session)
    consume(session, world, [Decimal(2)], unit_price=Decimal("1.50"), day=day)
    [made] = statements.generate_statements(session, StatementGenerate(day=day, supplier_id=supplier.id),
                                            actor=clerk, cycle_of=cycle_of)
    statements.issue_statement(session, made.statement_id, actor=clerk)
    return made.statement_id
