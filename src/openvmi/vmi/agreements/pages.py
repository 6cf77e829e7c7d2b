"""Portal pages for VMI agreements: list, detail with its actions, draft form (buyers); read-only for suppliers."""
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.errors import DomainError, InvalidInput
from openvmi.fields import Id
from openvmi.vmi.agreements import queries, rules, service
from openvmi.settlement.rules import SettlementCycle
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.agreements.schemas import AgreementCreate, AgreementRead, AgreementUpdate
from openvmi.web.deps import DbSession
from openvmi.web.exports import FORMATS, export_list
from openvmi.web.forms import FormState, add_domain_error, form_values, parse, plain, split_message
from openvmi.web.i18n import N_
from openvmi.web.listing import ListView, list_request
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render, translate
from openvmi.web.viewer import PortalActor, page_requires

router = portal_router()
Writer = Annotated[Actor, Depends(page_requires("vmi_agreements.write"))]
FIELDS = ["supplier_item_id", "location_id", "min_level", "max_level", "settlement_cycle", "currency",
          "tax_rate_percent", "adjustments_need_approval", "self_billing", "call_off_answer_hours",
          "over_shipment_tolerance_percent", "valid_from", "valid_to"]
CHECKBOXES = ("adjustments_need_approval", "self_billing")
STATE_LABELS = AgreementState.labels()
CYCLE_LABELS = SettlementCycle.labels()
ACTION_LABELS = rules.AgreementAction.labels()


@router.get("/vmi/agreements")
def agreement_list(request: Request, session: DbSession, actor: PortalActor, state: str | None = None,
                   format: str | None = None) -> Response:
    wanted = list_request(request)
    state = state if state in STATE_LABELS else None
    if format in FORMATS:
        rows = [(a.id, a.item_code, a.supplier_code, a.supplier_part_number, a.location_code, a.min_level,
                 a.max_level, a.unit, translate(request, CYCLE_LABELS[a.settlement_cycle]), a.currency,
                 a.tax_rate_percent, a.valid_from, a.valid_to, translate(request, STATE_LABELS[a.state]))
                for a in queries.export_agreements(session, wanted, state=state)]
        return export_list(request, format, filename="vmi-agreements", rows=rows, columns=(
            N_("Agreement"), N_("Item"), N_("Supplier"), N_("Supplier part number"), N_("VMI location"),
            N_("Minimum level"), N_("Maximum level"), N_("Unit"), N_("Settlement cycle"), N_("Currency"),
            N_("Tax rate (%)"), N_("Valid from"), N_("Valid to"), N_("State")))
    view = ListView.of(request, queries.browse_agreements(session, wanted, state=state))
    return render(request, "vmi/agreements.html", title=N_("VMI agreements"), view=view, state=state,
                  states=STATE_LABELS, cycles=CYCLE_LABELS, can_write=actor.can("vmi_agreements.write"))


def _form(request: Request, session: DbSession, form: FormState, *, agreement: AgreementRead | None = None,
          status_code: int = 200) -> Response:
    cycles = [(value, translate(request, label)) for value, label in CYCLE_LABELS.items()]
    context: dict[str, Any] = {"form": form, "agreement": agreement, "cycles": cycles,
                               "supplier_items": queries.supplier_item_choices(session),
                               "locations": queries.vmi_location_choices(session)}
    if agreement is None:
        return render(request, "vmi/agreement_form.html", title=N_("New VMI agreement"), status_code=status_code,
                      **context)
    return render(request, "vmi/agreement_form.html", title=N_("Edit VMI agreement #%(id)s"),
                  title_params={"id": agreement.id}, status_code=status_code, **context)


def _posted(form: FormState) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in form.values.items() if k not in CHECKBOXES}
    return data | {name: form.values[name] == "on" for name in CHECKBOXES}


def _refused(form: FormState, error: DomainError) -> None:
    if isinstance(error, InvalidInput):
        add_domain_error(form, error)
    else:  # its Reason, shown in the reader's language
        form.general.append(split_message(error.message))


@router.get("/vmi/agreements/new")
def new_agreement(request: Request, session: DbSession, _: Writer) -> Response:
    values = {"settlement_cycle": SettlementCycle.MONTHLY, "currency": "CNY", "tax_rate_percent": "13",
              "adjustments_need_approval": "on", "call_off_answer_hours": "48",
              "over_shipment_tolerance_percent": "0"}
    return _form(request, session, FormState(values=values))


