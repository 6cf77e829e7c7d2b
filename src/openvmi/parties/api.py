"""JSON API for suppliers, the buyer and plants."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openvmi.access import Actor
from openvmi.fields import Id, Search
from openvmi.parties import queries, service
from openvmi.parties.rules import PartyKind
from openvmi.parties.schemas import PartyCreate, PartyPage, PartyRead, PartyUpdate, PlantCreate, PlantRead
from openvmi.web.deps import DbSession, requires

router = APIRouter(tags=["parties"])
Reader = Annotated[Actor, Depends(requires("masterdata.read"))]
Writer = Annotated[Actor, Depends(requires("parties.write"))]


@router.get("/suppliers", response_model=PartyPage)
def list_suppliers(session: DbSession, _: Reader, q: Search | None = None, cursor: str | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 50) -> PartyPage:
    return queries.list_parties(session, kind="supplier", search=q, cursor=cursor, limit=limit)


@router.get("/parties", response_model=PartyPage)
def list_parties(session: DbSession, _: Reader, kind: PartyKind | None = None,
                 q: Search | None = None, cursor: str | None = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50) -> PartyPage:
    return queries.list_parties(session, kind=kind, search=q, cursor=cursor, limit=limit)


@router.get("/suppliers/{party_id}", response_model=PartyRead)
def get_supplier(party_id: Id, session: DbSession, _: Reader) -> PartyRead:
    return PartyRead.model_validate(queries.get_party(session, party_id))


@router.post("/suppliers", status_code=201, response_model=PartyRead)
def create_supplier(body: PartyCreate, session: DbSession, _: Writer) -> PartyRead:
    party = service.create_party(session, body)
    session.commit()
    return PartyRead.model_validate(party)


@router.patch("/suppliers/{party_id}", response_model=PartyRead)
def update_supplier(party_id: Id, body: PartyUpdate, session: DbSession, _: Writer) -> PartyRead:
    party = service.update_party(session, party_id, body)
    session.commit()
    return PartyRead.model_validate(party)


@router.get("/plants", response_model=list[PlantRead])
def list_plants(session: DbSession, _: Reader) -> list[PlantRead]:
    return [PlantRead.model_validate(p) for p in queries.list_plants(session)]


@router.post("/plants", status_code=201, response_model=PlantRead)
def create_plant(body: PlantCreate, session: DbSession, _: Writer) -> PlantRead:
    plant = service.create_plant(session, body)
    session.commit()
    return PlantRead.model_validate(plant)
