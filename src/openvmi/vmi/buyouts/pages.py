"""Portal page to buy out an agreement's VMI stock, or end the agreement with what is left (buyout or return)."""
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from openvmi.access import Actor
from openvmi.errors import DomainError
from openvmi.fields import Id
from openvmi.vmi.agreements import queries as agreement_queries
from openvmi.vmi.buyouts import queries, service
from openvmi.vmi.buyouts.rules import Leftover
from openvmi.vmi.buyouts.schemas import AgreementEnd, BuyoutCreate
from openvmi.web.deps import AppSettings, DbSession
from openvmi.web.forms import FormState, add_domain_error, form_values, parse
from openvmi.web.i18n import N_
from openvmi.web.portal import PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render, translate
from openvmi.web.viewer import page_requires

router = portal_router()
Buyer = Annotated[Actor, Depends(page_requires("vmi_buyouts.write"))]


def _page(request: Request, session: DbSession, agreement_id: int, *, form: FormState, end_form: FormState,
          status_code: int = 200) -> Response:
    agreement = agreement_queries.describe_agreement(session, agreement_id)
    left = agreement_queries.stock_left(session, agreement_queries.get_agreement(session, agreement_id))
    leftovers = [(value, translate(request, label)) for value, label in Leftover.labels().items()]
    return render(request, "vmi/buyout.html", title=N_("Buyout of VMI agreement #%(id)s"),
                  title_params={"id": agreement_id}, a=agreement, left=left, form=form, end_form=end_form,
                  leftovers=leftovers, buyouts=queries.list_buyouts(session, agreement_id), status_code=status_code)


@router.get("/vmi/buyouts/{agreement_id}")
def buyout_page(request: Request, agreement_id: Id, session: DbSession, _: Buyer) -> Response:
    return _page(request, session, agreement_id, form=FormState(values={}), end_form=FormState(values={}))


async def _submit(request: Request, session: DbSession, agreement_id: int, field: str, model: type[BaseModel],
                  act: Callable[[Any], Response]) -> Response:
    """Parse the one-field form, run the use case and commit; errors re-render the page beside that form."""
    form = FormState(values=form_values(await request.form(), [field]))
    body = parse(model, form.values, form)
    if body is not None:
        try:
            answer = act(body)
            session.commit()
            return answer
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    forms = {"form": FormState(values={}), "end_form": FormState(values={})}
    forms["end_form" if model is AgreementEnd else "form"] = form
    return _page(request, session, agreement_id, **forms, status_code=422)


@router.post("/vmi/buyouts/{agreement_id}")
async def buy_out(request: Request, agreement_id: Id, session: DbSession, actor: Buyer,
                  settings: AppSettings) -> Response:
    def act(body: BuyoutCreate) -> Response:
        row, _ = service.buy_out(session, agreement_id, body, actor=actor, zone=settings.timezone)
        return flash(redirect(f"/vmi/buyouts/{agreement_id}"), request, N_("Bought out %(quantity)s."),
                     quantity=format(row.quantity.normalize(), "f"))
    return await _submit(request, session, agreement_id, "quantity", BuyoutCreate, act)


@router.post("/vmi/buyouts/{agreement_id}/end")
async def end_agreement(request: Request, agreement_id: Id, session: DbSession, actor: Buyer,
                        settings: AppSettings) -> Response:
    def act(body: AgreementEnd) -> Response:
        service.end_agreement(session, agreement_id, body, actor=actor, zone=settings.timezone)
        return flash(redirect(f"/vmi/agreements/{agreement_id}"), request, N_("Agreement #%(id)s ended."),
                     id=agreement_id)
    return await _submit(request, session, agreement_id, "leftover", AgreementEnd, act)


feature = PortalFeature(router=router, nav=[])
