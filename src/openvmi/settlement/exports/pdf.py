"""The statement as a PDF a finance clerk prints and signs: both companies, the period, every line, tax
per rate, totals and two signature boxes, in the reader's language, its CJK font embedded (fpdf2
subsets the TrueType font into the file, so any reader shows the Chinese names)."""
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from openvmi.alerts.wording import Words
from openvmi.enums import N_
from openvmi.settlement.rules import SettlementKind, currency_places
from openvmi.settlement.statements.rules import StatementState
from openvmi.settlement.statements.schemas import StatementRead

FONT = "statement-cjk"
# (msgid, width in mm, right-aligned): the lines table of an A4 page (190 mm between the margins)
COLUMNS = ((N_("Item"), 30, False), (N_("Name"), 50, False), (N_("Kind"), 22, False), (N_("Quantity"), 22, True),
           (N_("Unit price"), 22, True), (N_("Tax rate"), 14, True), (N_("Net"), 30, True))


def statement_pdf(statement: StatementRead, *, buyer_name: str, words: Words, font: Path) -> bytes:
    """The statement's printable PDF in `words`' language, with `font` (TrueType, Chinese glyphs) embedded."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(words.text(N_("Statement #%(id)s"), id=statement.id))
    pdf.set_creator("OpenVMI")
    pdf.add_font(FONT, "", str(font))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    text = words.text

    def line(value: str, *, size: float = 10, height: float = 6) -> None:
        pdf.set_font(FONT, size=size)
        pdf.cell(0, height, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def money(value: Decimal) -> str:
        return f"{amount(value, statement.currency)} {statement.currency}"

    line(text(N_("Settlement statement #%(id)s"), id=statement.id), size=16, height=10)
    line(text(N_("Buyer: %(name)s"), name=buyer_name))
    line(text(N_("Supplier: %(name)s (%(code)s)"), name=statement.supplier_name, code=statement.supplier_code))
    line(text(N_("Period: %(start)s to %(end)s"), start=statement.period_start.isoformat(),
              end=statement.period_end.isoformat()))
    line(text(N_("Currency: %(currency)s · State: %(state)s"), currency=statement.currency,
              state=text(StatementState(statement.state).label)))
    pdf.ln(3)

    pdf.set_font(FONT, size=8)
    for msgid, width, right in COLUMNS:
        pdf.cell(width, 6, text(msgid), border=1, align="R" if right else "L")
    pdf.ln()
    for row in statement.lines:
        cells = (row.item_code, row.item_name, text(SettlementKind(row.kind).label),
                 f"{words.number(row.quantity)} {row.unit}", words.number(row.unit_price),
                 f"{words.number(row.tax_rate_percent)}%", amount(row.net_amount, statement.currency))
        for (_, width, right), value in zip(COLUMNS, cells, strict=True):
            pdf.cell(width, 6, _fit(pdf, value, width), border=1, align="R" if right else "L")
        pdf.ln()
    pdf.ln(3)

    pdf.set_font(FONT, size=9)
    for header in (text(N_("Tax rate")), text(N_("Net")), text(N_("Tax"))):
        pdf.cell(40, 6, header, border=1, align="R")
    pdf.ln()
    for rate in statement.by_rate:
        for value in (f"{words.number(rate.tax_rate_percent)}%", money(rate.net), money(rate.tax)):
            pdf.cell(40, 6, value, border=1, align="R")
        pdf.ln()
    pdf.ln(2)
    for label, value in ((text(N_("Net")), statement.net), (text(N_("Tax")), statement.tax),
                         (text(N_("Gross")), statement.gross)):
        pdf.set_font(FONT, size=11)
        pdf.cell(120, 7, label, align="R")
        pdf.cell(70, 7, money(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)

    # Two boxes side by side: each company signs and stamps its copy.
    if pdf.get_y() > 240:
        pdf.add_page()
    top = pdf.get_y()
    for index, (who, name) in enumerate(((text(N_("Buyer (finance)")), buyer_name),
                                         (text(N_("Supplier")), statement.supplier_name))):
        x = pdf.l_margin + index * 97
        pdf.rect(x, top, 93, 38)
        pdf.set_xy(x + 2, top + 2)
        pdf.set_font(FONT, size=9)
        pdf.cell(89, 5, f"{who}: {_fit(pdf, name, 60)}")
        pdf.set_xy(x + 2, top + 20)
        pdf.cell(89, 5, text(N_("Signature:")))
        pdf.set_xy(x + 2, top + 28)
        pdf.cell(89, 5, text(N_("Date and company seal:")))
    return bytes(pdf.output())


def amount(value: Decimal, currency: str) -> str:
    """An amount with the currency's decimal places, thousands grouped (40.00, 1,234.50; JPY 1,235)."""
    return f"{value:,.{currency_places(currency)}f}"


def _fit(pdf: FPDF, value: str, width: float) -> str:
    """`value` cut with an ellipsis to fit `width` mm in the current font (a long item name stays on its row)."""
    if pdf.get_string_width(value) <= width - 2:
        return value
    while value and pdf.get_string_width(value + "…") > width - 2:
        value = value[:-1]
    return value + "…"
