"""The interactive API documentation (/docs): Swagger UI served from the app's own static files
(npm swagger-ui-dist, copied by make), under the portal's Content-Security-Policy, so it works
without internet access and loads nothing from elsewhere."""
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from openvmi.web.i18n import N_
from openvmi.web.rendering import render


def mount_api_docs(app: FastAPI, *, path: str = "/docs") -> None:
    """Serve the docs page at `path` for the app's OpenAPI document (after mount_portal: it renders
    with the portal's templates)."""

    @app.get(path, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        return render(request, "api_docs.html", title=N_("API documentation"), openapi_url=app.openapi_url)
