"""Runtime configuration, read once from the environment (prefix OPENVMI_) and passed in."""
from pathlib import Path
from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENVMI_", env_file=".env", extra="ignore")

    # Embedded default: a SQLite file under ./var; production sets a postgresql+psycopg:// URL.
    database_url: str = "sqlite:///" + str(Path("var") / "openvmi.db")
    secret_key: str = "change-me-in-production"
    host: str = "127.0.0.1"
    port: int = 8000
    access_token_hours: int = 12
    secure_cookies: bool = False
    default_locale: str = "en"
    # Dates and times on portal pages are shown in this zone (stored values stay UTC).
    timezone: str = "Asia/Shanghai"
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
    # Supplier stock files bigger than this are queued and imported in the background (the portal
    # shows their progress; the API does so when asked with `Prefer: respond-async`).
    import_background_bytes: int = 4 * 1024 * 1024
    import_storage_dir: Path = Path("var") / "imports"  # where queued uploads wait; shared by all runners
    import_runner: bool = True  # this process runs queued imports in a background thread
    import_lease_seconds: int = 900  # a runner that dies gives its import back after this
    import_max_attempts: int = 3  # then the import fails instead of killing runner after runner
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
