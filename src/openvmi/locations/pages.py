"""Portal pages for locations: list by kind, search, export; create (admin)."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor, Role
from openvmi.errors import DomainError
from openvmi.locations import queries, service
from openvmi.locations.rules import LocationKind
from openvmi.locations.schemas import LocationCreate
from openvmi.parties import queries as parties_queries
from openvmi.web.deps import DbSession
from openvmi.web.exports import FORMATS, export_list
from openvmi.web.forms import FormState, add_domain_error, form_values, parse
from openvmi.web.i18n import N_
from openvmi.web.listing import ListView, list_request
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render, translate
from openvmi.web.viewer import page_for, page_requires

router = portal_router()
Writer = Annotated[Actor, Depends(page_requires("locations.write"))]
# The buyer's plants and stores are for the buyer's own people, not for suppliers or finance.
LOCATION_ROLES = frozenset({Role.ADMIN, Role.BUYER, Role.WAREHOUSE})
Reader = Annotated[Actor, Depends(page_for(LOCATION_ROLES))]
FIELDS = ["code", "name", "kind", "plant_code", "supplier_code"]
KIND_LABELS = LocationKind.labels()


@router.get("/locations")
def location_list(request: Request, session: DbSession, actor: Reader, kind: str | None = None,
                  format: str | None = None) -> Response:
    wanted = list_request(request)
    kind = kind if kind in KIND_LABELS else None
    if format in FORMATS:
        rows = [(loc.code, loc.name, translate(request, KIND_LABELS[loc.kind]), loc.active)
                for loc in queries.export_locations(session, wanted, kind=kind)]
        return export_list(request, format, filename="locations", rows=rows,
                           columns=(N_("Code"), N_("Name"), N_("Kind"), N_("Active")))
    view = ListView.of(request, queries.browse_locations(session, wanted, kind=kind))
    return render(request, "locations/locations.html", title=N_("Locations"), view=view, kind=kind,
                  kinds=KIND_LABELS, can_write=actor.can("locations.write"))


def _form(request: Request, session: DbSession, form: FormState, status_code: int = 200) -> Response:
    plants = [(p.code, f"{p.code} · {p.name}") for p in parties_queries.list_plants(session)]
    suppliers = [(code, f"{code} · {name}") for _, code, name in parties_queries.supplier_choices(session)]
    kinds = [(k, translate(request, label)) for k, label in KIND_LABELS.items()]
    return render(request, "locations/location_form.html", title=N_("New location"), form=form, plants=plants,
                  suppliers=suppliers, kinds=kinds, status_code=status_code)


@router.get("/locations/new")
def new_location(request: Request, session: DbSession, _: Writer) -> Response:
    return _form(request, session, FormState(values={"kind": "vmi"}))


@router.post("/locations/new")
async def create_location(request: Request, session: DbSession, _: Writer) -> Response:
    form = FormState(values=form_values(await request.form(), FIELDS))
    body = parse(LocationCreate, form.values, form)
    if body is not None:
        try:
            location = service.create_location(session, body)
            session.commit()
            return flash(redirect("/locations"), request, N_("Location %(code)s created."), code=location.code)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    return _form(request, session, form, status_code=422)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Locations"), "/locations", roles=LOCATION_ROLES, order=75),
])
