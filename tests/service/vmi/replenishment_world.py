"""A plant with a VMI store and an in-transit place, a supplier item with lead time, MOQ and pack size
under an active agreement, supplier-owned stock in both places, and a demand plan of 60 a day."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from openvmi.catalog.models import Item, SupplierItem
from openvmi.ledger import service as ledger_service
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from openvmi.locations.models import Location
from openvmi.parties.models import Party
from openvmi.vmi.agreements.models import VmiAgreement
from tests.builders import make_item, make_location, make_party, make_supplier_item, make_vmi_agreement, \
    make_vmi_location, receive
from tests.service.planning.world import TODAY, PlanWorld, line, publish

__all__ = ["TODAY", "VmiWorld", "make_vmi_world"]


@dataclass
class VmiWorld:
    supplier: Party
    item: Item
    supplier_item: SupplierItem
    store: Location
    transit: Location
    agreement: VmiAgreement


def ship(session: Session, world: VmiWorld, quantity: int) -> None:
    origin = make_location(session, kind="virtual")
    move = MoveCreate(item_id=world.item.id, quantity=Decimal(quantity), from_location_id=origin.id,
                      from_owner_id=world.supplier.id, to_location_id=world.transit.id, to_owner_id=world.supplier.id,
                      kind="shipment")
    ledger_service.post_moves(session, PostingCreate(moves=[move]), actor=None)


def make_vmi_world(session: Session, plan: PlanWorld, *, on_hand: int = 180, in_transit: int = 20,
                   per_day: int = 60, days: int = 10) -> VmiWorld:
    supplier = make_party(session)
    item = make_item(session)
    supplier_item = make_supplier_item(session, supplier=supplier, item=item, lead_time_days=3, moq=Decimal(150),
                                       pack_size=Decimal(40))
    plant = plan.plants[0]
    store = make_vmi_location(session, plant_code=plant.code)
    transit = make_location(session, kind="in_transit", plant_code=plant.code)
    agreement = make_vmi_agreement(session, supplier_item=supplier_item, location=store, activate=True,
                                   min_level=Decimal(100), max_level=Decimal(300))
    world = VmiWorld(supplier, item, supplier_item, store, transit, agreement)
    if on_hand:
        receive(session, item=item, location=store, owner=supplier, quantity=on_hand)
    if in_transit:
        ship(session, world, in_transit)
    if per_day:
        publish(session, plan, *(line(item, plant, per_day, day=TODAY + timedelta(days=i)) for i in range(days)))
    return world
