"""The inbound path in the portal: the buyer drafts and sends, the supplier answers and ships with a
printable packing list, the warehouse receives on the phone page by the scanned number."""
from decimal import Decimal

from openvmi.access import Role
from openvmi.ledger.queries import on_hand
from tests.builders import (
    make_location, make_party, make_supplier_item, make_user, make_vmi_agreement, make_vmi_location,
)
from tests.web.conftest import field_error, heading


def test_call_off_to_receipt_through_the_pages(session, portal):
    supplier = make_party(session)
    store = make_vmi_location(session)
    origin = make_location(session, kind="virtual")
    make_location(session, kind="in_transit")
    make_location(session, kind="quarantine")
    supplier_item = make_supplier_item(session, supplier=supplier)
    agreement = make_vmi_agreement(session, supplier_item=supplier_item, location=store, activate=True)
    buyer = make_user(session, role=Role.BUYER, locale="en")
    seller = make_user(session, role=Role.SUPPLIER, supplier=supplier, locale="zh_CN")
    clerk = make_user(session, role=Role.WAREHOUSE, locale="en")
    session.commit()

    # the buyer drafts and sends
    portal.sign_in(buyer)
    created = portal.post("/vmi/call-offs/new", {"agreement_id": str(agreement.id), "quantity": "30",
                                                 "due_date": "2026-12-15", "note": ""}, follow_redirects=False)
    assert created.status_code == 303, created.text
    detail_url = created.headers["location"]
    sent = portal.post(detail_url + "/send")
    assert sent.status_code == 200 and "Sent" in sent.text

    # the supplier, in Chinese, finds it among the call-offs to answer, accepts and ships
    portal.sign_in(seller)
    to_answer = portal.get("/vmi/call-offs", params={"state": "sent"})
    assert detail_url in to_answer.text and "待答复的要货单" in to_answer.text
    accepted = portal.post(detail_url + "/accept")
    assert "已接受" in accepted.text
    call_off_id = detail_url.rsplit("/", 1)[1]
    form = portal.get("/vmi/shipments/new", params={"call_off_id": call_off_id})
    line_id = form.text.split('name="quantity_')[1].split('"')[0]
    shipped = portal.post(f"/vmi/shipments/new?call_off_id={call_off_id}", {
        f"quantity_{line_id}": "30", f"lot_{line_id}": "L-9", "carrier": "SF", "tracking_number": "T1",
        "expected_arrival": "2026-12-10"}, follow_redirects=False)
    assert shipped.status_code == 303, shipped.text
    packing = portal.get(shipped.headers["location"])
    assert 'src="data:image/svg+xml;base64,' in packing.text
    number = heading(packing.text).split()[-1]
    assert on_hand(session, item_id=supplier_item.item_id, location_id=origin.id, owner_id=supplier.id) == -30

    # the warehouse scans the number, counts 2 damaged, forgets the reason, then gives it
    portal.sign_in(clerk)
    found = portal.get("/vmi/receive", params={"number": number.lower()})
    shipment_line = found.text.split('name="accepted_')[1].split('"')[0]
    count = {"number": number, f"accepted_{shipment_line}": "28", f"damaged_{shipment_line}": "2"}
    missing_reason = portal.post("/vmi/receive", count)
    received = portal.post("/vmi/receive", count | {f"damaged_reason_{shipment_line}": "quality_defect"})

    assert missing_reason.status_code == 422
    assert field_error(missing_reason.text, f"damaged_reason_{shipment_line}") == "give a reason for the damaged quantity"
    assert received.status_code == 200 and "received." in received.text and "Quality defect" in received.text
    session.expire_all()
    assert on_hand(session, item_id=supplier_item.item_id, location_id=store.id, owner_id=supplier.id) == Decimal(28)


def test_an_unknown_number_is_said_plainly_on_the_phone_page(session, portal):
    portal.sign_in(make_user(session, role=Role.WAREHOUSE, locale="en"))

    page = portal.get("/vmi/receive", params={"number": "ASN-NOPE"})

    assert page.status_code == 404 and "No shipment has the number ASN-NOPE." in page.text
