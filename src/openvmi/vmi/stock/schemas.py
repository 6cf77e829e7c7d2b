"""VMI stock view shapes: one agreement's stock by owner and place, its FIFO layers and last consumptions."""
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from openvmi.vmi.replenishment.schemas import AgreementAtPlace


class LayerRead(BaseModel):
    """Stock still in one FIFO layer at the VMI location, oldest first."""

    received_at: datetime
    age_days: int
    quantity_left: Decimal
    owned_by_supplier: bool  # False: bought out, the buyer's


class ConsumptionRead(BaseModel):
    move_id: int
    quantity: Decimal
    consumed_at: datetime
    reference: str | None


class VmiStockRead(AgreementAtPlace):
    supplier_owned: Decimal  # on hand at the VMI location, still the supplier's (consigned)
    buyer_owned: Decimal  # on hand at the VMI location, already the buyer's (bought out)
    in_transit: Decimal  # the supplier's, at in-transit places of the plant (or shared ones)
    quarantine: Decimal  # the supplier's, damaged or blocked, at quarantine places of the plant (or shared ones)
    days_of_cover: int | None  # whole days the supplier-owned stock meets the plan; None: the whole horizon
    demand_planned: bool  # False: the plan asks for nothing in the horizon, so cover says nothing
    layers: list[LayerRead]
    last_consumptions: list[ConsumptionRead]  # newest first


class VmiStockPage(BaseModel):
    today: date
    cover_horizon_days: int
    items: list[VmiStockRead]
    next_cursor: str | None
