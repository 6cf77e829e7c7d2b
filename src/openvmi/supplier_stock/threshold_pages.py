"""Portal pages for alert thresholds: buyers list supplier items with their low- and high-water
marks and the item default, and set or clear a supplier item's own marks; a supplier sees the
marks on its own items, read-only, so it knows when its stock will raise an alert."""
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor, Role
from openvmi.errors import DomainError
from openvmi.fields import Id
from openvmi.limits import counter
from openvmi.parties import queries as parties_queries
from openvmi.supplier_stock import threshold_list
from openvmi.supplier_stock.rules import WatchState
from openvmi.supplier_stock.schemas import ThresholdSet
from openvmi.supplier_stock.service import thresholds
from openvmi.supplier_stock.threshold_list import Show, ThresholdFilter, WatchedItem
from openvmi.web.deps import DbSession
from openvmi.web.forms import FormState, Message, add_domain_error, form_values, parse, plain
from openvmi.web.i18n import N_
from openvmi.web.listing import ListView, list_request
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render
from openvmi.web.viewer import page_for, page_requires

router = portal_router()
# Who is offered the page in the navigation, and so may open it: buyers set marks, suppliers read theirs.
THRESHOLD_ROLES = frozenset({Role.ADMIN, Role.BUYER, Role.SUPPLIER})
Reader = Annotated[Actor, Depends(page_for(THRESHOLD_ROLES))]
Writer = Annotated[Actor, Depends(page_requires("supplier_stock.thresholds"))]
FIELDS = ["low_water", "high_water"]
SHOW = {Show.OWN: N_("Own marks"), Show.DEFAULT: N_("Item default"), Show.NONE: N_("No marks"),
        Show.BELOW: N_("Below the low-water mark"), Show.ABOVE: N_("Above the high-water mark")}


@router.get("/thresholds")
def threshold_page(request: Request, session: DbSession, actor: Reader) -> Response:
    params = request.query_params
    show = params.get("show") if params.get("show") in SHOW else None
    filters = ThresholdFilter(supplier_id=counter(params.get("supplier", "")),
                              item_id=counter(params.get("item", "")), show=show)
    view = ListView.of(request, threshold_list.browse_thresholds(session, list_request(request), filters))
    suppliers = None
    if actor.supplier_id is None:
        suppliers = [(str(i), f"{code} · {name}") for i, code, name in parties_queries.supplier_choices(session)]
    return render(request, "supplier_stock/thresholds.html", title=N_("Alert thresholds"), view=view, show=show,
                  show_options=SHOW, suppliers=suppliers, filters=filters, states=WatchState.labels(),
                  can_write=actor.can("supplier_stock.thresholds"))


@router.get("/thresholds/{supplier_item_id}")
def threshold_form(request: Request, supplier_item_id: Id, session: DbSession, actor: Reader) -> Response:
    row = threshold_list.get_watched_item(session, supplier_item_id)
    values = {"low_water": plain(row.own_low), "high_water": plain(row.own_high)}
    return _form_page(request, actor, row, FormState(values=values))


@router.post("/thresholds/{supplier_item_id}")
async def save_threshold(request: Request, supplier_item_id: Id, session: DbSession, actor: Writer) -> Response:
    """Set the supplier item's own marks (they replace the item default for this supplier)."""
    row = threshold_list.get_watched_item(session, supplier_item_id)
    form = FormState(values=form_values(await request.form(), FIELDS))
    data = {"supplier_code": row.supplier_code, "item_code": row.item_code, "low_water": form.values["low_water"],
            "high_water": form.values["high_water"] or None}
    body = None if _high_not_above_low(form) else parse(ThresholdSet, data, form, field_names={"": "high_water"})
    if body is not None:
        try:
            thresholds.set_threshold(session, body, actor_id=actor.user_id)
            session.commit()
            return flash(redirect(f"/thresholds/{supplier_item_id}"), request,
                         N_("Marks of %(item)s at %(supplier)s saved."), item=row.item_code,
                         supplier=row.supplier_code)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    return _form_page(request, actor, row, form, status_code=422)


@router.post("/thresholds/{supplier_item_id}/clear")
def clear_threshold(request: Request, supplier_item_id: Id, session: DbSession, _: Writer) -> Response:
    """Remove the supplier item's own marks: the item's default low-water mark applies again."""
    row = threshold_list.get_watched_item(session, supplier_item_id)
    if row.threshold_id is not None:
        thresholds.delete_threshold(session, row.threshold_id)
        session.commit()
    return flash(redirect(f"/thresholds/{supplier_item_id}"), request,
                 N_("Own marks of %(item)s at %(supplier)s removed; the item default applies."),
                 item=row.item_code, supplier=row.supplier_code)


def _high_not_above_low(form: FormState) -> bool:
    """The schema refuses this too, but in English only: say it here in the reader's language."""
    try:
        low, high = Decimal(form.values["low_water"]), Decimal(form.values["high_water"])
    except ArithmeticError:
        return False  # not numbers: the schema says so
    if high <= low:
        form.add("high_water", Message(N_("The high-water mark must be above the low-water mark.")))
        return True
    return False


def _form_page(request: Request, actor: Actor, row: WatchedItem, form: FormState, *,
               status_code: int = 200) -> Response:
    return render(request, "supplier_stock/threshold_form.html", title=N_("Alert thresholds of %(item)s at %(supplier)s"),
                  title_params={"item": row.item_code, "supplier": row.supplier_code}, row=row, form=form,
                  states=WatchState.labels(), can_write=actor.can("supplier_stock.thresholds"),
                  can_edit_item=actor.can("items.write"), status_code=status_code)


feature = PortalFeature(
    router=router,
    nav=[NavEntry(N_("Alert thresholds"), "/thresholds", roles=THRESHOLD_ROLES - {Role.SUPPLIER}, order=23),
         NavEntry(N_("My alert thresholds"), "/thresholds", roles=frozenset({Role.SUPPLIER}), order=23)],
)
