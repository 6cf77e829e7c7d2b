"""Site names as ERPs write them: matched like headers, but a punctuation mark still tells two sites apart."""
from datetime import UTC, datetime, timedelta

import pytest

from openvmi.supplier_stock import rules
from openvmi.tabular.kept import check_usable


@pytest.mark.parametrize("written", ["主仓", " 主 仓 ", "主\u3000仓", "主仓\t"])
def test_a_chinese_site_name_matches_with_any_spacing(written):
    assert rules.site_key(written) == rules.site_key("主仓")


@pytest.mark.parametrize("written", ["NB-WH1", "nb-wh1", "ＮＢ－ＷＨ１", " Nb-Wh 1"])
def test_a_site_code_matches_in_any_case_and_width(written):
    assert rules.site_key(written) == rules.site_key("NB-WH1")


def test_punctuation_still_tells_two_sites_apart():
    assert rules.site_key("WH-1") != rules.site_key("WH1")
    assert rules.site_key("仓(A)") != rules.site_key("仓(B)")  # headers drop brackets; site names keep them


def test_the_unknown_site_error_lists_codes_with_their_names_and_says_how_many_more():
    sites = [(f"WH{i:02}", "主仓" if i == 1 else f"WH{i:02}") for i in range(1, 14)]

    listed = rules.describe_sites(sites, limit=3)

    assert listed == "WH01 (主仓), WH02, WH03, … (+10)"
    assert rules.describe_sites([]) == "—"


def test_a_checked_file_is_usable_only_by_who_checked_it_until_it_expires():
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    later = now + timedelta(minutes=5)

    assert check_usable(kept_until=later, checked_by=7, user_id=7, now=now)
    assert not check_usable(kept_until=later, checked_by=7, user_id=8, now=now)
    assert not check_usable(kept_until=now, checked_by=7, user_id=7, now=now)
    assert not check_usable(kept_until=None, checked_by=7, user_id=7, now=now)
