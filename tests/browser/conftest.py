"""Browser journeys: the real app under uvicorn on a loopback port, driven by Debian's Chromium.

One server (a fresh SQLite file with the demo company) and one browser per test session; each
test gets its own browser context (cookies). Outside CI a missing Chromium skips with the
reason; under CI=true it fails, because these journeys are the acceptance test of the portal.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from openvmi import migrations
from openvmi.db import create_db_engine, create_session_factory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
IN_CI = os.environ.get("CI", "").lower() == "true"
BIG_FILE_BYTES = 4096
# `make screenshots` refreshes the README's pictures; an ordinary run leaves the work tree alone.
SCREENSHOTS = Path(os.environ.get("OPENVMI_SCREENSHOTS") or Path(tempfile.gettempdir()) / "openvmi-screenshots")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    reason = f"Chromium not found at {CHROMIUM} (`make` installs it: apt-get install chromium)"
    if IN_CI:
        pytest.fail(f"{reason}; CI=true: browser tests may not be skipped")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    migrations.upgrade(url)
    return url


@pytest.fixture(scope="session")
def live_server(demo_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app, as `openvmi serve` runs it, on 127.0.0.1 and a free port, with the demo company.
    Stock files above 4 KB go to its background import runner (BIG_FILE_BYTES)."""
    from openvmi.jobs.demo import load_demo

    _require_chromium()
    port = _free_port()
    env = {**os.environ, "OPENVMI_DATABASE_URL": demo_database, "OPENVMI_SECRET_KEY": "browser-test-secret",
           "OPENVMI_IMPORT_BACKGROUND_BYTES": str(BIG_FILE_BYTES),
           "OPENVMI_IMPORT_STORAGE_DIR": str(tmp_path_factory.mktemp("imports"))}
    # The server starts (imports) while the demo loads; it reads the database only per request.
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "openvmi.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        engine = create_db_engine(demo_database)
        with create_session_factory(engine)() as session:
            load_demo(session)
            session.commit()
        engine.dispose()
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"the app exited with {server.returncode} before answering")
                time.sleep(0.1)
        else:
            pytest.fail("the app did not answer /healthz")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(live_server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (no cookies) with a given language and viewport."""
    contexts = []

    def open_page(*, locale: str = "en-US", viewport: dict | None = None):
        context = browser.new_context(base_url=live_server, locale=locale,
                                      viewport=viewport or {"width": 1280, "height": 860})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """Save <name>.png into SCREENSHOTS (docs/screenshots under `make screenshots`)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def log_in(page, username: str, password: str | None = None) -> None:
    """Log in through the form, as a person would (the demo passwords are `<username>-demo`)."""
    page.goto("/login")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(password or f"{username}-demo")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def go_to(page, entry: str) -> None:
    """Follow a main-navigation link by its visible name."""
    import re

    page.get_by_role("navigation", name=re.compile("Main navigation|主导航")).get_by_role(
        "link", name=entry, exact=True).click()
