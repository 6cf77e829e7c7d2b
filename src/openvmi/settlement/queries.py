"""Read models of settlement lines: the API's keyset pages, people's lists and exports, and totals per
currency. A supplier's session sees only its own lines (scoping), so its totals are its own too."""
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item
from openvmi.db import quantize
from openvmi.ledger import queries as ledger_queries
from openvmi.listing import ListPage, ListRequest, fetch_all, fetch_list_page, like_pattern
from openvmi.pagination import fetch_page, where_given
from openvmi.parties.models import Party
from openvmi.settlement import rules
from openvmi.settlement.models import SettlementLine, StatementLine
from openvmi.settlement.schemas import CurrencyTotal, LineFilter, SettlementLineRead, SettlementLinePage

# A line is on a statement once its membership row exists; the lines on none are the anti-join `~ON_A_STATEMENT`.
ON_A_STATEMENT: ColumnElement[bool] = exists().where(StatementLine.line_id == SettlementLine.id)
_DESCRIBED = (SettlementLine, Party.code, Item.code, Item.name, Item.unit,
              ledger_queries.place_held_by(SettlementLine.move_id, SettlementLine.supplier_id).label("location_code"))
LINE_SORTS = {"occurred_at": SettlementLine.occurred_at, "price_day": SettlementLine.price_day,
              "supplier_code": Party.code, "item_code": Item.code_sort_key, "quantity": SettlementLine.quantity,
              "net_amount": SettlementLine.net_amount, "kind": SettlementLine.kind}


def _wanted(statement: Select[Any], filters: LineFilter) -> Select[Any]:
    statement = where_given(statement, (SettlementLine.supplier_id, filters.supplier_id),
                            (SettlementLine.item_id, filters.item_id),
                            (SettlementLine.agreement_id, filters.agreement_id),
                            (SettlementLine.kind, filters.kind and filters.kind.value))
    if filters.since is not None:
        statement = statement.where(SettlementLine.price_day >= filters.since)
    if filters.until is not None:
        statement = statement.where(SettlementLine.price_day <= filters.until)
    if filters.on_statement is not None:
        statement = statement.where(ON_A_STATEMENT if filters.on_statement else ~ON_A_STATEMENT)
    return statement


def _described(filters: LineFilter, search: str | None = None) -> Select[Any]:
    statement = _wanted(select(*_DESCRIBED).join(Party, Party.id == SettlementLine.supplier_id)
                        .join(Item, Item.id == SettlementLine.item_id), filters)
    if search:
        pattern = like_pattern(search)
        statement = statement.where(or_(*(column.ilike(pattern, escape="\\")
                                          for column in (Item.code, Item.name, Party.code, Party.name))))
    return statement


def _read(row: Any) -> SettlementLineRead:
    line, supplier_code, item_code, item_name, unit, location_code = row
    # Amounts are kept to six places and rounded per line to the currency's unit: shown at that unit.
    net = rules.round_money(line.net_amount, line.currency)
    tax = rules.tax_amount(net, line.tax_rate_percent, line.currency)
    return SettlementLineRead(
        id=line.id, kind=line.kind, supplier_id=line.supplier_id, supplier_code=supplier_code,
        agreement_id=line.agreement_id, item_id=line.item_id, item_code=item_code, item_name=item_name, unit=unit,
        location_code=location_code, move_id=line.move_id, reverses_line_id=line.reverses_line_id,
        quantity=line.quantity, unit_price=line.unit_price, currency=line.currency, tax_rate_percent=line.tax_rate_percent,
        net_amount=net, tax_amount=tax, gross_amount=net + tax, price_day=line.price_day,
        occurred_at=line.occurred_at, statement_id=line.statement_id)


def list_lines(session: Session, filters: LineFilter, *, cursor: str | None, limit: int) -> SettlementLinePage:
    """Lines, newest first, one keyset page, with the totals of every line the filter selects."""
    lines, next_cursor = fetch_page(session, _wanted(select(SettlementLine), filters), SettlementLine.id,
                                    cursor=cursor, limit=limit, descending=True)
    names = {row.id: row for row in session.execute(
        select(SettlementLine.id, *_DESCRIBED[1:])
        .join(Party, Party.id == SettlementLine.supplier_id).join(Item, Item.id == SettlementLine.item_id)
        .where(SettlementLine.id.in_([line.id for line in lines])))} if lines else {}
    return SettlementLinePage(items=[_read((line, *names[line.id][1:])) for line in lines], next_cursor=next_cursor,
                              totals=currency_totals(session, filters))


def currency_totals(session: Session, filters: LineFilter, *, search: str | None = None) -> list[CurrencyTotal]:
    """Totals per currency of the lines wanted. The tax of a line depends only on its net, rate and
    currency, so lines are summed per such triple in the database and each triple's tax, rounded once
    per line by the rule, is multiplied by its count: exact, in one statement."""
    statement = _described(filters, search).with_only_columns(
        SettlementLine.currency, SettlementLine.tax_rate_percent, SettlementLine.net_amount,
        func.count(SettlementLine.id), func.sum(SettlementLine.quantity)).group_by(
        SettlementLine.currency, SettlementLine.tax_rate_percent, SettlementLine.net_amount)
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for currency, rate, net, count, quantity in session.execute(statement):
        total = sums[currency]
        total[0] += count
        total[1] += Decimal(str(quantity))
        total[2] += net * count
        total[3] += rules.tax_amount(net, rate, currency) * count
    return [CurrencyTotal(currency=currency, lines=int(count), quantity=quantize(quantity),
                          net_amount=rules.round_money(net, currency), tax_amount=tax,
                          gross_amount=rules.round_money(net + tax, currency))
            for currency, (count, quantity, net, tax) in sorted(sums.items())]


def browse_lines(session: Session, request: ListRequest, filters: LineFilter) -> ListPage:
    """Lines for people: rows of SettlementLineRead, newest first unless sorted otherwise."""
    page = fetch_list_page(session, _described(filters, request.search), _newest_first(request),
                           sort_columns=LINE_SORTS, default_sort="occurred_at", tie_breaker=SettlementLine.id)
    return ListPage(rows=[_read(r) for r in page.rows], total=page.total, page=page.page, per_page=page.per_page,
                    sort=page.sort, descending=page.descending)


def export_lines(session: Session, request: ListRequest, filters: LineFilter) -> Sequence[SettlementLineRead]:
    return [_read(r) for r in fetch_all(session, _described(filters, request.search), _newest_first(request),
                                        sort_columns=LINE_SORTS, default_sort="occurred_at",
                                        tie_breaker=SettlementLine.id)]


def _newest_first(request: ListRequest) -> ListRequest:
    """Lines read like a journal: without a sort asked for, the latest on top."""
    if request.sort in LINE_SORTS:
        return request
    return ListRequest(search=request.search, sort="occurred_at", descending=True, page=request.page,
                       per_page=request.per_page)
