"""Read models of statements: one by id (a supplier never sees a draft), the period overview, the
lines a run would take, and which disputes still block confirmation."""
from collections.abc import Collection
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from openvmi.auth.queries import usernames
from openvmi.catalog.models import Item
from openvmi.errors import NotFound
from openvmi.pagination import where_given
from openvmi.parties.models import Party
from openvmi.scoping import current_supplier_scope
from openvmi.settlement.models import SettlementLine, StatementLine
from openvmi.settlement.queries import ON_A_STATEMENT
from openvmi.settlement.rules import SettlementKind
from openvmi.settlement.statements.models import LineDispute, SettlementStatement, StatementEvent
from openvmi.settlement.statements.rules import (
    VISIBLE_TO_SUPPLIER, DisputeState, StatementState, Totals, totals,
)
from openvmi.settlement.statements.schemas import (
    DisputeRead, RateTotalRead, StatementEventRead, StatementLineRead, StatementPage, StatementRead,
    StatementSummary,
)

_correction = aliased(SettlementLine)
# A dispute is answered once finance credits the line or the buyer reverses it after the dispute.
CORRECTED = exists().where(
    _correction.reverses_line_id == LineDispute.line_id,
    _correction.kind.in_([SettlementKind.CREDIT.value, SettlementKind.REVERSAL.value]),
    _correction.occurred_at >= LineDispute.opened_at)
BLOCKING: ColumnElement[bool] = and_(LineDispute.state == DisputeState.OPEN.value, ~CORRECTED)


def get_statement(session: Session, statement_id: int, *, for_update: bool = False) -> SettlementStatement:
    """The statement (locked with `for_update`); NotFound when there is none, it is another
    supplier's, or a supplier asks for the buyer's draft."""
    statement = select(SettlementStatement).where(SettlementStatement.id == statement_id)
    if current_supplier_scope(session) is not None:
        statement = statement.where(SettlementStatement.state.in_([str(s) for s in VISIBLE_TO_SUPPLIER]))
    row = session.scalars(statement.with_for_update() if for_update else statement).first()
    if row is None:
        raise NotFound(f"no such statement: {statement_id}")
    return row


def unassigned_groups(session: Session, *, until: date, supplier_id: int | None) -> list[tuple[int, str, int]]:
    """(supplier, currency, agreement) of the lines up to `until` that are on no statement yet."""
    supplier = SettlementLine.supplier_id
    if supplier_id is None and session.get_bind().dialect.name == "sqlite":
        supplier = table_scan(supplier)
    statement = (select(SettlementLine.supplier_id, SettlementLine.currency, SettlementLine.agreement_id)
                 .where(~ON_A_STATEMENT, SettlementLine.price_day <= until)
                 .group_by(supplier, SettlementLine.currency, SettlementLine.agreement_id)
                 .order_by(SettlementLine.supplier_id, SettlementLine.currency, SettlementLine.agreement_id))
    if supplier_id is not None:
        statement = statement.where(SettlementLine.supplier_id == supplier_id)
    return [(s, c, a) for s, c, a in session.execute(statement)]


def table_scan(column: ColumnElement[int]) -> ColumnElement[int]:
    """`column` as an expression no index matches (SQLite), so that a read of most lines is one pass over the
    table in line id order. Grouped or filtered by the plain column, SQLite walks the lines' (supplier,
    occurred_at) or agreement index instead, fetching every line by a random read and sorting them again by
    id: 3 times the CPU at a million lines, 10 times with nothing left (docs/decisions.md, "SQLite statement
    generation")."""
    return column + 0


def statement_money(session: Session, statements: Collection[SettlementStatement]) -> dict[int, tuple[Totals, int]]:
    """Each statement's totals (statements.rules.totals over its lines) and line count. A line's tax
    depends only on its net and rate, so lines are counted per such pair in the database: one statement."""
    sums: dict[int, list[tuple]] = {row.id: [] for row in statements}
    counts: dict[int, int] = {row.id: 0 for row in statements}
    if sums:
        for statement_id, rate, net, count in session.execute(
                select(StatementLine.statement_id, SettlementLine.tax_rate_percent, SettlementLine.net_amount,
                       func.count()).join(SettlementLine, SettlementLine.id == StatementLine.line_id)
                .where(StatementLine.statement_id.in_(list(sums)))
                .group_by(StatementLine.statement_id, SettlementLine.tax_rate_percent, SettlementLine.net_amount)):
            sums[statement_id].append((rate, net, count))
            counts[statement_id] += count
    return {row.id: (totals(sums[row.id], row.currency), counts[row.id]) for row in statements}


def blocking_disputes(session: Session, statement_ids: Collection[int]) -> dict[int, int]:
    """statement id -> how many open disputes no credit or reversal has answered yet."""
    if not statement_ids:
        return {}
    return dict(session.execute(select(LineDispute.statement_id, func.count())
                                .where(LineDispute.statement_id.in_(list(statement_ids)), BLOCKING)
                                .group_by(LineDispute.statement_id)).all())


def open_dispute_comments(session: Session, statement_id: int) -> dict[int, str]:
    """The comment of each line of the statement with an open dispute."""
    return {line_id: comment for line_id, comment in session.execute(select(LineDispute.line_id, LineDispute.comment)
            .where(LineDispute.statement_id == statement_id, LineDispute.state == DisputeState.OPEN.value))}


