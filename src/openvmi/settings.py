"""Runtime configuration, read once from the environment (prefix OPENVMI_) and passed in."""
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENVMI_", env_file=".env", extra="ignore")

    # Embedded default: a SQLite file under ./var; production sets a postgresql+psycopg:// URL.
    database_url: str = "sqlite:///" + str(Path("var") / "openvmi.db")
    secret_key: str = "change-me-in-production"
    host: str = "127.0.0.1"
    port: int = 8000
    access_token_hours: int = 12
    secure_cookies: bool = False
    login_max_failures: int = 5
    login_lockout_seconds: int = 300
    default_locale: str = "en"
    # Dates and times on portal pages are shown in this zone (stored values stay UTC).
    timezone: str = "Asia/Shanghai"
