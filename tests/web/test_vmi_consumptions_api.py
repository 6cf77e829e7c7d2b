"""Consumption over HTTP on both databases: production takes VMI stock, ownership and money follow in
one step (one move, one settlement line), and what comes back from production is credited at the
consumed line's price. Stock, owners and money are checked at every step."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from openvmi.access import Role
from openvmi.catalog.models import Item
from openvmi.catalog.schemas import PriceCreate
from openvmi.ledger.queries import list_balances
from openvmi.ledger.schemas import BalanceFilter
from openvmi.settlement.models import SettlementLine
from tests.builders import (
    bearer, make_buyer, make_party, make_production_location, make_supplier_item, make_user, make_vmi_agreement,
    make_vmi_location, receive,
)

CONSUMPTIONS = "/api/v1/vmi/consumptions"
BREAKS = [PriceCreate(price=Decimal("5.00"), currency="CNY", valid_from=date(2026, 1, 1)),
          PriceCreate(price=Decimal("4.50"), currency="CNY", valid_from=date(2026, 1, 1), min_quantity=Decimal(100))]


class Case:
    pass


@pytest.fixture
def vmi(session):
    """10 units of a supplier's item received into a VMI store at a plant with a production line, under an
    active agreement (CNY, 13 %) with breaks 1+ at 5.00 and 100+ at 4.50."""
    case = Case()
    case.supplier = make_party(session)
    case.store = make_vmi_location(session)
    case.line = make_production_location(session, at=case.store)
    case.supplier_item = make_supplier_item(session, supplier=case.supplier, prices=BREAKS)
    case.item = case.supplier_item.item_id
    case.agreement = make_vmi_agreement(session, supplier_item=case.supplier_item, location=case.store,
                                        activate=True, min_level=Decimal(2), max_level=Decimal(50))
    case.buyer_party = make_buyer(session)
    case.item_code = session.get(Item, case.item).code
    receive(session, item=session.get(Item, case.item), location=case.store, owner=case.supplier, quantity=10)
    case.clerk = bearer(session, make_user(session, role=Role.WAREHOUSE))
    case.supplier_user = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=case.supplier))
    session.commit()
    return case


def stock(session, case) -> dict[tuple[str, str], Decimal]:
    session.expire_all()
    names = {case.store.id: "store", case.line.id: "line"}
    owners = {case.supplier.id: "supplier", case.buyer_party.id: "buyer"}
    page = list_balances(session, BalanceFilter(item_id=case.item, nonzero=True), cursor=None, limit=500)
    return {(names[b.location_id], owners[b.owner_id]): b.on_hand for b in page.items if b.location_id in names}


def settlement(session, case) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    session.expire_all()
    return [(row.kind, row.quantity, row.unit_price, row.net_amount) for row in session.scalars(
        select(SettlementLine).where(SettlementLine.item_id == case.item).order_by(SettlementLine.id))]


def consume(api_client, case, quantity, *, headers=None, **extra):
    line = {"item_code": case.item_code, "quantity": str(quantity), "location_code": case.store.code} | extra
    return api_client.post(CONSUMPTIONS, headers=case.clerk | (headers or {}), json={"lines": [line]})


def test_consume_and_return_moves_stock_ownership_and_money_together(session, api_client, vmi):
    # when production consumes 4 of the 10 received
    answer = consume(api_client, vmi, 4)

    # then one line of 4 at the agreement's price is owed, and the supplier still owns 6
    assert answer.status_code == 201, answer.text
    body = answer.json()
    (line,) = body["lines"]
    assert (Decimal(line["quantity"]), Decimal(line["unit_price"]), line["currency"]) == (4, Decimal("5"), "CNY")
    assert Decimal(line["net_amount"]) == Decimal("20")
    assert line["supplier_id"] == vmi.supplier.id and line["agreement_id"] == vmi.agreement.id
    assert stock(session, vmi) == {("store", "supplier"): 6, ("line", "buyer"): 4}
    assert settlement(session, vmi) == [("consumption", 4, Decimal(5), Decimal(20))]

    # when one unit comes back from production
    returned = api_client.post(f"{CONSUMPTIONS}/{body['id']}/reversal", headers=vmi.clerk,
                               json={"line_id": line["id"], "quantity": "1"})

    # then the supplier owns 7 again and a negative line at the same price is written
    assert returned.status_code == 201, returned.text
    assert Decimal(returned.json()["net_amount"]) == Decimal(-5)
    assert stock(session, vmi) == {("store", "supplier"): 7, ("line", "buyer"): 3}
    assert settlement(session, vmi) == [("consumption", 4, Decimal(5), Decimal(20)),
                                        ("reversal", -1, Decimal(5), Decimal(-5))]
    again = api_client.get(f"{CONSUMPTIONS}/{body['id']}", headers=vmi.clerk).json()
    assert Decimal(again["lines"][0]["returned_quantity"]) == 1

    # and never more than what is left: 3 more come back, a 4th is refused and nothing changes
    assert api_client.post(f"{CONSUMPTIONS}/{body['id']}/reversal", headers=vmi.clerk,
                           json={"line_id": line["id"], "quantity": "3"}).status_code == 201
    refused = api_client.post(f"{CONSUMPTIONS}/{body['id']}/reversal", headers=vmi.clerk,
                              json={"line_id": line["id"], "quantity": "1"})
    assert refused.status_code == 422 and "only 0 of move" in refused.text
    assert stock(session, vmi) == {("store", "supplier"): 10}
    assert sum(net for *_, net in settlement(session, vmi)) == 0


def test_a_retry_with_the_same_key_answers_the_first_consumption_and_writes_nothing(session, api_client, vmi):
    first = consume(api_client, vmi, 3, headers={"Idempotency-Key": "scan-1"})
    retry = consume(api_client, vmi, 3, headers={"Idempotency-Key": "scan-1"})
    other = consume(api_client, vmi, 2, headers={"Idempotency-Key": "scan-1"})

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"] and retry.json()["replayed"] is True
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert stock(session, vmi) == {("store", "supplier"): 7, ("line", "buyer"): 3}
    assert len(settlement(session, vmi)) == 1


def test_a_retry_is_answered_even_when_the_stock_it_took_is_gone(session, api_client, vmi):
    first = consume(api_client, vmi, 10, headers={"Idempotency-Key": "scan-all"})

    retry = consume(api_client, vmi, 10, headers={"Idempotency-Key": "scan-all"})

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"] and retry.json()["replayed"] is True
    assert stock(session, vmi) == {("line", "buyer"): 10}


def test_a_refused_consumption_keeps_nothing_under_its_key(session, api_client, vmi):
    refused = consume(api_client, vmi, 11, headers={"Idempotency-Key": "scan-short"})
    receive(session, item=_item(session, vmi), location=vmi.store, owner=vmi.supplier, quantity=5)
    session.commit()

    again = consume(api_client, vmi, 11, headers={"Idempotency-Key": "scan-short"})

    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_stock"
    assert again.status_code == 201 and again.json()["replayed"] is False
    assert stock(session, vmi) == {("store", "supplier"): 4, ("line", "buyer"): 11}
    assert len(settlement(session, vmi)) == 1


def test_a_batch_with_one_short_line_writes_nothing_and_names_it(session, api_client, vmi):
    lines = [{"item_code": vmi.item_code, "quantity": "6", "location_code": vmi.store.code},
             {"item_id": vmi.item, "quantity": "5", "location_id": vmi.store.id}]

    answer = api_client.post(CONSUMPTIONS, headers=vmi.clerk, json={"lines": lines})

    assert answer.status_code == 409 and answer.json()["code"] == "insufficient_stock"
    assert "11" in answer.text and "10" in answer.text  # requested and available
    assert stock(session, vmi) == {("store", "supplier"): 10}
    assert settlement(session, vmi) == []


def test_the_quantity_of_the_line_picks_the_price_break(session, api_client, vmi):
    receive(session, item=_item(session, vmi), location=vmi.store, owner=vmi.supplier, quantity=200)
    session.commit()

    small, large = consume(api_client, vmi, 99), consume(api_client, vmi, 100)

    assert Decimal(small.json()["lines"][0]["unit_price"]) == Decimal(5)
    assert Decimal(large.json()["lines"][0]["unit_price"]) == Decimal("4.5")
    assert Decimal(large.json()["lines"][0]["net_amount"]) == Decimal(450)


def _item(session, case):
    return session.get(Item, case.item)


def test_lines_that_cannot_be_consumed_as_consignment_are_refused_together(session, api_client, vmi):
    other_store = make_vmi_location(session)
    session.commit()
    answer = api_client.post(CONSUMPTIONS, headers=vmi.clerk, json={"lines": [
        {"item_code": "NO-SUCH-ITEM", "quantity": "1", "location_code": vmi.store.code},
        {"item_code": vmi.item_code, "quantity": "1", "location_code": other_store.code},
        {"item_code": vmi.item_code, "quantity": "1", "location_code": vmi.line.code}]})

    assert answer.status_code == 422 and answer.json()["code"] == "consumption_invalid"
    assert [error["field"] for error in answer.json()["errors"]] == [
        "lines[0].item_code", "lines[2].location_code", "lines[1]"]
    assert "no active VMI agreement" in answer.text
    assert stock(session, vmi) == {("store", "supplier"): 10}


def test_a_supplier_cannot_consume_and_sees_only_its_own_consumptions(session, api_client, vmi):
    refused = api_client.post(CONSUMPTIONS, headers=vmi.supplier_user, json={"lines": [
        {"item_code": vmi.item_code, "quantity": "1", "location_code": vmi.store.code}]})
    assert refused.status_code == 403

    mine = consume(api_client, vmi, 1).json()
    assert api_client.get(f"{CONSUMPTIONS}/{mine['id']}", headers=vmi.supplier_user).status_code == 200
    other = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=make_party(session)))
    session.commit()
    assert api_client.get(f"{CONSUMPTIONS}/{mine['id']}", headers=other).status_code == 404
    assert api_client.post(f"{CONSUMPTIONS}/{mine['id']}/reversal", headers=other,
                           json={"line_id": mine["lines"][0]["id"], "quantity": "1"}).status_code == 403
    assert stock(session, vmi) == {("store", "supplier"): 9, ("line", "buyer"): 1}


def upload(api_client, case, text: str, *, encoding="utf-8"):
    return api_client.post(f"{CONSUMPTIONS}/uploads", headers=case.clerk,
                           files={"file": ("backflush.csv", text.encode(encoding), "text/csv")})


def test_a_backflush_file_in_gbk_is_consumed_as_one_consumption(session, api_client, vmi):
    answer = upload(api_client, vmi, f"物料编码,数量,库位\n{vmi.item_code},2,{vmi.store.code}\n"
                                     f"{vmi.item_code},3,{vmi.store.code}\n", encoding="gbk")

    assert answer.status_code == 201, answer.text
    assert [Decimal(line["quantity"]) for line in answer.json()["lines"]] == [2, 3]
    assert stock(session, vmi) == {("store", "supplier"): 5, ("line", "buyer"): 5}
    assert len(settlement(session, vmi)) == 2


def test_a_backflush_file_with_bad_rows_lists_each_by_row_and_writes_nothing(session, api_client, vmi):
    answer = upload(api_client, vmi, f"item,qty,location\n{vmi.item_code},2,{vmi.store.code}\n"
                                     f"NO-SUCH,1,{vmi.store.code}\n{vmi.item_code},-1,{vmi.store.code}\n")

    assert answer.status_code == 422 and answer.json()["code"] == "invalid_import_file"
    assert [(error["row"], error["column"]) for error in answer.json()["errors"]] == [(4, "qty")]

    answer = upload(api_client, vmi, f"item,qty,location\n{vmi.item_code},2,{vmi.store.code}\n"
                                     f"NO-SUCH,1,{vmi.store.code}\n")
    assert answer.status_code == 422
    assert [(error["row"], error["column"]) for error in answer.json()["errors"]] == [(3, "item")]
    assert stock(session, vmi) == {("store", "supplier"): 10}
