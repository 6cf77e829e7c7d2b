"""JSON API for consumptions: production withdraws VMI stock (a scan or a backflush batch) and returns some of it."""
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from pydantic import ValidationError

from openvmi.access import Actor
from openvmi.errors import FieldError, InvalidInput
from openvmi.fields import Id
from openvmi.tabular.xlsx_archive import XlsxLimits
from openvmi.vmi.consumptions import queries, service
from openvmi.vmi.consumptions.schemas import (
    ConsumptionCreate, ConsumptionRead, ConsumptionUpload, ReversalCreate, ReversalRead,
)
from openvmi.web.deps import AppSettings, DbSession, IdempotencyKey, requires
from openvmi.web.guard import takes_upload

router = APIRouter(prefix="/vmi/consumptions", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_consumptions.read"))]
Consumer = Annotated[Actor, Depends(requires("vmi_consumptions.write"))]


@router.post("", status_code=201, response_model=ConsumptionRead)
@takes_upload  # a backflush of 10,000 lines is as big as a file
def record_consumption(body: ConsumptionCreate, session: DbSession, actor: Consumer, settings: AppSettings,
                       idempotency_key: IdempotencyKey, response: Response) -> ConsumptionRead:
    """Consume one line (a scan) or up to 10,000 (a backflush) from VMI stock, all or none: each line is an
    ownership transfer with its settlement line. A retry with the same Idempotency-Key answers the first
    consumption (200) and changes nothing."""
    consumption_id, replayed = service.record_consumption(session, body, actor=actor, zone=settings.timezone,
                                                          idempotency_key=idempotency_key)
    session.commit()
    if replayed:
        response.status_code = 200
    return queries.describe_consumption(session, consumption_id, replayed=replayed)


@router.post("/uploads", status_code=201, response_model=ConsumptionRead)
@takes_upload
def upload_consumption(request: Request, session: DbSession, actor: Consumer, settings: AppSettings,
                       idempotency_key: IdempotencyKey, response: Response,
                       file: Annotated[UploadFile, File(description="CSV (UTF-8, UTF-8 BOM, GBK/GB18030) or XLSX")],
                       encoding: Annotated[str | None, Form(description="e.g. gbk; detected when left out")] = None,
                       sheet: Annotated[str | None, Form(description="XLSX sheet name; the first by default")] = None,
                       reference: Annotated[str | None, Form(description="the MES/ERP order")] = None,
                       ) -> ConsumptionRead:
    """Consume a backflush file (columns item, quantity, location, optionally supplier) as one consumption:
    checked whole, all lines or none; a bad file lists every bad row."""
    try:
        wanted = ConsumptionUpload(filename=file.filename or "upload", encoding=encoding or None, sheet=sheet or None,
                                   reference=reference or None)
    except ValidationError as error:
        raise InvalidInput([FieldError(".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors()]) from None
    consumption_id, replayed = service.record_consumption_file(
        session, wanted, stream=file.file, actor=actor, zone=settings.timezone, idempotency_key=idempotency_key,
        xlsx_limits=XlsxLimits.from_settings(request.app.state.settings))
    session.commit()
    if replayed:
        response.status_code = 200
    return queries.describe_consumption(session, consumption_id, replayed=replayed)


@router.get("/{consumption_id}", response_model=ConsumptionRead)
def get_consumption(consumption_id: Id, session: DbSession, _: Reader) -> ConsumptionRead:
    return queries.describe_consumption(session, consumption_id)


@router.post("/{consumption_id}/reversal", status_code=201, response_model=ReversalRead)
def reverse_consumption(consumption_id: Id, body: ReversalCreate, session: DbSession, actor: Consumer,
                        idempotency_key: IdempotencyKey, response: Response) -> ReversalRead:
    """Bring `quantity` of a consumption line back from production: the supplier's again, with the negative
    settlement line at that line's price. Never more than consumed minus returned."""
    reversal = service.reverse_consumption(session, consumption_id, body, actor=actor,
                                           idempotency_key=idempotency_key)
    session.commit()
    if reversal.replayed:
        response.status_code = 200
    return reversal
