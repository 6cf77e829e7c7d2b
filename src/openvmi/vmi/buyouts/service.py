"""Use cases of buyouts: the buyer takes over a supplier's VMI stock where it lies (one ownership move and
its settlement line), and ending an agreement with stock left (buyout or return to the supplier). Caller commits."""
import hashlib
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.catalog import queries as catalog_queries
from openvmi.db import add_keyed, first_answer, quantize, utcnow
from openvmi.errors import Conflict, FieldError, InvalidInput, Reason, RuleViolation
from openvmi.ledger import service as ledger
from openvmi.ledger.rules import DocumentKind, MoveKind
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.parties import queries as parties_queries
from openvmi.settlement import rules as settlement_rules
from openvmi.settlement import service as settlement
from openvmi.settlement.rules import SettlementKind
from openvmi.vmi.agreements import queries as agreement_queries
from openvmi.vmi.agreements import service as agreements
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.buyouts import queries, rules
from openvmi.vmi.buyouts.models import VmiBuyout, VmiStockReturn
from openvmi.vmi.buyouts.rules import Leftover
from openvmi.vmi.buyouts.schemas import AgreementEnd, BuyoutCreate
from openvmi.vmi.shipments import queries as shipment_queries


class AgreementNotActive(Conflict):
    code = "agreement_not_active"


class NothingToBuyOut(Conflict):
    code = "nothing_to_buy_out"


class BuyoutUnpriced(RuleViolation):
    """No price applies to the buyout, or it is in another currency than the agreement's."""

    code = "buyout_unpriced"


def buy_out(session: Session, agreement_id: int, request: BuyoutCreate, *, actor: Actor, zone: str,
            idempotency_key: str | None = None, now: datetime | None = None) -> tuple[VmiBuyout, bool]:
    """The buyer takes over `request.quantity` (all, if omitted) of the supplier's stock at the agreement's
    VMI location without moving it: one ownership move (oldest layers first, as the ledger drains) and its
    settlement line at the quantity-break price of the local day. Returns (buyout, replayed). Caller commits."""
    request_hash = hashlib.sha256(f"{agreement_id}:{request.model_dump_json()}".encode()).hexdigest()
    replay = _replay(session, actor, idempotency_key, request_hash)
    if replay is not None:
        return replay, True
    agreement = agreement_queries.get_agreement(session, agreement_id)
    if agreement.state != AgreementState.ACTIVE:
        raise AgreementNotActive(Reason("agreement #%(id)s is %(state)s: only a running agreement's stock is "
                                        "bought out", id=agreement.id, state=agreement.state))
    row = _priced(session, agreement, request.quantity, actor=actor, now=now or utcnow(), zone=zone)
    row.idempotency_key, row.request_hash = idempotency_key, request_hash
    replay = add_keyed(session, row, replay=lambda: _replay(session, actor, idempotency_key, request_hash))
    if replay is not None:
        return replay, True
    buyer_id = parties_queries.get_buyer(session).id
    posted = ledger.post_moves(session, PostingCreate(moves=[MoveCreate(
        item_id=row.item_id, quantity=row.quantity, from_location_id=row.location_id, from_owner_id=row.supplier_id,
        to_location_id=row.location_id, to_owner_id=buyer_id, kind=MoveKind.BUYOUT, reference=f"BUYOUT-{row.id}")]),
        actor=actor, document=DocumentRef(kind=DocumentKind.BUYOUT, id=row.id))
    row.move_id = posted.moves[0].id
    row.settlement_line_id = settlement.record_lines(session, [settlement_rules.owed_row(
        SettlementKind.BUYOUT, move_id=row.move_id, quantity=row.quantity, unit_price=row.unit_price,
        currency=row.currency, tax_rate_percent=agreement.tax_rate_percent, supplier_id=row.supplier_id,
        agreement_id=agreement.id, supplier_item_id=agreement.supplier_item_id, item_id=row.item_id,
        price_day=row.price_day, occurred_at=row.bought_at)])[0]
    session.flush()
    return row, False


