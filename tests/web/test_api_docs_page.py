"""/docs is the app's own page: its Swagger UI assets are served by the app, under the portal's CSP
(the browser journey in tests/browser/test_api_docs.py shows it renders offline)."""
import re

from openvmi.web.rendering import CONTENT_SECURITY_POLICY


def test_the_docs_page_loads_only_assets_the_app_serves_under_the_portals_csp(api_client):
    page = api_client.get("/docs", headers={"Accept-Language": "zh-CN"})
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)

    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "<title>API 文档 · OpenVMI</title>" in page.text
    assert "<script>" not in page.text and "//" not in "".join(assets)
    assert [api_client.get(asset).status_code for asset in assets] == [200] * 3
    assert api_client.get("/openapi.json").json()["info"]["title"] == "OpenVMI"
