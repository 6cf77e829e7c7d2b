"""Committed set-up for concurrency tests: a supplier's consignment stock in a real database."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from openvmi.ledger import queries, service
from openvmi.ledger.queries import invariant_violations
from openvmi.ledger.schemas import MoveCreate, PostingCreate
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import MANUAL, DocumentRef
from openvmi.vmi.consumptions.queries import line_link_violations
from tests.builders import make_buyer, make_item, make_location, make_party, receive

CONSUMPTION = DocumentRef(kind=DocumentKind.CONSUMPTION, id=1)  # one document, retried or not


@dataclass(frozen=True)
class Consignment:
    item_id: int
    store_id: int
    line_id: int
    supplier_id: int
    buyer_id: int

    def consumption(self, quantity: Decimal) -> PostingCreate:
        return PostingCreate(moves=[MoveCreate(
            item_id=self.item_id, quantity=quantity, from_location_id=self.store_id,
            from_owner_id=self.supplier_id, to_location_id=self.line_id, to_owner_id=self.buyer_id,
            kind="consumption")])

    def on_hand(self, session: Session) -> Decimal:
        return queries.on_hand(session, item_id=self.item_id, location_id=self.store_id,
                               owner_id=self.supplier_id)


def stock_a_consignment(factory: sessionmaker[Session], quantity: Decimal) -> Consignment:
    with factory() as session:
        supplier, buyer, item = make_party(session), make_buyer(session), make_item(session)
        store, line = make_location(session, kind="vmi"), make_location(session, kind="production")
        receive(session, item=item, location=store, owner=supplier, quantity=quantity)
        session.commit()
        return Consignment(item.id, store.id, line.id, supplier.id, buyer.id)


def post(factory: sessionmaker[Session], posting: PostingCreate, *, idempotency_key: str | None = None,
         document: DocumentRef = MANUAL):
    """One use case in its own session and transaction, as an API request runs it."""
    with factory() as session:
        result = service.post_moves(session, posting, actor=None, idempotency_key=idempotency_key,
                                    document=document)
        session.commit()
        return result


def assert_ledger_adds_up(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        assert invariant_violations(session) + line_link_violations(session) == []
