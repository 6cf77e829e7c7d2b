"""A buyer with two plants, a supplier of two items, another supplier of a third, and helpers to publish."""
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from openvmi.access import Actor, Role
from openvmi.catalog.models import Item
from openvmi.parties.models import Party, Plant
from openvmi.planning import service
from openvmi.planning.schemas import PlanLineIn, PlanPublish, PlanUploadRequest
from tests.builders import make_item, make_party, make_plant, make_supplier_item, make_user, unique

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a Wednesday in ISO week 2026-W49
TODAY = NOW.date()


@dataclass
class PlanWorld:
    plants: list[Plant]
    supplier: Party
    other: Party
    items: list[Item]  # the supplier's two, then the other supplier's one
    buyer: Actor


def make_plan_world(session: Session) -> PlanWorld:
    plants = [make_plant(session, code=unique("PLANT")) for _ in range(2)]
    supplier = make_party(session, code=unique("S-PL"))
    other = make_party(session, code=unique("S-OT"))
    items = [make_item(session, code=unique(stem)) for stem in ("BOLT", "NUT", "GEAR")]
    for item, owner in zip(items, (supplier, supplier, other), strict=True):
        make_supplier_item(session, supplier=owner, item=item)
    user = make_user(session, role=Role.BUYER)
    buyer = Actor(user_id=user.id, username=user.username, role=Role.BUYER, supplier_id=None)
    return PlanWorld(plants, supplier, other, items, buyer)


def line(item: Item, plant: Plant, quantity: int | str | Decimal, *, day: date | None = None,
         week: str | None = None) -> PlanLineIn:
    return PlanLineIn(item_code=item.code, plant_code=plant.code, day=day, week=week, quantity=Decimal(quantity))


def publish(session: Session, world: PlanWorld, *lines: PlanLineIn, key: str | None = None):
    return service.publish_plan(session, PlanPublish(lines=list(lines)), actor=world.buyer, idempotency_key=key,
                                now=NOW)


def publish_file(session: Session, world: PlanWorld, data: bytes, *, filename: str = "plan.csv",
                 dry_run: bool = False, key: str | None = None):
    return service.publish_plan_file(session, PlanUploadRequest(filename=filename, dry_run=dry_run),
                                     stream=io.BytesIO(data), actor=world.buyer, idempotency_key=key, now=NOW)
