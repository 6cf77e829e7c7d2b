"""Plain builder functions for tests: make_<thing>(session, **overrides) through the services."""
import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from openvmi.access import Role
from openvmi.app import create_app
from openvmi.auth import service as auth_service
from openvmi.auth.models import User
from openvmi.auth.rules import LoginPolicy
from openvmi.auth.schemas import LogInAttempt, UserCreate
from openvmi.catalog import service as catalog_service
from openvmi.catalog.models import Item, SupplierItem
from openvmi.catalog.schemas import ItemCreate, PriceCreate, SupplierItemCreate
from openvmi.db import READ_ONLY
from openvmi.jobs.imports import ImportRunner
from openvmi.ledger import service as ledger_service
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import DocumentRef, MoveCreate, PostingCreate
from openvmi.locations import service as locations_service
from openvmi.locations.models import Location
from openvmi.locations.schemas import LocationCreate
from openvmi.parties import service as parties_service
from openvmi.parties.models import Party, Plant
from openvmi.parties.schemas import PartyCreate, PlantCreate
from openvmi.settings import Settings
from openvmi.settlement import rules as settlement_rules
from openvmi.settlement import service as settlement_service
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.rules import SettlementKind
from openvmi.vmi.agreements import service as agreements_service
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.schemas import AgreementCreate

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def make_party(session: Session, **overrides) -> Party:
    fields = {"code": unique("P"), "name": "Test company", "kind": "supplier"} | overrides
    return parties_service.create_party(session, PartyCreate(**fields))


def make_buyer(session: Session, **overrides) -> Party:
    existing = session.query(Party).filter_by(kind="buyer").first()
    if existing is not None and not overrides:
        return existing
    return make_party(session, **({"kind": "buyer", "name": "Buyer Co."} | overrides))


def make_plant(session: Session, **overrides):
    make_buyer(session)
    fields = {"code": unique("PL"), "name": "Plant"} | overrides
    return parties_service.create_plant(session, PlantCreate(**fields))


def make_item(session: Session, **overrides) -> Item:
    fields = {"code": unique("ITEM"), "name": "Test item", "unit": "PCS"} | overrides
    return catalog_service.create_item(session, ItemCreate(**fields))


def make_supplier_item(session: Session, *, supplier: Party | None = None, item: Item | None = None,
                       **overrides) -> SupplierItem:
    supplier = supplier or make_party(session)
    item = item or make_item(session)
    fields = {"supplier_code": supplier.code, "item_code": item.code,
              "supplier_part_number": unique("SPN"), "lead_time_days": 7,
              "prices": [PriceCreate(price=Decimal("1.50"), currency="CNY", valid_from="2026-01-01")]} | overrides
    return catalog_service.create_supplier_item(session, SupplierItemCreate(**fields))


def make_location(session: Session, **overrides) -> Location:
    fields = {"code": unique("LOC"), "name": "Location", "kind": "vmi"} | overrides
    return locations_service.create_location(session, LocationCreate(**fields))


def make_vmi_location(session: Session, **overrides) -> Location:
    """A VMI (consignment) location at one of our plants."""
    return make_location(session, **({"kind": "vmi", "plant_code": make_plant(session).code} | overrides))


def make_production_location(session: Session, *, at: Location, **overrides) -> Location:
    """A production location (a line consumption goes to) at the plant of the VMI location `at`."""
    plant = session.get(Plant, at.plant_id) if at.plant_id is not None else None
    return make_location(session, **({"kind": "production", "plant_code": plant.code if plant else None} | overrides))


def make_vmi_agreement(session: Session, *, supplier_item: SupplierItem | None = None,
                       location: Location | None = None, activate: bool = False, **overrides) -> VmiAgreement:
    """A draft agreement (or an active one) for a supplier item at a VMI location."""
    supplier_item = supplier_item or make_supplier_item(session)
    location = location or make_vmi_location(session)
    fields = {"supplier_item_id": supplier_item.id, "location_id": location.id, "min_level": Decimal(100),
              "max_level": Decimal(500), "currency": "CNY", "tax_rate_percent": Decimal(13),
              "valid_from": "2026-01-01"} | overrides
    row = agreements_service.create_agreement(session, AgreementCreate(**fields), actor_id=None)
    if activate:
        agreements_service.activate_agreement(session, row.id)
    return row


