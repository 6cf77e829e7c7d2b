"""Buyouts and ending an agreement with stock left, over HTTP on both databases: owners, balances and
settlement lines checked after every step, and every refusal writing nothing."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openvmi.access import Role
from openvmi.catalog.schemas import PriceCreate
from openvmi.ledger.models import LayerDraw, StockMove
from openvmi.ledger.queries import on_hand
from openvmi.settlement.models import SettlementLine
from tests.builders import (
    bearer, make_buyer, make_item, make_location, make_party, make_supplier_item, make_user, make_vmi_agreement,
    make_vmi_location, receive,
)

AGREEMENTS = "/api/v1/vmi/agreements"


class Case:
    pass


@pytest.fixture
def consigned(session):
    """An active agreement priced 2.00 CNY from 0 and 1.80 from 50, with 80 of the supplier's stock at its store."""
    case = Case()
    case.supplier = make_party(session)
    case.store = make_vmi_location(session)
    case.origin = make_location(session, kind="virtual")
    case.item = make_item(session)
    case.supplier_item = make_supplier_item(session, supplier=case.supplier, item=case.item, prices=[
        PriceCreate(price=Decimal("2.00"), currency="CNY", valid_from=date(2026, 1, 1)),
        PriceCreate(price=Decimal("1.80"), currency="CNY", valid_from=date(2026, 1, 1), min_quantity=Decimal(50))])
    case.agreement = make_vmi_agreement(session, supplier_item=case.supplier_item, location=case.store, activate=True)
    case.buyer_party = make_buyer(session)
    receive(session, item=case.item, location=case.store, owner=case.supplier, quantity=30, origin=case.origin)
    receive(session, item=case.item, location=case.store, owner=case.supplier, quantity=50, origin=case.origin)
    case.buyer = bearer(session, make_user(session, role=Role.BUYER))
    case.supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=case.supplier))
    session.commit()
    return case


def stock(session, case, owner, location=None) -> Decimal:
    session.expire_all()
    return on_hand(session, item_id=case.item.id, location_id=(location or case.store).id, owner_id=owner.id)


def lines(session, case) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    session.expire_all()
    return [(row.kind, row.quantity, row.unit_price, row.net_amount) for row in session.scalars(
        select(SettlementLine).where(SettlementLine.agreement_id == case.agreement.id).order_by(SettlementLine.id))]


def test_a_partial_then_a_full_buyout_hand_the_stock_to_the_buyer_where_it_lies_with_one_line_each(
        session, api_client, consigned):
    case = consigned
    # when the buyer buys out 20, then the rest
    part = api_client.post(f"{AGREEMENTS}/{case.agreement.id}/buyout", headers=case.buyer, json={"quantity": "20"})
    rest = api_client.post(f"{AGREEMENTS}/{case.agreement.id}/buyout", headers=case.buyer)

    # then the 80 stay where they were, now the buyer's; each buyout is one move and one line at its break
    assert part.status_code == 201, part.text
    assert (Decimal(part.json()["quantity"]), Decimal(part.json()["unit_price"])) == (Decimal(20), Decimal("2.00"))
    assert (Decimal(rest.json()["quantity"]), Decimal(rest.json()["unit_price"])) == (Decimal(60), Decimal("1.80"))
    assert (stock(session, case, case.supplier), stock(session, case, case.buyer_party)) == (Decimal(0), Decimal(80))
    assert lines(session, case) == [("buyout", Decimal(20), Decimal("2.00"), Decimal("40.00")),
                                    ("buyout", Decimal(60), Decimal("1.80"), Decimal("108.00"))]
    moves = session.scalars(select(StockMove).where(StockMove.kind == "buyout").order_by(StockMove.id)).all()
    assert [(m.kind, m.from_location_id, m.to_location_id, m.to_owner_id) for m in moves] == [
        ("buyout", case.store.id, case.store.id, case.buyer_party.id)] * 2
    assert [m.id for m in moves] == [part.json()["move_id"], rest.json()["move_id"]]
    # FIFO: the first buyout drew from the older layer only
    drawn = session.execute(select(func.count()).select_from(LayerDraw).where(LayerDraw.move_id == moves[0].id))
    assert drawn.scalar_one() == 1


def test_a_buyout_retried_with_its_key_answers_the_first_and_writes_one_line(session, api_client, consigned):
    case = consigned
    headers = case.buyer | {"Idempotency-Key": "buyout-1"}
    url = f"{AGREEMENTS}/{case.agreement.id}/buyout"

    first = api_client.post(url, headers=headers, json={"quantity": "10"})
    retry = api_client.post(url, headers=headers, json={"quantity": "10"})
    other = api_client.post(url, headers=headers, json={"quantity": "11"})

    assert (first.status_code, retry.status_code, retry.json()["replayed"]) == (201, 200, True)
    assert retry.json()["id"] == first.json()["id"]
    assert other.json()["code"] == "idempotency_key_reused"
    assert len(lines(session, case)) == 1 and stock(session, case, case.buyer_party) == Decimal(10)


