"""JSON API for the move journal and balances."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from openvmi.access import Actor
from openvmi.fields import Id, Text
from openvmi.ledger import queries, rules, service
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import (
    BalanceFilter, BalancePage, FilterTime, MoveFilter, MoveKind, MovePage, PostingCreate, PostingRead, RouteRead,
)
from openvmi.web.deps import AppReactions, DbSession, IdempotencyKey, requires

router = APIRouter(tags=["ledger"])
Reader = Annotated[Actor, Depends(requires("ledger.read"))]
Poster = Annotated[Actor, Depends(requires("ledger.post"))]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/stock-moves", response_model=MovePage)
def list_stock_moves(session: DbSession, _: Reader, item_id: Id | None = None,
                     location_id: Id | None = None, owner_id: Id | None = None,
                     kind: MoveKind | None = None, reference: Annotated[Text | None, Query(max_length=200)] = None,
                     document_kind: DocumentKind | None = None, document_id: Id | None = None,
                     created_from: FilterTime | None = None, created_to: FilterTime | None = None,
                     cursor: str | None = None, limit: Limit = 100) -> MovePage:
    filters = MoveFilter(item_id=item_id, location_id=location_id, owner_id=owner_id, kind=kind,
                         reference=reference, document_kind=document_kind, document_id=document_id,
                         created_from=created_from, created_to=created_to)
    return queries.list_moves(session, filters, cursor=cursor, limit=limit)


@router.post("/stock-moves", status_code=201, response_model=PostingRead, responses={
    200: {"model": PostingRead, "description": "A retry: the first posting of this Idempotency-Key"}})
def post_stock_moves(body: PostingCreate, session: DbSession, actor: Poster,
                     idempotency_key: IdempotencyKey, response: Response, reactions: AppReactions) -> PostingRead:
    """Post a batch of moves atomically (manual corrections, ERP/MES integration).

    Moves must follow the ledger's routes (GET /api/v1/stock-moves/routes). A supplier's stock
    never becomes the buyer's here: only a consumption or a buyout does that, with its settlement.
    """
    result = service.post_moves(session, body, actor=actor, idempotency_key=idempotency_key)
    if not result.replayed:
        reactions.stock_moved(session, {move.item_id for move in body.moves})
    session.commit()
    if result.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return result


@router.get("/stock-balances", response_model=BalancePage)
def list_stock_balances(session: DbSession, _: Reader, item_id: Id | None = None,
                        location_id: Id | None = None, owner_id: Id | None = None,
                        nonzero: bool = False, cursor: str | None = None, limit: Limit = 100) -> BalancePage:
    filters = BalanceFilter(item_id=item_id, location_id=location_id, owner_id=owner_id, nonzero=nonzero)
    return queries.list_balances(session, filters, cursor=cursor, limit=limit)


@router.get("/stock-moves/routes", response_model=list[RouteRead])
def list_routes(_: Reader) -> list[RouteRead]:
    """Which move kinds may go between which location kinds (checked for every posting)."""
    return [RouteRead(kind=kind, from_kinds=sorted(sources), to_kinds=sorted(targets))
            for kind, pairs in rules.ROUTES.items() for sources, targets in pairs]
