"""Portal downloads of a statement (PDF, XLSX, CSV) for finance and the statement's supplier: one
address per format, so each is a plain link."""
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.settlement.exports.downloads import FORMATS, statement_download
from openvmi.web.deps import DbSession
from openvmi.web.portal import PortalFeature, portal_router
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("settlement_statements.read"))]


def _download(format: str) -> Callable[..., Response]:
    def export_statement(statement_id: Id, request: Request, session: DbSession, _: Reader) -> Response:
        return statement_download(request, session, statement_id, format)

    return export_statement


for _format in FORMATS:
    router.add_api_route(f"/settlement/statements/{{statement_id}}/export.{_format}", _download(_format),
                         methods=["GET"], name=f"export_statement_{_format}")

feature = PortalFeature(router=router)
