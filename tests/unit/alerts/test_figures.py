"""An alert's figures are stored as text; the pages get them typed, so they are formatted for the
reader, and a figure that was never set (no high-water mark) is not shown at all."""
from datetime import UTC, datetime
from decimal import Decimal

from openvmi.alerts.wording import figures


def test_figures_are_numbers_and_times_and_unset_ones_are_left_out():
    stored = {"available": "2.500000", "low_water": "1200.000000", "high_water": "None", "days": "",
              "last_reported_at": "2026-11-20T08:00:00+00:00"}

    assert figures(stored) == {"available": Decimal("2.5"), "low_water": Decimal(1200),
                               "last_reported_at": datetime(2026, 11, 20, 8, tzinfo=UTC)}


def test_a_figure_that_is_no_number_is_shown_as_written():
    assert figures({"available": "unknown"}) == {"available": "unknown"}
