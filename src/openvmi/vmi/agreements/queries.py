"""Read models of VMI agreements: one by id, the API's keyset pages, people's lists, the active one."""
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from openvmi.catalog.models import Item, SupplierItem
from openvmi.db import get_by_id
from openvmi.ledger import queries as ledger_queries
from openvmi.listing import ListPage, ListRequest, fetch_all, fetch_list_page, like_pattern
from openvmi.locations.models import Location
from openvmi.locations.rules import LocationKind
from openvmi.pagination import fetch_page, where_given
from openvmi.parties.models import Party, Plant
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.rules import AgreementState
from openvmi.vmi.agreements.schemas import AgreementPage, AgreementRead

AGREEMENT_SORTS = {"item_code": Item.code, "supplier_code": Party.code, "location_code": Location.code,
                   "state": VmiAgreement.state, "valid_from": VmiAgreement.valid_from,
                   "min_level": VmiAgreement.min_level, "max_level": VmiAgreement.max_level}


def _described() -> Select[Any]:
    """Agreements with the codes and names people read (rows: VmiAgreement plus labelled columns)."""
    return (select(VmiAgreement, Party.code.label("supplier_code"), Party.name.label("supplier_name"),
                   Item.id.label("item_id"), Item.code.label("item_code"), Item.name.label("item_name"),
                   Item.unit.label("unit"), SupplierItem.supplier_part_number.label("supplier_part_number"),
                   Location.code.label("location_code"), Location.name.label("location_name"),
                   Plant.code.label("plant_code"))
            .join(SupplierItem, SupplierItem.id == VmiAgreement.supplier_item_id)
            .join(Item, Item.id == SupplierItem.item_id)
            .join(Party, Party.id == VmiAgreement.supplier_id)
            .join(Location, Location.id == VmiAgreement.location_id)
            .outerjoin(Plant, Plant.id == Location.plant_id))


def _read(row: Any) -> AgreementRead:
    agreement: VmiAgreement = row[0]
    return AgreementRead(
        id=agreement.id, supplier_item_id=agreement.supplier_item_id, supplier_id=agreement.supplier_id,
        supplier_code=row.supplier_code, supplier_name=row.supplier_name, item_id=row.item_id,
        item_code=row.item_code, item_name=row.item_name, unit=row.unit, supplier_part_number=row.supplier_part_number,
        location_id=agreement.location_id, location_code=row.location_code, location_name=row.location_name,
        plant_code=row.plant_code, min_level=agreement.min_level, max_level=agreement.max_level,
        settlement_cycle=agreement.settlement_cycle, currency=agreement.currency,
        tax_rate_percent=agreement.tax_rate_percent, adjustments_need_approval=agreement.adjustments_need_approval,
        self_billing=agreement.self_billing,
        call_off_answer_hours=agreement.call_off_answer_hours,
        over_shipment_tolerance_percent=agreement.over_shipment_tolerance_percent,
        valid_from=agreement.valid_from, valid_to=agreement.valid_to, state=agreement.state,
        created_at=agreement.created_at, activated_at=agreement.activated_at, ended_at=agreement.ended_at)


def get_agreement(session: Session, agreement_id: int) -> VmiAgreement:
    """The agreement; NotFound when there is none or it is another supplier's."""
    return get_by_id(session, VmiAgreement, agreement_id, label="VMI agreement")


def describe_agreement(session: Session, agreement_id: int) -> AgreementRead:
    row = session.execute(_described().where(VmiAgreement.id == agreement_id)).first()
    if row is None:
        get_agreement(session, agreement_id)  # raises NotFound with the usual words
    return _read(row)


def settlement_cycles(session: Session, agreement_ids: Collection[int]) -> dict[int, str]:
    """agreement id -> its settlement cycle: how settlement groups the agreement's lines into statements."""
    if not agreement_ids:
        return {}
    return dict(session.execute(select(VmiAgreement.id, VmiAgreement.settlement_cycle)
                                .where(VmiAgreement.id.in_(sorted(agreement_ids)))).all())


def self_billing(session: Session, agreement_ids: Collection[int]) -> dict[int, bool]:
    """agreement id -> whether finance self-bills (ERS) the statements of the agreement's lines."""
    if not agreement_ids:
        return {}
    return dict(session.execute(select(VmiAgreement.id, VmiAgreement.self_billing)
                                .where(VmiAgreement.id.in_(sorted(agreement_ids)))).all())