def test_a_buyout_without_a_price_or_in_another_currency_is_refused_and_writes_nothing(session, api_client, consigned):
    case = consigned
    # given stock under an agreement priced only from 100 up, and under one whose price is in USD
    agreements = []
    for prices in ([PriceCreate(price=Decimal("5"), currency="CNY", valid_from=date(2026, 1, 1),
                                min_quantity=Decimal(100))],
                   [PriceCreate(price=Decimal("5"), currency="USD", valid_from=date(2026, 1, 1))]):
        item = make_item(session)
        supplier_item = make_supplier_item(session, supplier=case.supplier, item=item, prices=prices)
        agreements.append(make_vmi_agreement(session, supplier_item=supplier_item, location=case.store, activate=True))
        receive(session, item=item, location=case.store, owner=case.supplier, quantity=5)
    unpriced, dollars = agreements
    session.commit()

    no_price = api_client.post(f"{AGREEMENTS}/{unpriced.id}/buyout", headers=case.buyer, json={"quantity": "5"})
    other_currency = api_client.post(f"{AGREEMENTS}/{dollars.id}/buyout", headers=case.buyer)

    assert (no_price.status_code, no_price.json()["code"]) == (422, "buyout_unpriced")
    assert (other_currency.status_code, other_currency.json()["code"]) == (422, "buyout_unpriced")
    assert "USD" in other_currency.json()["detail"]
    assert session.scalar(select(func.count()).select_from(SettlementLine)) == 0
    assert session.scalar(select(func.count()).select_from(StockMove).where(StockMove.kind == "buyout")) == 0


def test_more_than_is_left_no_stock_and_a_supplier_are_refused(session, api_client, consigned):
    case = consigned
    too_much = api_client.post(f"{AGREEMENTS}/{case.agreement.id}/buyout", headers=case.buyer, json={"quantity": "81"})
    by_supplier = api_client.post(f"{AGREEMENTS}/{case.agreement.id}/buyout", headers=case.supplier_user)
    empty = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=case.supplier),
                               location=case.store, activate=True)
    session.commit()
    nothing = api_client.post(f"{AGREEMENTS}/{empty.id}/buyout", headers=case.buyer)

    assert (too_much.status_code, too_much.json()["code"]) == (409, "insufficient_stock")
    assert by_supplier.status_code == 403
    assert (nothing.status_code, nothing.json()["code"]) == (409, "nothing_to_buy_out")
    assert lines(session, case) == [] and stock(session, case, case.supplier) == Decimal(80)


def test_ending_with_stock_left_asks_what_to_do_and_a_return_sends_it_home_without_a_line(
        session, api_client, consigned):
    case = consigned
    url = f"{AGREEMENTS}/{case.agreement.id}/end"

    refused = api_client.post(url, headers=case.buyer)
    returned = api_client.post(url, headers=case.buyer,
                               json={"leftover": "return", "origin_location_id": case.origin.id})

    assert (refused.status_code, refused.json()["code"], refused.json()["quantity_left"]) == (
        409, "agreement_stock_left", "80")
    assert "80" in refused.json()["detail"]
    assert (returned.status_code, returned.json()["state"]) == (200, "ended")
    assert stock(session, case, case.supplier) == Decimal(0)
    assert stock(session, case, case.supplier, location=case.origin) == Decimal(0)  # 80 went out, 80 came back
    back = session.scalars(select(StockMove).where(StockMove.kind == "return")).one()
    assert (back.kind, back.to_location_id, back.to_owner_id, back.quantity) == (
        "return", case.origin.id, case.supplier.id, Decimal(80))
    assert lines(session, case) == []


def test_ending_with_a_buyout_settles_what_is_left(session, api_client, consigned):
    case = consigned
    ended = api_client.post(f"{AGREEMENTS}/{case.agreement.id}/end", headers=case.buyer, json={"leftover": "buyout"})

    assert (ended.status_code, ended.json()["state"]) == (200, "ended")
    assert stock(session, case, case.buyer_party) == Decimal(80)
    assert lines(session, case) == [("buyout", Decimal(80), Decimal("1.80"), Decimal("144.00"))]


def test_a_drafted_successor_takes_the_stock_over_so_ending_needs_no_say(session, api_client, consigned):
    case = consigned
    make_vmi_agreement(session, supplier_item=case.supplier_item, location=case.store)
    session.commit()

    ended = api_client.post(f"{AGREEMENTS}/{case.agreement.id}/end", headers=case.buyer)

    assert (ended.status_code, ended.json()["state"]) == (200, "ended")
    assert stock(session, case, case.supplier) == Decimal(80)


def test_another_suppliers_user_sees_no_buyouts_of_the_agreement(session, api_client, consigned):
    case = consigned
    api_client.post(f"{AGREEMENTS}/{case.agreement.id}/buyout", headers=case.buyer, json={"quantity": "1"})
    stranger = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=make_party(session)))
    session.commit()

    own = api_client.get(f"{AGREEMENTS}/{case.agreement.id}/buyouts", headers=case.supplier_user)
    foreign = api_client.get(f"{AGREEMENTS}/{case.agreement.id}/buyouts", headers=stranger)

    assert [Decimal(b["quantity"]) for b in own.json()] == [Decimal(1)]
    assert foreign.status_code == 404
