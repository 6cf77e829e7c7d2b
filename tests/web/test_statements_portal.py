"""Statement pages: finance generates and issues, the supplier disputes a line with a comment and, once
finance has credited it, confirms; the overview shows where each supplier stands, in Chinese too."""
from decimal import Decimal

from openvmi.access import Role
from openvmi.parties.models import Party
from openvmi.settlement.statements.models import SettlementStatement
from tests.builders import make_user
from tests.settlement_world import consume, make_consignment
from tests.web.conftest import Portal


def test_finance_and_the_supplier_settle_a_month_in_the_portal(session, api_client):
    from datetime import date

    world = make_consignment(session)
    party = session.get(Party, world.supplier_id)
    [line] = consume(session, world, [Decimal(4)], unit_price=Decimal("2.50"), day=date(2026, 5, 12))
    finance = Portal(api_client, session).sign_in(make_user(session, role=Role.FINANCE, locale="en"))

    # finance generates May and issues the draft
    generated = finance.post("/settlement/statements/generate", {"day": "2026-05-20"}, follow_redirects=True)
    assert generated.status_code == 200 and "1 statement(s) generated" in generated.text
    statement_id = session.query(SettlementStatement).filter_by(supplier_id=party.id).one().id
    page = finance.get(f"/settlement/statements/{statement_id}").text
    assert "Issue to the supplier" in page and "¥11.30" in page
    assert finance.post(f"/settlement/statements/{statement_id}/issue", follow_redirects=False).status_code == 303
    again = finance.post(f"/settlement/statements/{statement_id}/issue", follow_redirects=True)
    assert again.status_code == 200 and "Issued" in again.text  # a second click answers the statement as it is

    # the supplier (reading Chinese) disputes the line with a comment
    supplier = Portal(api_client.__class__(api_client.app), session).sign_in(
        make_user(session, role=Role.SUPPLIER, supplier=party, locale="zh_CN"))
    review = supplier.get(f"/settlement/statements/{statement_id}").text
    assert "确认对账单" in review and f'name="comment_{line}"' in review
    disputed = supplier.post(f"/settlement/statements/{statement_id}/disputes", {f"comment_{line}": "只用了 3 个"},
                             follow_redirects=True)
    assert disputed.status_code == 200 and "只用了 3 个" in disputed.text
    refused = supplier.post(f"/settlement/statements/{statement_id}/confirm")
    assert refused.status_code == 409 and "既未更正也未撤回" in refused.text

    # finance credits the disputed line; the supplier confirms; the overview shows it confirmed
    credited = finance.post(f"/settlement/statements/{statement_id}/credits",
                            {"line_id": str(line), "amount": "2.50", "reason": "one unit short"}, follow_redirects=False)
    assert credited.status_code == 303
    assert supplier.post(f"/settlement/statements/{statement_id}/confirm", follow_redirects=False).status_code == 303
    overview = finance.get("/settlement/statements").text
    assert "Confirmed" in overview and party.code in overview and "¥7.50" in overview
    assert "已确认" in supplier.get("/settlement/statements").text


def test_a_bad_credit_is_shown_on_the_page_and_nothing_is_written(session, api_client):
    from datetime import date

    world = make_consignment(session)
    consume(session, world, [Decimal(1)], unit_price=Decimal("1.00"), day=date(2026, 5, 12))
    finance = Portal(api_client, session).sign_in(make_user(session, role=Role.FINANCE, locale="en"))
    finance.post("/settlement/statements/generate", {"day": "2026-05-20"})
    statement_id = session.query(SettlementStatement).filter_by(supplier_id=world.supplier_id).one().id

    finance.post(f"/settlement/statements/{statement_id}/issue")
    answer = finance.post(f"/settlement/statements/{statement_id}/credits",
                          {"line_id": "1", "amount": "abc", "reason": "x"})

    assert answer.status_code == 422 and "Statement #" in answer.text
    assert session.query(SettlementStatement).filter_by(id=statement_id).one().state == "issued"


def test_the_supplier_reads_finance_as_who_acted_and_finds_the_invoice_page(session, api_client):
    from datetime import date

    world = make_consignment(session)
    party = session.get(Party, world.supplier_id)
    consume(session, world, [Decimal(1)], unit_price=Decimal("2.00"), day=date(2026, 5, 12))
    finance = Portal(api_client, session).sign_in(make_user(session, role=Role.FINANCE, locale="en"))
    finance.post("/settlement/statements/generate", {"day": "2026-05-20"})
    statement_id = session.query(SettlementStatement).filter_by(supplier_id=party.id).one().id
    finance.post(f"/settlement/statements/{statement_id}/issue")
    supplier = Portal(api_client.__class__(api_client.app), session).sign_in(
        make_user(session, role=Role.SUPPLIER, supplier=party, locale="zh_CN"))

    page = supplier.get(f"/settlement/statements/{statement_id}").text
    history = page.split('id="history-heading"')[1]

    assert "财务 · 生成" in history and "财务 · 发出" in history and "—" not in history
    assert "1 行" in history and "line" not in history  # the generation's count, in the reader's words
    assert f'href="/settlement/statements/{statement_id}/invoice"' in page  # its invoice and downloads
