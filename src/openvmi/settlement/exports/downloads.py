"""Statement downloads for the API and the portal alike: the printable PDF, an XLSX for people and a CSV
of lines for the buyer's ERP. Every text cell goes through web.exports, which neutralises formulas."""
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from openvmi.parties import queries as parties
from openvmi.settlement.exports.fonts import find_cjk_font
from openvmi.settlement.exports.pdf import statement_pdf
from openvmi.settlement.statements import queries as statements
from openvmi.settlement.statements.schemas import StatementRead
from openvmi.web.exports import export_response
from openvmi.web.i18n import N_
from openvmi.web.rendering import request_words, translate

FORMATS = ("pdf", "xlsx", "csv")
# The ERP reads fixed English column names whatever the reader's language (docs/decisions.md).
ERP_COLUMNS = ("statement_id", "supplier_code", "period_start", "period_end", "currency", "line_id", "kind",
               "item_code", "item_name", "quantity", "unit", "unit_price", "tax_rate_percent", "net_amount",
               "price_day", "reverses_line_id")
SHEET_COLUMNS = (N_("Line"), N_("Kind"), N_("Item"), N_("Name"), N_("Quantity"), N_("Unit"), N_("Unit price"),
                 N_("Tax rate"), N_("Net"), N_("Price day"))


def statement_download(request: Request, session: Session, statement_id: int, format: str) -> Response:
    """The statement as `format` (pdf, xlsx or csv) in the reader's language; NotFound as the statement."""
    statement = statements.describe_statement(session, statement_id)
    filename = f"statement-{statement.id}-{statement.supplier_code}-{statement.period_start:%Y%m}"
    timezone = request.app.state.settings.timezone
    if format == "pdf":
        body = statement_pdf(statement, buyer_name=parties.get_buyer(session).name, words=request_words(request),
                             font=find_cjk_font(request.app.state.settings.pdf_font_path))
        return Response(body, media_type="application/pdf", headers={
            "Content-Disposition": f"attachment; filename=\"{filename}.pdf\"; filename*=UTF-8''{quote(filename)}.pdf",
            "Cache-Control": "no-store"})
    if format == "csv":
        return export_response("csv", filename=filename, headers=ERP_COLUMNS, rows=_erp_rows(statement),
                               timezone=timezone)
    headers = [translate(request, column) for column in SHEET_COLUMNS]
    return export_response("xlsx", filename=filename, headers=headers, rows=_sheet_rows(request, statement),
                           timezone=timezone)


def _erp_rows(statement: StatementRead) -> list[list[Any]]:
    return [[statement.id, statement.supplier_code, statement.period_start, statement.period_end, statement.currency,
             line.id, line.kind.value, line.item_code, line.item_name, line.quantity, line.unit, line.unit_price,
             line.tax_rate_percent, line.net_amount, line.price_day, line.reverses_line_id]
            for line in statement.lines]


def _sheet_rows(request: Request, statement: StatementRead) -> list[list[Any]]:
    rows: list[list[Any]] = [[line.id, translate(request, line.kind.label), line.item_code, line.item_name,
                              line.quantity, line.unit, line.unit_price, line.tax_rate_percent, line.net_amount,
                              line.price_day] for line in statement.lines]
    rows.append([])
    for rate in statement.by_rate:
        rows.append([translate(request, N_("Tax %(rate)s %%"), rate=rate.tax_rate_percent), "", "", "", "", "", "",
                     rate.tax_rate_percent, rate.net, rate.tax])
    for label, value in ((N_("Net"), statement.net), (N_("Tax"), statement.tax), (N_("Gross"), statement.gross)):
        rows.append([translate(request, label), "", "", "", "", "", "", "", value, statement.currency])
    rows.append([translate(request, "Supplier"), statement.supplier_name, statement.supplier_code])
    return rows
