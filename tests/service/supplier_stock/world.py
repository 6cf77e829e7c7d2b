"""A supplier with two sites and three supplier items, and a second supplier, for import tests."""
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item
from openvmi.locations.models import Location
from openvmi.parties.models import Party
from openvmi.supplier_stock.service import imports
from openvmi.supplier_stock.models import SupplierStock
from openvmi.supplier_stock.schemas import ImportRequest
from tests.builders import make_item, make_location, make_party, make_supplier_item, unique


@dataclass
class World:
    supplier: Party
    other: Party
    items: dict[str, Item]  # by item code
    parts: dict[str, str]  # item code -> supplier part number
    sites: dict[str, object]  # by site code
    other_site: object


def make_world(session: Session) -> World:
    supplier = make_party(session, code=unique("S-HD"), name="宁波恒达 Hengda")
    other = make_party(session, code=unique("S-RB"), name="Ruibao")
    items, parts = {}, {}
    for stem, unit in (("BOLT", "PCS"), ("NUT", "PCS"), ("CABLE", "M")):
        item = make_item(session, code=unique(stem), unit=unit, name=f"{stem} 测试")
        part = unique(f"HD-{stem}")
        make_supplier_item(session, supplier=supplier, item=item, supplier_part_number=part, lead_time_days=10)
        items[item.code], parts[item.code] = item, part
    sites = {}
    for _ in range(2):
        site = make_location(session, code=unique("SITE"), kind="supplier_site", supplier_code=supplier.code)
        sites[site.code] = site
    other_site = make_location(session, code=unique("OSITE"), kind="supplier_site", supplier_code=other.code)
    return World(supplier, other, items, parts, sites, other_site)


def codes(world: World) -> tuple[list[str], list[str]]:
    return list(world.items), list(world.sites)


def run_import(session: Session, world: World, data: bytes, *, filename: str = "stock.csv", mode: str = "full",
               dry_run: bool = False, key: str | None = None, now=None, **request_fields):
    request = ImportRequest(supplier_code=world.supplier.code, filename=filename, mode=mode, dry_run=dry_run,
                            **request_fields)
    return imports.import_supplier_stock(session, request, stream=io.BytesIO(data), actor_id=None,
                                         idempotency_key=key, now=now)


def stock_of(session: Session, supplier: Party) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(item code, site code) -> (on hand, available) as stored."""
    rows = session.execute(
        select(Item.code, Location.code, SupplierStock.on_hand, SupplierStock.available)
        .join(Item, Item.id == SupplierStock.item_id).join(Location, Location.id == SupplierStock.location_id)
        .where(SupplierStock.supplier_id == supplier.id))
    return {(i, s): (Decimal(on_hand), Decimal(available)) for i, s, on_hand, available in rows}


FIXTURES = Path(__file__).parents[2] / "fixtures" / "supplier_stock"
# The items and sites named in the committed sample files (tests/fixtures/supplier_stock/README.md).
FIXTURE_ITEMS = {"FX-BOLT-M8": ("PCS", "HD-8801"), "FX-NUT-M8": ("PCS", "HD-8802"),
                 "FX-CABLE-2C": ("M", "HD-8803"), "FX-WASHER-8": ("KG", "HD-8804"), "30012": ("PCS", "HD-8805")}
FIXTURE_SITES = ("NB-WH1", "NB-WH2")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_fixture_world(session: Session) -> World:
    """The supplier the sample files were made for: fixed item codes, part numbers and sites."""
    supplier = make_party(session, code=unique("S-FX"), name="宁波恒达五金")
    other = make_party(session, code=unique("S-FO"), name="Other")
    items, parts = {}, {}
    for code, (unit, part) in FIXTURE_ITEMS.items():
        item = make_item(session, code=code, unit=unit, name=f"{code} 样品")
        make_supplier_item(session, supplier=supplier, item=item, supplier_part_number=part, lead_time_days=10)
        items[code], parts[code] = item, part
    sites = {code: make_location(session, code=code, kind="supplier_site", supplier_code=supplier.code)
             for code in FIXTURE_SITES}
    other_site = make_location(session, code=unique("OSITE"), kind="supplier_site", supplier_code=other.code)
    return World(supplier, other, items, parts, sites, other_site)
