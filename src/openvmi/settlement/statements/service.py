"""Use cases of statements: generate (and regenerate drafts), issue, confirm, dispute lines, withdraw a
dispute, credit a disputed line. A line is put on a statement once and never moves. Caller commits."""
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, column, func, insert, or_, select, text, true, values
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from openvmi.access import Actor, Role
from openvmi.alerts.notices import Audience, Notice, notify
from openvmi.alerts.rules import AlertEvent
from openvmi.db import sqlite_page_cache, utcnow
from openvmi.errors import Conflict, FieldError, IdempotencyMismatch, InvalidInput, PermissionDenied, Reason
from openvmi.settlement import service as lines_service
from openvmi.settlement.models import SettlementLine, StatementLine
from openvmi.settlement.queries import ON_A_STATEMENT
from openvmi.settlement.rules import SettlementCycle, credit_row, currency_places, period_of, round_money
from openvmi.settlement.statements import queries, rules
from openvmi.settlement.statements.models import LineDispute, SettlementStatement, StatementEvent
from openvmi.settlement.statements.rules import DisputeState, Side, StatementAction, StatementState
from openvmi.settlement.statements.schemas import CreditCreate, DisputeCreate, GeneratedStatement, StatementGenerate

# agreement ids -> each agreement's settlement cycle (agreements are vmi's, above settlement: app.py wires it)
CycleLookup = Callable[[Session, Collection[int]], Mapping[int, str]]
_STATEMENT = SettlementStatement.__table__
_MEMBERSHIP = StatementLine.__table__
_KEY = ["supplier_id", "currency", "cycle", "period_start"]
# Bound parameters per INSERT stay far below both engines' limits (SQLite 32,766, PostgreSQL 65,535).
_AGREEMENTS_PER_INSERT = 10_000
# SQLite's page cache while the membership rows are inserted: 16 MiB took most of the gain at a million lines
# and 1,000 drafts (CPU 6.7 s -> 4.7 s, 64 MiB 4.5 s); 64 MiB leaves room for more drafts (bench/README.md).
_PAGE_CACHE_MIB = 64


class StatementTransitionRefused(Conflict):
    code = "statement_transition_refused"


class DisputesOpen(Conflict):
    """Confirmation waits until every disputed line is corrected or its dispute withdrawn."""

    code = "statement_disputes_open"


class LineAlreadyDisputed(Conflict):
    code = "line_already_disputed"


class LineAlreadyCorrected(Conflict):
    code = "line_already_corrected"


class InvalidCredit(InvalidInput):
    code = "invalid_credit"


