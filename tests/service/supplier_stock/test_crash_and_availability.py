"""A crash mid-import leaves the previous stock; availability ranks who can deliver soonest."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from openvmi.db import create_db_engine, create_session_factory
from openvmi.scoping import scope_to_supplier
from openvmi.supplier_stock.availability import list_availability
from openvmi.supplier_stock.models import SupplierStockImport
from openvmi.supplier_stock.schemas import AvailabilityQuery, ImportRequest
from openvmi.supplier_stock.service import imports, staging
from tests.builders import make_item, make_location, make_party, make_supplier_item, receive, unique
from tests.service.supplier_stock.world import make_world, run_import, stock_of
from tests.unit.supplier_stock.files import csv_bytes


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_a_crash_while_applying_leaves_the_previous_stock(fresh_database, monkeypatch):
    # given stock committed from a first import
    sessions = create_session_factory(create_db_engine(fresh_database))
    with sessions() as session:
        world = make_world(session)
        (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
        run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 10], [nut, site, 20]]))
        session.commit()

    # when the process dies after the history and zeroing statements, before the upsert
    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(staging, "upsert_statement", crash)
    with sessions() as session, pytest.raises(KeyboardInterrupt):
        run_import(session, world, csv_bytes([["item", "site", "qty"], [bolt, site, 99]]))

    # then a new connection sees exactly the first import, and no trace of the second
    with sessions() as session:
        assert stock_of(session, world.supplier) == {(bolt, site): (Decimal(10), Decimal(10)),
                                                     (nut, site): (Decimal(20), Decimal(20))}
        assert session.scalars(select(SupplierStockImport.status)).all() == ["applied"]


def test_availability_ranks_our_stock_then_suppliers_with_stock_then_by_date(session):
    # given a bolt held at our VMI store, at two suppliers, and supplied by a third with none published
    today = date.today()
    bolt = make_item(session, code=unique("AV-BOLT"))
    quick, slow, silent = (make_party(session, code=unique(code)) for code in ("S-QUICK", "S-SLOW", "S-SILENT"))
    for supplier, lead in ((quick, 3), (slow, 30), (silent, 5)):
        make_supplier_item(session, supplier=supplier, item=bolt, lead_time_days=lead)
    site_q = make_location(session, kind="supplier_site", supplier_code=quick.code)
    site_s = make_location(session, kind="supplier_site", supplier_code=slow.code)
    store = make_location(session, kind="vmi")
    receive(session, item=bolt, location=store, owner=quick, quantity=40)
    for supplier, site, on_hand, next_date in ((quick, site_q, 500, None), (slow, site_s, 0, today + timedelta(days=2))):
        row = [bolt.code, site.code, on_hand, next_date.isoformat() if next_date else ""]
        imports.import_supplier_stock(
            session, ImportRequest(supplier_code=supplier.code, mode="delta"), actor_id=None,
            stream=io.BytesIO(csv_bytes([["item", "site", "qty", "next available date"], row])))

    # when a buyer asks who has it
    answer = list_availability(session, AvailabilityQuery(item_codes=[bolt.code])).items[0]

    # then our VMI stock comes first, then the supplier with stock, then the soonest date, then lead time
    assert [(line["source"], line["supplier_code"], line["deliverable_on"]) for line in answer["lines"]] == [
        ("vmi", quick.code, today), ("supplier", quick.code, today),
        ("supplier", slow.code, today + timedelta(days=2)), ("supplier", silent.code, today + timedelta(days=5))]
    assert (answer["total_available"], answer["buyer_side"]) == (Decimal(500), Decimal(40))

    # and the quick supplier's own user sees only its own lines
    scope_to_supplier(session, quick.id)
    mine = list_availability(session, AvailabilityQuery(item_codes=[bolt.code])).items[0]
    assert {line["supplier_code"] for line in mine["lines"]} == {quick.code}
    scope_to_supplier(session, None)
