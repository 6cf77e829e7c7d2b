"""What an alert says is true in its current state, in the reader's language, with figures written
for the reader (1,100, not 1100.000000); the API's figures are numbers, a mark not set is null."""
from datetime import UTC, datetime
from types import SimpleNamespace

from openvmi.alerts import wording
from openvmi.alerts.rules import AlertEvent
from openvmi.web.i18n import Words

ZH = Words("zh_CN", "Asia/Shanghai")
EN = Words("en", "Asia/Shanghai")
LOW = {"available": "1100", "low_water": "500", "high_water": None}
SUBJECT = {"supplier": "S-HD", "item": "BOLT-M8", "unit": "PCS"}


def test_a_resolved_low_stock_alert_reads_as_resolved_with_the_figures_of_now():
    assert wording.summary(EN, "low_stock", resolved=True, numbers=LOW) == "resolved: 1,100 available, back above 500"
    assert wording.summary(ZH, "low_stock", resolved=True, numbers=LOW) == "已解除：可用 1,100，已回到 500 以上"
    assert wording.sentence(wording.ENGLISH, "low_stock", resolved=True, subject=SUBJECT, numbers=LOW) == (
        "Resolved: S-HD has 1,100 PCS of BOLT-M8 available, back above the low-water mark 500.")


def test_an_open_alert_has_no_trailing_zeros_in_any_language():
    stored = {"available": "80.000000", "low_water": "100.500000", "high_water": "None"}

    assert wording.summary(EN, "low_stock", resolved=False, numbers=stored) == (
        "80 available, below the low-water mark 100.5")
    assert wording.sentence(ZH, "low_stock", resolved=False, subject=SUBJECT, numbers=stored) == (
        "S-HD 的 BOLT-M8 可用量为 80 PCS，低于低水位 100.5。")


def test_an_alert_resolved_because_its_mark_was_removed_does_not_claim_a_mark():
    removed = {"available": "80", "low_water": None, "high_water": None}

    assert wording.summary(EN, "low_stock", resolved=True, numbers=removed) == (
        "resolved: 80 available, no mark applies any more")


def test_api_figures_are_numbers_and_an_unset_mark_is_null():
    assert wording.json_figures({"available": "0.000000", "low_water": "500.250000", "high_water": "None"}) == {
        "available": 0, "low_water": 500.25, "high_water": None}


def test_a_notification_is_worded_in_the_language_of_whoever_reads_it():
    alert = SimpleNamespace(id=7, kind="low_stock", numbers={"available": "80", "low_water": "100", "high_water": None},
                            opened_at=datetime(2026, 11, 30, 2, 0, tzinfo=UTC), resolved_at=None)
    content = wording.event_content(AlertEvent.OPENED, alert, SUBJECT)

    assert wording.title(EN, content) == "Low stock: S-HD / BOLT-M8"
    assert wording.title(ZH, content).endswith("：S-HD / BOLT-M8") and "Low stock" not in wording.title(ZH, content)
    chinese = wording.body(ZH, content)
    assert "低于低水位 100" in chinese and "预警 #7" in chinese
    assert "10:00" in chinese  # 02:00 UTC written in the configured zone (Shanghai)
