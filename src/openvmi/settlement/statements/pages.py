"""Portal pages for statements: finance generates, issues and credits; the supplier reviews, confirms
or disputes lines; both see the period overview (who confirmed, who disputed, who is still waited for)."""
from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor, Role
from openvmi.errors import DomainError
from openvmi.fields import Id
from openvmi.settlement.statements import queries, rules, service
from openvmi.settlement.statements.rules import Side, StatementAction, StatementState
from openvmi.settlement.statements.schemas import CreditCreate, DisputeCreate, StatementGenerate
from openvmi.web.deps import DbSession, get_reactions
from openvmi.web.forms import FormState, add_domain_error, form_values, parse
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("settlement_statements.read"))]
Finance = Annotated[Actor, Depends(page_requires("settlement_statements.write"))]
Supplier = Annotated[Actor, Depends(page_requires("settlement_statements.answer"))]
STATE_LABELS = StatementState.labels()
ACTION_LABELS = StatementAction.labels()
# Who acted, where the reader may not see the user (a supplier reads no buyer user's name): the side.
SIDE_OF_ACTION = {action.value: side.label for action, side in rules.ACTORS.items()}
# The overview's columns: where each supplier's statement of a period stands.
WAITING = (StatementState.DRAFT, StatementState.ISSUED)


@router.get("/settlement/statements")
def statement_list(request: Request, session: DbSession, actor: Reader, state: str | None = None,
                   period_end: str | None = None) -> Response:
    state = state if state in STATE_LABELS else None
    try:
        until = date.fromisoformat(period_end) if period_end else None
    except ValueError:
        until = None
    page = queries.list_statements(session, state=StatementState(state) if state else None, supplier_id=None,
                                   period_end=until)
    counts = {value: sum(1 for row in page.items if row.state == value) for value in STATE_LABELS}
    return render(request, "settlement/statements.html", title=N_("Statements"), rows=page.items, state=state,
                  states=STATE_LABELS, counts=counts, period_end=until, form=FormState(values={}),
                  can_generate=actor.can("settlement_statements.write"))


@router.post("/settlement/statements/generate")
async def generate_statements(request: Request, session: DbSession, actor: Finance) -> Response:
    form = FormState(values=form_values(await request.form(), ["day"]))
    body = parse(StatementGenerate, {"day": form.values["day"]}, form)
    if body is not None:
        try:
            made = service.generate_statements(session, body, actor=actor,
                                               cycle_of=get_reactions(request).settlement_cycles)
            session.commit()
            return flash(redirect("/settlement/statements"), request,
                         N_("%(count)s statement(s) generated or brought up to date."), count=len(made))
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    page = queries.list_statements(session, state=None, supplier_id=None)
    return render(request, "settlement/statements.html", title=N_("Statements"), rows=page.items, state=None,
                  states=STATE_LABELS, counts={}, period_end=None, form=form, can_generate=True, status_code=422)


def _detail(request: Request, session: DbSession, actor: Actor, statement_id: int, *,
            refusal: FormState | None = None, status_code: int = 200) -> Response:
    statement = queries.describe_statement(session, statement_id)
    side = Side.SUPPLIER if actor.role is Role.SUPPLIER else Side.FINANCE
    can_act = actor.can("settlement_statements.answer" if side is Side.SUPPLIER else "settlement_statements.write")
    allowed = set(rules.allowed_actions(statement.state, side)) if can_act else set()
    return render(request, "settlement/statement.html", title=N_("Statement #%(id)s"),
                  title_params={"id": statement.id}, s=statement, states=STATE_LABELS, actions_all=ACTION_LABELS,
                  sides=SIDE_OF_ACTION,
                  can_issue=StatementAction.ISSUE in allowed, can_confirm=StatementAction.CONFIRM in allowed,
                  can_dispute=StatementAction.DISPUTE in allowed, can_withdraw=StatementAction.WITHDRAW in allowed,
                  can_credit=StatementAction.CREDIT in allowed, can_see_invoice=actor.can("settlement_invoices.read"),
                  refusal=refusal, status_code=status_code)


@router.get("/settlement/statements/{statement_id}")
def statement_detail(request: Request, statement_id: Id, session: DbSession, actor: Reader) -> Response:
    return _detail(request, session, actor, statement_id)


def _refused(request: Request, session: DbSession, actor: Actor, statement_id: int, error: DomainError | FormState,
             status_code: int = 409) -> Response:
    session.rollback()
    refusal = FormState()
    if isinstance(error, FormState):
        refusal.general += [m for messages in error.errors.values() for m in messages] + error.general
    else:
        add_domain_error(refusal, error)
        refusal.general += [m for messages in refusal.errors.values() for m in messages]
    return _detail(request, session, actor, statement_id, refusal=refusal, status_code=status_code)


def _act(request: Request, session: DbSession, actor: Actor, statement_id: int, use_case: Callable[[], object]) -> Response:
    """Run one use case for the statement page: commit and show the statement, or show why not."""
    try:
        use_case()
        session.commit()
    except DomainError as error:
        return _refused(request, session, actor, statement_id, error)
    return flash(redirect(f"/settlement/statements/{statement_id}"), request, N_("Statement #%(id)s updated."),
                 id=statement_id)


@router.post("/settlement/statements/{statement_id}/issue")
def issue_statement(request: Request, statement_id: Id, session: DbSession, actor: Finance) -> Response:
    return _act(request, session, actor, statement_id,
                lambda: service.issue_statement(session, statement_id, actor=actor))


@router.post("/settlement/statements/{statement_id}/confirm")
def confirm_statement(request: Request, statement_id: Id, session: DbSession, actor: Supplier) -> Response:
    return _act(request, session, actor, statement_id,
                lambda: service.confirm_statement(session, statement_id, actor=actor))


@router.post("/settlement/statements/{statement_id}/disputes")
async def dispute_lines(request: Request, statement_id: Id, session: DbSession, actor: Supplier) -> Response:
    posted = await request.form()
    objections = [{"line_id": int(name.removeprefix("comment_")), "comment": str(value).strip()}
                  for name, value in posted.multi_items()
                  if name.startswith("comment_") and name.removeprefix("comment_").isdigit() and str(value).strip()]
    form = FormState(values={})
    body = parse(DisputeCreate, {"lines": objections}, form)
    if body is None:
        return _refused(request, session, actor, statement_id, form, status_code=422)
    return _act(request, session, actor, statement_id,
                lambda: service.dispute_lines(session, statement_id, body, actor=actor))


@router.post("/settlement/statements/{statement_id}/disputes/{dispute_id}/withdraw")
def withdraw_dispute(request: Request, statement_id: Id, dispute_id: Id, session: DbSession,
                     actor: Supplier) -> Response:
    return _act(request, session, actor, statement_id,
                lambda: service.withdraw_dispute(session, statement_id, dispute_id, actor=actor))


@router.post("/settlement/statements/{statement_id}/credits")
async def credit_line(request: Request, statement_id: Id, session: DbSession, actor: Finance) -> Response:
    form = FormState(values=form_values(await request.form(), ["line_id", "amount", "reason"]))
    body = parse(CreditCreate, form.values, form)
    if body is None:
        return _refused(request, session, actor, statement_id, form, status_code=422)
    return _act(request, session, actor, statement_id,
                lambda: service.credit_line(session, statement_id, body, actor=actor))


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Statements"), "/settlement/statements", permission="settlement_statements.read", order=80),
])
