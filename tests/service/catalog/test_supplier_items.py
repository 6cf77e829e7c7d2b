"""Items and what each supplier supplies: terms, dated prices, and edits that must not overwrite each other."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import update

from openvmi.catalog import queries, service
from openvmi.catalog.models import SupplierItem
from openvmi.catalog.schemas import ItemCreate, ItemUpdate, PriceCreate, SupplierItemCreate, SupplierItemUpdate
from openvmi.catalog.service import StaleVersion
from openvmi.errors import Conflict, InvalidInput, NotFound
from tests.builders import make_item, make_party, make_supplier_item


def price(amount: str, valid_from: str, valid_to: str | None = None) -> PriceCreate:
    return PriceCreate(price=Decimal(amount), currency="CNY", valid_from=valid_from, valid_to=valid_to)


def test_a_supplier_item_links_supplier_and_item_with_its_terms(session):
    supplier, item = make_party(session, code="S-HENG"), make_item(session, code="BOLT-M8")

    row = service.create_supplier_item(session, SupplierItemCreate(
        supplier_code="S-HENG", item_code="BOLT-M8", supplier_part_number="HD-M8-20", lead_time_days=14,
        moq=Decimal(500), pack_size=Decimal(100), prices=[price("0.12", "2026-01-01")]))

    (read,) = queries.describe_supplier_items(session, [row])
    assert (read.supplier_code, read.item_code, read.supplier_part_number) == ("S-HENG", "BOLT-M8", "HD-M8-20")
    assert (read.lead_time_days, read.moq, read.pack_size, read.version) == (14, Decimal(500), Decimal(100), 1)
    assert [(p.price, p.valid_from) for p in read.prices] == [(Decimal("0.12"), date(2026, 1, 1))]
    assert row.supplier_id == supplier.id and row.item_id == item.id


def test_unknown_supplier_and_item_are_both_reported(session):
    with pytest.raises(InvalidInput) as raised:
        service.create_supplier_item(session, SupplierItemCreate(
            supplier_code="S-NOPE", item_code="NOPE", supplier_part_number="X"))

    assert [e.field for e in raised.value.errors] == ["supplier_code", "item_code"]


def test_the_buyer_is_not_a_supplier_of_items(session):
    buyer, item = make_party(session, kind="buyer"), make_item(session)

    with pytest.raises(InvalidInput, match="no such supplier"):
        service.create_supplier_item(session, SupplierItemCreate(
            supplier_code=buyer.code, item_code=item.code, supplier_part_number="X"))


def test_one_supplier_item_per_supplier_and_item(session):
    supplier, item = make_party(session), make_item(session)
    make_supplier_item(session, supplier=supplier, item=item)

    with pytest.raises(Conflict):
        make_supplier_item(session, supplier=supplier, item=item)


def test_the_price_in_force_follows_its_validity_dates(session):
    row = make_supplier_item(session, prices=[
        price("1.50", "2026-01-01", "2026-03-31"), price("1.40", "2026-04-01"), price("1.30", "2026-09-01")])

    assert queries.price_on(session, row.id, day=date(2025, 12, 31), quantity=Decimal(1)) is None
    assert queries.price_on(session, row.id, day=date(2026, 3, 31), quantity=Decimal(1)).price == Decimal("1.50")
    assert queries.price_on(session, row.id, day=date(2026, 4, 1), quantity=Decimal(1)).price == Decimal("1.40")
    assert queries.price_on(session, row.id, day=date(2027, 1, 1), quantity=Decimal(1)).price == Decimal("1.30")


def test_overlapping_prices_are_refused_on_create_and_on_update(session):
    supplier, item = make_party(session), make_item(session)
    clash = [price("1.50", "2026-01-01", "2026-06-30"), price("1.40", "2026-06-01")]

    with pytest.raises(InvalidInput) as raised:
        make_supplier_item(session, supplier=supplier, item=item, prices=clash)
    assert [e.field for e in raised.value.errors] == ["prices"]
    assert "2026-01-01" in raised.value.errors[0].message

    row = make_supplier_item(session, supplier=supplier, item=item)
    with pytest.raises(InvalidInput):
        service.update_supplier_item(session, row.id, SupplierItemUpdate(prices=clash), expected_version=1)


def test_an_update_bumps_the_version_and_replaces_the_prices(session):
    row = make_supplier_item(session)

    updated = service.update_supplier_item(session, row.id, SupplierItemUpdate(
        lead_time_days=21, prices=[price("2.00", "2027-01-01")]), expected_version=1)

    assert (updated.version, updated.lead_time_days) == (2, 21)
    assert [p.price for p in updated.prices] == [Decimal("2.00")]
    assert queries.price_on(session, row.id, day=date(2026, 6, 1), quantity=Decimal(1)) is None


def test_an_edit_based_on_a_stale_version_is_refused(session):
    row = make_supplier_item(session)
    service.update_supplier_item(session, row.id, SupplierItemUpdate(lead_time_days=3), expected_version=1)

    with pytest.raises(StaleVersion):
        service.update_supplier_item(session, row.id, SupplierItemUpdate(lead_time_days=9), expected_version=1)
    assert queries.get_supplier_item(session, row.id).lead_time_days == 3


def test_a_concurrent_edit_between_read_and_write_is_refused_by_the_database(session):
    row = make_supplier_item(session)
    queries.get_supplier_item(session, row.id)  # our editor read version 1
    # someone else saves meanwhile, behind this session's back
    session.execute(update(SupplierItem).where(SupplierItem.id == row.id).values(version=2, lead_time_days=30),
                    execution_options={"synchronize_session": False})

    with pytest.raises(StaleVersion):
        service.update_supplier_item(session, row.id, SupplierItemUpdate(lead_time_days=9), expected_version=1)
    session.rollback()


def test_a_part_number_already_used_by_the_same_supplier_is_refused(session):
    supplier = make_party(session)
    make_supplier_item(session, supplier=supplier, supplier_part_number="P-1")
    row = make_supplier_item(session, supplier=supplier, supplier_part_number="P-2")

    with pytest.raises(InvalidInput, match="supplier_part_number"):
        service.update_supplier_item(session, row.id, SupplierItemUpdate(supplier_part_number="P-1"),
                                     expected_version=None)


def test_items_are_unique_by_code_and_can_be_renamed(session):
    item = make_item(session, code="NUT-M8")
    with pytest.raises(Conflict):
        service.create_item(session, ItemCreate(code="NUT-M8", name="dup", unit="PCS"))

    service.update_item(session, item.id, ItemUpdate(name="Hex nut M8"), low_water_changed=lambda *_: None)

    assert queries.get_item(session, item.id).name == "Hex nut M8"
    with pytest.raises(NotFound):
        queries.get_item(session, 999_999_999)


def test_item_search_matches_code_or_name_case_insensitively(session):
    make_item(session, code="GASKET-77", name="Flange gasket")
    make_item(session, code="WASHER-77", name="Plain washer")

    page = queries.list_items(session, search="gASKet", cursor=None, limit=50)

    assert [i.code for i in page.items] == ["GASKET-77"]
