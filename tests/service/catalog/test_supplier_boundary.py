"""The supplier boundary (openvmi.scoping) on master data: hidden rows look missing, foreign writes fail."""
import pytest

from openvmi.catalog import queries, service
from openvmi.catalog.schemas import SupplierItemUpdate
from openvmi.errors import NotFound, PermissionDenied
from openvmi.parties import queries as parties_queries
from openvmi.scoping import scope_to_supplier, unscoped
from tests.builders import make_party, make_supplier_item


def test_another_suppliers_row_is_not_found_even_if_already_loaded(session):
    a, b = make_party(session), make_party(session)
    theirs = make_supplier_item(session, supplier=b)  # in this session's identity map now

    scope_to_supplier(session, a.id)

    with pytest.raises(NotFound):
        queries.get_supplier_item(session, theirs.id)
    with pytest.raises(NotFound):
        parties_queries.get_party(session, b.id)


def test_lists_hold_only_the_suppliers_own_rows_and_the_buyer(session):
    a, b, buyer = make_party(session), make_party(session), make_party(session, kind="buyer")
    mine = make_supplier_item(session, supplier=a)
    make_supplier_item(session, supplier=b)

    scope_to_supplier(session, a.id)

    listed = queries.list_supplier_items(session, supplier_id=None, item_id=None, search=None, cursor=None, limit=50)
    parties = parties_queries.list_parties(session, kind=None, search=None, cursor=None, limit=500)
    assert [row.id for row in listed.items] == [mine.id]
    assert b.id not in {p.id for p in parties.items} and {a.id, buyer.id} <= {p.id for p in parties.items}


def test_changing_another_suppliers_row_fails_at_flush(session):
    a, b = make_party(session), make_party(session)
    theirs = make_supplier_item(session, supplier=b)

    scope_to_supplier(session, a.id)
    theirs.lead_time_days = 99

    with pytest.raises(PermissionDenied):
        session.flush()
    session.rollback()


def test_a_supplier_can_edit_its_own_supplier_item(session):
    a = make_party(session)
    mine = make_supplier_item(session, supplier=a)
    scope_to_supplier(session, a.id)

    service.update_supplier_item(session, mine.id, SupplierItemUpdate(lead_time_days=3), expected_version=1)

    assert queries.get_supplier_item(session, mine.id).lead_time_days == 3


def test_unscoped_lifts_the_boundary_only_inside_the_block(session):
    a, b = make_party(session), make_party(session)
    theirs = make_supplier_item(session, supplier=b)
    scope_to_supplier(session, a.id)

    with unscoped(session):
        assert queries.get_supplier_item(session, theirs.id).id == theirs.id
    with pytest.raises(NotFound):
        queries.get_supplier_item(session, theirs.id)
