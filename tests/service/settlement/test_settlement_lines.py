"""Settlement lines are listed with filters, keyset pages and totals per currency whose tax is the sum of
the lines' taxes; a supplier sees only its own."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from openvmi.errors import InvalidInput
from openvmi.scoping import scope_to_supplier
from openvmi.settlement import queries
from openvmi.settlement.models import StatementLine
from openvmi.settlement.statements.models import SettlementStatement
from openvmi.settlement.schemas import LineFilter, check_period
from tests.service.settlement.world import make_settled_world


def listed(session, **filters):
    return queries.list_lines(session, LineFilter(**filters), cursor=None, limit=100)


def test_lines_come_newest_first_with_their_tax_rounded_per_line(session):
    world = make_settled_world(session)

    page = listed(session, supplier_id=world.a.id)

    assert [line.id for line in page.items] == [world.lines[k] for k in ("bought", "returned", "consumed")]
    assert [(line.kind, line.quantity, line.net_amount, line.tax_amount) for line in page.items] == [
        ("buyout", Decimal(5), Decimal("5.75"), Decimal("0.75")),  # 0.7475 half-up
        ("reversal", Decimal(-1), Decimal("-1.15"), Decimal("-0.15")),  # -0.1495 away from zero
        ("consumption", Decimal(4), Decimal("4.60"), Decimal("0.60"))]
    assert page.items[0].item_code == world.item_a.code and page.items[0].supplier_code == world.a.code


def test_totals_per_currency_add_the_lines_taxes_not_the_tax_of_the_sum(session):
    make_settled_world(session)

    (total,) = listed(session).totals

    # net 4.60 - 1.15 + 5.75 + 0.67 = 9.87; its 13 % would be 1.28, the lines' taxes add up to 1.29
    assert (total.currency, total.lines, total.quantity) == ("CNY", 4, Decimal(10))
    assert (total.net_amount, total.tax_amount, total.gross_amount) == (Decimal("9.87"), Decimal("1.29"),
                                                                       Decimal("11.16"))


def test_every_filter_narrows_the_lines_and_their_totals(session):
    world = make_settled_world(session)
    today = world.moves["consumed"].created_at.date()
    on_statement = SettlementStatement(supplier_id=world.a.id, currency="CNY", cycle="monthly", period_start=today,
                                       period_end=today)
    session.add(on_statement)
    session.flush()
    session.add(StatementLine(line_id=world.lines["consumed"], statement_id=on_statement.id))
    session.flush()

    assert [l.id for l in listed(session, kind="buyout").items] == [world.lines["bought"]]
    assert [l.id for l in listed(session, item_id=world.item_b.id).items] == [world.lines["b"]]
    assert [l.id for l in listed(session, agreement_id=world.agreement_b.id).items] == [world.lines["b"]]
    assert [l.id for l in listed(session, on_statement=True).items] == [world.lines["consumed"]]
    assert world.lines["consumed"] not in [l.id for l in listed(session, on_statement=False).items]
    assert listed(session, since=today + timedelta(days=2)).items == []
    assert listed(session, until=today - timedelta(days=2)).items == []
    assert listed(session, since=today + timedelta(days=2)).totals == []
    assert listed(session, kind="buyout").totals[0].net_amount == Decimal("5.75")


def test_pages_follow_the_cursor_without_repeating_a_line(session):
    make_settled_world(session)

    first = queries.list_lines(session, LineFilter(), cursor=None, limit=3)
    second = queries.list_lines(session, LineFilter(), cursor=first.next_cursor, limit=3)

    assert len(first.items) == 3 and len(second.items) == 1 and second.next_cursor is None
    assert {l.id for l in first.items}.isdisjoint({l.id for l in second.items})
    assert first.totals == second.totals  # the totals are of every line wanted, not of the page


def test_a_supplier_sees_only_its_own_lines_and_totals(session):
    world = make_settled_world(session)
    scope_to_supplier(session, world.b.id)

    assert [l.id for l in listed(session).items] == [world.lines["b"]]
    assert listed(session).totals[0].net_amount == Decimal("0.67")
    assert listed(session, supplier_id=world.a.id).items == []  # another's id: an empty list, as every list
    assert listed(session, supplier_id=world.a.id).totals == []


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(InvalidInput) as refused:
        check_period(date(2026, 12, 2), date(2026, 12, 1))
    assert refused.value.errors[0].field == "to"
