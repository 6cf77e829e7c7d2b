"""JSON API for the VMI stock view: per active agreement, stock by owner and place, layers, cover, consumptions."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openvmi.access import Actor
from openvmi.db import utcnow
from openvmi.fields import Id
from openvmi.pagination import MAX_PAGE
from openvmi.vmi.replenishment.queries import Wanted
from openvmi.vmi.stock import queries
from openvmi.vmi.stock.schemas import VmiStockPage
from openvmi.web.deps import DbSession, requires

router = APIRouter(prefix="/vmi/stock", tags=["vmi"])
Reader = Annotated[Actor, Depends(requires("vmi_agreements.read"))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("", response_model=VmiStockPage)
def list_vmi_stock(session: DbSession, _: Reader, supplier_id: Id | None = None, item_id: Id | None = None,
                   location_id: Id | None = None, cursor: str | None = None, limit: Limit = 50) -> VmiStockPage:
    """Active agreements the caller may see (a supplier: its own; another's id answers an empty page), each
    with its stock on hand by owner, in transit and in quarantine, FIFO layers with their age, days of cover
    against the current demand plan and the last consumptions; one keyset page at a time."""
    return queries.list_vmi_stock(session, Wanted(supplier_id=supplier_id, item_id=item_id, location_id=location_id),
                                  now=utcnow(), cursor=cursor, limit=limit)
