"""Delivery refuses what no retry can fix, and says why instead of crashing the worker."""
from openvmi.alerts.delivery import post_webhook, send_email, webhook_body
from openvmi.alerts.schemas import DeliveryJob
from openvmi.alerts.targets import WebhookTargets
from openvmi.settings import Settings


def test_an_e_mail_with_a_line_break_in_its_subject_is_reported_not_raised():
    job = DeliveryJob(id=1, channel="email", event="alert.opened", recipient="a@example.com",
                      payload={"to": "a@example.com", "subject": "x\nBcc: evil@example.com", "text": "t"},
                      attempts=1, secret=None)

    error = send_email(job, Settings(smtp_host="127.0.0.1", smtp_port=9))

    assert error is not None and error.startswith("unsendable e-mail")


def test_without_smtp_settings_an_e_mail_is_not_attempted():
    job = DeliveryJob(id=1, channel="email", event="alert.opened", recipient="a@example.com",
                      payload={"to": "a@example.com", "subject": "s", "text": "t"}, attempts=1, secret=None)

    assert send_email(job, Settings(smtp_host=None)) == "SMTP is not configured (OPENVMI_SMTP_HOST)"


def test_a_webhook_without_a_secret_is_never_sent_unsigned():
    job = DeliveryJob(id=1, channel="webhook", event="alert.opened", recipient="http://127.0.0.1:9/",
                      payload={}, attempts=1, secret=None)

    assert "no secret" in post_webhook(job, client=None, timestamp=0, timeout=1, targets=WebhookTargets())


def test_the_signed_body_is_compact_sorted_json_in_utf8():
    assert webhook_body({"b": "螺栓", "a": 1}) == '{"a":1,"b":"螺栓"}'.encode()
