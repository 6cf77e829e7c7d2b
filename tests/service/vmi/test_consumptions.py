"""Consumption as a use case: which price (the plant's local day, the line's quantity, the agreement's
currency), whose stock (the named supplier where two have agreements), which layers (oldest first),
and the VMI level alert it raises in the same transaction."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from openvmi.access import Actor, Role
from openvmi.alerts.models import Alert
from openvmi.catalog.models import Item
from openvmi.catalog.schemas import PriceCreate
from openvmi.errors import InvalidInput
from openvmi.ledger import service as ledger_service
from openvmi.ledger.models import LayerDraw, ReceiptLayer
from openvmi.settlement.models import SettlementLine
from openvmi.vmi.consumptions import service
from openvmi.vmi.consumptions.models import ConsumptionLine
from openvmi.vmi.consumptions.queries import line_link_violations
from openvmi.vmi.consumptions.schemas import ConsumptionCreate, ConsumptionLineCreate
from tests.builders import (
    make_party, make_production_location, make_supplier_item, make_user, make_vmi_agreement, make_vmi_location,
    receive,
)

ZONE = "Asia/Shanghai"  # UTC+8: local midnight of 1 December is 16:00 UTC on 30 November
MIDNIGHT = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


@pytest.fixture
def clerk(session) -> Actor:
    user = make_user(session, role=Role.WAREHOUSE)
    return Actor(user_id=user.id, username=user.username, role=Role.WAREHOUSE, supplier_id=None)


def stocked(session, *, prices=None, currency="CNY", quantity=10, store=None, supplier=None, **terms):
    supplier = supplier or make_party(session)
    store = store or make_vmi_location(session)
    make_production_location(session, at=store)
    supplier_item = make_supplier_item(session, supplier=supplier, **({"prices": prices} if prices else {}))
    agreement = make_vmi_agreement(session, supplier_item=supplier_item, location=store, activate=True,
                                   currency=currency, **terms)
    item = session.get(Item, supplier_item.item_id)
    receive(session, item=item, location=store, owner=supplier, quantity=quantity)
    return item, store, supplier, agreement


def consume(session, clerk, item, store, quantity, **line):
    consumption_id, _ = service.record_consumption(session, ConsumptionCreate(lines=[ConsumptionLineCreate(
        item_id=item.id, location_id=store.id, quantity=Decimal(quantity), **line)]), actor=clerk, zone=ZONE)
    return session.scalars(select(SettlementLine).join(ConsumptionLine, ConsumptionLine.settlement_line_id
                                                       == SettlementLine.id)
                           .where(ConsumptionLine.consumption_id == consumption_id)).one()


def at(monkeypatch, moment: datetime) -> None:
    for module in (service, ledger_service):
        monkeypatch.setattr(module, "utcnow", lambda: moment)


@pytest.mark.parametrize(("moment", "price", "day"), [
    (MIDNIGHT - timedelta(seconds=1), Decimal(5), date(2026, 11, 30)),
    (MIDNIGHT, Decimal(6), date(2026, 12, 1))])
def test_a_price_change_applies_from_the_plants_local_midnight(session, clerk, monkeypatch, moment, price, day):
    # given a price of 5.00 that becomes 6.00 on 1 December
    item, store, *_ = stocked(session, prices=[
        PriceCreate(price=Decimal(5), currency="CNY", valid_from=date(2026, 1, 1)),
        PriceCreate(price=Decimal(6), currency="CNY", valid_from=date(2026, 12, 1))])

    # when production consumes just before or at Shanghai's midnight (16:00 UTC)
    at(monkeypatch, moment)
    line = consume(session, clerk, item, store, 2)

    # then the local day picks the price
    assert (line.unit_price, line.price_day, line.net_amount) == (price, day, 2 * price)
    assert line.occurred_at == moment


def test_a_price_in_another_currency_than_the_agreement_is_refused(session, clerk):
    item, store, *_ = stocked(session, currency="EUR")

    with pytest.raises(InvalidInput) as refused:
        consume(session, clerk, item, store, 1)

    assert "the price is in CNY but the agreement settles in EUR" in str(refused.value)
    assert session.scalars(select(SettlementLine).where(SettlementLine.item_id == item.id)).all() == []


def test_where_two_suppliers_have_stock_the_line_names_whose_it_takes(session, clerk):
    store = make_vmi_location(session)
    item, _, first, _ = stocked(session, store=store)
    second = make_party(session)
    supplier_item = make_supplier_item(session, supplier=second, item=item)
    make_vmi_agreement(session, supplier_item=supplier_item, location=store, activate=True)
    receive(session, item=item, location=store, owner=second, quantity=5)

    with pytest.raises(InvalidInput) as refused:
        consume(session, clerk, item, store, 1)
    line = consume(session, clerk, item, store, 1, supplier_id=second.id)

    assert "name the supplier" in str(refused.value)
    assert line.supplier_id == second.id


def test_consumption_drains_the_oldest_layer_first(session, clerk):
    item, store, supplier, _ = stocked(session, quantity=3)
    receive(session, item=item, location=store, owner=supplier, quantity=5)
    layers = session.scalars(select(ReceiptLayer).where(ReceiptLayer.location_id == store.id)
                             .order_by(ReceiptLayer.id)).all()
    session.execute(ReceiptLayer.__table__.update().where(ReceiptLayer.id == layers[1].id)
                    .values(received_at=layers[0].received_at - timedelta(days=3)))  # the second is older

    line = consume(session, clerk, item, store, 6)

    draws = session.execute(select(LayerDraw.layer_id, LayerDraw.quantity).where(LayerDraw.move_id == line.move_id)
                            .order_by(LayerDraw.id)).all()
    assert draws == [(layers[1].id, Decimal(5)), (layers[0].id, Decimal(1))]


def test_a_consumption_line_naming_another_buyer_than_its_move_is_reported(session, clerk):
    # given a consumption line (its buyer and places carry no foreign keys of their own)
    item, store, _, _ = stocked(session)
    owed = consume(session, clerk, item, store, 4)
    assert line_link_violations(session) == []

    # when its buyer is changed behind the ledger's back
    line = session.scalars(select(ConsumptionLine).where(ConsumptionLine.settlement_line_id == owed.id)).one()
    session.execute(ConsumptionLine.__table__.update().where(ConsumptionLine.id == line.id)
                    .values(buyer_id=line.supplier_id))

    # then the ledger's checks name it, and nothing else
    assert line_link_violations(session) == [f"consumption line {line.id}: differs from its move or settlement line"]
    session.execute(ConsumptionLine.__table__.update().where(ConsumptionLine.id == line.id)
                    .values(buyer_id=line.buyer_id))


def test_falling_below_min_opens_the_vmi_alert_in_the_same_transaction(session, clerk):
    item, store, supplier, agreement = stocked(session, quantity=10, min_level=Decimal(5), max_level=Decimal(20))

    consume(session, clerk, item, store, 6)

    alert = session.scalars(select(Alert).where(Alert.kind == "vmi_under_min", Alert.item_id == item.id)).one()
    assert alert.supplier_id == supplier.id and alert.location_id == store.id and alert.resolved_at is None
