"""Which agreement a consumption line is settled under, when its level alerts need a look, and how a
backflush file's header is read (vmi.consumptions.rules)."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from openvmi.errors import Reason
from openvmi.vmi.consumptions.rules import Candidate, choose_agreement, crosses_a_level, match_headers, price_day


def candidate(agreement_id: int, supplier_id: int, on_hand: int) -> Candidate:
    return Candidate(agreement_id=agreement_id, supplier_id=supplier_id, supplier_item_id=agreement_id,
                     currency="CNY", tax_rate_percent=Decimal(13), min_level=Decimal(0), max_level=Decimal(100),
                     on_hand=Decimal(on_hand))


def test_the_only_agreement_in_force_is_taken_without_naming_the_supplier():
    assert choose_agreement([candidate(1, 10, 0)], supplier_id=None).agreement_id == 1


def test_of_two_suppliers_the_one_with_stock_there_is_taken():
    assert choose_agreement([candidate(1, 10, 0), candidate(2, 20, 5)], supplier_id=None).agreement_id == 2


def test_two_suppliers_with_stock_must_be_told_apart():
    found = choose_agreement([candidate(1, 10, 3), candidate(2, 20, 5)], supplier_id=None)
    assert isinstance(found, Reason) and "name the supplier" in found.msgid
    assert choose_agreement([candidate(1, 10, 3), candidate(2, 20, 5)], supplier_id=10).agreement_id == 1


def test_no_agreement_or_another_suppliers_is_a_reason_not_a_guess():
    assert "cannot be consumed as consignment" in choose_agreement([], supplier_id=None).msgid
    assert "of this supplier" in choose_agreement([candidate(1, 10, 3)], supplier_id=99).msgid


@pytest.mark.parametrize(("before", "after", "crossed"), [
    (12, 8, True), (10, 9, True), (10, 10, False), (9, 4, False), (4, 12, True), (120, 90, True), (90, 60, False)])
def test_a_level_is_crossed_only_when_stock_passes_min_or_max(before, after, crossed):
    assert crosses_a_level(Decimal(before), Decimal(after), min_level=Decimal(10), max_level=Decimal(100)) is crossed


def test_the_price_day_is_the_local_day_of_the_zone():
    assert price_day(datetime(2026, 11, 30, 16, 0, tzinfo=UTC), "Asia/Shanghai") == date(2026, 12, 1)
    assert price_day(datetime(2026, 11, 30, 15, 59, tzinfo=UTC), "Asia/Shanghai") == date(2026, 11, 30)


def test_a_backflush_header_is_read_in_chinese_or_english_and_missing_columns_are_named():
    columns, problems = match_headers(["物料编码", "数量", "库位", "备注"])
    assert columns == {"item_code": 0, "quantity": 1, "location_code": 2} and problems == []
    columns, problems = match_headers(["Item", "Qty", "Qty"])
    assert [reason.params.get("field") for _, reason in problems] == ["quantity", "location_code"]
