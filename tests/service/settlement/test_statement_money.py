"""A statement's money follows the documented rule (docs/decisions.md, Statements): net per line as
stored, tax per line (net x rate, half-up to the cent) summed per rate, gross = net + tax; totals never
drift from the lines."""
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from openvmi.parties.models import Party
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.statements import queries
from tests.service.settlement.test_statements import MAY_31, generate
from tests.settlement_world import consume, finance, make_consignment

CENT = Decimal("0.01")


def test_ten_thousand_small_lines_add_up_to_the_documented_rule(session):
    # given 10,000 small consumptions of one supplier in May, at two tax rates and awkward prices
    dice = random.Random(18)
    standard = make_consignment(session, tax_rate_percent=Decimal(13))
    party = session.scalars(select(Party).where(Party.id == standard.supplier_id)).one()
    reduced = make_consignment(session, tax_rate_percent=Decimal(6), supplier=party)
    expected_nets: dict[Decimal, Decimal] = {Decimal(13): Decimal(0), Decimal(6): Decimal(0)}
    expected_tax: dict[Decimal, Decimal] = {Decimal(13): Decimal(0), Decimal(6): Decimal(0)}
    for world in (standard, reduced):
        for day in (date(2026, 5, 3), date(2026, 5, 19)):
            quantities = [Decimal(dice.randint(1, 9)) / 4 for _ in range(2_500)]
            price = Decimal("0.0333") if day.day == 3 else Decimal("0.0175")
            consume(session, world, quantities, unit_price=price, day=day)
            nets = [(q * price).quantize(CENT, rounding=ROUND_HALF_UP) for q in quantities]
            expected_nets[world.tax_rate_percent] += sum(nets)
            expected_tax[world.tax_rate_percent] += sum(
                (net * world.tax_rate_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP) for net in nets)

    # when finance generates May's statement
    [made] = generate(session, finance(session), MAY_31)
    statement = queries.describe_statement(session, made.statement_id)

    # then every figure is the rule recomputed here from the quantities and prices
    assert statement.line_count == 10_000
    assert {r.tax_rate_percent: (r.net, r.tax) for r in statement.by_rate} == {
        rate: (expected_nets[rate], expected_tax[rate]) for rate in expected_nets}
    assert statement.net == sum(expected_nets.values())
    assert statement.tax == sum(expected_tax.values())
    assert statement.gross == statement.net + statement.tax
    # and the statement's net is the database's own sum of its lines
    assert statement.net == session.scalar(select(func.sum(SettlementLine.net_amount))
                                           .where(SettlementLine.statement_id == made.statement_id))
