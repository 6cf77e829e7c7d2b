"""Locations: a supplier site belongs to its supplier, buyer-side places to a plant, codes are unique."""
import pytest

from openvmi.errors import InvalidInput
from openvmi.locations import queries, service
from openvmi.locations.schemas import LocationCreate
from openvmi.scoping import scope_to_supplier
from tests.builders import make_location, make_party, make_plant


def test_a_supplier_site_names_its_supplier_and_a_store_its_plant(session):
    supplier, plant = make_party(session), make_plant(session)

    site = service.create_location(session, LocationCreate(code="SITE-T1", name="Main warehouse",
                                                           kind="supplier_site", supplier_code=supplier.code))
    store = service.create_location(session, LocationCreate(code="VMI-T1", name="VMI store", kind="vmi",
                                                            plant_code=plant.code))

    assert (site.supplier_id, site.plant_id) == (supplier.id, None)
    assert (store.supplier_id, store.plant_id) == (None, plant.id)
    assert queries.find_location_by_code(session, "VMI-T1") is store


def test_every_mistake_in_a_new_location_is_reported_at_once(session):
    supplier = make_party(session)
    make_location(session, code="DUP-T1")

    with pytest.raises(InvalidInput) as refused:
        service.create_location(session, LocationCreate(code="DUP-T1", name="Again", kind="warehouse",
                                                        plant_code="NO-SUCH-PLANT", supplier_code=supplier.code))

    assert {error.field for error in refused.value.errors} == {"code", "plant_code", "supplier_code"}


def test_a_supplier_site_without_its_supplier_is_refused(session):
    with pytest.raises(InvalidInput, match="needs its supplier"):
        service.create_location(session, LocationCreate(code="SITE-T2", name="Site", kind="supplier_site"))


def test_a_supplier_user_sees_buyer_side_places_and_its_own_sites_only(session):
    # given a buyer-side store and one site each for two suppliers
    mine, theirs = make_party(session), make_party(session)
    store = make_location(session, kind="vmi")
    my_site = make_location(session, kind="supplier_site", supplier_code=mine.code)
    their_site = make_location(session, kind="supplier_site", supplier_code=theirs.code)

    # when the first supplier's user looks
    scope_to_supplier(session, mine.id)
    visible = {row.id for row in queries.list_locations(session, kind=None, search=None, cursor=None,
                                                        limit=500).items}

    # then the other supplier's site does not exist for them
    assert {store.id, my_site.id} <= visible
    assert their_site.id not in visible
