"""Portal downloads of a statement (PDF, XLSX, CSV) for finance and the statement's supplier."""
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.settlement.exports.downloads import statement_download
from openvmi.web.deps import DbSession
from openvmi.web.portal import PortalFeature, portal_router
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("settlement_statements.read"))]


@router.get("/settlement/statements/{statement_id}/export.{format}")
def export_statement(statement_id: Id, format: Literal["pdf", "xlsx", "csv"], request: Request, session: DbSession,
                     _: Reader) -> Response:
    return statement_download(request, session, statement_id, format)


feature = PortalFeature(router=router)
