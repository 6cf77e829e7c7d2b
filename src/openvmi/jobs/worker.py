"""The notification worker: claims due outbox rows (a lease), delivers them outside any
transaction, records each outcome. One pass = two short transactions around the deliveries."""
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import httpx
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from openvmi.alerts import delivery, wording
from openvmi.alerts import queries as alerts_queries
from openvmi.alerts import service as alerts_service
from openvmi.alerts.rules import Channel
from openvmi.alerts.schemas import DeliveryJob, DeliveryOutcome, WorkerPass
from openvmi.db import utcnow
from openvmi.settings import Settings
from openvmi.web.i18n import Words

log = logging.getLogger(__name__)


def new_worker_id() -> str:
    """Unique per process, so a late outcome from a worker whose lease expired is ignored."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def deliverable_channels(settings: Settings) -> list[Channel]:
    """E-mail waits in the outbox (not failing, not lost) until SMTP is configured."""
    return [Channel.WEBHOOK, Channel.EMAIL] if settings.smtp_host else [Channel.WEBHOOK]


def run_once(sessions: sessionmaker[Session], settings: Settings, *, worker_id: str, client: httpx.Client,
             now: datetime | None = None) -> WorkerPass:
    """Claim one batch, deliver it, record the outcomes. `now` lets tests move the clock."""
    claimed_at = now or utcnow()
    with sessions() as session:
        jobs = alerts_service.claim_due_messages(
            session, deliverable_channels(settings), worker_id=worker_id, now=claimed_at,
            lease=timedelta(seconds=settings.outbox_lease_seconds), limit=settings.outbox_batch_size)
        session.commit()  # the lease is visible to other workers before anything is sent
        locales = alerts_queries.recipient_locales(
            session, [job.payload["user_id"] for job in jobs if "user_id" in job.payload])
    jobs = [worded(job, locales, settings) for job in jobs]
    if not jobs:
        return WorkerPass()
    outcomes = []
    for job in jobs:
        error = delivery.deliver(job, settings, client=client, timestamp=int(utcnow().timestamp()))
        if error:
            log.warning("outbox %s (%s to %s) attempt %s failed: %s", job.id, job.channel, job.recipient,
                        job.attempts, error)
        outcomes.append(DeliveryOutcome(id=job.id, error=error))
    with sessions() as session:
        result = alerts_service.record_outcomes(
            session, outcomes, worker_id=worker_id, now=now or utcnow(),
            max_attempts=settings.outbox_max_attempts, retry_base_seconds=settings.outbox_retry_base_seconds,
            retry_cap_seconds=settings.outbox_retry_cap_seconds)
        session.commit()
    return result


def worded(job: DeliveryJob, locales: dict[int, str | None], settings: Settings) -> DeliveryJob:
    """An e-mail written now, in its recipient's current language; the outbox keeps only its facts."""
    content = job.payload.get("content")
    if job.channel != Channel.EMAIL or content is None:
        return job  # a webhook document, or an e-mail written before wording moved to send time
    words = Words.preferred(locales.get(job.payload.get("user_id")), default=settings.default_locale,
                            timezone=settings.timezone)
    return replace(job, payload={"to": job.payload["to"], "subject": f"[OpenVMI] {wording.title(words, content)}",
                                 "text": wording.body(words, content)})


def run_forever(sessions: sessionmaker[Session], settings: Settings, *, stop: threading.Event,
                report: Callable[[WorkerPass], None] = lambda _: None) -> None:
    """Deliver until `stop` is set; sleeps only when a pass found less than a full batch."""
    worker_id = new_worker_id()
    with delivery.webhook_client() as client:
        while not stop.is_set():
            try:
                result = run_once(sessions, settings, worker_id=worker_id, client=client)
            except DBAPIError as error:  # database restarting, unreachable or not migrated yet: wait, go on
                log.error("outbox pass failed, retrying in %ss: %s", settings.worker_poll_seconds, error)
                stop.wait(settings.worker_poll_seconds)
                continue
            if result.claimed:
                report(result)
            if result.claimed < settings.outbox_batch_size:
                stop.wait(settings.worker_poll_seconds)
