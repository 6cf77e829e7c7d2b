"""The periodic work of an embedded install, in a thread of the web process: notification delivery,
the alert sweep (stale data, thresholds, VMI levels) and the sweep of orphaned invoice PDFs, so `make run` needs no cron job and no second process. Production
may turn it off (OPENVMI_EMBEDDED_WORKER=false) and run `openvmi worker` instead; running both is
safe (deliveries are leased, the sweep is edge-triggered)."""
import logging
import threading
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from openvmi.alerts.schemas import WorkerPass
from openvmi.jobs.alerts import sweep_every_alert
from openvmi.jobs.settlement import sweep_invoice_files
from openvmi.jobs.worker import run_forever
from openvmi.settings import Settings

log = logging.getLogger(__name__)


class BackgroundWork:
    """Two daemon threads: deliveries (jobs.worker.run_forever) and the hourly sweeps (alerts, invoice files)."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, *,
                 report: Callable[[WorkerPass], None] = lambda _: None) -> None:
        self.sessions = sessions
        self.settings = settings
        self.report = report
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._threads = [
            threading.Thread(target=run_forever, args=(self.sessions, self.settings),
                             kwargs={"stop": self._stop, "report": self.report}, name="openvmi-deliveries",
                             daemon=True),
            threading.Thread(target=self._sweep_loop, name="openvmi-sweep", daemon=True)]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def _sweep_loop(self) -> None:
        while not self._stop.is_set():
            swept = self.sweep_once()
            self._stop.wait(self.settings.alert_sweep_seconds if swept else self.settings.worker_poll_seconds)

    def sweep_once(self) -> bool:
        """Open and resolve stale-data, threshold and VMI alerts, and delete invoice PDFs no invoice
        names. A busy or absent database is tried again after the worker's poll interval, not a whole
        sweep interval later."""
        try:
            result = sweep_every_alert(self.sessions)
            removed = sweep_invoice_files(self.sessions, self.settings)
        except (DBAPIError, OSError) as error:
            log.warning("sweep failed, retrying in %ss: %s", self.settings.worker_poll_seconds, error)
            return False
        if result.opened or result.resolved:
            log.info("alert sweep: %s opened, %s resolved", result.opened, result.resolved)
        for path in removed:
            log.warning("deleted %s: no invoice names it (its upload was rolled back)", path)
        return True
