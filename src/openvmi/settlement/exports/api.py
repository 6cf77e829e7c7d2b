"""JSON API downloads of a statement: PDF to print and sign, XLSX, CSV of lines for the ERP."""
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.settlement.exports.downloads import statement_download
from openvmi.web.deps import DbSession, requires

router = APIRouter(prefix="/settlement/statements", tags=["settlement"])
Reader = Annotated[Actor, Depends(requires("settlement_statements.read"))]


@router.get("/{statement_id}/export.{format}", response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "text/csv": {}}}})
def export_statement(statement_id: Id, format: Literal["pdf", "xlsx", "csv"], request: Request, session: DbSession,
                     _: Reader) -> Response:
    """The statement as a PDF (in the caller's Accept-Language, CJK font embedded), XLSX, or a CSV of its
    lines with fixed column names for the buyer's ERP."""
    return statement_download(request, session, statement_id, format)
