"""Portal page to receive a shipment on a phone: scan the packing list's number, count each line, done."""
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openvmi.access import Actor
from openvmi.errors import DomainError
from openvmi.vmi.receipts import service
from openvmi.vmi.receipts.rules import DifferenceReason
from openvmi.vmi.receipts.schemas import ReceiptCreate
from openvmi.vmi.shipments import queries as shipment_queries
from openvmi.vmi.shipments.schemas import ShipmentRead
from openvmi.web.deps import DbSession
from openvmi.web.forms import FormState, Message, add_domain_error, parse, plain
from openvmi.web.i18n import N_
from openvmi.web.portal import NavEntry, PortalFeature, portal_router
from openvmi.web.rendering import flash, redirect, render, translate
from openvmi.web.viewer import page_requires

router = portal_router()
Receiver = Annotated[Actor, Depends(page_requires("vmi_receipts.write"))]
PARTS = ("accepted", "short", "over", "damaged")
REASONS = ("short_reason", "over_reason", "damaged_reason")


def _page(request: Request, *, number: str, shipment: ShipmentRead | None, form: FormState,
          status_code: int = 200) -> Response:
    reasons = [(value, translate(request, label)) for value, label in DifferenceReason.labels().items()]
    return render(request, "vmi/receive.html", title=N_("Receive a shipment"), number=number, shipment=shipment,
                  form=form, reasons_translated=reasons, status_code=status_code)


@router.get("/vmi/receive")
def receive_page(request: Request, session: DbSession, _: Receiver, number: str = "") -> Response:
    number = number.strip()[:60]
    form = FormState(values={})
    shipment = None
    if number:
        shipment_id = shipment_queries.find_shipment_id(session, number)
        if shipment_id is None:
            form.general.append(Message(N_("No shipment has the number %(number)s."), {"number": number}))
        else:
            shipment = shipment_queries.describe_shipment(session, shipment_id)
            form.values = {f"accepted_{line.id}": plain(line.quantity) for line in shipment.lines}
    return _page(request, number=number, shipment=shipment, form=form, status_code=404 if form.general else 200)


@router.post("/vmi/receive")
async def receive(request: Request, session: DbSession, actor: Receiver) -> Response:
    posted = await request.form()
    number = str(posted.get("number", "")).strip()[:60]
    shipment_id = shipment_queries.find_shipment_id(session, number)
    if shipment_id is None:
        return redirect(f"/vmi/receive?number={number}")
    shipment = shipment_queries.describe_shipment(session, shipment_id)
    values = {name: str(posted.get(name, "")).strip() for name in posted.keys()}
    lines, names = [], {}
    for index, line in enumerate(shipment.lines):
        lines.append({"shipment_line_id": line.id, "accepted": values.get(f"accepted_{line.id}", ""),
                      **{part: values.get(f"{part}_{line.id}") or "0" for part in PARTS[1:]},
                      **{reason: values.get(f"{reason}_{line.id}") or None for reason in REASONS}})
        names |= {f"lines.{index}.{part}": f"{part}_{line.id}" for part in PARTS + REASONS}
        names |= {f"lines[{index}].{part}": f"{part}_{line.id}" for part in PARTS + REASONS}
    form = FormState(values={name: "" for name in names.values()} | values)  # so errors land on their field
    body = parse(ReceiptCreate, {"shipment_number": number, "lines": lines}, form, field_names=names)
    if body is not None:
        try:
            service.receive_shipment(session, body, actor=actor)
            session.commit()
            return flash(redirect(f"/vmi/shipments/{shipment_id}"), request, N_("Shipment %(number)s received."),
                         number=shipment.number)
        except DomainError as error:
            session.rollback()
            add_domain_error(form, error, field_names=names)
    return _page(request, number=number, shipment=shipment, form=form, status_code=422)


feature = PortalFeature(router=router, nav=[
    NavEntry(N_("Receive a shipment"), "/vmi/receive", permission="vmi_receipts.write", order=63),
])
