"""Which moves may go between which places, and who may hand stock to whom (ledger.rules.ROUTES)."""
import pytest

from openvmi.ledger.rules import DocumentKind, MoveKind, Route, route_problem
from openvmi.locations.rules import LocationKind
from openvmi.parties.rules import PartyKind

BUYER, SUPPLIER = PartyKind.BUYER, PartyKind.SUPPLIER
L = LocationKind


def check(kind, source, target, *, owners=(SUPPLIER, SUPPLIER), same_owner=True, same_location=None,
          document=DocumentKind.MANUAL):
    route = Route(kind=MoveKind(kind), from_location=source, to_location=target,
                  same_location=source == target if same_location is None else same_location,
                  from_owner=owners[0], to_owner=owners[1], same_owner=same_owner)
    return route_problem(route, document=document)


@pytest.mark.parametrize(("kind", "source", "target"), [
    ("shipment", L.VIRTUAL, L.IN_TRANSIT),
    ("receipt", L.IN_TRANSIT, L.VMI),
    ("receipt", L.VIRTUAL, L.WAREHOUSE),
    ("transfer", L.VMI, L.WAREHOUSE),
    ("adjustment", L.VIRTUAL, L.VMI),
    ("adjustment", L.WAREHOUSE, L.VIRTUAL),
    ("return", L.IN_TRANSIT, L.VIRTUAL),
    ("return", L.VMI, L.VIRTUAL),
])
def test_the_moves_of_the_loop_are_allowed_for_the_same_owner(kind, source, target):
    assert check(kind, source, target) is None


@pytest.mark.parametrize(("kind", "source", "target"), [
    ("receipt", L.SUPPLIER_SITE, L.VMI),  # a supplier's own site is reported, never transacted
    ("transfer", L.SUPPLIER_SITE, L.WAREHOUSE),
    ("adjustment", L.VIRTUAL, L.SUPPLIER_SITE),
    ("consumption", L.VMI, L.WAREHOUSE),  # a consumption ends in production
    ("receipt", L.WAREHOUSE, L.VMI),  # a receipt starts at a supplier origin or in transit
    ("shipment", L.VIRTUAL, L.VMI),  # a shipment only puts stock on the way
    ("transfer", L.PRODUCTION, L.VMI),  # what production took comes back only by a reversal
    ("return", L.VIRTUAL, L.VIRTUAL),
])
def test_a_move_between_the_wrong_kinds_of_place_names_the_route(kind, source, target):
    field, message, params = check(kind, source, target)

    assert field == "kind"
    assert message % params == f"a {kind} cannot go from {source} to {target}"


def test_a_consumption_hands_the_suppliers_stock_to_the_buyer_only_as_a_consumption_document():
    consumption = dict(owners=(SUPPLIER, BUYER), same_owner=False)

    assert check("consumption", L.VMI, L.PRODUCTION, **consumption, document=DocumentKind.CONSUMPTION) is None
    field, message, _ = check("consumption", L.VMI, L.PRODUCTION, **consumption)
    assert field == "to_owner_id" and "only through a consumption or a buyout" in message


def test_consumed_stock_always_ends_as_the_buyers():
    assert check("consumption", L.VMI, L.PRODUCTION, owners=(SUPPLIER, SUPPLIER),
                 document=DocumentKind.CONSUMPTION)[0] == "to_owner_id"
    assert check("consumption", L.WAREHOUSE, L.PRODUCTION, owners=(BUYER, BUYER)) is None


def test_a_buyout_changes_the_owner_where_the_stock_lies():
    buyout = dict(owners=(SUPPLIER, BUYER), same_owner=False, document=DocumentKind.BUYOUT)

    assert check("buyout", L.VMI, L.VMI, **buyout) is None
    assert check("buyout", L.VMI, L.WAREHOUSE, **buyout)[0] == "to_location_id"
    assert check("buyout", L.VMI, L.VMI, owners=(BUYER, SUPPLIER), same_owner=False,
                 document=DocumentKind.BUYOUT)[0] == "to_owner_id"


@pytest.mark.parametrize("kind", ["receipt", "transfer", "adjustment"])
def test_other_moves_keep_the_owner(kind):
    source, target = {"receipt": (L.VIRTUAL, L.VMI), "transfer": (L.VMI, L.WAREHOUSE),
                      "adjustment": (L.VIRTUAL, L.VMI)}[kind]

    field, message, params = check(kind, source, target, owners=(SUPPLIER, BUYER), same_owner=False,
                                   document=DocumentKind.CONSUMPTION)

    assert field == "to_owner_id" and message % params == f"a {kind} keeps the owner; only consumption and buyout change it"


def test_two_suppliers_never_hand_stock_to_each_other():
    assert check("transfer", L.VMI, L.WAREHOUSE, same_owner=False)[0] == "to_owner_id"