def blocking_lines(session: Session, statement_id: int) -> set[int]:
    """The lines of the statement whose open dispute no credit or reversal has answered yet."""
    return set(session.scalars(select(LineDispute.line_id).where(LineDispute.statement_id == statement_id, BLOCKING)))


def find_keyed_credit(session: Session, caller_key: str, idempotency_key: str) -> SettlementLine | None:
    """The credit line an earlier request of this caller made with this Idempotency-Key, if any."""
    return session.scalars(select(SettlementLine).where(SettlementLine.caller_key == caller_key,
                                                        SettlementLine.idempotency_key == idempotency_key)).first()


def get_line(session: Session, statement_id: int, line_id: int) -> SettlementLine:
    """A line of the statement; NotFound when the statement does not hold it."""
    row = session.scalars(select(SettlementLine).join(StatementLine, StatementLine.line_id == SettlementLine.id)
                          .where(SettlementLine.id == line_id, StatementLine.statement_id == statement_id)).first()
    if row is None:
        raise NotFound(f"statement {statement_id} has no line {line_id}")
    return row


def get_dispute(session: Session, statement_id: int, dispute_id: int) -> LineDispute:
    row = session.scalars(select(LineDispute).where(LineDispute.id == dispute_id,
                                                    LineDispute.statement_id == statement_id)).first()
    if row is None:
        raise NotFound(f"statement {statement_id} has no dispute {dispute_id}")
    return row


def _summaries(session: Session, rows: list[SettlementStatement]) -> list[tuple[StatementSummary, Totals]]:
    money = statement_money(session, rows)
    blocking = blocking_disputes(session, [row.id for row in rows])
    parties = {pid: (code, name) for pid, code, name in session.execute(
        select(Party.id, Party.code, Party.name).where(Party.id.in_({row.supplier_id for row in rows})))}
    return [(StatementSummary(
        id=row.id, supplier_id=row.supplier_id, supplier_code=parties[row.supplier_id][0],
        supplier_name=parties[row.supplier_id][1], currency=row.currency, cycle=row.cycle,
        period_start=row.period_start, period_end=row.period_end, state=row.state, line_count=money[row.id][1],
        net=money[row.id][0].net, tax=money[row.id][0].tax, gross=money[row.id][0].gross,
        blocking_disputes=blocking.get(row.id, 0), changed_at=row.changed_at), money[row.id][0]) for row in rows]


def list_statements(session: Session, *, state: StatementState | None, supplier_id: int | None,
                    period_end: date | None = None, limit: int = 200) -> StatementPage:
    """The period overview: statements the caller may see, latest period first, with their totals and
    how many disputes block each."""
    statement = where_given(select(SettlementStatement), (SettlementStatement.state, state),
                            (SettlementStatement.supplier_id, supplier_id), (SettlementStatement.period_end, period_end))
    if current_supplier_scope(session) is not None:
        statement = statement.where(SettlementStatement.state.in_([str(s) for s in VISIBLE_TO_SUPPLIER]))
    rows = list(session.scalars(statement.order_by(SettlementStatement.period_end.desc(), SettlementStatement.id)
                                .limit(limit)))
    return StatementPage(items=[summary for summary, _ in _summaries(session, rows)])


def describe_statement(session: Session, statement_id: int) -> StatementRead:
    """The statement with its lines, totals per tax rate, disputes and history, as people read it."""
    row = get_statement(session, statement_id)
    [(summary, money)] = _summaries(session, [row])
    lines = session.execute(select(SettlementLine, Item.code, Item.name, Item.unit)
                            .join(Item, Item.id == SettlementLine.item_id)
                            .join(StatementLine, StatementLine.line_id == SettlementLine.id)
                            .where(StatementLine.statement_id == row.id).order_by(SettlementLine.id))
    disputes = session.execute(select(LineDispute, CORRECTED).where(LineDispute.statement_id == row.id)
                               .order_by(LineDispute.id))
    events = list(session.scalars(select(StatementEvent).where(StatementEvent.statement_id == row.id)
                                  .order_by(StatementEvent.id)))
    names = usernames(session, {event.actor_id for event in events if event.actor_id is not None})
    return StatementRead(
        **summary.model_dump(),
        by_rate=[RateTotalRead(tax_rate_percent=r.tax_rate_percent, net=r.net, tax=r.tax) for r in money.by_rate],
        lines=[StatementLineRead(
            id=line.id, kind=line.kind, item_code=code, item_name=name, unit=unit, quantity=line.quantity,
            unit_price=line.unit_price, tax_rate_percent=line.tax_rate_percent, net_amount=line.net_amount,
            price_day=line.price_day, reverses_line_id=line.reverses_line_id, reason=line.reason)
            for line, code, name, unit in lines],
        disputes=[DisputeRead(id=d.id, line_id=d.line_id, comment=d.comment, state=d.state, corrected=bool(corrected),
                              opened_at=d.opened_at, withdrawn_at=d.withdrawn_at) for d, corrected in disputes],
        history=[StatementEventRead(action=e.action, from_state=e.from_state, to_state=e.to_state,
                                    actor_name=names.get(e.actor_id or 0), at=e.at, line_count=e.line_count,
                                    line_id=e.line_id, note=e.note) for e in events])