def generate_statements(session: Session, request: StatementGenerate, *, actor: Actor,
                        cycle_of: CycleLookup) -> list[GeneratedStatement]:
    """Put every line up to the end of the period holding `request.day` that is on no statement yet on
    its supplier's, currency's and cycle's statement of that period: a new draft, or the draft there is.
    When that period's statement is issued already, the lines wait for the next one. Caller commits."""
    _require_side(actor, Side.FINANCE)
    latest = max(period_of(request.day, cycle)[1] for cycle in SettlementCycle)
    found = queries.unassigned_groups(session, until=latest, supplier_id=request.supplier_id)
    cycles = cycle_of(session, {agreement_id for _, _, agreement_id in found})
    groups: dict[tuple[int, str, SettlementCycle], list[int]] = {}
    for supplier_id, currency, agreement_id in found:
        groups.setdefault((supplier_id, currency, SettlementCycle(cycles[agreement_id])), []).append(agreement_id)
    if not groups:
        return []
    periods = {cycle: period_of(request.day, cycle) for _, _, cycle in groups}
    of_periods = and_(or_(*(and_(SettlementStatement.cycle == cycle.value, SettlementStatement.period_start == start)
                            for cycle, (start, _) in periods.items())),
                      true() if request.supplier_id is None else SettlementStatement.supplier_id == request.supplier_id)
    now = utcnow()
    created = _add_missing_drafts(session, sorted(groups), periods, now=now)
    # Every statement of these periods, locked in id order (writers queue instead of deadlocking), so none
    # is issued while its lines are added; SQLite's BEGIN IMMEDIATE already holds the write lock.
    drafts = {(supplier_id, currency, SettlementCycle(cycle)): statement_id
              for statement_id, supplier_id, currency, cycle, state in session.execute(
                  select(SettlementStatement.id, SettlementStatement.supplier_id, SettlementStatement.currency,
                         SettlementStatement.cycle, SettlementStatement.state)
                  .where(of_periods).order_by(SettlementStatement.id).with_for_update())
              if state == StatementState.DRAFT and (supplier_id, currency, SettlementCycle(cycle)) in groups}
    before = _lines_on_drafts(session, of_periods) if len(created) < len(drafts) else {}
    with sqlite_page_cache(session, mib=_PAGE_CACHE_MIB):
        _link_lines(session, groups, drafts, periods, every_supplier=request.supplier_id is None)
    after = _lines_on_drafts(session, of_periods)
    results, events = [], []
    for key, statement_id in sorted(drafts.items()):
        supplier_id, currency, cycle = key
        added = after.get(statement_id, 0) - before.get(statement_id, 0)
        if key in created or added:
            events.append({"statement_id": statement_id, "supplier_id": supplier_id, "actor_id": actor.user_id,
                           "action": StatementAction.GENERATE if key in created else StatementAction.REGENERATE,
                           "from_state": None if key in created else StatementState.DRAFT,
                           "to_state": StatementState.DRAFT, "at": now, "line_count": added})
        start, end = periods[cycle]
        results.append(GeneratedStatement(statement_id=statement_id, supplier_id=supplier_id, currency=currency,
                                          period_start=start, period_end=end, added_lines=added))
    if events:
        session.execute(insert(StatementEvent), events)
    return results


