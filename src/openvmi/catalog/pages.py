"""Portal pages for items and supplier items: lists with search, sort and export; create and edit."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import STAFF, Actor, Role
from openvmi.catalog import queries, service
from openvmi.catalog.schemas import ItemCreate, ItemUpdate, PriceCreate, SupplierItemCreate, SupplierItemUpdate
from openvmi.catalog.service import StaleVersion
from openvmi.errors import DomainError
from openvmi.fields import Id
from openvmi.limits import counter
from openvmi.parties import queries as parties_queries
from openvmi.web.deps import DbSession, get_reactions
from openvmi.web.exports import FORMATS, export_list
from openvmi.web.forms import FormState, Message, add_domain_error, form_values, parse, plain
from openvmi.web.i18n import N_
from openvmi.web.listing import ListView, list_request
from openvmi.web.portal import DashboardPanel, NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render
from openvmi.web.viewer import page_for, page_requires

router = portal_router()
ItemWriter = Annotated[Actor, Depends(page_requires("items.write"))]
SupplierItemWriter = Annotated[Actor, Depends(page_requires("supplier_items.write"))]
# Who is offered each list (nav) and so may open its pages: a supplier sees only what it supplies.
ITEM_ROLES = STAFF
SUPPLIER_ITEM_ROLES = frozenset({Role.ADMIN, Role.BUYER, Role.FINANCE, Role.SUPPLIER})
ItemReader = Annotated[Actor, Depends(page_for(ITEM_ROLES))]
SupplierItemReader = Annotated[Actor, Depends(page_for(SUPPLIER_ITEM_ROLES))]
ITEM_FIELDS = ["code", "name", "unit", "category", "default_low_water", "active"]
SUPPLIER_ITEM_FIELDS = ["supplier_code", "item_code", "supplier_part_number", "lead_time_days", "moq", "pack_size",
                        "price", "currency", "valid_from", "min_quantity", "active", "version"]
# Where a schema's error lands in the form: the first price line is the form's price fields.
PRICE_FIELDS = {"prices.0.price": "price", "prices.0.currency": "currency", "prices.0.valid_from": "valid_from",
                "prices.0.min_quantity": "min_quantity", "prices": "price"}
STALE_MESSAGE = N_("Someone else changed this supplier item after you opened it. Reload the page to see "
                   "their changes, then make yours again.")


# --- items -------------------------------------------------------------------------------

@router.get("/items")
def item_list(request: Request, session: DbSession, actor: ItemReader, format: str | None = None) -> Response:
    wanted = list_request(request)
    if format in FORMATS:
        rows = [(i.code, i.name, i.unit, i.category, i.default_low_water, i.active)
                for i in queries.export_items(session, wanted)]
        return export_list(request, format, filename="items", rows=rows,
                           columns=(N_("Code"), N_("Name"), N_("Unit"), N_("Category"), N_("Default low-water mark"),
                                    N_("Active")))
    view = ListView.of(request, queries.browse_items(session, wanted))
    return render(request, "catalog/items.html", title=N_("Items"), view=view, can_write=actor.can("items.write"))


@router.get("/items/new")
def new_item(request: Request, _: ItemWriter) -> Response:
    return render(request, "catalog/item_form.html", title=N_("New item"), form=FormState(values={"unit": "PCS"}),
                  item=None, can_write=True)


@router.post("/items/new")
async def create_item(request: Request, session: DbSession, _: ItemWriter) -> Response:
    form = FormState(values=form_values(await request.form(), ITEM_FIELDS))
    body = parse(ItemCreate, {**form.values, "active": ""}, form)
    if body is not None:
        try:
            item = service.create_item(session, body)
            session.commit()
            return flash(redirect(f"/items/{item.id}"), request, N_("Item %(code)s created."), code=item.code)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    return render(request, "catalog/item_form.html", title=N_("New item"), form=form, item=None, can_write=True,
                  status_code=422)


@router.get("/items/{item_id}")
def edit_item(request: Request, item_id: Id, session: DbSession, actor: ItemReader) -> Response:
    item = queries.get_item(session, item_id)
    values = {"code": item.code, "name": item.name, "unit": item.unit, "category": item.category or "",
              "default_low_water": plain(item.default_low_water), "active": "on" if item.active else ""}
    return render(request, "catalog/item_form.html", title=N_("Item %(code)s"), title_params={"code": item.code},
                  form=FormState(values=values), item=item, can_write=actor.can("items.write"))


@router.post("/items/{item_id}")
async def update_item(request: Request, item_id: Id, session: DbSession, _: ItemWriter) -> Response:
    item = queries.get_item(session, item_id)
    posted = form_values(await request.form(), ITEM_FIELDS)
    form = FormState(values={**posted, "code": item.code})
    data = {k: v for k, v in posted.items() if k != "code"}
    data["active"] = posted["active"] == "on"
    data["category"] = data["category"] or None
    data["default_low_water"] = data["default_low_water"] or None
    body = parse(ItemUpdate, data, form)
    if body is not None:
        try:
            service.update_item(
                session, item_id, body, low_water_changed=get_reactions(request).item_low_water_changed)
            session.commit()
            return flash(redirect("/items"), request, N_("Item %(code)s saved."), code=item.code)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error)
    return render(request, "catalog/item_form.html", title=N_("Item %(code)s"), title_params={"code": item.code},
                  form=form, item=item, can_write=True, status_code=422)


# --- supplier items ----------------------------------------------------------------------

@router.get("/supplier-items")
def supplier_item_list(request: Request, session: DbSession, actor: SupplierItemReader,
                       format: str | None = None) -> Response:
    wanted = list_request(request)
    if format in FORMATS:
        rows = [(r.item_code, r.item_name, r.supplier_code, r[0].supplier_part_number, r[0].lead_time_days,
                 r[0].moq, r[0].pack_size, r.unit, r[0].active)
                for r in queries.export_supplier_items(session, wanted)]
        return export_list(request, format, filename="supplier-items", rows=rows,
                           columns=(N_("Item"), N_("Item name"), N_("Supplier"), N_("Supplier part number"),
                                    N_("Lead time (days)"), N_("MOQ"), N_("Pack size"), N_("Unit"), N_("Active")))
    view = ListView.of(request, queries.browse_supplier_items(session, wanted))
    return render(request, "catalog/supplier_items.html", title=N_("Supplier items"), view=view,
                  can_write=actor.can("supplier_items.write"))


def _supplier_item_form(request: Request, session: DbSession, actor: Actor, form: FormState, *,
                        row=None, status_code: int = 200) -> Response:
    if row is None:
        suppliers = [(code, f"{code} · {name}") for _, code, name in parties_queries.supplier_choices(session)]
        return render(request, "catalog/supplier_item_form.html", title=N_("New supplier item"), form=form,
                      row=None, suppliers=suppliers, can_write=True,
                      # the buyer's whole catalogue is not a supplier's to browse: it types the code
                      items=queries.item_choices(session) if actor.supplier_id is None else [],
                      status_code=status_code)
    described = queries.describe_supplier_items(session, [row])[0]
    return render(request, "catalog/supplier_item_form.html", title=N_("Supplier item %(part)s"),
                  title_params={"part": row.supplier_part_number}, form=form, row=described,
                  can_write=actor.can("supplier_items.write"), status_code=status_code)


@router.get("/supplier-items/new")
def new_supplier_item(request: Request, session: DbSession, actor: SupplierItemWriter) -> Response:
    values = {"lead_time_days": "7", "moq": "0", "pack_size": "1", "currency": "CNY"}
    if actor.supplier_id is not None:
        values["supplier_code"] = parties_queries.get_party(session, actor.supplier_id).code
    return _supplier_item_form(request, session, actor, FormState(values=values))


@router.post("/supplier-items/new")
async def create_supplier_item(request: Request, session: DbSession, actor: SupplierItemWriter) -> Response:
    form = FormState(values=form_values(await request.form(), SUPPLIER_ITEM_FIELDS))
    if actor.supplier_id is not None:  # a supplier user adds items for its own company only
        form.values["supplier_code"] = parties_queries.get_party(session, actor.supplier_id).code
    data = {k: form.values[k] for k in ("supplier_code", "item_code", "supplier_part_number", "lead_time_days",
                                        "moq", "pack_size")}
    if form.values["price"] or form.values["valid_from"]:
        data["prices"] = [{"price": form.values["price"], "currency": form.values["currency"] or None,
                           "valid_from": form.values["valid_from"] or None,
                           "min_quantity": form.values["min_quantity"] or "0"}]
    body = parse(SupplierItemCreate, data, form, field_names=PRICE_FIELDS)
    if body is not None:
        try:
            row = service.create_supplier_item(session, body)
            session.commit()
            return flash(redirect(f"/supplier-items/{row.id}"), request, N_("Supplier item %(part)s created."),
                         part=row.supplier_part_number)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error, field_names=PRICE_FIELDS)
    return _supplier_item_form(request, session, actor, form, status_code=422)


@router.get("/supplier-items/{supplier_item_id}")
def edit_supplier_item(request: Request, supplier_item_id: Id, session: DbSession,
                       actor: SupplierItemReader) -> Response:
    row = queries.get_supplier_item(session, supplier_item_id)
    values = {"supplier_part_number": row.supplier_part_number, "lead_time_days": str(row.lead_time_days),
              "moq": plain(row.moq), "pack_size": plain(row.pack_size), "active": "on" if row.active else "",
              "version": str(row.version), "currency": row.prices[-1].currency if row.prices else "CNY",
              "price": "", "valid_from": "", "min_quantity": ""}
    return _supplier_item_form(request, session, actor, FormState(values=values), row=row)


@router.post("/supplier-items/{supplier_item_id}")
async def update_supplier_item(request: Request, supplier_item_id: Id, session: DbSession,
                               actor: SupplierItemWriter) -> Response:
    row = queries.get_supplier_item(session, supplier_item_id)
    form = FormState(values=form_values(await request.form(), SUPPLIER_ITEM_FIELDS))
    data: dict = {k: form.values[k] for k in ("supplier_part_number", "lead_time_days", "moq", "pack_size")}
    data["active"] = form.values["active"] == "on"
    if form.values["price"] or form.values["valid_from"]:
        existing = [{"price": p.price, "currency": p.currency, "valid_from": p.valid_from, "valid_to": p.valid_to,
                     "min_quantity": p.min_quantity} for p in row.prices]
        # A break starting on a day that already has prices joins that day's break set.
        new = {"price": form.values["price"], "currency": form.values["currency"] or None,
               "valid_from": form.values["valid_from"] or None, "min_quantity": form.values["min_quantity"] or "0"}
        data["prices"] = existing + [new]
    price_fields = {f"prices.{len(row.prices)}.{name}": name
                    for name in ("price", "currency", "valid_from", "min_quantity")}
    body = parse(SupplierItemUpdate, data, form, field_names={**price_fields, "prices": "valid_from"})
    version = form.values["version"]
    if body is not None:
        try:
            service.update_supplier_item(session, supplier_item_id, body,
                                         expected_version=counter(version))
            session.commit()
            return flash(redirect("/supplier-items"), request, N_("Supplier item %(part)s saved."),
                         part=body.supplier_part_number or row.supplier_part_number)
        except StaleVersion:
            session.rollback()
            form.general.append(Message(STALE_MESSAGE))
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error, field_names={"prices": "valid_from"})
        row = queries.get_supplier_item(session, supplier_item_id)
    return _supplier_item_form(request, session, actor, form, row=row, status_code=422)


def _supplier_catalog_panel(session, actor: Actor) -> dict:
    return {"count": queries.count_supplier_items(session)}


feature = PortalFeature(
    router=router,
    nav=[NavEntry(N_("Items"), "/items", roles=ITEM_ROLES, order=70),
         NavEntry(N_("Supplier items"), "/supplier-items", roles=SUPPLIER_ITEM_ROLES - {Role.SUPPLIER}, order=71),
         NavEntry(N_("My items"), "/supplier-items", roles=frozenset({"supplier"}), order=50)],
    panels=[DashboardPanel(key="supplier_items", title=N_("Your catalogue"), template="catalog/panel_catalog.html",
                           roles=frozenset({"supplier"}), load=_supplier_catalog_panel, order=40),
            DashboardPanel(key="master_data", title=N_("Master data"), template="catalog/panel_master_data.html",
                           roles=frozenset({"admin", "buyer"}), load=lambda session, _: queries.catalogue_counts(session),
                           order=90)],
)
