"""Portal pages for adjustments: the supplier's form and list, the buyer's approval queue with approve/reject."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.errors import DomainError
from openvmi.fields import Id
from openvmi.vmi.adjustments import queries, service
from openvmi.vmi.adjustments.rules import AdjustmentAction, AdjustmentDirection, AdjustmentReason, AdjustmentState
from openvmi.vmi.adjustments.schemas import AdjustmentCreate, AdjustmentDecision
from openvmi.vmi.agreements import queries as agreement_queries
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.web.deps import DbSession
from openvmi.web.forms import FormState, add_domain_error, form_values, parse
from openvmi.web.i18n import N_
from openvmi.web.listing import list_request
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render, translate
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("vmi_adjustments.read"))]
Requester = Annotated[Actor, Depends(page_requires("vmi_adjustments.request"))]
Approver = Annotated[Actor, Depends(page_requires("vmi_adjustments.approve"))]
FIELDS = ["agreement_id", "direction", "quantity", "reason", "comment"]
STATE_LABELS = AdjustmentState.labels()


def _list(request: Request, session: DbSession, actor: Actor, state: str | None, *, refusal: FormState | None = None,
          status_code: int = 200) -> Response:
    page = queries.list_adjustments(session, state=AdjustmentState(state) if state else None, agreement_id=None,
                                    supplier_id=None, cursor=None, limit=200)
    waiting = actor.can("vmi_adjustments.approve") and state == AdjustmentState.PENDING
    return render(request, "vmi/adjustments.html", title=N_("Adjustments to approve") if waiting else N_("Adjustments"),
                  rows=page.items, state=state, states=STATE_LABELS, reasons=AdjustmentReason.labels(),
                  directions=AdjustmentDirection.labels(), can_request=actor.can("vmi_adjustments.request"),
                  can_approve=actor.can("vmi_adjustments.approve"), refusal=refusal, status_code=status_code)


@router.get("/vmi/adjustments")
def adjustment_list(request: Request, session: DbSession, actor: Reader, state: str | None = None) -> Response:
    return _list(request, session, actor, state if state in STATE_LABELS else None)


def _form(request: Request, session: DbSession, form: FormState, *, status_code: int = 200) -> Response:
    agreements = [(a.id, f"#{a.id} · {a.item_code} · {a.location_code}") for a in
                  agreement_queries.export_agreements(session, list_request(request), state=AgreementState.ACTIVE)]
    return render(request, "vmi/adjustment_form.html", title=N_("Adjust VMI stock"), form=form, agreements=agreements,
                  directions=[(v, translate(request, label)) for v, label in AdjustmentDirection.labels().items()],
                  reasons=[(v, translate(request, label)) for v, label in AdjustmentReason.labels().items()],
                  status_code=status_code)


@router.get("/vmi/adjustments/new")
def new_adjustment(request: Request, session: DbSession, _: Requester) -> Response:
    return _form(request, session, FormState(values={}))


@router.post("/vmi/adjustments/new")
async def create_adjustment(request: Request, session: DbSession, actor: Requester) -> Response:
    form = FormState(values=form_values(await request.form(), FIELDS))
    body = parse(AdjustmentCreate, form.values, form)
    if body is not None:
        try:
            row, _ = service.create_adjustment(session, body, actor=actor)
            session.commit()
            waiting = row.state == AdjustmentState.PENDING
            done = (N_("Adjustment #%(id)s is waiting for the buyer's approval.") if waiting
                    else N_("Adjustment #%(id)s is posted."))
            return flash(redirect("/vmi/adjustments"), request, done, id=row.id)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    return _form(request, session, form, status_code=422)


@router.post("/vmi/adjustments/{adjustment_id}/{action}")
async def decide_adjustment(request: Request, adjustment_id: Id, action: AdjustmentAction, session: DbSession,
                            actor: Approver) -> Response:
    comment = str((await request.form()).get("comment", "")).strip()
    try:
        service.decide_adjustment(session, adjustment_id, action, AdjustmentDecision(comment=comment or None),
                                  actor=actor)
        session.commit()
    except DomainError as error:
        session.rollback()
        refusal = FormState()
        add_domain_error(refusal, error)
        refusal.general += [m for messages in refusal.errors.values() for m in messages]
        return _list(request, session, actor, AdjustmentState.PENDING, refusal=refusal, status_code=409)
    done = N_("Adjustment #%(id)s approved.") if action is AdjustmentAction.APPROVE else N_(
        "Adjustment #%(id)s rejected.")
    return flash(redirect("/vmi/adjustments?state=pending"), request, done, id=adjustment_id)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Adjust VMI stock"), "/vmi/adjustments", roles=frozenset({"supplier"}), order=57),
    NavEntry(N_("Adjustments to approve"), "/vmi/adjustments?state=pending", roles=frozenset({"admin", "buyer"}),
             order=62),
    NavEntry(N_("Adjustments"), "/vmi/adjustments", roles=frozenset({"warehouse", "finance"}), order=62),
])