PASSWORD = "correct-horse-1"  # every built user's
# Small numbers, so a test reaches each threshold in a few attempts.
LOGIN_POLICY = LoginPolicy(max_failures=3, delay=timedelta(minutes=1), max_delay=timedelta(hours=1),
                           account_max_failures=6, failure_window=timedelta(days=1),
                           known_address_for=timedelta(days=90))


def log_in(session: Session, username: str, password: str = PASSWORD, *, address: str = "127.0.0.1",
           now: datetime | None = None) -> User:
    """A password log-in as the portal and the API make it (auth.service.authenticate)."""
    return auth_service.authenticate(session, LogInAttempt(username=username, password=password, address=address),
                                     policy=LOGIN_POLICY, now=now)


def make_user(session: Session, *, role: Role = Role.BUYER, supplier: Party | None = None, **overrides) -> User:
    fields = {"username": unique("user"), "display_name": "Test user", "password": PASSWORD,
              "role": role, "supplier_code": supplier.code if supplier else None} | overrides
    return auth_service.create_user(session, UserCreate(**fields))


def receive(session: Session, *, item: Item, location: Location, owner: Party, quantity: Decimal | int,
            origin: Location | None = None, idempotency_key: str | None = None):
    """Post a receipt of `quantity` from a virtual origin into `location`, owned by `owner`."""
    origin = origin or make_location(session, kind="virtual")
    move = MoveCreate(item_id=item.id, quantity=Decimal(quantity), from_location_id=origin.id,
                      from_owner_id=owner.id, to_location_id=location.id, to_owner_id=owner.id, kind="receipt")
    return ledger_service.post_moves(session, PostingCreate(moves=[move]), actor=None,
                                     idempotency_key=idempotency_key)


def consume(session: Session, *, item: Item, location: Location, owner: Party, quantity: Decimal | int,
            sink: Location, buyer: Party | None = None, idempotency_key: str | None = None, actor=None,
            consumption: DocumentRef | None = None):
    """Post what a consumption document posts: `owner`'s stock at `location` to production, the buyer's.
    A retry names the same `consumption` document as the first attempt."""
    buyer = buyer or make_buyer(session)
    move = MoveCreate(item_id=item.id, quantity=Decimal(quantity), from_location_id=location.id,
                      from_owner_id=owner.id, to_location_id=sink.id, to_owner_id=buyer.id, kind="consumption")
    return ledger_service.post_moves(session, PostingCreate(moves=[move]), actor=actor, idempotency_key=idempotency_key,
                                     document=consumption or document(DocumentKind.CONSUMPTION))


def document(kind: DocumentKind) -> DocumentRef:
    """A reference to a business document of `kind` (its feature's table is not the ledger's concern)."""
    return DocumentRef(kind=kind, id=next(_counter))


# Building an app costs FastAPI ~0.3 s (it analyses every route's parameters per app instance), more than most
# web tests take: each worker builds one app per set of settings and puts its state back for every test.
_BUILT_APPS: dict[str, tuple[FastAPI, dict]] = {}


def make_app(connection: Connection, database_url: str, *, storage: Path, **settings: object) -> FastAPI:
    """The real app whose requests run inside `connection`'s transaction: a request's commit only
    releases a savepoint. Queued imports wait in `storage` and run only when a test calls
    app.state.import_runner.run_pending(). The caller disposes of app.state.engine."""
    current = Settings(database_url=database_url, import_runner=False, embedded_worker=False,
                       import_storage_dir=storage, invoice_storage_dir=storage.parent / "invoices", **settings)
    key = current.model_dump_json(exclude={"import_storage_dir", "invoice_storage_dir"})
    if key not in _BUILT_APPS:
        built = create_app(current)
        _BUILT_APPS[key] = (built, dict(built.state._state))
    app, state = _BUILT_APPS[key]
    app.state._state.clear()  # whatever the last test set or replaced goes
    app.state._state.update(state)
    app.state.settings = current
    app.state.session_factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                             expire_on_commit=False)
    # GET requests get a session that refuses ORM writes, as in production (db.READ_ONLY).
    app.state.read_session_factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                                  expire_on_commit=False, info={READ_ONLY: True})
    app.state.import_runner = ImportRunner(app.state.session_factory, current, reads=app.state.read_session_factory)
    return app


