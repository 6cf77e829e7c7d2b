"""VMI agreement shapes: create, update (draft terms), read, page."""
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from openvmi.fields import Currency, Id, Percent, Quantity
from openvmi.settlement.rules import SettlementCycle
from openvmi.vmi.agreements.rules import AgreementState

# Tax rates and the over-shipment tolerance are fields.Percent: 0 to 100 % (more tolerance is no
# tolerance but a second order), four decimals, as the Numeric(7, 4) columns hold them.
AnswerHours = Annotated[int, Field(ge=1, le=24 * 366)]


class AgreementCreate(BaseModel):
    supplier_item_id: Id
    location_id: Id  # a VMI location at one of our plants
    min_level: Quantity
    max_level: Quantity
    settlement_cycle: SettlementCycle = SettlementCycle.MONTHLY
    currency: Currency
    tax_rate_percent: Percent
    adjustments_need_approval: bool = True
    self_billing: bool = False
    call_off_answer_hours: AnswerHours = 48
    over_shipment_tolerance_percent: Percent = Decimal(0)
    valid_from: date
    valid_to: date | None = None
    # min <= max and valid_from <= valid_to are checked by the service (rules.term_problems), which
    # names the field, on create and on the merged terms of an update alike.


class AgreementUpdate(BaseModel):
    # Omitted = unchanged; an explicit null is refused where the column cannot be empty (see
    # catalog.schemas.ItemUpdate). Checks across fields run on the merged terms in the service.
    supplier_item_id: Id = None  # type: ignore[assignment]
    location_id: Id = None  # type: ignore[assignment]
    min_level: Quantity = None  # type: ignore[assignment]
    max_level: Quantity = None  # type: ignore[assignment]
    settlement_cycle: SettlementCycle = None  # type: ignore[assignment]
    currency: Currency = None  # type: ignore[assignment]
    tax_rate_percent: Percent = None  # type: ignore[assignment]
    adjustments_need_approval: bool = None  # type: ignore[assignment]
    self_billing: bool = None  # type: ignore[assignment]
    call_off_answer_hours: AnswerHours = None  # type: ignore[assignment]
    over_shipment_tolerance_percent: Percent = None  # type: ignore[assignment]
    valid_from: date = None  # type: ignore[assignment]
    valid_to: date | None = None


class AgreementRead(BaseModel):
    id: int
    supplier_item_id: int
    supplier_id: int
    supplier_code: str
    supplier_name: str
    item_id: int
    item_code: str
    item_name: str
    unit: str
    supplier_part_number: str
    location_id: int
    location_code: str
    location_name: str
    plant_code: str | None
    min_level: Decimal
    max_level: Decimal
    settlement_cycle: SettlementCycle
    currency: str
    tax_rate_percent: Decimal
    adjustments_need_approval: bool
    self_billing: bool
    call_off_answer_hours: int
    over_shipment_tolerance_percent: Decimal
    valid_from: date
    valid_to: date | None
    state: AgreementState
    created_at: datetime
    activated_at: datetime | None
    ended_at: datetime | None


class AgreementPage(BaseModel):
    items: list[AgreementRead]
    next_cursor: str | None
