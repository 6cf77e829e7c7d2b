"""Ledger input and output shapes."""
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from openvmi.fields import Id, PositiveQuantity, Text, Timestamp
from openvmi.ledger.rules import DocumentKind, MoveKind
from openvmi.locations.rules import LocationKind

# Answers show quantities as stored (six places), so a replayed posting reads exactly like the first.
StoredQuantity = Annotated[Decimal, AfterValidator(lambda value: value.quantize(Decimal("0.000001")))]

BalanceKey = tuple[int, int, int]  # (item_id, location_id, owner_id)
# A filter time without a zone (or a bare date) means UTC; stored timestamps refuse naive values.
FilterTime = Timestamp


class MoveCreate(BaseModel):
    model_config = ConfigDict(frozen=True)

    item_id: Id
    quantity: PositiveQuantity
    from_location_id: Id
    from_owner_id: Id
    to_location_id: Id
    to_owner_id: Id
    kind: MoveKind
    reference: Text | None = Field(default=None, max_length=200)
    # Undo (part of) an earlier move: the same item back the way it came, as the same kind.
    reverses_move_id: Id | None = None

    @model_validator(mode="after")
    def _moves_something(self) -> "MoveCreate":
        if (self.from_location_id, self.from_owner_id) == (self.to_location_id, self.to_owner_id):
            raise ValueError("a move must change the location or the owner")
        return self

    @property
    def source(self) -> BalanceKey:
        return (self.item_id, self.from_location_id, self.from_owner_id)

    @property
    def target(self) -> BalanceKey:
        return (self.item_id, self.to_location_id, self.to_owner_id)


class PostingCreate(BaseModel):
    moves: list[MoveCreate] = Field(min_length=1, max_length=10_000)


class DocumentRef(BaseModel):
    """The business document a posting is for: its kind and its id in that feature's table."""

    model_config = ConfigDict(frozen=True)

    kind: DocumentKind
    id: Id | None = None

    @model_validator(mode="after")
    def _named(self) -> "DocumentRef":
        if self.kind is not DocumentKind.MANUAL and self.id is None:
            raise ValueError(f"a {self.kind} posting names its document")
        return self


MANUAL = DocumentRef(kind=DocumentKind.MANUAL)


class MoveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    posting_id: int
    item_id: int
    quantity: StoredQuantity
    from_location_id: int
    from_owner_id: int
    to_location_id: int
    to_owner_id: int
    kind: str
    reference: str | None
    reverses_move_id: int | None
    document_kind: DocumentKind  # the posting's document: found from its moves, and back
    document_id: int | None
    created_by_id: int | None
    created_at: datetime


class PostingRead(BaseModel):
    posting_id: int
    replayed: bool  # true when an idempotency key matched an earlier posting
    document: DocumentRef
    moves: list[MoveRead]


class MovePage(BaseModel):
    items: list[MoveRead]
    next_cursor: str | None


class BalanceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    location_id: int
    owner_id: int
    on_hand: Decimal
    is_physical: bool
    updated_at: datetime


class BalancePage(BaseModel):
    items: list[BalanceRead]
    next_cursor: str | None


class MoveFilter(BaseModel):
    item_id: Id | None = None
    location_id: Id | None = None  # either side of the move
    owner_id: Id | None = None  # either side of the move
    kind: MoveKind | None = None
    reference: Text | None = Field(default=None, max_length=200)
    document_kind: DocumentKind | None = None
    document_id: Id | None = None
    created_from: FilterTime | None = None
    created_to: FilterTime | None = None


class BalanceFilter(BaseModel):
    item_id: Id | None = None
    location_id: Id | None = None
    owner_id: Id | None = None
    nonzero: bool = False


class RouteRead(BaseModel):
    """One allowed way for a move kind: from any of `from_kinds` to any of `to_kinds`."""

    kind: MoveKind
    from_kinds: list[LocationKind]
    to_kinds: list[LocationKind]
