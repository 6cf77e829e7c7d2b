"""JSON API for locations: list, get, create (admin)."""
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from openvmi.access import Actor
from openvmi.fields import Id, Search
from openvmi.locations import queries, service
from openvmi.locations.rules import LocationKind
from openvmi.locations.schemas import LocationCreate, LocationPage, LocationRead
from openvmi.web.deps import DbSession, requires

router = APIRouter(tags=["locations"])
MasterReader = Annotated[Actor, Depends(requires("masterdata.read"))]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/locations", response_model=LocationPage)
def list_locations(session: DbSession, _: MasterReader, kind: LocationKind | None = None,
                   q: Search | None = None, cursor: str | None = None, limit: Limit = 50) -> LocationPage:
    return queries.list_locations(session, kind=kind, search=q, cursor=cursor, limit=limit)


@router.get("/locations/{location_id}", response_model=LocationRead)
def get_location(location_id: Id, session: DbSession, _: MasterReader) -> LocationRead:
    return LocationRead.model_validate(queries.get_location(session, location_id))


@router.post("/locations", status_code=201, response_model=LocationRead)
def create_location(body: LocationCreate, session: DbSession,
                    _: Annotated[Actor, Depends(requires("locations.write"))]) -> LocationRead:
    location = service.create_location(session, body)
    session.commit()
    return LocationRead.model_validate(location)