@router.post("/vmi/agreements/new")
async def create_agreement(request: Request, session: DbSession, actor: Writer) -> Response:
    form = FormState(values=form_values(await request.form(), FIELDS))
    body = parse(AgreementCreate, _posted(form), form)
    if body is not None:
        try:
            row = service.create_agreement(session, body, actor_id=actor.user_id)
            session.commit()
            return flash(redirect(f"/vmi/agreements/{row.id}"), request, N_("VMI agreement #%(id)s drafted."),
                         id=row.id)
        except DomainError as error:
            session.rollback()
            _refused(form, error)
    return _form(request, session, form, status_code=422)


def _detail(request: Request, session: DbSession, actor: Actor, agreement_id: int, *,
            refusal: FormState | None = None, status_code: int = 200) -> Response:
    agreement = queries.describe_agreement(session, agreement_id)
    can_write = actor.can("vmi_agreements.write")
    actions = [(action.value, ACTION_LABELS[action]) for action in rules.allowed_actions(agreement.state)]
    return render(request, "vmi/agreement.html", title=N_("VMI agreement #%(id)s"), title_params={"id": agreement.id},
                  agreement=agreement, states=STATE_LABELS, cycles=CYCLE_LABELS, can_write=can_write,
                  editable=can_write and agreement.state in rules.EDITABLE_STATES,
                  actions=actions if can_write else [], refusal=refusal, status_code=status_code)


@router.get("/vmi/agreements/{agreement_id}")
def agreement_detail(request: Request, agreement_id: Id, session: DbSession, actor: PortalActor) -> Response:
    return _detail(request, session, actor, agreement_id)


@router.get("/vmi/agreements/{agreement_id}/edit")
def edit_agreement(request: Request, agreement_id: Id, session: DbSession, _: Writer) -> Response:
    agreement = queries.describe_agreement(session, agreement_id)
    values = {name: getattr(agreement, name) for name in FIELDS}
    values = {name: "" if value is None else str(value) for name, value in values.items()}
    for name in ("min_level", "max_level", "tax_rate_percent", "over_shipment_tolerance_percent"):
        values[name] = plain(getattr(agreement, name))
    values |= {name: "on" if getattr(agreement, name) else "" for name in CHECKBOXES}
    return _form(request, session, FormState(values=values), agreement=agreement)


@router.post("/vmi/agreements/{agreement_id}/edit")
async def update_agreement(request: Request, agreement_id: Id, session: DbSession, _: Writer) -> Response:
    agreement = queries.describe_agreement(session, agreement_id)
    form = FormState(values=form_values(await request.form(), FIELDS))
    data = _posted(form)
    body = parse(AgreementUpdate, {**data, "valid_to": data["valid_to"] or None}, form)
    if body is not None:
        try:
            service.update_agreement(session, agreement_id, body)
            session.commit()
            return flash(redirect(f"/vmi/agreements/{agreement_id}"), request, N_("VMI agreement #%(id)s saved."),
                         id=agreement_id)
        except DomainError as error:
            session.rollback()
            _refused(form, error)
    return _form(request, session, form, agreement=agreement, status_code=422)


ACTIONS = {rules.AgreementAction.ACTIVATE: (service.activate_agreement, N_("VMI agreement #%(id)s is now active.")),
           rules.AgreementAction.END: (service.end_agreement, N_("VMI agreement #%(id)s has ended."))}


@router.post("/vmi/agreements/{agreement_id}/{action}")
def act_on_agreement(request: Request, agreement_id: Id, action: rules.AgreementAction, session: DbSession,
                     actor: Writer) -> Response:
    use_case, done = ACTIONS[action]
    try:
        use_case(session, agreement_id)
        session.commit()
    except DomainError as error:
        session.rollback()
        refusal = FormState()
        _refused(refusal, error)
        return _detail(request, session, actor, agreement_id, refusal=refusal, status_code=409)
    return flash(redirect(f"/vmi/agreements/{agreement_id}"), request, done, id=agreement_id)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("VMI agreements"), "/vmi/agreements", roles=frozenset({"admin", "buyer", "warehouse", "finance"}),
             order=60),
    NavEntry(N_("My VMI agreements"), "/vmi/agreements", roles=frozenset({"supplier"}), order=55),
])
