"""Matching an invoice against a statement: differences per tax rate and in total, within finance's tolerance."""
from decimal import Decimal

from openvmi.settlement.invoices.rules import Figure, RateAmounts, Tolerance, differences, matches
from openvmi.settlement.statements.rules import totals

D = Decimal
TWO_RATES = totals([(D(13), D("100.00"), 1), (D(9), D("50.00"), 1)], "CNY")  # tax 13.00 + 4.50


def test_an_invoice_stating_the_statements_figures_matches_exactly():
    found = differences(TWO_RATES, net=D("150.00"), tax=D("17.50"), gross=D("167.50"),
                        by_rate=[RateAmounts(D(13), D("100.00"), D("13.00")), RateAmounts(D(9), D("50.00"), D("4.50"))],
                        tolerance=Tolerance())
    assert found == [] and matches(found)


def test_a_difference_is_shown_at_its_tax_rate_and_in_the_totals():
    found = differences(TWO_RATES, net=D("150.00"), tax=D("17.60"), gross=D("167.60"),
                        by_rate=[RateAmounts(D(13), D("100.00"), D("13.10")), RateAmounts(D(9), D("50.00"), D("4.50"))],
                        tolerance=Tolerance())
    assert [(d.tax_rate_percent, d.figure, d.amount) for d in found] == [
        (D(13), Figure.TAX, D("0.10")), (None, Figure.TAX, D("0.10")), (None, Figure.GROSS, D("0.10"))]
    assert not matches(found)


def test_the_tolerance_allows_a_difference_within_both_the_absolute_and_the_percent_limit():
    one_rate = totals([(D(13), D("100.00"), 1)], "CNY")
    found = differences(one_rate, net=D("100.00"), tax=D("13.05"), gross=D("113.05"), by_rate=[],
                        tolerance=Tolerance(absolute=D("0.10"), percent=D("1")))
    assert [(d.tax_rate_percent, d.figure) for d in found] == [
        (D(13), Figure.TAX), (None, Figure.TAX), (None, Figure.GROSS)]  # one rate: an invoice without rates is read as it
    assert matches(found)
    # 0.05 is within 0.10 but over 0.1 % of 13.00: the stricter limit decides
    assert not Tolerance(absolute=D("0.10"), percent=D("0.1")).allows(D("0.05"), D("13.00"))
    assert not Tolerance(absolute=D("0.01"), percent=D("50")).allows(D("0.05"), D("13.00"))


def test_a_rate_the_statement_does_not_have_is_a_difference():
    one_rate = totals([(D(13), D("100.00"), 1)], "CNY")
    found = differences(one_rate, net=D("110.00"), tax=D("13.60"), gross=D("123.60"),
                        by_rate=[RateAmounts(D(13), D("100.00"), D("13.00")), RateAmounts(D(6), D("10.00"), D("0.60"))],
                        tolerance=Tolerance())
    assert (D(6), Figure.NET, D(0), D("10.00")) in [(d.tax_rate_percent, d.figure, d.statement, d.invoice) for d in found]
