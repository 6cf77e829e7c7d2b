"""Runs queued supplier stock imports in a background thread of each web process (and of
`openvmi worker`). Runners claim an import with a lease, so several processes share the queue and
an import whose runner died is taken up again once its lease runs out; the import itself is one
transaction, so a dead runner left nothing half-written. A busy database (another writer holds
SQLite's lock) fails nothing: the runner keeps its claim and tries again after its poll interval."""
import logging
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from openvmi.db import commit_refusal, database_failure, utcnow, without_statement_timeout
from openvmi.errors import InvalidImportFile, Reason
from openvmi.jobs.worker import new_worker_id
from openvmi.planning import service as planning_service
from openvmi.settings import Settings
from openvmi.supplier_stock import queries
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.supplier_stock.service import import_queue

log = logging.getLogger(__name__)


class ImportRunner:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings, *,
                 reads: sessionmaker[Session] | None = None) -> None:
        self.sessions = sessions
        self.reads = reads or sessions  # read-only sessions, which never wait for a writer on SQLite
        self.settings = settings
        # (id, stored file, attempts) of the import this runner claimed and has not run yet
        self._claimed: tuple[int, str | None, int] | None = None
        self.worker_id = new_worker_id()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="openvmi-imports", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """A new import was queued: look now instead of at the next poll."""
        self._wake.set()

    def run_pending(self) -> int:
        """Run queued imports until none is left; how many were run."""
        count = 0
        while not self._stop.is_set() and self.run_one():
            count += 1
        return count

    def sweep_orphan_files(self) -> int:
        """Delete kept uploads no import (or demand plan check) waits for; a file younger than a lease may still be on its
        way into an import (its request has not committed yet)."""
        grace = timedelta(seconds=self.settings.import_lease_seconds)
        with self.reads() as session:  # it only reads: it must not queue behind a writer (SQLite)
            removed = import_queue.sweep_orphan_files(session, self.settings.import_storage_dir,
                                                      modified_before=utcnow() - grace)
            removed += planning_service.sweep_kept_plan_files(session, self.settings.import_storage_dir,
                                                              modified_before=utcnow() - grace)
        for path in removed:
            log.warning("deleted %s: no import waits for it", path)
        return len(removed)

    def run_one(self) -> bool:
        """Run the next queued import. False when none is left, or when the database is busy: the
        claim is kept and the same import is tried first on the next pass."""
        try:
            self._claimed = self._claimed or self._claim()
            if self._claimed is None:
                return False
            import_id, stored_file, attempts = self._claimed
            if attempts > self.settings.import_max_attempts:
                self._fail(import_id, Reason("the import was interrupted %(times)s times; send the file again or "
                                             "split it", times=attempts - 1))
            else:
                self._run(import_id)
            self._claimed = None
        except DBAPIError as error:
            if database_failure(error) != "busy":
                raise
            log.info("queued imports wait: another writer holds the database; next try in %ss",
                     self.settings.worker_poll_seconds)
            return False
        with self.reads() as session:
            finished = queries.import_finished(session, import_id)
        if finished and stored_file:
            Path(stored_file).unlink(missing_ok=True)
        return True

    def _claim(self) -> tuple[int, str | None, int] | None:
        with self.sessions() as session:
            batch = import_queue.claim_queued_import(session, worker_id=self.worker_id, now=utcnow(),
                                                     lease=timedelta(seconds=self.settings.import_lease_seconds))
            session.commit()
            return None if batch is None else (batch.id, batch.stored_file, batch.attempts)

    def _run(self, import_id: int) -> None:
        with self.sessions() as session:
            try:
                without_statement_timeout(session)  # a big file's statements run long on purpose
                with commit_refusal(session, InvalidImportFile):
                    import_queue.run_queued_import(session, import_id, worker_id=self.worker_id,
                                                   xlsx_limits=XlsxLimits.from_settings(self.settings))
                session.commit()
            except InvalidImportFile:
                pass  # rejected: the batch keeps the bad rows for its uploader to read
            except Exception as error:
                session.rollback()
                if database_failure(error) == "busy":
                    raise  # not the import's fault: run_one keeps the claim and tries again
                log.exception("supplier stock import %s failed", import_id)
                self._fail(import_id, Reason("an unexpected error stopped the import; nothing was changed "
                                             "(the server log has the details)"))

    def _fail(self, import_id: int, reason: Reason) -> None:
        with self.sessions() as session:
            import_queue.fail_import(session, import_id, reason, worker_id=self.worker_id)
            session.commit()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_pending()
                self.sweep_orphan_files()
            except Exception as error:  # noqa: BLE001 - database down or not migrated yet: the thread stays
                log.error("import runner pass failed, retrying in %ss: %s", self.settings.worker_poll_seconds, error)
            self._wake.wait(self.settings.worker_poll_seconds)
            self._wake.clear()
