"""Portal pages for suppliers: list, search, export; create and edit (admin)."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor, Role
from openvmi.errors import DomainError, NotFound
from openvmi.fields import Id
from openvmi.parties import queries, service
from openvmi.parties.schemas import PartyCreate, PartyUpdate
from openvmi.web.deps import DbSession
from openvmi.web.exports import FORMATS, export_list
from openvmi.web.forms import FormState, add_domain_error, form_values, parse
from openvmi.web.i18n import N_
from openvmi.web.listing import ListView, list_request
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render
from openvmi.web.viewer import page_for, page_requires

router = portal_router()
Writer = Annotated[Actor, Depends(page_requires("parties.write"))]
SUPPLIER_ROLES = frozenset({Role.ADMIN, Role.BUYER, Role.FINANCE, Role.SUPPLIER})  # a supplier: its own only
Reader = Annotated[Actor, Depends(page_for(SUPPLIER_ROLES))]
FIELDS = ["code", "name", "country", "contact_email", "stale_after_days", "active"]


@router.get("/suppliers")
def supplier_list(request: Request, session: DbSession, actor: Reader, format: str | None = None) -> Response:
    wanted = list_request(request)
    if format in FORMATS:
        rows = [(p.code, p.name, p.country, p.contact_email, p.stale_after_days, p.active)
                for p in queries.export_suppliers(session, wanted)]
        return export_list(request, format, filename="suppliers", rows=rows,
                           columns=(N_("Code"), N_("Name"), N_("Country"), N_("Contact e-mail"),
                                    N_("Stale after (days)"), N_("Active")))
    if actor.supplier_id is not None:
        return redirect(f"/suppliers/{actor.supplier_id}")  # a supplier user's list has one row: its own
    view = ListView.of(request, queries.browse_suppliers(session, wanted))
    return render(request, "parties/suppliers.html", title=N_("Suppliers"), view=view,
                  can_write=actor.can("parties.write"))


@router.get("/suppliers/new")
def new_supplier(request: Request, _: Writer) -> Response:
    form = FormState(values={"stale_after_days": "7", "active": "on"})
    return render(request, "parties/supplier_form.html", title=N_("New supplier"), form=form, party=None)


@router.post("/suppliers/new")
async def create_supplier(request: Request, session: DbSession, _: Writer) -> Response:
    form = FormState(values=form_values(await request.form(), FIELDS))
    body = parse(PartyCreate, {**form.values, "kind": "supplier", "active": None}, form)
    if body is not None:
        try:
            party = service.create_party(session, body)
            session.commit()
            return flash(redirect(f"/suppliers/{party.id}"), request, N_("Supplier %(code)s created."), code=party.code)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error, field_names={"code": "code"})
    return render(request, "parties/supplier_form.html", title=N_("New supplier"), form=form, party=None,
                  status_code=422)


@router.get("/suppliers/{party_id}")
def edit_supplier(request: Request, party_id: Id, session: DbSession, actor: Reader) -> Response:
    party = _supplier(session, party_id)
    values = {"code": party.code, "name": party.name, "country": party.country or "",
              "contact_email": party.contact_email or "", "stale_after_days": str(party.stale_after_days),
              "active": "on" if party.active else ""}
    return render(request, "parties/supplier_form.html", title=N_("Supplier %(code)s"), form=FormState(values=values),
                  party=party, can_write=actor.can("parties.write"), title_params={"code": party.code})


@router.post("/suppliers/{party_id}")
async def update_supplier(request: Request, party_id: Id, session: DbSession, _: Writer) -> Response:
    party = _supplier(session, party_id)
    posted = form_values(await request.form(), FIELDS)
    form = FormState(values={**posted, "code": party.code})
    data = {k: v for k, v in posted.items() if k != "code"}
    data["active"] = posted["active"] == "on"
    for optional in ("country", "contact_email"):
        data[optional] = data[optional] or None  # an emptied field clears the value
    body = parse(PartyUpdate, data, form)
    if body is not None:
        try:
            service.update_party(session, party_id, body)
            session.commit()
            return flash(redirect("/suppliers"), request, N_("Supplier %(code)s saved."), code=party.code)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    return render(request, "parties/supplier_form.html", title=N_("Supplier %(code)s"), form=form, party=party,
                  can_write=True, title_params={"code": party.code}, status_code=422)


def _supplier(session: DbSession, party_id: int):
    party = queries.get_party(session, party_id)
    if party.kind != "supplier":
        raise NotFound(f"no such supplier: {party_id}")  # the buyer company is not a supplier page
    return party


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Suppliers"), "/suppliers", roles=SUPPLIER_ROLES - {Role.SUPPLIER}, order=60),
    NavEntry(N_("My company"), "/suppliers", roles=frozenset({Role.SUPPLIER}), order=60),
])