def bearer(session: Session, user: User) -> dict[str, str]:
    """Authorization header with a fresh one-hour login token for `user` (no password round trip)."""
    secret, _ = auth_service.issue_login_token(session, user, lifetime=timedelta(hours=1))
    return {"Authorization": f"Bearer {secret}"}


# --- Settlement lines written the way consumption, reversal and buyout write them: the ownership move
# through the ledger and its line through settlement.rules + settlement.service, in one transaction.

def settled_move(session: Session, agreement: VmiAgreement, quantity: Decimal | int, *,
                 sink: Location | None = None, unit_price: Decimal = Decimal("1.50"),
                 kind: SettlementKind = SettlementKind.CONSUMPTION, zone: str = "Asia/Shanghai"):
    """Hand `quantity` of the agreement's supplier-owned stock to the buyer (a consumption into `sink`,
    or a buyout where it lies) and write its settlement line; (the move, the line's id)."""
    buyer = make_buyer(session)
    item_id = session.get(SupplierItem, agreement.supplier_item_id).item_id
    target = agreement.location_id if kind is SettlementKind.BUYOUT else (sink or make_location(
        session, kind="production")).id
    move = MoveCreate(item_id=item_id, quantity=Decimal(quantity), from_location_id=agreement.location_id,
                      from_owner_id=agreement.supplier_id, to_location_id=target, to_owner_id=buyer.id,
                      kind=kind.value)
    (posted,) = ledger_service.post_moves(session, PostingCreate(moves=[move]), actor=None,
                                          document=document(DocumentKind(kind.value))).moves
    (line_id,) = settlement_service.record_lines(session, [settlement_rules.owed_row(
        kind, move_id=posted.id, quantity=posted.quantity, unit_price=unit_price, currency=agreement.currency,
        tax_rate_percent=agreement.tax_rate_percent, supplier_id=agreement.supplier_id, agreement_id=agreement.id,
        supplier_item_id=agreement.supplier_item_id, item_id=item_id,
        price_day=posted.created_at.astimezone(ZoneInfo(zone)).date(), occurred_at=posted.created_at)])
    return posted, line_id


def settled_return(session: Session, consumed, line_id: int, quantity: Decimal | int):
    """Return `quantity` of a consumption from production (the reversal move) and write its negative
    line at the consumed line's price; (the move, the line's id)."""
    line = session.execute(select(SettlementLine.__table__).where(SettlementLine.id == line_id)).mappings().one()
    returned_before = -(session.scalar(select(func.sum(SettlementLine.quantity)).where(
        SettlementLine.reverses_line_id == line_id)) or Decimal(0))
    back = MoveCreate(item_id=consumed.item_id, quantity=Decimal(quantity), kind=consumed.kind,
                      from_location_id=consumed.to_location_id, from_owner_id=consumed.to_owner_id,
                      to_location_id=consumed.from_location_id, to_owner_id=consumed.from_owner_id,
                      reverses_move_id=consumed.id)
    (posted,) = ledger_service.post_moves(session, PostingCreate(moves=[back]), actor=None,
                                          document=document(DocumentKind.CONSUMPTION)).moves
    (returned_id,) = settlement_service.record_lines(session, [settlement_rules.returned_row(
        line, line_id=line_id, move_id=posted.id, quantity=posted.quantity,
        returned_before=Decimal(str(returned_before)), occurred_at=posted.created_at)])
    return posted, returned_id


def count_statements(session: Session, read) -> int:
    """How many SQL statements `read()` sends: a set-based read sends as many for one row as for many."""
    seen: list[str] = []

    def listener(*args) -> None:
        seen.append(args[2])

    event.listen(session.bind, "before_cursor_execute", listener)
    try:
        read()
    finally:
        event.remove(session.bind, "before_cursor_execute", listener)
    return len(seen)