def find_active_agreement(session: Session, supplier_item_id: int, *, location_id: int) -> VmiAgreement | None:
    """The agreement in force for a supplier item at a VMI location, if any."""
    return session.scalars(select(VmiAgreement).where(
        VmiAgreement.supplier_item_id == supplier_item_id, VmiAgreement.location_id == location_id,
        VmiAgreement.state == AgreementState.ACTIVE)).first()


def list_agreements(session: Session, *, supplier_id: int | None = None, item_id: int | None = None,
                    supplier_item_id: int | None = None, location_id: int | None = None,
                    state: str | None = None, cursor: str | None = None, limit: int = 50) -> AgreementPage:
    """One keyset page of agreements, oldest first, filtered by whichever filters are given."""
    statement = where_given(select(VmiAgreement).join(SupplierItem, SupplierItem.id == VmiAgreement.supplier_item_id),
                            (VmiAgreement.supplier_id, supplier_id), (SupplierItem.item_id, item_id),
                            (VmiAgreement.supplier_item_id, supplier_item_id), (VmiAgreement.location_id, location_id),
                            (VmiAgreement.state, state))
    rows, next_cursor = fetch_page(session, statement, VmiAgreement.id, cursor=cursor, limit=limit)
    described = session.execute(_described().where(VmiAgreement.id.in_([r.id for r in rows]))
                                .order_by(VmiAgreement.id)).all()
    return AgreementPage(items=[_read(r) for r in described], next_cursor=next_cursor)


def _browsed(request: ListRequest, *, state: str | None) -> Select[Any]:
    statement = where_given(_described(), (VmiAgreement.state, state))
    if request.search:
        pattern = like_pattern(request.search)
        statement = statement.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            Item.code, Item.name, SupplierItem.supplier_part_number, Party.code, Party.name, Location.code))))
    return statement


def browse_agreements(session: Session, request: ListRequest, *, state: str | None = None) -> ListPage:
    """Agreements for people: rows of AgreementRead, searchable by item, supplier and location."""
    page = fetch_list_page(session, _browsed(request, state=state), request, sort_columns=AGREEMENT_SORTS,
                           default_sort="item_code", tie_breaker=VmiAgreement.id)
    return ListPage(rows=[_read(r) for r in page.rows], total=page.total, page=page.page, per_page=page.per_page,
                    sort=page.sort, descending=page.descending)


def export_agreements(session: Session, request: ListRequest, *, state: str | None = None) -> Sequence[AgreementRead]:
    return [_read(r) for r in fetch_all(session, _browsed(request, state=state), request,
                                        sort_columns=AGREEMENT_SORTS, default_sort="item_code",
                                        tie_breaker=VmiAgreement.id)]


def supplier_item_choices(session: Session) -> list[tuple[int, str]]:
    """(id, "item · supplier · part number") of active supplier items, for the agreement form."""
    rows = session.execute(
        select(SupplierItem.id, Item.code, Item.name, Party.code, SupplierItem.supplier_part_number)
        .join(Item, Item.id == SupplierItem.item_id).join(Party, Party.id == SupplierItem.supplier_id)
        .where(SupplierItem.active.is_(True)).order_by(Item.code, Party.code))
    return [(row_id, f"{item} · {name} · {supplier} · {part}") for row_id, item, name, supplier, part in rows]


def vmi_location_choices(session: Session) -> list[tuple[int, str]]:
    """(id, "code · name") of active VMI locations at our plants: where an agreement may keep stock."""
    rows = session.execute(select(Location.id, Location.code, Location.name).where(
        Location.kind == LocationKind.VMI, Location.plant_id.is_not(None), Location.active.is_(True))
        .order_by(Location.code))
    return [(row_id, f"{code} · {name}") for row_id, code, name in rows]


def item_of(session: Session, agreement: VmiAgreement) -> int:
    """The item the agreement is about."""
    return session.execute(select(SupplierItem.item_id)
                           .where(SupplierItem.id == agreement.supplier_item_id)).scalar_one()


def stock_left(session: Session, agreement: VmiAgreement) -> Decimal:
    """The supplier's stock of the agreement's item at its VMI location (the consigned stock still unsettled)."""
    return ledger_queries.on_hand(session, item_id=item_of(session, agreement), location_id=agreement.location_id,
                                  owner_id=agreement.supplier_id)


def find_successor(session: Session, agreement: VmiAgreement) -> VmiAgreement | None:
    """A draft for the same supplier item and VMI location, drafted to take over when this one ends."""
    return session.scalars(select(VmiAgreement).where(
        VmiAgreement.supplier_item_id == agreement.supplier_item_id, VmiAgreement.location_id == agreement.location_id,
        VmiAgreement.state == AgreementState.DRAFT, VmiAgreement.id != agreement.id).order_by(VmiAgreement.id)).first()
