"""The location table: buyer-side places (VMI stores, warehouses, lines), supplier sites, virtual ones."""
from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, String, or_
from sqlalchemy.orm import Mapped, mapped_column

from openvmi.db import Base, one_of
from openvmi.locations.rules import PHYSICAL_KINDS, LocationKind
from openvmi.scoping import SupplierScoped


class Location(SupplierScoped, Base):
    __tablename__ = "location"
    __table_args__ = (
        one_of("kind", LocationKind),
        CheckConstraint("kind <> 'supplier_site' OR supplier_id IS NOT NULL", name="site_has_supplier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    plant_id: Mapped[int | None] = mapped_column(ForeignKey("plant.id"), index=True)
    # Set for a supplier's own sites; buyer-side locations (incl. VMI) have none.
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_physical(self) -> bool:
        return self.kind in PHYSICAL_KINDS

    @classmethod
    def supplier_criterion(cls, supplier_id: int) -> ColumnElement[bool]:
        return or_(cls.supplier_id.is_(None), cls.supplier_id == supplier_id)

    def writable_by(self, supplier_id: int) -> bool:
        return self.supplier_id == supplier_id
