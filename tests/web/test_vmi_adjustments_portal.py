"""Adjustments and buyouts in the portal: the supplier's form (Chinese), the buyer's approval queue and
buyout page (English), and the same pages in the other language."""
import re
from decimal import Decimal

from sqlalchemy import select

from openvmi.access import Role
from openvmi.ledger.queries import on_hand
from openvmi.settlement.models import SettlementLine
from tests.builders import (
    make_buyer, make_item, make_location, make_party, make_supplier_item, make_user, make_vmi_agreement,
    make_vmi_location, receive,
)
from tests.web.conftest import field_error, heading


def consigned(session):
    supplier = make_party(session)
    store = make_vmi_location(session)
    make_location(session, kind="virtual")
    item = make_item(session)
    agreement = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=supplier, item=item),
                                   location=store, activate=True)
    receive(session, item=item, location=store, owner=supplier, quantity=10)
    return supplier, store, item, agreement


def test_a_supplier_asks_in_chinese_and_the_buyer_approves_in_english(session, portal):
    supplier, store, item, agreement = consigned(session)
    seller = make_user(session, role=Role.SUPPLIER, supplier=supplier, locale="zh_CN")
    buyer = make_user(session, role=Role.BUYER, locale="en")
    session.commit()

    # the supplier opens the form in Chinese, forgets the quantity, then asks to write off 4 expired units
    portal.sign_in(seller)
    form = portal.get("/vmi/adjustments/new")
    fields = {"agreement_id": str(agreement.id), "direction": "decrease", "reason": "expiry", "comment": "过期"}
    missing = portal.post("/vmi/adjustments/new", fields)
    asked = portal.post("/vmi/adjustments/new", fields | {"quantity": "4"})

    assert heading(form.text) == "调整 VMI 库存" and "过期" in form.text and "循环盘点" in form.text
    assert missing.status_code == 422 and field_error(missing.text, "quantity")
    assert asked.status_code == 200 and "正在等待采购方审批" in asked.text and "待审批" in asked.text

    # the buyer finds it in the approval queue and approves it with a comment
    portal.sign_in(buyer)
    queue = portal.get("/vmi/adjustments", params={"state": "pending"})
    adjustment_id = queue.text.split('action="/vmi/adjustments/')[1].split("/")[0]
    approved = portal.post(f"/vmi/adjustments/{adjustment_id}/approve", {"comment": "ok"})

    assert heading(queue.text) == "Adjustments to approve" and "Expiry" in queue.text
    assert approved.status_code == 200 and f"Adjustment #{adjustment_id} approved." in approved.text
    session.expire_all()
    assert on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(6)


def test_rejecting_without_a_comment_is_refused_in_the_readers_language(session, portal):
    supplier, store, item, agreement = consigned(session)
    seller = make_user(session, role=Role.SUPPLIER, supplier=supplier, locale="en")
    buyer = make_user(session, role=Role.BUYER, locale="zh_CN")
    session.commit()
    portal.sign_in(seller)
    portal.post("/vmi/adjustments/new", {"agreement_id": str(agreement.id), "direction": "increase", "quantity": "1",
                                         "reason": "cycle_count"})
    adjustment_id = portal.get("/vmi/adjustments").text.split("<td>#")[1].split("<")[0]

    portal.sign_in(buyer)
    refused = portal.post(f"/vmi/adjustments/{adjustment_id}/reject", {"comment": ""})

    assert refused.status_code == 409 and "请说明驳回调整的原因" in refused.text
    assert heading(refused.text) == "待审批的库存调整"


def test_the_buyer_buys_out_part_then_ends_the_agreement_returning_the_rest(session, portal):
    supplier, store, item, agreement = consigned(session)
    buyer_party = make_buyer(session)
    buyer = make_user(session, role=Role.BUYER, locale="en")
    session.commit()
    portal.sign_in(buyer)

    page = portal.get(f"/vmi/buyouts/{agreement.id}")
    bought = portal.post(f"/vmi/buyouts/{agreement.id}", {"quantity": "4"})
    unsaid = portal.post(f"/vmi/buyouts/{agreement.id}/end", {"leftover": ""})
    ended = portal.post(f"/vmi/buyouts/{agreement.id}/end", {"leftover": "return"})

    assert heading(page.text) == f"Buyout of VMI agreement #{agreement.id}" and "Return it to the supplier" in page.text
    assert bought.status_code == 200 and "Bought out 4." in bought.text and "6.00" in bought.text
    assert unsaid.status_code == 422 and "6 of the supplier&#39;s stock is still at the VMI location" in unsaid.text
    assert ended.status_code == 200 and f"Agreement #{agreement.id} ended." in ended.text
    session.expire_all()
    assert on_hand(session, item_id=item.id, location_id=store.id, owner_id=buyer_party.id) == Decimal(4)
    assert on_hand(session, item_id=item.id, location_id=store.id, owner_id=supplier.id) == Decimal(0)
    assert len(session.scalars(select(SettlementLine).where(SettlementLine.agreement_id == agreement.id)).all()) == 1


def test_the_buyout_page_in_chinese_and_closed_to_suppliers(session, portal):
    supplier, store, item, agreement = consigned(session)
    buyer = make_user(session, role=Role.BUYER, locale="zh_CN")
    seller = make_user(session, role=Role.SUPPLIER, supplier=supplier, locale="zh_CN")
    session.commit()

    portal.sign_in(buyer)
    page = portal.get(f"/vmi/buyouts/{agreement.id}")
    agreement_page = portal.get(f"/vmi/agreements/{agreement.id}")
    portal.sign_in(seller)
    refused = portal.get(f"/vmi/buyouts/{agreement.id}")

    assert heading(page.text) == f"VMI 协议 #{agreement.id} 的买断" and "退回供应商" in page.text
    assert "买断或带库存终止" in agreement_page.text
    assert refused.status_code == 403


def test_ending_with_stock_left_starts_with_no_choice_so_nothing_is_bought_out_unasked(session, portal):
    supplier, store, item, agreement = consigned(session)
    buyer = make_user(session, role=Role.BUYER, locale="zh_CN")
    session.commit()
    portal.sign_in(buyer)

    page = portal.get(f"/vmi/buyouts/{agreement.id}")

    choice = re.search(r'<select id="f-leftover".*?</select>', page.text, flags=re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"', choice)
    assert options == ["", "buyout", "return"]  # a browser sends the first option when none is chosen
    assert "请选择：买断或退回供应商" in choice
