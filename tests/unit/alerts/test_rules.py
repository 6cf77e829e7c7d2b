"""The alert lifecycle's pure rules: edges, back-off and webhook signatures."""
from datetime import timedelta

from openvmi.alerts.rules import (
    Edge, can_acknowledge, edge, is_exhausted, retry_delay, subject_key, verify_webhook, webhook_signature,
)


def test_crossing_into_the_condition_opens_and_staying_there_does_not():
    assert edge(active=True, has_unresolved=False) is Edge.OPEN
    assert edge(active=True, has_unresolved=True) is Edge.KEEP


def test_leaving_the_condition_resolves_and_staying_out_does_nothing():
    assert edge(active=False, has_unresolved=True) is Edge.RESOLVE
    assert edge(active=False, has_unresolved=False) is Edge.NONE


def test_subjects_with_and_without_item_or_location_have_distinct_keys():
    keys = {subject_key("low_stock", 1, None, None), subject_key("low_stock", 1, 2, None),
            subject_key("low_stock", 1, None, 2), subject_key("low_stock", 1, 2, 2),
            subject_key("high_stock", 1, 2, 2), subject_key("low_stock", 12, None, None)}
    assert len(keys) == 6


def test_only_an_opened_alert_can_be_acknowledged():
    assert can_acknowledge("opened")
    assert not can_acknowledge("acknowledged")
    assert not can_acknowledge("resolved")


def test_back_off_doubles_after_each_failure_up_to_the_cap():
    delays = [retry_delay(n, base_seconds=30, cap_seconds=600) for n in range(1, 7)]
    assert delays == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 600)]
    assert retry_delay(1000, base_seconds=30, cap_seconds=600) == timedelta(seconds=600)


def test_a_delivery_is_dead_after_the_last_allowed_attempt():
    assert not is_exhausted(7, max_attempts=8)
    assert is_exhausted(8, max_attempts=8)


def test_a_receiver_accepts_a_fresh_signed_body():
    body = b'{"event": "alert.opened"}'
    signature = webhook_signature("s3cret-s3cret-s3cret", 1_700_000_000, body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify_webhook("s3cret-s3cret-s3cret", timestamp="1700000000", body=body, signature=signature,
                          now=1_700_000_100)


def test_a_receiver_refuses_an_altered_body_a_wrong_secret_or_a_replay():
    body = b'{"event": "alert.opened"}'
    signature = webhook_signature("s3cret-s3cret-s3cret", 1_700_000_000, body)
    assert not verify_webhook("s3cret-s3cret-s3cret", timestamp="1700000000", body=body + b" ",
                              signature=signature, now=1_700_000_000)
    assert not verify_webhook("another-secret-here", timestamp="1700000000", body=body,
                              signature=signature, now=1_700_000_000)
    assert not verify_webhook("s3cret-s3cret-s3cret", timestamp="1700000000", body=body,
                              signature=signature, now=1_700_000_000 + 3600)

