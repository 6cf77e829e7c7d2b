"""Two suppliers under active agreements at one VMI store, their lines written the way consumption,
reversal and buyout write them: A received 10, production took 4, gave 1 back, the buyer bought out the
other 5; B received 6 and production took 2."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from openvmi.catalog.models import Item
from openvmi.locations.models import Location
from openvmi.parties.models import Party
from openvmi.settlement.rules import SettlementKind
from openvmi.vmi.agreements.models import VmiAgreement
from tests.builders import (
    make_item, make_location, make_party, make_supplier_item, make_vmi_agreement, make_vmi_location, receive,
    settled_move, settled_return,
)


@dataclass
class SettledWorld:
    a: Party
    b: Party
    item_a: Item
    item_b: Item
    agreement_a: VmiAgreement
    agreement_b: VmiAgreement
    store: Location
    production: Location
    moves: dict  # name -> the move
    lines: dict  # name -> the line's id


def make_settled_world(session: Session) -> SettledWorld:
    store, production = make_vmi_location(session), make_location(session, kind="production")
    a, b = make_party(session), make_party(session)
    item_a, item_b = make_item(session), make_item(session)
    agreement_a = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=a, item=item_a),
                                     location=store, activate=True)
    agreement_b = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=b, item=item_b),
                                     location=store, activate=True)
    receive(session, item=item_a, location=store, owner=a, quantity=10)
    receive(session, item=item_b, location=store, owner=b, quantity=6)
    moves, lines = {}, {}
    moves["consumed"], lines["consumed"] = settled_move(session, agreement_a, 4, sink=production,
                                                        unit_price=Decimal("1.15"))
    moves["returned"], lines["returned"] = settled_return(session, moves["consumed"], lines["consumed"], 1)
    moves["bought"], lines["bought"] = settled_move(session, agreement_a, 5, unit_price=Decimal("1.15"),
                                                    kind=SettlementKind.BUYOUT)
    moves["b"], lines["b"] = settled_move(session, agreement_b, 2, sink=production, unit_price=Decimal("0.335"))
    session.flush()
    return SettledWorld(a, b, item_a, item_b, agreement_a, agreement_b, store, production, moves, lines)