def end_agreement(session: Session, agreement_id: int, request: AgreementEnd, *, actor: Actor, zone: str,
                  now: datetime | None = None) -> VmiAgreement:
    """End an agreement; the supplier's stock left at its VMI location is first bought out or returned to
    the supplier's origin, as the request says (without a say, ending refuses while any is left). Caller commits."""
    agreement = agreement_queries.get_agreement(session, agreement_id)
    now = now or utcnow()
    if request.leftover is not None and agreement.state == AgreementState.ACTIVE:
        left = agreement_queries.stock_left(session, agreement)
        if left > 0 and request.leftover is Leftover.BUYOUT:
            buy_out(session, agreement_id, BuyoutCreate(quantity=left), actor=actor, zone=zone, now=now)
        elif left > 0:
            _return_to_supplier(session, agreement, left, origin_id=request.origin_location_id, actor=actor, now=now)
    return agreements.end_agreement(session, agreement_id, now=now)


def _priced(session: Session, agreement: VmiAgreement, quantity: Decimal | None, *, actor: Actor, now: datetime,
            zone: str) -> VmiBuyout:
    """The buyout row, priced, before anything is written: no price or another currency is refused."""
    item_id = agreement_queries.item_of(session, agreement)
    left = agreement_queries.stock_left(session, agreement)
    quantity = quantize(quantity) if quantity is not None else left
    if quantity <= 0:
        raise NothingToBuyOut(Reason("none of the supplier's stock is left at the VMI location of agreement "
                                     "#%(id)s", id=agreement.id))
    day = rules.price_day(now, zone)
    price = catalog_queries.price_on(session, agreement.supplier_item_id, day=day, quantity=quantity)
    if price is None:
        raise BuyoutUnpriced(Reason("the supplier item has no price for %(quantity)s on %(day)s",
                                    quantity=format(quantity.normalize(), "f"), day=day.isoformat()))
    if price.currency != agreement.currency:
        raise BuyoutUnpriced(Reason("the price on %(day)s is in %(price)s, the agreement settles in %(agreed)s",
                                    day=day.isoformat(), price=price.currency, agreed=agreement.currency))
    return VmiBuyout(agreement_id=agreement.id, supplier_id=agreement.supplier_id, item_id=item_id,
                     location_id=agreement.location_id, quantity=quantity, unit_price=price.price,
                     currency=price.currency,
                     net_amount=settlement_rules.net_amount(quantity, price.price, price.currency),
                     price_day=day, bought_at=now, bought_by_id=actor.user_id, caller_key=actor.caller_key)


def _return_to_supplier(session: Session, agreement: VmiAgreement, quantity: Decimal, *, origin_id: int | None,
                        actor: Actor, now: datetime) -> VmiStockReturn:
    """Send `quantity` of the supplier's stock at the VMI location back to its origin; it stays the supplier's."""
    origin = _origin(session, origin_id)
    row = VmiStockReturn(agreement_id=agreement.id, supplier_id=agreement.supplier_id,
                         item_id=agreement_queries.item_of(session, agreement), location_id=agreement.location_id,
                         origin_location_id=origin.id, quantity=quantity, returned_at=now, returned_by_id=actor.user_id)
    session.add(row)
    session.flush()
    ledger.post_moves(session, PostingCreate(moves=[MoveCreate(
        item_id=row.item_id, quantity=quantity, from_location_id=row.location_id, from_owner_id=row.supplier_id,
        to_location_id=origin.id, to_owner_id=row.supplier_id, kind=MoveKind.RETURN, reference=f"RETURN-{row.id}")]),
        actor=actor, document=DocumentRef(kind=DocumentKind.RETURN, id=row.id))
    return row


def _origin(session: Session, location_id: int | None) -> Location:
    """The virtual place named, or the default supplier origin, as a shipment's (decisions.md)."""
    if location_id is None:
        return shipment_queries.default_place(session, LocationKind.VIRTUAL, plant_id=None)
    found = session.scalars(select(Location).where(Location.id == location_id)).first()
    if found is None or found.kind != LocationKind.VIRTUAL or not found.active:
        raise InvalidInput([FieldError("origin_location_id", Reason(
            "location %(id)s is not an active virtual location", id=location_id))])
    return found


def _replay(session: Session, actor: Actor, idempotency_key: str | None, request_hash: str) -> VmiBuyout | None:
    if idempotency_key is None:
        return None
    return first_answer(queries.find_keyed_buyout(session, actor.caller_key, idempotency_key), request_hash,
                        label="buyout")
