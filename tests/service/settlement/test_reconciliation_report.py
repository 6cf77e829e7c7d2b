"""The reconciliation report finds what does not add up from ownership moves to invoices."""
from calendar import monthrange
from datetime import date, datetime
from zoneinfo import ZoneInfo
from decimal import Decimal

import pytest

from openvmi.errors import InvalidInput
from openvmi.ledger import service as ledger_service
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from openvmi.settlement.invoices import service
from openvmi.settlement.invoices.report import reconciliation_report
from openvmi.settlement.invoices.schemas import InvoiceCreate
from openvmi.vmi.agreements.queries import self_billing
from tests.builders import document
from tests.invoice_world import as_supplier, confirmed_statement



def test_a_clean_month_has_no_difference_and_a_planted_one_is_found(session, tmp_path):
    # given this month's confirmed statement (two moves posted now, two lines) invoiced 0.10 too high
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    since, until = today.replace(day=1), today.replace(day=monthrange(today.year, today.month)[1])
    world, _, user, statement_id = confirmed_statement(session, day=today)
    with as_supplier(session, user):
        service.record_invoice(session, InvoiceCreate(statement_id=statement_id, number="A-1",
                                                      invoice_date=date(2026, 6, 1), net=Decimal("40.10"),
                                                      tax=Decimal("5.20"), gross=Decimal("45.30")),
                               actor=user, self_billing_of=self_billing, storage_dir=tmp_path)
    report = reconciliation_report(session, world.supplier_id, since=since, until=until,
                                   zone="Asia/Shanghai")
    assert (report.ownership_moves, report.settlement_lines, report.lines_net) == (2, 2, Decimal("40.00"))
    assert [(s.id, s.gross, s.invoice_gross) for s in report.statements] == [
        (statement_id, Decimal("45.20"), Decimal("45.30"))]
    assert [(d.finding, d.figure, d.amount) for d in report.differences] == [
        ("invoice_differs", "net", Decimal("0.10")), ("invoice_differs", "net", Decimal("0.10")),
        ("invoice_differs", "gross", Decimal("0.10"))]

    # when an ownership move is posted with no settlement line (planted: consumption writes both)
    posted = ledger_service.post_moves(session, PostingCreate(moves=[MoveCreate(
        item_id=world.item_id, quantity=Decimal(7), from_location_id=world.store_id, from_owner_id=world.supplier_id,
        to_location_id=world.sink_id, to_owner_id=world.buyer_id, kind="consumption")]), actor=None,
        document=document(DocumentKind.CONSUMPTION))

    # then the report lists it with its quantity
    report = reconciliation_report(session, world.supplier_id, since=since, until=until,
                                   zone="Asia/Shanghai")
    assert report.ownership_moves == 3
    assert [(d.finding, d.move_id, d.quantity) for d in report.differences if d.finding == "move_without_line"] == [
        ("move_without_line", posted.moves[0].id, Decimal(7))]


def test_a_period_backwards_or_over_400_days_is_refused(session):
    world, _, _, _ = confirmed_statement(session)
    for since, until in ((date(2026, 6, 1), date(2026, 5, 1)), (date(2026, 1, 1), date(9999, 12, 31))):
        with pytest.raises(InvalidInput, match="at most 400 days"):
            reconciliation_report(session, world.supplier_id, since=since, until=until, zone="Asia/Shanghai")
