"""Runtime configuration, read once from the environment (prefix OPENVMI_) and passed in."""
import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The embedded default database and the secret key that ships in the source: together they are a
# developer's first start; anything else must set its own key (default_secret_key_refusal).
DEFAULT_DATABASE_URL = "sqlite:///" + str(Path("var") / "openvmi.db")
DEFAULT_SECRET_KEY = "change-me-in-production"

# `openvmi serve` starts one process per core, but no more than this by default: each keeps a pool of up to
# 15 connections (4 of them and a worker stay within PostgreSQL's default max_connections of 100) and
# ~185 MiB of memory, and on SQLite every process queues for the same write lock.
MAX_DEFAULT_SERVE_PROCESSES = 4


def cores_available() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENVMI_", env_file=".env", extra="ignore")

    # Embedded default: a SQLite file under ./var; production sets a postgresql+psycopg:// URL.
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEFAULT_SECRET_KEY
    host: str = "127.0.0.1"
    port: int = 8000
    # Server processes of `openvmi serve` (its --workers); unset: one per core, at most
    # MAX_DEFAULT_SERVE_PROCESSES. A process runs its Python on one core at a time, so each core
    # needs its own, on SQLite too (docs/decisions.md, "One process per core, also on SQLite").
    workers: int | None = Field(default=None, ge=1, le=64)
    # `openvmi serve --workers N`: uvicorn's supervisor replaces a server process that does not answer
    # its ping within this many seconds. Its own default (5) killed processes still starting on a busy
    # machine (a process needs seconds of CPU to import the app) and started new ones, for ever.
    worker_healthcheck_seconds: int = 60
    access_token_hours: int = 12
    secure_cookies: bool = False
    default_locale: str = "en"
    # Dates and times on portal pages are shown in this zone (stored values stay UTC).
    timezone: str = "Asia/Shanghai"

    # --- Requests and the database (issue 14) ---------------------------------------------------
    # Request bodies: JSON and forms up to max_body_bytes; a stock file upload (its whole multipart
    # body) up to max_upload_bytes. Bigger ones get 413 before they are read: by Content-Length, or
    # as soon as a chunked body passes the limit.
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 256 * 1024 * 1024
    # How long the database may keep a web request waiting; past that the answer is 503 with
    # Retry-After, and a down database is 503 too, never 500.
    db_connect_timeout_seconds: int = 5  # opening a PostgreSQL connection (psycopg waits at least 2)
    db_statement_timeout_seconds: float = 30  # one statement of a web request on PostgreSQL; 0: none
    db_busy_timeout_seconds: float = 5  # SQLite: how long a writer waits for the single write lock
    retry_after_seconds: int = 5  # what a 503 answer asks the client to wait

    def engine_options(self, *, web: bool = True) -> dict[str, Any]:
        """The timeouts above as db.create_db_engine takes them. Commands and the worker (web=False)
        keep only the connect timeout: they may run long statements on purpose (an import of
        millions of rows) and wait for SQLite's write lock as long as db.py's default."""
        if not web:
            return {"connect_timeout": self.db_connect_timeout_seconds}
        return {"connect_timeout": self.db_connect_timeout_seconds, "busy_timeout": self.db_busy_timeout_seconds,
                "statement_timeout": self.db_statement_timeout_seconds}

    def serve_processes(self) -> int:
        return self.workers or min(cores_available(), MAX_DEFAULT_SERVE_PROCESSES)

    @property
    def keep_checked(self) -> timedelta:
        """How long a checked upload (a stock file's or a demand plan's dry run) is kept for its confirmation."""
        return timedelta(minutes=self.import_keep_checked_minutes)

    def default_secret_key_refusal(self) -> str | None:
        """Why the web app must not start with this configuration, or None. The secret key signs the
        portal's session cookies and the default one is in the source for anyone to read: it is
        tolerated only with the embedded SQLite default, a first start on a developer's machine."""
        if self.secret_key != DEFAULT_SECRET_KEY or self.database_url == DEFAULT_DATABASE_URL:
            return None
        return ("OPENVMI_SECRET_KEY is the default from the source code, with which anyone can forge a portal "
                "session; it is allowed only with the default embedded SQLite database. Set OPENVMI_SECRET_KEY "
                "to a long random value in the environment or in .env, e.g. the output of "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")

    # Notifications (alerts feature): e-mail leaves over SMTP only when smtp_host is set; until
    # then e-mail rows wait in the outbox. The worker retries failures with exponential back-off.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "OpenVMI <openvmi@localhost>"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10
    webhook_timeout_seconds: float = 10
    outbox_max_attempts: int = 8
    outbox_retry_base_seconds: int = 30
    outbox_retry_cap_seconds: int = 3600
    outbox_lease_seconds: int = 300  # a claimed row returns to the queue if its worker dies
    outbox_batch_size: int = 50
    worker_poll_seconds: float = 5
    # Each web process also delivers notifications and sweeps alerts (stale data) in background
    # threads, so an embedded install needs no `openvmi worker` and no cron job. Production may set
    # it false and run `openvmi worker` (which does both) as its own service.
    embedded_worker: bool = True
    alert_sweep_seconds: float = 3600  # how often that sweep (and `openvmi worker`'s) runs
    # Supplier stock files bigger than this are queued and imported in the background (the portal
    # shows their progress; the API does so when asked with `Prefer: respond-async`).
    import_background_bytes: int = 4 * 1024 * 1024
    import_storage_dir: Path = Path("var") / "imports"  # where queued uploads wait; shared by all runners
    import_runner: bool = True  # this process runs queued imports in a background thread
    import_lease_seconds: int = 900  # a runner that dies gives its import back after this
    import_max_attempts: int = 3  # then the import fails instead of killing runner after runner
    # A checked upload (dry run) is kept this long in import_storage_dir: its uploader confirms it
    # (or checks it again after fixing a site alias) without sending the file again.
    import_keep_checked_minutes: int = 60
    # Invoice PDFs (settlement.invoices) are kept here, outside the database, named by their SHA-256.
    invoice_storage_dir: Path = Path("var") / "invoices"
    invoice_max_pdf_bytes: int = 10 * 1024 * 1024
    # The statement PDF's font (CJK glyphs, embedded); empty: found with fontconfig (fc-match :lang=zh).
    pdf_font_path: Path | None = None
    # --- Hostile spreadsheets (issue 14) ---------------------------------------------------------
    # An XLSX is a zip of XML files: a small upload can inflate to gigabytes. These bound what one
    # may inflate to and what is held in memory while it is read; a file over one is refused with
    # a message naming the limit. docs/decisions.md "Hostile files and queued imports" has the why.
    xlsx_max_parts: int = 1000  # files inside the archive (a workbook with a few sheets has ~20)
    xlsx_max_total_mb: int = 1024  # all parts inflated
    xlsx_max_ratio: int = 100  # inflated / compressed size of a part over 1 MB (Apache POI's default)
    xlsx_max_sheet_mb: int = 512  # a worksheet, read as a stream (1M rows with inline strings: ~370 MB)
    xlsx_max_shared_strings_mb: int = 32  # the text table, held in memory while the sheet is read
    xlsx_max_part_mb: int = 16  # any other part (workbook.xml, styles ...), parsed whole
    xlsx_max_rows: int = 1_048_576  # Excel's own limit: a row number past it is not a real workbook
    xlsx_max_columns: int = 256  # a stock list has about ten; cells right of the header are never read
    xlsx_max_row_kb: int = 1024  # one row's XML, built whole while parsing
    xlsx_max_extra_kb: int = 8192  # a sheet's XML outside its rows (column widths, merges, ...)

    # --- Accounts and webhook targets (issue 14; docs/decisions.md "Accounts and webhook targets") ---
    # Log-in throttling counts per account and client address (auth.rules): an address that fails
    # login_max_failures times in a row waits login_delay_seconds, doubled after each further
    # failure up to login_max_delay_seconds. Once an account has login_account_max_failures recent
    # failures from all addresses together, an address that has not logged in to it within
    # login_known_address_days gets one try before it waits. No address ever waits because of
    # another address's failures before its own first try: a pause is never a lock-out.
    login_max_failures: int = 5
    login_delay_seconds: int = 60
    login_max_delay_seconds: int = 3600
    login_account_max_failures: int = 20
    login_failure_window_seconds: int = 24 * 3600  # older failures are forgotten
    login_known_address_days: int = 90
    # Webhooks go to public addresses only. Listed here (comma-separated), a host name is trusted
    # whatever it resolves to, and an IP address or network is allowed however it is named:
    # OPENVMI_WEBHOOK_ALLOWED_HOSTS=erp.corp.example,10.1.2.0/24
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = []

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [entry.strip() for entry in value.split(",") if entry.strip()]
        return value
