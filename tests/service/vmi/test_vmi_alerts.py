"""VMI alerts: below min and above max on the stock at the VMI store, a run-out before a shipment
ordered today could arrive; opened once, resolved when the stock is back, worded in both languages."""
from sqlalchemy import select

from openvmi.alerts import wording
from openvmi.alerts.models import Alert
from openvmi.alerts.rules import AlertKind, AlertStatus
from openvmi.vmi.replenishment.queries import Wanted
from openvmi.web.i18n import translations
from openvmi.vmi.replenishment.service import sync_vmi_alerts
from tests.builders import receive
from tests.service.planning.world import make_plan_world
from tests.service.vmi.replenishment_world import TODAY, make_vmi_world


def alerts_of(session, world) -> dict[str, Alert]:
    rows = session.scalars(select(Alert).where(Alert.location_id == world.store.id).order_by(Alert.id)).all()
    return {a.kind: a for a in rows}


def test_low_vmi_stock_opens_below_min_and_run_out_once_and_a_receipt_resolves_them(session):
    # given 80 on hand (min 100, max 300), 20 in transit, 60 a day planned, lead time 3 days:
    # 100 -> 40 -> -20 on the second day, before a shipment ordered today can arrive (day 3)
    world = make_vmi_world(session, make_plan_world(session), on_hand=80)

    first = sync_vmi_alerts(session, Wanted(), today=TODAY)
    again = sync_vmi_alerts(session, Wanted(), today=TODAY)
    opened = alerts_of(session, world)

    assert (first.opened, again.opened) == (2, 0)
    assert set(opened) == {"vmi_under_min", "vmi_run_out"}
    assert opened["vmi_under_min"].numbers == {"on_hand": "80", "min_level": "100", "max_level": "300"}
    assert opened["vmi_under_min"].message == (
        f"{world.supplier.code}'s VMI stock of {world.item.code} at {world.store.code} is 80 PCS, below the minimum "
        "level 100.")
    assert opened["vmi_run_out"].numbers == {"run_out": "2026-12-03", "earliest_due": "2026-12-05"}

    # when 300 more arrive: 380 on hand is above max, and lasts beyond the lead time
    receive(session, item=world.item, location=world.store, owner=world.supplier, quantity=300)
    later = sync_vmi_alerts(session, Wanted(agreement_ids=(world.agreement.id,)), today=TODAY)
    now = {a.kind: a for a in session.scalars(select(Alert).where(Alert.location_id == world.store.id))
           .all() if a.status != AlertStatus.RESOLVED}

    # then below-min and run-out resolve, above-max opens
    assert (later.opened, later.resolved) == (1, 2)
    assert set(now) == {"vmi_over_max"}
    assert opened["vmi_under_min"].message.startswith("Resolved:")
    assert opened["vmi_run_out"].message == (f"Resolved: {world.supplier.code}'s VMI stock of {world.item.code} at "
                                             f"{world.store.code} lasts until a shipment ordered today can arrive.")


def test_stock_within_min_and_max_and_lasting_opens_nothing(session):
    world = make_vmi_world(session, make_plan_world(session), on_hand=250, per_day=10)

    result = sync_vmi_alerts(session, Wanted(), today=TODAY)

    assert result.opened == 0 and alerts_of(session, world) == {}


def test_every_vmi_alert_sentence_and_summary_reads_in_chinese():
    class Chinese(wording.PlainEnglish):
        def text(self, msgid: str, **params) -> str:
            return translations("zh_CN").gettext(msgid) % params

    subject = {"supplier": "S-1", "item": "BOLT", "unit": "PCS", "location": "P1-VMI"}
    numbers = {"on_hand": "80", "min_level": "100", "max_level": "300", "run_out": "2026-12-03",
               "earliest_due": "2026-12-05", "count": "2", "oldest": "#7", "hours": "48", "expected": "2026-12-01",
               "short": "10", "over": "0", "damaged": "2"}
    for kind in [k for k in AlertKind.values() if k.startswith("vmi_")]:
        for resolved in (False, True):
            chinese = wording.sentence(Chinese(), kind, resolved=resolved, subject=subject, numbers=numbers)
            english = wording.sentence(wording.ENGLISH, kind, resolved=resolved, subject=subject, numbers=numbers)
            short = wording.summary(Chinese(), kind, resolved=resolved, numbers=numbers)
            assert chinese and english and chinese != english and "S-1" in chinese
            assert "P1-VMI" in chinese or "P1-VMI" not in english
            assert short and short != wording.summary(wording.ENGLISH, kind, resolved=resolved, numbers=numbers)
