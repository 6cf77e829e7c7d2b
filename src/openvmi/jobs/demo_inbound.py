"""The demo company's inbound documents: agreements for the demo supplier users' planned items at the
Suzhou VMI store, call-offs in every state, shipments in transit and a receipt short and damaged. All
through the use cases the API calls (so the ledger, the call-off history and the alerts are what they
would be in production). Caller commits."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from openvmi.access import Actor, Role
from openvmi.db import utcnow
from openvmi.locations.queries import find_location_by_code
from openvmi.parties import queries as parties_queries
from openvmi.vmi.agreements import service as agreements_service
from openvmi.vmi.agreements.queries import find_active_agreement
from openvmi.vmi.agreements.schemas import AgreementCreate
from openvmi.vmi.call_offs import service as call_offs
from openvmi.vmi.call_offs.queries import describe_call_off
from openvmi.vmi.call_offs.schemas import CallOffLineRead
from openvmi.vmi.call_offs.rules import CallOffAction
from openvmi.vmi.call_offs.schemas import CallOffCreate, CallOffLineCreate, CounterProposal, LineProposal
from openvmi.vmi.receipts import service as receipts
from openvmi.vmi.receipts.schemas import ReceiptCreate, ReceiptLineCreate
from openvmi.vmi.shipments import service as shipments
from openvmi.vmi.shipments.models import Shipment
from openvmi.vmi.shipments.queries import describe_shipment
from openvmi.vmi.shipments.schemas import ShipmentCreate, ShipmentLineCreate

STORE = "SZ01-VMI"
# The demo supplier users and how many of their planned items get an agreement at STORE.
AGREED = {"S-NBHD": ("hengda", 6), "S-WXRB": ("ruibao", 3), "S-RHEIN": ("rheinland", 2)}
CARRIERS = ("顺丰速运 SF Express", "德邦物流 Deppon", "DHL Freight")


@dataclass(frozen=True)
class _Side:
    supplier: Actor
    agreement_ids: list[int]


def load_inbound(session: Session, *, supplier_items: list[Any], users: dict[str, Any]) -> None:
    """Agreements at STORE for the demo suppliers' planned items, then their inbound documents."""
    today = utcnow().date()
    store = find_location_by_code(session, STORE)
    sides = {code: _Side(_actor(users[username]), _agreements(session, supplier_items, code, count, store.id))
             for code, (username, count) in AGREED.items()}
    buyer, clerk = _actor(users["buyer"]), _actor(users["warehouse"])
    hengda, ruibao, rheinland = sides["S-NBHD"], sides["S-WXRB"], sides["S-RHEIN"]

    def call_off(side: _Side, *picks: tuple[int, int, int], note: str | None = None) -> int:
        """A draft with a line per (agreement index, quantity, due in days)."""
        return call_offs.create_call_off(session, CallOffCreate(note=note, lines=[
            CallOffLineCreate(agreement_id=side.agreement_ids[index], quantity=Decimal(quantity),
                              due_date=today + timedelta(days=days)) for index, quantity, days in picks]),
            actor=buyer).id

    def act(call_off_id: int, action: CallOffAction, actor: Actor, note: str | None = None) -> None:
        call_offs.act_on_call_off(session, call_off_id, action=action, actor=actor, note=note)

    def accepted(side: _Side, *picks: tuple[int, int, int]) -> int:
        call_off_id = call_off(side, *picks)
        act(call_off_id, CallOffAction.SEND, buyer)
        act(call_off_id, CallOffAction.ACCEPT, side.supplier)
        return call_off_id

    def ship(side: _Side, call_off_id: int, share: Decimal, *, arrives_in: int, carrier: int) -> Shipment:
        lines = _lines(session, call_off_id)
        return shipments.confirm_shipment(session, ShipmentCreate(
            lines=[ShipmentLineCreate(call_off_line_id=line.id, quantity=line.quantity * share,
                                      lot_number=f"L{today:%y%m%d}-{line.id:04d}") for line in lines],
            carrier=CARRIERS[carrier], tracking_number=f"SF{today:%y%m%d}{call_off_id:06d}",
            expected_arrival=today + timedelta(days=arrives_in)), actor=side.supplier)

    # draft, sent (waiting for Hengda's answer), cancelled by the buyer
    call_off(hengda, (1, 400, 14), note="下月备货 stock for next month")
    act(call_off(hengda, (0, 600, 10), (2, 300, 12)), CallOffAction.SEND, buyer)
    withdrawn = call_off(ruibao, (0, 200, 9))
    act(withdrawn, CallOffAction.SEND, buyer)
    act(withdrawn, CallOffAction.CANCEL, buyer, note="计划取消 plan cancelled")
    # rejected by Rheinland, counter-proposed by Hengda (less, later)
    refused = call_off(rheinland, (0, 500, 7))
    act(refused, CallOffAction.SEND, buyer)
    act(refused, CallOffAction.REJECT, rheinland.supplier, note="Line maintenance that week")
    countered = call_off(hengda, (3, 1000, 8))
    act(countered, CallOffAction.SEND, buyer)
    call_offs.counter_propose(session, countered, proposal=CounterProposal(
        note="产能不足，分两批 short of capacity: half now", lines=[LineProposal(
            line_id=_lines(session, countered)[0].id, quantity=Decimal(500), due_date=today + timedelta(days=11))]),
        actor=hengda.supplier)
    # accepted; partly shipped and shipped (in transit)
    accepted(hengda, (4, 300, 6))
    ship(hengda, accepted(hengda, (5, 800, 5)), Decimal("0.5"), arrives_in=3, carrier=0)
    ship(ruibao, accepted(ruibao, (1, 240, 4)), Decimal(1), arrives_in=2, carrier=1)
    # shipped and received short and damaged (left for the buyer to close); shipped, received whole, closed
    short = ship(hengda, accepted(hengda, (0, 500, 2)), Decimal(1), arrives_in=1, carrier=0)
    _receive(session, short, clerk, short=Decimal(20), damaged=Decimal(30))
    done = accepted(ruibao, (2, 150, 3))
    _receive(session, ship(ruibao, done, Decimal(1), arrives_in=1, carrier=1), clerk)
    act(done, CallOffAction.CLOSE, buyer)


