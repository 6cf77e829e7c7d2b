"""Alerts and notifications in the reader's language and state: a resolved alert says so with the
figures of its resolution, an inbox reads in each user's own language (over the API and in the
portal), and an e-mail is written in its recipient's language when it is sent."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from openvmi.access import Role
from openvmi.alerts import service as alerts_service
from openvmi.alerts.models import Alert
from openvmi.db import utcnow
from openvmi.jobs.worker import worded
from openvmi.settings import Settings
from openvmi.supplier_stock.schemas import StockLineCreate, StockLineUpdate, ThresholdSet
from openvmi.supplier_stock.service import lines, thresholds
from tests.builders import bearer, make_item, make_location, make_party, make_supplier_item, make_user


def low_then_resolved(session):
    """A bolt at 300 under a mark of 500 (alert opened), then 1,100 on hand (resolved)."""
    supplier, item = make_party(session, code="S-WORDS"), make_item(session, code="BOLT-WORDS", unit="PCS")
    make_supplier_item(session, supplier=supplier, item=item)
    site = make_location(session, kind="supplier_site", supplier_code=supplier.code)
    line = lines.create_supplier_stock(session, StockLineCreate(
        supplier_code=supplier.code, item_code=item.code, site_code=site.code, on_hand=Decimal(300)),
        actor_id=None, source="api")
    thresholds.set_threshold(session, ThresholdSet(supplier_code=supplier.code, item_code=item.code,
                                                   low_water=Decimal(500)), actor_id=None)
    return supplier, item, line


def resolve(session, line):
    lines.adjust_supplier_stock(session, line.id, StockLineUpdate(on_hand=Decimal(1100), available=Decimal(1100)),
                                actor_id=None, expected_version=line.version, source="api")


def test_a_resolved_alert_says_resolved_with_the_figures_of_its_resolution(session, api_client, portal):
    supplier, item, line = low_then_resolved(session)
    resolve(session, line)
    alert = session.scalars(select(Alert).where(Alert.item_id == item.id)).one()
    portal.sign_in(make_user(session, role=Role.BUYER))

    api = api_client.get(f"/api/v1/alerts/{alert.id}", headers=bearer(session, make_user(session))).json()
    page = portal.get("/alerts", params={"status": "resolved"}).text

    assert api["status"] == "resolved"
    assert api["message"] == "Resolved: S-WORDS has 1,100 PCS of BOLT-WORDS available, back above the low-water mark 500."
    assert api["numbers"] == {"available": 1100, "low_water": 500, "high_water": None}
    assert "resolved: 1,100 available, back above 500" in page and "below" not in page


def test_the_inbox_of_a_chinese_and_an_english_buyer(session, api_client, portal):
    zh = make_user(session, role=Role.BUYER, locale="zh_CN")
    en = make_user(session, role=Role.BUYER, locale="en")
    low_then_resolved(session)

    zh_inbox = api_client.get("/api/v1/notifications", headers=bearer(session, zh)).json()["items"]
    en_inbox = api_client.get("/api/v1/notifications", headers=bearer(session, en)).json()["items"]
    portal.sign_in(zh)
    zh_page = portal.get("/inbox").text

    assert [m["title"] for m in en_inbox] == ["Low stock: S-WORDS / BOLT-WORDS"]
    assert [m["title"] for m in zh_inbox] == ["库存不足：S-WORDS / BOLT-WORDS"]
    assert "低于低水位 500" in zh_inbox[0]["body"] and "300 PCS" in zh_inbox[0]["body"]
    assert "库存不足：S-WORDS / BOLT-WORDS" in zh_page and "Low stock" not in zh_page


def test_an_e_mail_is_written_in_its_recipients_language_when_it_is_sent(session):
    zh = make_user(session, role=Role.BUYER, locale="zh_CN", email="wang@example.com")
    make_user(session, role=Role.BUYER, email="anne@example.com")  # no choice: the portal's default
    low_then_resolved(session)
    jobs = alerts_service.claim_due_messages(session, ["email"], worker_id="w", now=utcnow(),
                                             lease=timedelta(minutes=5), limit=10)
    settings = Settings(default_locale="en")

    mails = {job.recipient: worded(job, {zh.id: "zh_CN"}, settings).payload for job in jobs}

    assert mails["wang@example.com"]["subject"] == "[OpenVMI] 库存不足：S-WORDS / BOLT-WORDS"
    assert "低于低水位 500" in mails["wang@example.com"]["text"]
    assert mails["anne@example.com"]["subject"] == "[OpenVMI] Low stock: S-WORDS / BOLT-WORDS"
