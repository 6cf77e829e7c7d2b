"""Portal pages for call-offs: the buyer's list, form and actions; the supplier's call-offs to answer."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor, Role
from openvmi.errors import DomainError, PermissionDenied, Reason
from openvmi.fields import Id
from openvmi.vmi.agreements import queries as agreement_queries
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.call_offs import queries, rules, service
from openvmi.vmi.call_offs.rules import CallOffAction, CallOffState, Side
from openvmi.vmi.call_offs.schemas import CallOffCreate, CounterProposal
from openvmi.web.deps import DbSession
from openvmi.web.forms import FormState, add_domain_error, form_values, parse
from openvmi.web.i18n import N_
from openvmi.web.listing import list_request
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render
from openvmi.web.viewer import PortalActor, page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("vmi_call_offs.read"))]
Buyer = Annotated[Actor, Depends(page_requires("vmi_call_offs.write"))]
Supplier = Annotated[Actor, Depends(page_requires("vmi_call_offs.answer"))]
STATE_LABELS = CallOffState.labels()
ACTION_LABELS = CallOffAction.labels()
NEW_FIELDS = ["agreement_id", "quantity", "due_date", "note"]
DONE = N_("Call-off #%(id)s updated.")


def _side(actor: Actor) -> Side:
    return Side.SUPPLIER if actor.role is Role.SUPPLIER else Side.BUYER


@router.get("/vmi/call-offs")
def call_off_list(request: Request, session: DbSession, actor: Reader, state: str | None = None) -> Response:
    state = state if state in STATE_LABELS else None
    page = queries.list_call_offs(session, state=CallOffState(state) if state else None, supplier_id=None,
                                  cursor=None, limit=200)
    title = N_("Call-offs to answer") if actor.role is Role.SUPPLIER and state == "sent" else N_("Call-offs")
    return render(request, "vmi/call_offs.html", title=title, rows=page.items, state=state, states=STATE_LABELS,
                  can_write=actor.can("vmi_call_offs.write"))


def _new_form(request: Request, session: DbSession, form: FormState, *, status_code: int = 200) -> Response:
    wanted = list_request(request)
    agreements = [(a.id, f"#{a.id} · {a.item_code} · {a.supplier_code} · {a.location_code}")
                  for a in agreement_queries.export_agreements(session, wanted, state=AgreementState.ACTIVE)]
    return render(request, "vmi/call_off_form.html", title=N_("New call-off"), form=form, agreements=agreements,
                  status_code=status_code)


@router.get("/vmi/call-offs/new")
def new_call_off(request: Request, session: DbSession, _: Buyer) -> Response:
    return _new_form(request, session, FormState(values={}))


@router.post("/vmi/call-offs/new")
async def create_call_off(request: Request, session: DbSession, actor: Buyer) -> Response:
    form = FormState(values=form_values(await request.form(), NEW_FIELDS))
    data = {"lines": [{k: form.values[k] for k in ("agreement_id", "quantity", "due_date")}],
            "note": form.values["note"] or None}
    body = parse(CallOffCreate, data, form, field_names=_LINE_FIELDS)
    if body is not None:
        try:
            row = service.create_call_off(session, body, actor=actor)
            session.commit()
            return flash(redirect(f"/vmi/call-offs/{row.id}"), request, N_("Call-off #%(id)s drafted."), id=row.id)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error, field_names=_LINE_FIELDS)
    return _new_form(request, session, form, status_code=422)


_LINE_FIELDS = {f"lines.0.{name}": name for name in ("agreement_id", "quantity", "due_date")} | {
    f"lines[0].{name}": name for name in ("agreement_id", "quantity", "due_date")}


def _detail(request: Request, session: DbSession, actor: Actor, call_off_id: int, *,
            refusal: FormState | None = None, status_code: int = 200) -> Response:
    call_off = queries.describe_call_off(session, call_off_id)
    side = _side(actor)
    allowed = [action for action in rules.allowed_actions(call_off.state, side)
               if action not in (CallOffAction.COUNTER_PROPOSE, CallOffAction.SHIP, CallOffAction.UNSHIP)]
    can_act = actor.can("vmi_call_offs.answer" if side is Side.SUPPLIER else "vmi_call_offs.write")
    return render(request, "vmi/call_off.html", title=N_("Call-off #%(id)s"), title_params={"id": call_off.id},
                  call_off=call_off, states=STATE_LABELS, actions_all=ACTION_LABELS, actions=[(a.value, ACTION_LABELS[a]) for a in allowed]
                  if can_act else [],
                  can_propose=can_act and rules.allowed(call_off.state, CallOffAction.COUNTER_PROPOSE)
                  and side is Side.SUPPLIER,
                  can_ship=actor.can("vmi_shipments.ship") and call_off.state in rules.SHIPPABLE_STATES,
                  refusal=refusal, status_code=status_code)


@router.get("/vmi/call-offs/{call_off_id}")
def call_off_detail(request: Request, call_off_id: Id, session: DbSession, actor: Reader) -> Response:
    return _detail(request, session, actor, call_off_id)


def _refused(request: Request, session: DbSession, actor: Actor, call_off_id: int, error: DomainError) -> Response:
    session.rollback()
    refusal = FormState()
    add_domain_error(refusal, error)
    refusal.general += [m for messages in refusal.errors.values() for m in messages]
    return _detail(request, session, actor, call_off_id, refusal=refusal, status_code=409)


@router.post("/vmi/call-offs/{call_off_id}/counter-proposal")
async def counter_propose(request: Request, call_off_id: Id, session: DbSession, actor: Supplier) -> Response:
    posted = await request.form()
    call_off = queries.describe_call_off(session, call_off_id)
    lines = [{"line_id": line.id, "quantity": str(posted.get(f"quantity_{line.id}", "")).strip() or None,
              "due_date": str(posted.get(f"due_date_{line.id}", "")).strip() or None} for line in call_off.lines]
    changed = [line for line in lines if line["quantity"] or line["due_date"]]
    form = FormState(values={})
    body = parse(CounterProposal, {"lines": changed, "note": str(posted.get("note", "")).strip()}, form)
    if body is None:
        refusal = FormState()
        refusal.general += [m for messages in form.errors.values() for m in messages] + form.general
        return _detail(request, session, actor, call_off_id, refusal=refusal, status_code=422)
    try:
        service.counter_propose(session, call_off_id, proposal=body, actor=actor)
        session.commit()
    except DomainError as error:
        return _refused(request, session, actor, call_off_id, error)
    return flash(redirect(f"/vmi/call-offs/{call_off_id}"), request, N_("Your proposal was sent to the buyer."))


@router.post("/vmi/call-offs/{call_off_id}/{action}")
def act_on_call_off(request: Request, call_off_id: Id, action: CallOffAction, session: DbSession,
                    actor: PortalActor) -> Response:
    needed = "vmi_call_offs.answer" if rules.ACTORS[action] is Side.SUPPLIER else "vmi_call_offs.write"
    try:
        if not actor.can(needed):
            raise PermissionDenied(Reason("your role may not do this"))
        service.act_on_call_off(session, call_off_id, action=action, actor=actor)
        session.commit()
    except DomainError as error:
        return _refused(request, session, actor, call_off_id, error)
    return flash(redirect(f"/vmi/call-offs/{call_off_id}"), request, DONE, id=call_off_id)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Call-offs"), "/vmi/call-offs", roles=frozenset({"admin", "buyer", "warehouse", "finance"}),
             order=61),
    NavEntry(N_("Call-offs to answer"), "/vmi/call-offs?state=sent", roles=frozenset({"supplier"}), order=56),
])
