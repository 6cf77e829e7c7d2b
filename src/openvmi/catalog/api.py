"""JSON API for items and supplier items."""
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response

from openvmi.access import Actor
from openvmi.catalog import queries, service
from openvmi.catalog.schemas import (
    ItemCreate, ItemPage, ItemRead, ItemUpdate, PriceQuote, SupplierItemCreate, SupplierItemPage, SupplierItemRead,
    SupplierItemUpdate,
)
from openvmi.db import utcnow
from openvmi.fields import Id, PositiveQuantity, Search
from openvmi.web.deps import AppReactions, DbSession, requires
from openvmi.web.etags import etag, version_from_etag

router = APIRouter(tags=["catalog"])
Reader = Annotated[Actor, Depends(requires("masterdata.read"))]
ItemWriter = Annotated[Actor, Depends(requires("items.write"))]
SupplierItemWriter = Annotated[Actor, Depends(requires("supplier_items.write"))]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/items", response_model=ItemPage)
def list_items(session: DbSession, _: Reader, q: Search | None = None, cursor: str | None = None,
               limit: Limit = 50) -> ItemPage:
    return queries.list_items(session, search=q, cursor=cursor, limit=limit)


@router.get("/items/{item_id}", response_model=ItemRead)
def get_item(item_id: Id, session: DbSession, _: Reader) -> ItemRead:
    return ItemRead.model_validate(queries.get_item(session, item_id))


@router.post("/items", status_code=201, response_model=ItemRead)
def create_item(body: ItemCreate, session: DbSession, _: ItemWriter) -> ItemRead:
    item = service.create_item(session, body)
    session.commit()
    return ItemRead.model_validate(item)


@router.patch("/items/{item_id}", response_model=ItemRead)
def update_item(item_id: Id, body: ItemUpdate, session: DbSession, _: ItemWriter,
                reactions: AppReactions) -> ItemRead:
    item = service.update_item(session, item_id, body, low_water_changed=reactions.item_low_water_changed)
    session.commit()
    return ItemRead.model_validate(item)


@router.get("/supplier-items", response_model=SupplierItemPage)
def list_supplier_items(session: DbSession, _: Reader, supplier_id: Id | None = None,
                        item_id: Id | None = None, q: Search | None = None, cursor: str | None = None,
                        limit: Limit = 50) -> SupplierItemPage:
    return queries.list_supplier_items(session, supplier_id=supplier_id, item_id=item_id, search=q,
                                       cursor=cursor, limit=limit)


@router.get("/supplier-items/{supplier_item_id}", response_model=SupplierItemRead)
def get_supplier_item(supplier_item_id: Id, session: DbSession, _: Reader, response: Response) -> SupplierItemRead:
    row = queries.get_supplier_item(session, supplier_item_id)
    response.headers["ETag"] = etag(row.version)
    return queries.describe_supplier_items(session, [row])[0]


@router.post("/supplier-items", status_code=201, response_model=SupplierItemRead)
def create_supplier_item(body: SupplierItemCreate, session: DbSession, _: SupplierItemWriter,
                         response: Response) -> SupplierItemRead:
    row = service.create_supplier_item(session, body)
    session.commit()
    response.headers["ETag"] = etag(row.version)
    return queries.describe_supplier_items(session, [row])[0]


@router.patch("/supplier-items/{supplier_item_id}", response_model=SupplierItemRead)
def update_supplier_item(supplier_item_id: Id, body: SupplierItemUpdate, session: DbSession,
                         _: SupplierItemWriter, response: Response,
                         if_match: Annotated[str | None, Header()] = None) -> SupplierItemRead:
    row = service.update_supplier_item(session, supplier_item_id, body,
                                       expected_version=None if if_match is None else version_from_etag(if_match))
    session.commit()
    response.headers["ETag"] = etag(row.version)
    return queries.describe_supplier_items(session, [row])[0]


@router.get("/supplier-items/{supplier_item_id}/price", response_model=PriceQuote)
def quote_price(supplier_item_id: Id, session: DbSession, _: Reader, day: date | None = None,
                quantity: Annotated[PositiveQuantity, Query()] = Decimal(1)) -> PriceQuote:
    """The price break that applies to `quantity` (one line's quantity; 1 when not given) on `day`
    (today, UTC, when not given); 404 `no_price` when no break applies."""
    return queries.quote_price(session, supplier_item_id, day=day or utcnow().date(), quantity=quantity)
