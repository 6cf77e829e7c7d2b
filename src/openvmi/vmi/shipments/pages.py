"""Portal pages for shipments: the supplier's shipment form and printable packing list; details with differences."""
import base64
import io
from typing import Annotated

import barcode
from barcode.writer import SVGWriter
from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.errors import DomainError
from openvmi.fields import Id
from openvmi.vmi.call_offs import queries as call_off_queries
from openvmi.vmi.receipts.rules import DifferenceReason
from openvmi.vmi.shipments import queries, rules, service
from openvmi.vmi.shipments.rules import ShipmentState
from openvmi.vmi.shipments.schemas import ShipmentCreate
from openvmi.web.deps import DbSession
from openvmi.web.forms import FormState, add_domain_error, parse, plain
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render
from openvmi.web.viewer import page_requires

router = portal_router()
Reader = Annotated[Actor, Depends(page_requires("vmi_shipments.read"))]
Shipper = Annotated[Actor, Depends(page_requires("vmi_shipments.ship"))]
Closer = Annotated[Actor, Depends(page_requires("vmi_shipments.close"))]
STATE_LABELS = ShipmentState.labels()
REASON_LABELS = DifferenceReason.labels()
HEAD_FIELDS = ["carrier", "tracking_number", "expected_arrival"]


@router.get("/vmi/shipments")
def shipment_list(request: Request, session: DbSession, _: Reader, state: str | None = None) -> Response:
    state = state if state in STATE_LABELS else None
    page = queries.list_shipments(session, state=ShipmentState(state) if state else None, supplier_id=None,
                                  cursor=None, limit=200)
    return render(request, "vmi/shipments.html", title=N_("Shipments"), rows=page.items, state=state,
                  states=STATE_LABELS)


def _form(request: Request, session: DbSession, call_off_id: int, form: FormState, *,
          status_code: int = 200) -> Response:
    call_off = call_off_queries.describe_call_off(session, call_off_id)
    return render(request, "vmi/shipment_form.html", title=N_("Ship against call-off #%(id)s"),
                  title_params={"id": call_off.id}, call_off=call_off, form=form, status_code=status_code)


@router.get("/vmi/shipments/new")
def new_shipment(request: Request, session: DbSession, _: Shipper, call_off_id: Id | None = None) -> Response:
    if call_off_id is None:  # a shipment starts from an accepted call-off: pick one there
        return redirect("/vmi/call-offs?state=accepted")
    call_off = call_off_queries.describe_call_off(session, call_off_id)
    values = {f"quantity_{line.id}": plain(max(line.quantity - line.shipped_quantity, 0)) for line in call_off.lines}
    return _form(request, session, call_off_id, FormState(values=values))


@router.post("/vmi/shipments/new")
async def create_shipment(request: Request, session: DbSession, actor: Shipper, call_off_id: Id) -> Response:
    posted = await request.form()
    call_off = call_off_queries.describe_call_off(session, call_off_id)
    values = {name: str(posted.get(name, "")).strip() for name in posted.keys() if isinstance(posted.get(name), str)}
    lines = [{"call_off_line_id": line.id, "quantity": values.get(f"quantity_{line.id}", ""),
              "lot_number": values.get(f"lot_{line.id}") or None}
             for line in call_off.lines if values.get(f"quantity_{line.id}", "") not in ("", "0")]
    form = FormState(values=values)
    body = parse(ShipmentCreate, {"lines": lines, **{k: values.get(k, "") for k in HEAD_FIELDS}}, form,
                 field_names={f"lines.{i}.quantity": f"quantity_{line['call_off_line_id']}"
                              for i, line in enumerate(lines)})
    if body is not None:
        try:
            row = service.confirm_shipment(session, body, actor=actor)
            session.commit()
            return flash(redirect(f"/vmi/shipments/{row.id}/packing-list"), request,
                         N_("Shipment %(number)s is on its way."), number=row.number)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error, field_names={f"lines[{i}].quantity": f"quantity_{line['call_off_line_id']}"
                                                       for i, line in enumerate(lines)})
    return _form(request, session, call_off_id, form, status_code=422)


@router.get("/vmi/shipments/{shipment_id}")
def shipment_detail(request: Request, shipment_id: Id, session: DbSession, actor: Reader) -> Response:
    shipment = queries.describe_shipment(session, shipment_id)
    return render(request, "vmi/shipment.html", title=N_("Shipment %(number)s"), title_params={"number": shipment.number},
                  shipment=shipment, states=STATE_LABELS, reasons=REASON_LABELS,
                  can_cancel=actor.can("vmi_shipments.ship") and shipment.state in rules.CANCELLABLE_STATES,
                  can_close=actor.can("vmi_shipments.close") and shipment.state in rules.CLOSABLE_STATES)


@router.get("/vmi/shipments/{shipment_id}/packing-list")
def packing_list(request: Request, shipment_id: Id, session: DbSession, _: Reader) -> Response:
    shipment = queries.describe_shipment(session, shipment_id)
    return render(request, "vmi/packing_list.html", title=N_("Packing list %(number)s"),
                  title_params={"number": shipment.number}, shipment=shipment, code=_barcode(shipment.number))


def _barcode(number: str) -> str:
    """The shipment number as a Code 128 SVG data address for an <img> (what a scanner at the dock
    reads back); an image, because the SVG styles its bars inline, which the page's CSP forbids."""
    out = io.BytesIO()
    barcode.Code128(number, writer=SVGWriter()).write(out, options={"write_text": False, "module_height": 14})
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@router.post("/vmi/shipments/{shipment_id}/cancel")
def cancel_shipment(request: Request, shipment_id: Id, session: DbSession, actor: Shipper) -> Response:
    return _act(request, session, shipment_id, lambda: service.cancel_shipment(session, shipment_id, actor=actor),
                N_("Shipment %(number)s cancelled: its stock is back at your origin."))


@router.post("/vmi/shipments/{shipment_id}/close")
def close_shipment(request: Request, shipment_id: Id, session: DbSession, actor: Closer) -> Response:
    return _act(request, session, shipment_id, lambda: service.close_shipment(session, shipment_id, actor=actor),
                N_("Shipment %(number)s closed."))


def _act(request: Request, session: DbSession, shipment_id: int, use_case, done: str) -> Response:  # noqa: ANN001
    try:
        row = use_case()
        session.commit()
    except DomainError as error:
        session.rollback()
        refusal = FormState()
        add_domain_error(refusal, error)
        shipment = queries.describe_shipment(session, shipment_id)
        return render(request, "vmi/shipment.html", title=N_("Shipment %(number)s"),
                      title_params={"number": shipment.number}, shipment=shipment, states=STATE_LABELS,
                      reasons=REASON_LABELS, refusal=refusal, can_cancel=False, can_close=False, status_code=409)
    return flash(redirect(f"/vmi/shipments/{shipment_id}"), request, done, number=row.number)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Shipments"), "/vmi/shipments", permission="vmi_shipments.read", order=62),
])