def _add_missing_drafts(session: Session, keys: list[tuple[int, str, SettlementCycle]],
                        periods: Mapping[SettlementCycle, tuple[date, date]], *, now: datetime) -> set[tuple]:
    """Create the drafts of the periods' statements that do not exist yet, in key order; the keys created.
    Two clerks at once meet on the statement's unique key instead of making two."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    rows = [{"supplier_id": supplier_id, "currency": currency, "cycle": cycle.value, "period_start": periods[cycle][0],
             "period_end": periods[cycle][1], "state": StatementState.DRAFT.value, "created_at": now, "changed_at": now}
            for supplier_id, currency, cycle in keys]
    inserted = session.execute(dialect.insert(_STATEMENT).on_conflict_do_nothing(index_elements=_KEY).returning(
        _STATEMENT.c.supplier_id, _STATEMENT.c.currency, _STATEMENT.c.cycle), rows)
    return {(supplier_id, currency, SettlementCycle(cycle)) for supplier_id, currency, cycle in inserted}


def _link_lines(session: Session, groups: Mapping[tuple[int, str, SettlementCycle], list[int]],
                drafts: Mapping[tuple[int, str, SettlementCycle], int],
                periods: Mapping[SettlementCycle, tuple[date, date]], *, every_supplier: bool) -> None:
    """Put the lines on no statement yet, up to each period's end, on their drafts: one INSERT ... SELECT of
    membership rows per cycle and currency (a line's key then always has its draft, also when an agreement
    changed currency). Lines go in id order, cycles and currencies in a fixed order, so two runs of different
    periods reaching the same leftover lines wait for each other instead of deadlocking; a line a concurrent
    run took first is skipped (ON CONFLICT on the line's key: on at most one statement, ever)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    wanted = sorted({(cycle.value, currency) for (_, currency, cycle) in drafts})
    if dialect is postgresql:
        # The planner cannot know that the table this INSERT anti-joins is the one it fills: seeing it small
        # (before the statement it is), it scans it again for every line while it grows: quadratic (142 s at
        # 100,000 lines, bench/README.md). Through its primary key each line is one probe, whatever its size.
        previous = session.scalar(text("SELECT current_setting('enable_seqscan')"))
        session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
    for cycle_value, currency in wanted:
        cycle = SettlementCycle(cycle_value)
        start, end = periods[cycle]
        supplier_of = {a: key[0] for key, ids in groups.items() if key[1:] == (currency, cycle) and key in drafts
                       for a in ids}
        agreement_ids = sorted(supplier_of)
        for chunk in range(0, len(agreement_ids), _AGREEMENTS_PER_INSERT):
            taken = agreement_ids[chunk:chunk + _AGREEMENTS_PER_INSERT]
            agreement = SettlementLine.agreement_id
            if every_supplier and dialect is sqlite:  # most lines: one pass in id order beats the agreement index
                agreement = queries.table_scan(agreement)
            unassigned = (~ON_A_STATEMENT, SettlementLine.price_day <= end, SettlementLine.currency == currency,
                          agreement.in_(taken))
            if dialect is postgresql:
                # The drafts as a list the planner knows the size of: one hash join (a key lookup per line was
                # 3 of the 17 s at a million lines; a join to the drafts' table, made a moment ago and so
                # unknown to the statistics, ran supplier by supplier).
                ids = sorted({(supplier_of[a], drafts[(supplier_of[a], currency, cycle)]) for a in taken})
                of_draft = values(column("supplier_id", Integer), column("statement_id", Integer),
                                  name="drafts").data(ids)
                lines = (select(SettlementLine.id, of_draft.c.statement_id)
                         .join(of_draft, of_draft.c.supplier_id == SettlementLine.supplier_id))
            else:  # SQLite would index the lines to join a list: one probe of the statement's key per line is less
                lines = select(SettlementLine.id, select(SettlementStatement.id).where(
                    SettlementStatement.supplier_id == SettlementLine.supplier_id,
                    SettlementStatement.currency == currency, SettlementStatement.cycle == cycle_value,
                    SettlementStatement.period_start == start,
                    SettlementStatement.state == StatementState.DRAFT.value).scalar_subquery())
            session.execute(dialect.insert(_MEMBERSHIP).from_select(
                ["line_id", "statement_id"], lines.where(*unassigned).order_by(SettlementLine.id))
                .on_conflict_do_nothing(index_elements=["line_id"]))
    if dialect is postgresql:
        session.execute(text("SELECT set_config('enable_seqscan', :previous, true)"), {"previous": previous})


def _lines_on_drafts(session: Session, of_periods: ColumnElement[bool]) -> dict[int, int]:
    """draft id -> how many lines it holds, for the drafts of the periods (locked by the caller)."""
    return dict(session.execute(
        select(StatementLine.statement_id, func.count())
        .join(SettlementStatement, SettlementStatement.id == StatementLine.statement_id)
        .where(of_periods, SettlementStatement.state == StatementState.DRAFT.value)
        .group_by(StatementLine.statement_id)).all())


def issue_statement(session: Session, statement_id: int, *, actor: Actor) -> SettlementStatement:
    """Freeze a draft and send it to the supplier, whose users are told. Caller commits."""
    statement = queries.get_statement(session, statement_id, for_update=True)
    if is_retry(statement, StatementAction.ISSUE, actor=actor):
        return statement
    _transition(session, statement, StatementAction.ISSUE, actor=actor)
    _tell(session, statement, AlertEvent.STATEMENT_ISSUED, Audience.SUPPLIER)
    return statement


def confirm_statement(session: Session, statement_id: int, *, actor: Actor, note: str | None = None) -> SettlementStatement:
    """The supplier agrees with its statement; refused while a disputed line is not corrected or
    withdrawn. Finance is told. Caller commits."""
    statement = queries.get_statement(session, statement_id, for_update=True)
    if is_retry(statement, StatementAction.CONFIRM, actor=actor):
        return statement
    blocking = queries.blocking_disputes(session, [statement.id]).get(statement.id, 0)
    if blocking and rules.next_state(statement.state, StatementAction.CONFIRM):
        raise DisputesOpen(Reason("statement #%(id)s has %(count)s disputed line(s) that are neither corrected "
                                  "nor withdrawn", id=statement.id, count=blocking))
    _transition(session, statement, StatementAction.CONFIRM, actor=actor, note=note)
    _tell(session, statement, AlertEvent.STATEMENT_CONFIRMED, Audience.FINANCE)
    return statement


def dispute_lines(session: Session, statement_id: int, dispute: DisputeCreate, *,
                  actor: Actor) -> tuple[SettlementStatement, bool]:
    """The supplier objects to lines of its issued statement, one comment each; finance is told. Returns
    (statement, replayed): the same dispute sent again finds every line disputed with its comment already
    and changes nothing. Caller commits."""
    statement = queries.get_statement(session, statement_id, for_update=True)
    if not rules.next_state(statement.state, StatementAction.DISPUTE):
        _refuse(statement, StatementAction.DISPUTE)
    _require_side(actor, Side.SUPPLIER)
    comments = queries.open_dispute_comments(session, statement.id)
    if all(comments.get(objection.line_id) == objection.comment for objection in dispute.lines):
        return statement, True
    seen = set(comments)
    for objection in dispute.lines:
        queries.get_line(session, statement.id, objection.line_id)
        if objection.line_id in seen:
            raise LineAlreadyDisputed(Reason("line %(line)s is disputed already", line=objection.line_id))
        seen.add(objection.line_id)
    now = utcnow()
    for objection in dispute.lines:
        session.add(LineDispute(statement_id=statement.id, line_id=objection.line_id, supplier_id=statement.supplier_id,
                                comment=objection.comment, state=DisputeState.OPEN, opened_by_id=actor.user_id,
                                opened_at=now))
    _transition(session, statement, StatementAction.DISPUTE, actor=actor, line_count=len(dispute.lines))
    _tell(session, statement, AlertEvent.STATEMENT_DISPUTED, Audience.FINANCE, disputed_lines=len(dispute.lines))
    return statement, False


def withdraw_dispute(session: Session, statement_id: int, dispute_id: int, *, actor: Actor) -> LineDispute:
    """The supplier takes back its objection to a line; withdrawing it again changes nothing. Caller commits."""
    statement = queries.get_statement(session, statement_id, for_update=True)
    dispute = queries.get_dispute(session, statement.id, dispute_id)
    _require_side(actor, Side.SUPPLIER)
    if dispute.state != DisputeState.OPEN:
        return dispute  # a retry: withdrawn already
    _transition(session, statement, StatementAction.WITHDRAW, actor=actor, line_id=dispute.line_id)
    dispute.state, dispute.withdrawn_at = DisputeState.WITHDRAWN, utcnow()
    session.flush()
    return dispute


def credit_line(session: Session, statement_id: int, credit: CreditCreate, *, actor: Actor,
                idempotency_key: str | None = None) -> int:
    """Finance corrects a disputed line with a money-only credit line on the same statement; the id of
    the credit line. A retry with the same Idempotency-Key returns the first credit. Caller commits."""
    statement = queries.get_statement(session, statement_id, for_update=True)
    if idempotency_key is not None:
        earlier = queries.find_keyed_credit(session, actor.caller_key, idempotency_key)
        if earlier is not None:
            if (earlier.statement_id, earlier.reverses_line_id, -earlier.net_amount, earlier.reason) != (
                    statement.id, credit.line_id, credit.amount, credit.reason):
                raise IdempotencyMismatch(Reason("this Idempotency-Key was used for another credit"))
            return earlier.id
    if not rules.next_state(statement.state, StatementAction.CREDIT):
        _refuse(statement, StatementAction.CREDIT)
    line = queries.get_line(session, statement.id, credit.line_id)
    if line.id not in queries.blocking_lines(session, statement.id):
        if line.id in queries.open_dispute_comments(session, statement.id):
            raise LineAlreadyCorrected(Reason("line %(line)s is corrected already", line=line.id))
        raise InvalidCredit([FieldError("line_id", Reason("line %(line)s is not disputed: only a disputed line "
                                                          "is credited", line=line.id))])
    if round_money(credit.amount, line.currency) != credit.amount:
        raise InvalidCredit([FieldError("amount", Reason("%(currency)s amounts have %(places)s decimal places",
                                                         currency=line.currency, places=currency_places(line.currency)))])
    if credit.amount > line.net_amount:
        raise InvalidCredit([FieldError("amount", Reason("a credit is at most the line's net amount %(net)s",
                                                         net=line.net_amount))])
    columns = {column.name: getattr(line, column.name) for column in SettlementLine.__table__.columns}
    row = credit_row(columns, line_id=line.id, amount=credit.amount, reason=credit.reason, occurred_at=utcnow())
    [credit_id] = lines_service.record_lines(session, [{**row, "caller_key": actor.caller_key if idempotency_key else None,
                                                        "idempotency_key": idempotency_key}])
    session.execute(insert(StatementLine), [{"line_id": credit_id, "statement_id": statement.id}])
    _transition(session, statement, StatementAction.CREDIT, actor=actor, line_id=line.id, note=credit.reason)
    return credit_id


def _require_side(actor: Actor, side: Side) -> None:
    supplier = actor.role is Role.SUPPLIER
    if supplier != (side is Side.SUPPLIER):
        raise PermissionDenied(Reason("only the supplier answers its statement") if side is Side.SUPPLIER
                               else Reason("only finance generates, issues and corrects statements"))


def _refuse(statement: SettlementStatement, action: StatementAction) -> None:
    raise StatementTransitionRefused(Reason("statement #%(id)s is %(state)s: it cannot be %(action)s",
                                            id=statement.id, state=statement.state, action=action.value))


def _transition(session: Session, statement: SettlementStatement, action: StatementAction, *, actor: Actor,
                note: str | None = None, line_count: int | None = None, line_id: int | None = None) -> None:
    _require_side(actor, rules.ACTORS[action])
    target = rules.next_state(statement.state, action)
    if target is None:
        _refuse(statement, action)
    now = utcnow()
    session.add(StatementEvent(statement_id=statement.id, supplier_id=statement.supplier_id, action=action,
                               from_state=statement.state, to_state=target, actor_id=actor.user_id, at=now, note=note,
                               line_count=line_count, line_id=line_id))
    if target != statement.state:
        statement.state, statement.changed_at = target, now
    session.flush()


def _tell(session: Session, statement: SettlementStatement, event: AlertEvent, audience: "Audience",
          **facts: Any) -> None:
    money, _ = queries.statement_money(session, [statement])[statement.id]
    notify(session, [Notice(event=event, supplier_id=statement.supplier_id, audience=audience, facts={
        "statement_id": statement.id, "currency": statement.currency, "period_start": statement.period_start.isoformat(),
        "period_end": statement.period_end.isoformat(), "gross": str(money.gross), **facts})])


def change_state(session: Session, statement: SettlementStatement, action: StatementAction, *, actor: Actor,
                 note: str | None = None) -> None:
    """Move a locked statement by `action` as the transition table allows, recording who and when (for
    the invoices of settlement.invoices). Caller commits."""
    _transition(session, statement, action, actor=actor, note=note)


def is_retry(statement: SettlementStatement, action: StatementAction, *, actor: Actor) -> bool:
    """Whether `action` asks again for the state the locked statement is in: the caller's retry after a
    lost answer, answered with the statement as it is, writing nothing (no event, no notice)."""
    _require_side(actor, rules.ACTORS[action])
    return rules.repeats(statement.state, action)
