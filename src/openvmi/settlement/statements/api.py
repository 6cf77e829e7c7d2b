"""JSON API for statements: finance generates, issues and credits; a supplier confirms or disputes its own."""
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from openvmi.access import Actor
from openvmi.fields import Id
from openvmi.settlement.statements import queries, service
from openvmi.settlement.statements.rules import StatementState
from openvmi.settlement.statements.schemas import (
    CreditCreate, DisputeCreate, GeneratedStatement, Note, StatementGenerate, StatementPage, StatementRead,
)
from openvmi.web.deps import AppReactions, DbSession, IdempotencyKey, requires

router = APIRouter(prefix="/settlement/statements", tags=["settlement"])
Reader = Annotated[Actor, Depends(requires("settlement_statements.read"))]
Finance = Annotated[Actor, Depends(requires("settlement_statements.write"))]
Supplier = Annotated[Actor, Depends(requires("settlement_statements.answer"))]


@router.get("", response_model=StatementPage)
def list_statements(session: DbSession, _: Reader, state: StatementState | None = None,
                    supplier_id: Id | None = None, period_end: date | None = None) -> StatementPage:
    """The period overview: statements the caller may see (a supplier: its own, once issued), latest
    first; with `period_end`, one period's: who confirmed, who disputed, who is still waited for."""
    return queries.list_statements(session, state=state, supplier_id=supplier_id, period_end=period_end)


@router.post("/generate", response_model=list[GeneratedStatement])
def generate_statements(body: StatementGenerate, session: DbSession, actor: Finance,
                        reactions: AppReactions) -> list[GeneratedStatement]:
    """Put the lines not yet on a statement on the drafts of the periods holding `day` (creating them);
    running it again only adds lines that came in late, and never touches an issued statement."""
    generated = service.generate_statements(session, body, actor=actor, cycle_of=reactions.settlement_cycles)
    session.commit()
    return generated


@router.get("/{statement_id}", response_model=StatementRead)
def get_statement(statement_id: Id, session: DbSession, _: Reader) -> StatementRead:
    """One statement: lines, totals per tax rate, disputes and who changed it when."""
    return queries.describe_statement(session, statement_id)


@router.post("/{statement_id}/issue", response_model=StatementRead)
def issue_statement(statement_id: Id, session: DbSession, actor: Finance) -> StatementRead:
    """Freeze a draft and send it to the supplier; issuing an issued statement again answers it as it is
    (409 when it is further on)."""
    service.issue_statement(session, statement_id, actor=actor)
    session.commit()
    return queries.describe_statement(session, statement_id)


@router.post("/{statement_id}/credits", status_code=201, response_model=StatementRead)
def credit_line(statement_id: Id, body: CreditCreate, session: DbSession, actor: Finance,
                idempotency_key: IdempotencyKey) -> StatementRead:
    """Correct a disputed line with a credit line (an amount and a reason) on the same statement; a retry
    with the same Idempotency-Key answers as the first request and credits nothing more."""
    service.credit_line(session, statement_id, body, actor=actor, idempotency_key=idempotency_key)
    session.commit()
    return queries.describe_statement(session, statement_id)


@router.post("/{statement_id}/confirm", response_model=StatementRead)
def confirm_statement(statement_id: Id, session: DbSession, actor: Supplier, body: Note | None = None) -> StatementRead:
    """The supplier agrees with its statement (409 while a disputed line is neither corrected nor withdrawn);
    confirming a confirmed statement again answers it as it is."""
    service.confirm_statement(session, statement_id, actor=actor, note=body.note if body else None)
    session.commit()
    return queries.describe_statement(session, statement_id)


@router.post("/{statement_id}/disputes", status_code=201, response_model=StatementRead)
def dispute_lines(statement_id: Id, body: DisputeCreate, session: DbSession, actor: Supplier,
                  response: Response) -> StatementRead:
    """The supplier disputes lines of its issued statement, one comment per line; the same dispute sent
    again answers the statement as it is (200) and disputes nothing twice."""
    _, replayed = service.dispute_lines(session, statement_id, body, actor=actor)
    session.commit()
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return queries.describe_statement(session, statement_id)


@router.post("/{statement_id}/disputes/{dispute_id}/withdraw", response_model=StatementRead)
def withdraw_dispute(statement_id: Id, dispute_id: Id, session: DbSession, actor: Supplier) -> StatementRead:
    """The supplier withdraws its dispute of a line."""
    service.withdraw_dispute(session, statement_id, dispute_id, actor=actor)
    session.commit()
    return queries.describe_statement(session, statement_id)
