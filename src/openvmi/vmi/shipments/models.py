"""Shipment (ASN) tables: the header with its number, carrier and places, and one line per call-off line shipped."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, Quantity, UtcDateTime, one_of, utcnow
from openvmi.scoping import OwnedBySupplier
from openvmi.vmi.shipments.rules import ShipmentState


class Shipment(OwnedBySupplier, Base):
    __tablename__ = "vmi_shipment"
    __table_args__ = (one_of("state", ShipmentState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)  # printed on the packing list, scanned at the dock
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=ShipmentState.IN_TRANSIT, index=True)
    carrier: Mapped[str | None] = mapped_column(String(200))
    tracking_number: Mapped[str | None] = mapped_column(String(200))
    expected_arrival: Mapped[date]
    origin_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))  # the supplier's (virtual) origin
    in_transit_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ShipmentLine(OwnedBySupplier, Base):
    __tablename__ = "vmi_shipment_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("vmi_shipment.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    call_off_line_id: Mapped[int] = mapped_column(ForeignKey("vmi_call_off_line.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    lot_number: Mapped[str | None] = mapped_column(String(60))
    move_id: Mapped[int] = mapped_column(ForeignKey("stock_move.id"))  # origin -> in transit; a cancel reverses it
