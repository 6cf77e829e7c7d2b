"""Sends one claimed outbox row: e-mail over SMTP, or a signed webhook POST. Used by the worker
only, always outside a database transaction; a failure is returned as text, never raised."""
import json
import smtplib
import ssl
from email.message import EmailMessage

import httpx

from openvmi import __version__
from openvmi.alerts import rules
from openvmi.alerts.schemas import DeliveryJob
from openvmi.alerts.targets import TargetRefused, WebhookTargets
from openvmi.errors import Reason
from openvmi.settings import Settings


def webhook_client() -> httpx.Client:
    """The worker's HTTP client. Redirects are not followed (a 3xx could point anywhere, past the
    target check) and proxy variables are ignored (a proxy would resolve the name again itself)."""
    return httpx.Client(follow_redirects=False, trust_env=False)


def deliver(job: DeliveryJob, settings: Settings, *, client: httpx.Client, timestamp: int) -> str | None:
    """Deliver `job`; None when the receiver accepted it, else why not (stored as last_error)."""
    if job.channel == rules.Channel.EMAIL:
        return send_email(job, settings)
    if job.channel == rules.Channel.WEBHOOK:
        return post_webhook(job, client=client, timestamp=timestamp, timeout=settings.webhook_timeout_seconds,
                            targets=WebhookTargets.allowing(settings.webhook_allowed_hosts))
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


def post_webhook(job: DeliveryJob, *, client: httpx.Client, timestamp: int, timeout: float,
                 targets: WebhookTargets) -> str | None:
    """POST the signed event to the first allowed address of the endpoint's host, pinned: the name
    is resolved and checked once, and the connection goes to the address that was checked."""
    if not job.secret:
        return Reason(rules.NO_SECRET)
    try:
        url, addresses = targets.check(job.recipient, must_resolve=True)
        pinned = url.copy_with(host=str(addresses[0]))
    except TargetRefused as refused:
        return refused.reason
    except httpx.InvalidURL:
        return Reason(rules.INVALID_URL)
    body = webhook_body(job.payload)
    headers = {
        "Host": url.netloc.decode("ascii"),  # the name, while the connection goes to the address
        "Content-Type": "application/json",
        "User-Agent": f"OpenVMI-Webhook/{__version__}",
        rules.EVENT_HEADER: str(job.event),
        rules.DELIVERY_HEADER: str(job.id),  # stable across retries: receivers drop duplicates by it
        rules.TIMESTAMP_HEADER: str(timestamp),
        rules.SIGNATURE_HEADER: rules.webhook_signature(job.secret, timestamp, body),
    }
    # TLS still checks the certificate against the name (SNI), not against the address.
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    try:
        # Streamed and closed unread: only the status is kept, so the reply's body never matters.
        with client.stream("POST", pinned, content=body, headers=headers, timeout=timeout,
                           extensions=extensions) as response:
            status = response.status_code
    except httpx.HTTPError as error:
        return failure_line(error)
    return None if 200 <= status < 300 else Reason(rules.HTTP_STATUS, status=status)


def failure_line(error: httpx.HTTPError) -> Reason:
    """A failed request as a short status line; the exception's own text may quote the reply."""
    if isinstance(error, httpx.TimeoutException):
        return Reason(rules.TIMED_OUT)
    if isinstance(error, httpx.ConnectError):
        causes = _causes(error)
        if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
            return Reason(rules.CONNECTION_REFUSED)
        if any(isinstance(cause, ssl.SSLError) for cause in causes):
            return Reason(rules.TLS_FAILED)
        return Reason(rules.NOT_CONNECTED)
    if isinstance(error, (httpx.ProtocolError, httpx.DecodingError)):
        return Reason(rules.INVALID_REPLY)
    return Reason(rules.NOT_CONNECTED)


def _causes(error: BaseException) -> list[BaseException]:
    found, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found.append(current)
        current = current.__cause__ or current.__context__
    return found
