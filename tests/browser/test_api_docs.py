"""The API docs page (/docs) in a real browser without internet: Swagger UI comes from the app
itself, renders every operation, and the page asks no other host for anything and breaks no rule
of its Content-Security-Policy."""
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_docs_render_from_the_apps_own_assets(new_page, live_server):
    page = new_page()
    own_host = urlsplit(live_server).netloc
    elsewhere, refusals = [], []
    # no internet here: whatever goes elsewhere is refused and noted
    page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == own_host
               else (elsewhere.append(route.request.url), route.abort()))
    page.on("console", lambda message: refusals.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: refusals.append(str(error)))

    page.goto("/docs")

    # the first /openapi.json of a server builds the whole document: seconds on a busy machine
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OpenVMI", timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/auth/token")).to_be_visible()
    # tag headings (past some number of operations Swagger UI lists them virtually, without sections)
    expect(page.locator(".opblock-tag")).not_to_have_count(0)
    page.locator(".opblock-summary-path", has_text="/api/v1/auth/token").click()  # an operation opens
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert elsewhere == []
    assert refusals == []
