"""What the ledger's inputs mean before any rule runs."""
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import DocumentRef, MoveFilter


def test_a_filter_time_without_a_zone_means_utc():
    assert MoveFilter(created_from="2026-11-30T08:00:00").created_from == datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert MoveFilter(created_from="2026-11-30").created_from == datetime(2026, 11, 30, tzinfo=UTC)


def test_a_filter_time_with_a_zone_keeps_it():
    shanghai = timezone(timedelta(hours=8))

    assert MoveFilter(created_from="2026-11-30T08:00:00+08:00").created_from == datetime(2026, 11, 30, 8,
                                                                                          tzinfo=shanghai)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_a_filter_time_with_no_utc_time_is_refused(moment):
    with pytest.raises(ValidationError, match="has no UTC time within the years 1 to 9999"):
        MoveFilter(created_from=moment)


def test_only_a_manual_posting_may_name_no_document():
    assert DocumentRef(kind=DocumentKind.MANUAL).id is None
    with pytest.raises(ValidationError, match="a consumption posting names its document"):
        DocumentRef(kind=DocumentKind.CONSUMPTION)
