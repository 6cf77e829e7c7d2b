"""Read models of buyouts: one by id, an agreement's buyouts, the one an Idempotency-Key already made."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.db import get_by_id
from openvmi.vmi.buyouts.models import VmiBuyout
from openvmi.vmi.buyouts.schemas import BuyoutRead


def get_buyout(session: Session, buyout_id: int) -> VmiBuyout:
    """The buyout; NotFound when there is none or it is of another supplier's stock."""
    return get_by_id(session, VmiBuyout, buyout_id, label="buyout")


def find_keyed_buyout(session: Session, caller_key: str, idempotency_key: str) -> VmiBuyout | None:
    return session.scalars(select(VmiBuyout).where(VmiBuyout.caller_key == caller_key,
                                                   VmiBuyout.idempotency_key == idempotency_key)).first()


def _read(row: VmiBuyout, *, replayed: bool = False) -> BuyoutRead:
    return BuyoutRead(
        id=row.id, agreement_id=row.agreement_id, supplier_id=row.supplier_id, item_id=row.item_id,
        location_id=row.location_id, quantity=row.quantity, unit_price=row.unit_price, currency=row.currency,
        net_amount=row.net_amount, price_day=row.price_day, move_id=row.move_id,
        settlement_line_id=row.settlement_line_id, bought_at=row.bought_at, bought_by_id=row.bought_by_id,
        replayed=replayed)


def describe_buyout(session: Session, buyout_id: int, *, replayed: bool = False) -> BuyoutRead:
    return _read(get_buyout(session, buyout_id), replayed=replayed)


def list_buyouts(session: Session, agreement_id: int) -> list[BuyoutRead]:
    """The agreement's buyouts, newest first."""
    return [_read(row) for row in session.scalars(
        select(VmiBuyout).where(VmiBuyout.agreement_id == agreement_id).order_by(VmiBuyout.id.desc()))]
