"""Companies: suppliers, the one buying company and its plants."""
import pytest

from openvmi.errors import Conflict, InvalidInput, NotFound
from openvmi.parties import queries, service
from openvmi.parties.schemas import PartyCreate, PartyUpdate, PlantCreate
from tests.builders import make_party


def test_a_supplier_is_registered_once_per_code(session):
    service.create_party(session, PartyCreate(code="S-TEST1", name="Test Supplier"))

    with pytest.raises(Conflict):
        service.create_party(session, PartyCreate(code="S-TEST1", name="Again"))
    assert queries.get_supplier_by_code(session, "S-TEST1").name == "Test Supplier"


def test_the_buyer_is_not_found_as_a_supplier(session):
    buyer = make_party(session, kind="buyer")

    with pytest.raises(NotFound):
        queries.get_supplier_by_code(session, buyer.code)
    with pytest.raises(NotFound):
        queries.get_party(session, 999_999_999)


def test_an_update_changes_only_the_given_fields(session):
    party = make_party(session, name="Old name", country="CN")

    service.update_party(session, party.id, PartyUpdate(name="New name", active=False))

    again = queries.get_party(session, party.id)
    assert (again.name, again.country, again.active) == ("New name", "CN", False)


def test_plants_belong_to_the_buying_company(session):
    with pytest.raises(NotFound, match="no buying company"):
        service.create_plant(session, PlantCreate(code="PL-T1", name="Plant"))

    buyer = make_party(session, kind="buyer")
    plant = service.create_plant(session, PlantCreate(code="PL-T1", name="Plant"))

    assert plant.party_id == buyer.id
    with pytest.raises(Conflict):
        service.create_plant(session, PlantCreate(code="PL-T1", name="Again"))


def test_listing_filters_by_kind_and_pages_by_cursor(session):
    codes = [make_party(session, code=f"PAGED-{n}").code for n in range(3)]
    make_party(session, kind="buyer", code="PAGED-BUYER")

    first = queries.list_parties(session, kind="supplier", search="paged-", cursor=None, limit=2)
    rest = queries.list_parties(session, kind="supplier", search="paged-", cursor=first.next_cursor, limit=2)

    seen = [p.code for p in first.items + rest.items]
    assert seen == codes and rest.next_cursor is None
    assert {p.kind for p in first.items + rest.items} == {"supplier"}


def test_a_cursor_not_issued_by_the_api_is_invalid_input(session):
    with pytest.raises(InvalidInput, match="cursor"):
        queries.list_parties(session, kind=None, search=None, cursor="abc", limit=2)
