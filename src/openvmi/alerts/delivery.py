"""Sends one claimed outbox row: e-mail over SMTP, or a signed webhook POST. Used by the worker
only, always outside a database transaction; a failure is returned as text, never raised."""
import json
import smtplib
from email.message import EmailMessage

import httpx

from openvmi import __version__
from openvmi.alerts import rules
from openvmi.alerts.schemas import DeliveryJob
from openvmi.settings import Settings


def deliver(job: DeliveryJob, settings: Settings, *, client: httpx.Client, timestamp: int) -> str | None:
    """Deliver `job`; None when the receiver accepted it, else why not (stored as last_error)."""
    if job.channel == rules.Channel.EMAIL:
        return send_email(job, settings)
    if job.channel == rules.Channel.WEBHOOK:
        return post_webhook(job, client=client, timestamp=timestamp, timeout=settings.webhook_timeout_seconds)
    return f"unknown channel {job.channel!r}"


def send_email(job: DeliveryJob, settings: Settings) -> str | None:
    if not settings.smtp_host:
        return "SMTP is not configured (OPENVMI_SMTP_HOST)"
    try:
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = job.payload.get("to", job.recipient)
        message["Subject"] = job.payload.get("subject", "OpenVMI notification")
        message["X-OpenVMI-Delivery"] = str(job.id)
        message.set_content(job.payload.get("text", ""))
    except (ValueError, TypeError) as error:  # e.g. a line break in a header: retrying will not help
        return f"unsendable e-mail: {error}"
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        return f"SMTP {settings.smtp_host}:{settings.smtp_port}: {type(error).__name__}: {error}"
    return None


def webhook_body(payload: dict) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def post_webhook(job: DeliveryJob, *, client: httpx.Client, timestamp: int, timeout: float) -> str | None:
    if not job.secret:
        return "webhook endpoint has no secret (was it deleted?)"
    body = webhook_body(job.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"OpenVMI-Webhook/{__version__}",
        rules.EVENT_HEADER: str(job.event),
        rules.DELIVERY_HEADER: str(job.id),  # stable across retries: receivers drop duplicates by it
        rules.TIMESTAMP_HEADER: str(timestamp),
        rules.SIGNATURE_HEADER: rules.webhook_signature(job.secret, timestamp, body),
    }
    try:
        response = client.post(job.recipient, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as error:
        return f"{type(error).__name__}: {error}"
    if not response.is_success:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    return None
