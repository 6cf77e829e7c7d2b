"""An adjustment waiting for the buyer's approval longer than a day raises one alert per supplier; deciding
it resolves it."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from openvmi.access import Actor, Role
from openvmi.alerts.models import Alert
from openvmi.alerts.rules import AlertStatus
from openvmi.jobs.vmi import sweep_vmi_alerts
from openvmi.vmi.adjustments import service
from openvmi.vmi.adjustments.rules import AdjustmentAction
from openvmi.vmi.adjustments.schemas import AdjustmentCreate, AdjustmentDecision
from tests.builders import (
    make_location, make_party, make_supplier_item, make_user, make_vmi_agreement, make_vmi_location,
)

ASKED_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_an_adjustment_waiting_over_a_day_alerts_until_the_buyer_decides(session):
    # given a supplier's increase waiting for approval since 08:00
    supplier = make_party(session)
    make_location(session, kind="virtual")
    agreement = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=supplier),
                                   location=make_vmi_location(session), activate=True)
    requester = make_user(session, role=Role.SUPPLIER, supplier=supplier)
    buyer = make_user(session, role=Role.BUYER)
    row, _ = service.create_adjustment(session, AdjustmentCreate(
        agreement_id=agreement.id, direction="increase", quantity=Decimal(2), reason="cycle_count"),
        actor=Actor(requester.id, requester.username, Role.SUPPLIER, supplier.id), now=ASKED_AT)

    # when the sweep looks after 23 hours, after 25, and after the buyer rejected it
    in_time = service.sync_adjustment_alerts(session, now=ASKED_AT + timedelta(hours=23))
    late = service.sync_adjustment_alerts(session, now=ASKED_AT + timedelta(hours=25))
    alert = session.scalars(select(Alert).where(Alert.supplier_id == supplier.id)).one()
    opened = (alert.kind, dict(alert.numbers), alert.message)
    service.decide_adjustment(session, row.id, AdjustmentAction.REJECT, AdjustmentDecision(comment="count again"),
                              actor=Actor(buyer.id, buyer.username, Role.BUYER, None))
    decided = service.sync_adjustment_alerts(session, now=ASKED_AT + timedelta(hours=26))

    # then one alert opened at 25 hours, naming the count and the oldest, and resolved once decided
    assert (in_time.opened, late.opened, decided.resolved) == (0, 1, 1)
    assert opened == ("vmi_adjustment_waiting", {"count": "1", "oldest": f"#{row.id}"},
                      f"1 VMI adjustment(s) from {supplier.code} have waited for approval longer than a day "
                      f"(oldest: #{row.id}).")
    assert alert.status == AlertStatus.RESOLVED


def test_the_vmi_alert_sweep_raises_it(session, connection):
    supplier = make_party(session)
    make_location(session, kind="virtual")
    agreement = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=supplier),
                                   location=make_vmi_location(session), activate=True)
    requester = make_user(session, role=Role.SUPPLIER, supplier=supplier)
    service.create_adjustment(session, AdjustmentCreate(
        agreement_id=agreement.id, direction="increase", quantity=Decimal(1), reason="other"),
        actor=Actor(requester.id, requester.username, Role.SUPPLIER, supplier.id), now=ASKED_AT)
    session.flush()

    sweep_vmi_alerts(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
                     now=ASKED_AT + timedelta(days=2))

    # (with no stock, the agreement is also under its minimum: the sweep raises that too)
    kinds = set(session.scalars(select(Alert.kind).where(Alert.supplier_id == supplier.id)))
    assert "vmi_adjustment_waiting" in kinds
