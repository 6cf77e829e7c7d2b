"""A supplier-scoped session moves and sees only its own supplier's stock."""
from decimal import Decimal

import pytest

from openvmi.errors import InvalidInput, PermissionDenied
from openvmi.ledger import queries, service
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import BalanceFilter, MoveCreate, MoveFilter, PostingCreate
from openvmi.scoping import scope_to_supplier
from tests.builders import document, make_buyer, make_item, make_location, make_party, receive


@pytest.fixture
def two_suppliers(session):
    a, b, buyer = make_party(session), make_party(session), make_buyer(session)
    item, store, scrap = make_item(session), make_location(session, kind="vmi"), make_location(session, kind="virtual")
    receive(session, item=item, location=store, owner=a, quantity=10)
    receive(session, item=item, location=store, owner=b, quantity=10)
    session.commit()
    return a, b, buyer, item, store, scrap


def posting(item, source, target, *, owner, to_owner=None, quantity=1, kind="adjustment"):
    return PostingCreate(moves=[MoveCreate(
        item_id=item.id, quantity=Decimal(quantity), from_location_id=source.id, from_owner_id=owner.id,
        to_location_id=target.id, to_owner_id=(to_owner or owner).id, kind=kind)])


def test_a_supplier_adjusts_its_own_consignment_stock(session, two_suppliers):
    a, _, _, item, store, scrap = two_suppliers
    scope_to_supplier(session, a.id)

    service.post_moves(session, posting(item, store, scrap, owner=a, quantity=3), actor=None)

    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=a.id) == Decimal(7)


def test_a_supplier_cannot_move_another_suppliers_stock(session, two_suppliers):
    a, b, _, item, store, scrap = two_suppliers
    scope_to_supplier(session, a.id)

    with pytest.raises((InvalidInput, PermissionDenied)):
        service.post_moves(session, posting(item, store, scrap, owner=b, quantity=3), actor=None)
    session.rollback()

    scope_to_supplier(session, None)
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=b.id) == Decimal(10)


def test_a_supplier_cannot_hand_its_stock_to_the_buyer_itself(session, two_suppliers):
    # consumption transfers ownership and creates a settlement line: that is the buyer's act
    a, _, buyer, item, store, _ = two_suppliers
    scope_to_supplier(session, a.id)

    with pytest.raises(PermissionDenied):
        service.post_moves(session, posting(item, store, store, owner=a, to_owner=buyer, kind="buyout"),
                           actor=None, document=document(DocumentKind.BUYOUT))
    session.rollback()

    scope_to_supplier(session, None)
    assert queries.on_hand(session, item_id=item.id, location_id=store.id, owner_id=a.id) == Decimal(10)


def test_a_supplier_reads_only_its_own_balances_and_moves(session, two_suppliers):
    a, b, _, item, _, _ = two_suppliers
    scope_to_supplier(session, a.id)

    balances = queries.list_balances(session, BalanceFilter(item_id=item.id), cursor=None, limit=100)
    moves = queries.list_moves(session, MoveFilter(item_id=item.id), cursor=None, limit=100)
    filtered = queries.list_balances(session, BalanceFilter(owner_id=b.id), cursor=None, limit=100)

    assert {row.owner_id for row in balances.items} == {a.id}
    assert {row.from_owner_id for row in moves.items} | {row.to_owner_id for row in moves.items} == {a.id}
    assert filtered.items == []


def test_a_supplier_cannot_name_another_suppliers_site(session, two_suppliers):
    a, b, _, item, store, _ = two_suppliers
    their_site = make_location(session, kind="supplier_site", supplier_code=b.code)
    scope_to_supplier(session, a.id)

    with pytest.raises(InvalidInput) as raised:
        service.post_moves(session, posting(item, store, their_site, owner=a, kind="transfer"), actor=None)
    session.rollback()

    assert [e.field for e in raised.value.errors] == ["moves[0].to_location_id"]