def _actor(user: Any) -> Actor:  # a user row (auth's table: not joined here)
    return Actor(user_id=user.id, username=user.username, role=Role(user.role), supplier_id=user.supplier_id)


def _agreements(session: Session, supplier_items: list[Any], supplier_code: str, count: int,
                store_id: int) -> list[int]:
    """The supplier's first `count` items (the planned ones) under an active agreement at the store."""
    supplier = parties_queries.find_party_by_code(session, supplier_code)
    assert supplier is not None
    found = []
    for supplier_item in [s for s in supplier_items if s.supplier_id == supplier.id][:count]:
        row = find_active_agreement(session, supplier_item.id, location_id=store_id)
        if row is None:
            row = agreements_service.create_agreement(session, AgreementCreate(
                supplier_item_id=supplier_item.id, location_id=store_id, min_level=Decimal(200),
                max_level=Decimal(1200), settlement_cycle="monthly", currency="EUR" if supplier_code == "S-RHEIN"
                else "CNY", tax_rate_percent=Decimal(0) if supplier_code == "S-RHEIN" else Decimal(13),
                adjustments_need_approval=True, call_off_answer_hours=48,
                over_shipment_tolerance_percent=Decimal(5), valid_from=date(2026, 1, 1)), actor_id=None)
            agreements_service.activate_agreement(session, row.id)
        found.append(row.id)
    return found


def _lines(session: Session, call_off_id: int) -> list[CallOffLineRead]:
    return describe_call_off(session, call_off_id).lines


def _receive(session: Session, shipment: Shipment, clerk: Actor, *, short: Decimal = Decimal(0),
             damaged: Decimal = Decimal(0)) -> None:
    """The warehouse counts the shipment: its first line `short` and `damaged`, the rest as shipped."""
    lines = describe_shipment(session, shipment.id).lines
    counted = []
    for index, line in enumerate(lines):
        missing, broken = (short, damaged) if index == 0 else (Decimal(0), Decimal(0))
        counted.append(ReceiptLineCreate(
            shipment_line_id=line.id, accepted=line.quantity - missing - broken, short=missing, damaged=broken,
            short_reason="not_delivered" if missing else None, damaged_reason="damaged_in_transit" if broken else None))
    receipts.receive_shipment(session, ReceiptCreate(shipment_number=shipment.number, lines=counted), actor=clerk)

