"""On PostgreSQL a warm single move is one call of ledger_post_one_move. The deployed function must
be the newest versioned SQL file, and it must write exactly what the Python path writes: every
column of every row, for any mix of receipts, transfers, ownership transfers, consumptions,
retries and refusals, and with them every row the consumption use case writes around its move
(the settlement line, the consumption and its line, and their returns)."""
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from openvmi.access import Actor
from openvmi.catalog.schemas import PriceCreate
from openvmi.errors import IdempotencyMismatch, InsufficientStock, InvalidInput
from openvmi.ledger import fast_path, service
from openvmi.ledger.models import LayerDraw, Posting, ReceiptLayer, StockBalance, StockMove
from openvmi.ledger.rules import DocumentKind
from openvmi.ledger.schemas import MANUAL, DocumentRef, MoveCreate, PostingCreate
from openvmi.migrations import sql_file
from openvmi.settlement.models import SettlementLine
from openvmi.vmi.consumptions import fast_path as consumption_fast_path
from openvmi.vmi.consumptions import service as consumptions
from openvmi.vmi.consumptions.models import Consumption, ConsumptionLine
from openvmi.vmi.consumptions.schemas import ConsumptionCreate, ConsumptionLineCreate, ReversalCreate
from tests.builders import (
    make_buyer, make_item, make_location, make_party, make_production_location, make_supplier_item, make_user,
    make_vmi_agreement, make_vmi_location,
)

# The function exists on PostgreSQL only (SQLite always takes the Python path, which every other
# ledger test covers), so this module runs on PostgreSQL alone instead of skipping on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

LEDGER_TABLES = [Posting, StockMove, StockBalance, ReceiptLayer, LayerDraw, Consumption, SettlementLine,
                 ConsumptionLine]
START = datetime(2026, 11, 30, 15, 59, 55, tzinfo=UTC)  # 23:59:55 in Shanghai, the configured zone
LOCAL_DAY, NEXT_DAY = date(2026, 11, 30), date(2026, 12, 1)
THE_FUNCTION = fast_path.post_one_move
CONSUMPTION_FUNCTION = consumption_fast_path.record
DOCUMENTS = 2_000_000_000  # ids of documents the raw postings name: far above any consumption's row


@pytest.mark.parametrize("name, path", [("ledger_post_one_move", fast_path.SQL_FILE),
                                        ("vmi_record_consumption", consumption_fast_path.SQL_FILE)])
def test_the_deployed_function_is_the_newest_sql_file(session, name, path):
    deployed = session.execute(text(
        "SELECT prosrc, pg_get_function_identity_arguments(oid) FROM pg_proc WHERE proname = :name"),
        {"name": name}).all()
    source = sql_file(path)
    body = source.split("$$")[1]
    arguments = re.search(rf"CREATE FUNCTION {name}\((.*?)\)\s*LANGUAGE", source, re.S).group(1)

    assert len(deployed) == 1, "exactly one version is deployed"
    (prosrc, identity), = deployed
    assert prosrc == body
    assert names_of(identity) == names_of(re.sub(r"\s+", " ", arguments).strip())


def test_the_currencies_minor_units_reach_the_function_as_babel_gives_them(session):
    # they go as array literals built once, not as lists adapted on every call
    codes, places = session.execute(text("SELECT CAST(:codes AS varchar[]), CAST(:places AS integer[])"), {
        "codes": consumption_fast_path._ODD_CURRENCIES_ARRAY, "places": consumption_fast_path._ODD_PLACES_ARRAY}).one()

    assert codes == consumption_fast_path._ODD_CURRENCIES
    assert places == consumption_fast_path._ODD_PLACES
    assert {"JPY", "KWD"} <= set(codes)


def names_of(arguments: str) -> list[str]:
    """The argument names (with OUT) of a signature like "p_a integer, OUT b numeric"."""
    return [" ".join(words[:2]) if words[0] == "OUT" else words[0]
            for words in (argument.split() for argument in arguments.split(", "))]


@dataclass
class World:
    """The same places, parties and item, created afresh for each path, named by role."""

    item: int
    places: dict[str, int]
    owners: dict[str, int]
    actor: Any
    roles: dict[tuple[str, int], str]
    codes: dict[str, str]  # item, store, supplier


def make_world(session, currency: str = "CNY") -> World:
    item, supplier, buyer, user = make_item(session), make_party(session), make_buyer(session), make_user(session)
    actor = Actor(user_id=user.id, username=user.username, role=user.role, supplier_id=None)
    store = make_vmi_location(session)
    places = {name: make_location(session, kind=kind).id for name, kind in (
        ("origin", "virtual"), ("transit", "in_transit"), ("warehouse", "warehouse"), ("scrap", "virtual"))}
    places |= {"store": store.id, "line": make_production_location(session, at=store).id}
    # Quantity breaks, and another price set from the plant's next local midnight (START is a few
    # seconds before it): prices with more places than the currency has, so rounding decides cents.
    supplier_item = make_supplier_item(session, supplier=supplier, item=item, prices=[
        PriceCreate(price=price, currency=currency, valid_from=day, min_quantity=minimum)
        for price, day, minimum in ((Decimal("1.2345"), LOCAL_DAY, Decimal(0)), (Decimal("1.105"), LOCAL_DAY, Decimal(10)),
                                    (Decimal("2.5"), NEXT_DAY, Decimal(0)), (Decimal("2.0051"), NEXT_DAY, Decimal("5.5")))])
    agreement = make_vmi_agreement(session, supplier_item=supplier_item, location=store, activate=True,
                                   currency=currency, min_level=Decimal(5), max_level=Decimal(40))
    owners = {"supplier": supplier.id, "buyer": buyer.id}
    roles = {("item", item.id): "item", ("app_user", user.id): "actor", ("supplier_item", supplier_item.id): "terms",
             ("vmi_agreement", agreement.id): "agreement"}
    roles |= {("location", place_id): name for name, place_id in places.items()}
    roles |= {("party", owner_id): name for name, owner_id in owners.items()}
    return World(item.id, places, owners, actor, roles, {"item": item.code, "store": store.code,
                                                           "supplier": supplier.code})


# name -> (kind, from place, from owner, to place, to owner, document kind)
OPERATIONS = {
    "receive": ("receipt", "origin", "supplier", "store", "supplier", DocumentKind.RECEIPT),
    "ship": ("shipment", "origin", "supplier", "transit", "supplier", DocumentKind.SHIPMENT),
    "receive_shipped": ("receipt", "transit", "supplier", "store", "supplier", DocumentKind.RECEIPT),
    "receive_bought": ("receipt", "origin", "buyer", "warehouse", "buyer", DocumentKind.RECEIPT),
    "transfer": ("transfer", "store", "supplier", "warehouse", "supplier", DocumentKind.MANUAL),
    "transfer_back": ("transfer", "warehouse", "supplier", "store", "supplier", DocumentKind.MANUAL),
    "consume": ("consumption", "store", "supplier", "line", "buyer", DocumentKind.CONSUMPTION),
    "consume_bought": ("consumption", "warehouse", "buyer", "line", "buyer", DocumentKind.CONSUMPTION),
    "buyout": ("buyout", "store", "supplier", "store", "buyer", DocumentKind.BUYOUT),
    "scrap": ("adjustment", "store", "supplier", "scrap", "supplier", DocumentKind.ADJUSTMENT),
    "unsettled_transfer": ("consumption", "store", "supplier", "line", "buyer", DocumentKind.MANUAL),  # refused
}
steps = st.lists(st.tuples(
    st.sampled_from([*OPERATIONS, "retry", "retry_changed", "pair", "consume_settled", "consume_batch",
                     "consume_unknown", "consume_again", "return_settled"]),
    st.one_of(st.integers(1, 30).map(Decimal), st.decimals(Decimal("0.01"), Decimal(20), places=2)),
    st.booleans()), min_size=3, max_size=14)


def run(session, world: World, plan: list, monkeypatch, *, use_function: bool, taken: list[str]) -> list:
    """Post every step in its own savepoint (a refused use case is rolled back); the answers."""
    def recorded(*args, **kwargs):
        if not use_function:
            return None
        posted = THE_FUNCTION(*args, **kwargs)
        taken.append("function" if posted is not None else "python")
        return posted

    def consumed(*args, **kwargs):
        if not use_function:
            return None
        recorded_consumption = CONSUMPTION_FUNCTION(*args, **kwargs)
        taken.append("consumption function" if recorded_consumption is not None else "python")
        return recorded_consumption

    monkeypatch.setattr(fast_path, "post_one_move", recorded)
    monkeypatch.setattr(consumption_fast_path, "record", consumed)
    clock = [START]
    monkeypatch.setattr(service, "utcnow", lambda: clock[0])
    monkeypatch.setattr(consumptions, "utcnow", lambda: clock[0])
    answers, last_keyed, settled, sent = [], None, [], []
    for index, (name, quantity, keyed) in enumerate(plan):
        clock[0] = START + timedelta(seconds=index)
        if name in ("consume_settled", "consume_batch", "consume_unknown", "consume_again", "return_settled"):
            answers.append(use_case(session, world, name, quantity, f"key-{index}" if keyed else None, settled,
                                    sent))
            continue
        if name in ("retry", "retry_changed"):
            if last_keyed is None:
                continue
            posting, document, key = last_keyed
            if name == "retry_changed":
                posting = PostingCreate(moves=[posting.moves[0].model_copy(update={"quantity": quantity})])
        else:
            names = ["receive", "consume"] if name == "pair" else [name]
            moves = [move_for(world, OPERATIONS[part], quantity) for part in names]
            kind = OPERATIONS[names[0]][5]
            document = MANUAL if kind is DocumentKind.MANUAL else DocumentRef(kind=kind, id=DOCUMENTS + index)
            if name == "pair":
                document = DocumentRef(kind=DocumentKind.CONSUMPTION, id=DOCUMENTS + index)
            posting, key = PostingCreate(moves=moves), (f"key-{index}" if keyed else None)
            if key is not None:
                last_keyed = (posting, document, key)
        attempt = session.begin_nested()
        try:
            result = service.post_moves(session, posting, actor=world.actor, idempotency_key=key,
                                        document=document)
        except (InsufficientStock, IdempotencyMismatch, InvalidInput) as refused:
            attempt.rollback()
            answers.append((type(refused).__name__, [(s.requested, s.available) for s in
                                                     getattr(refused, "shortfalls", [])]))
        else:
            attempt.commit()
            answers.append(("posted", result.replayed, [(m.quantity, m.kind) for m in result.moves]))
    return answers


def use_case(session, world: World, name: str, quantity: Decimal, key: str | None, settled: list,
             sent: list) -> tuple:
    """A consumption (its move, settlement line and document) or the return of part of the last one, in a
    savepoint like every step; the answer."""
    attempt = session.begin_nested()
    try:
        if name.startswith("consume"):
            lines = consumption_lines(world, name, quantity)
            if name == "consume_again":  # the last keyed consumption sent again: its first answer, nothing written
                if not sent:
                    attempt.rollback()
                    return ("nothing to send again",)
                lines, key = sent[-1]
            elif key is not None:
                sent.append((lines, key))
            consumption_id, replayed = consumptions.record_consumption(
                session, ConsumptionCreate(lines=lines), actor=world.actor, zone="Asia/Shanghai", idempotency_key=key)
            if not replayed:
                assert_posting_fingerprint(session, consumption_id, [line.quantity for line in lines])
            settled.append(consumption_id)
            answer: tuple = ("consumed", replayed)
        elif not settled:
            attempt.rollback()
            return ("nothing to return",)
        else:
            line_id = session.scalars(select(ConsumptionLine.id).where(
                ConsumptionLine.consumption_id == settled[-1]).order_by(ConsumptionLine.id)).first()
            returned = consumptions.reverse_consumption(session, settled[-1], ReversalCreate(
                line_id=line_id, quantity=quantity), actor=world.actor, idempotency_key=key)
            answer = ("returned", returned.quantity, returned.net_amount)
    except (InsufficientStock, IdempotencyMismatch, InvalidInput) as refused:
        attempt.rollback()
        return (type(refused).__name__,)
    attempt.commit()
    return answer


def consumption_lines(world: World, name: str, quantity: Decimal) -> list[ConsumptionLineCreate]:
    """One line by ids; or three, named by codes, by ids with the supplier named, by ids again (the same balance
    and layers drained three times); or a good line with one naming an unknown item (refused)."""
    by_ids = ConsumptionLineCreate(item_id=world.item, location_id=world.places["store"], quantity=quantity)
    if name == "consume_settled":
        return [by_ids]
    if name == "consume_unknown":
        return [by_ids, ConsumptionLineCreate(item_code="NO-SUCH-ITEM", location_code=world.codes["store"],
                                              quantity=quantity)]
    return [ConsumptionLineCreate(item_code=world.codes["item"], location_code=world.codes["store"], quantity=quantity),
            ConsumptionLineCreate(item_id=world.item, location_id=world.places["store"],
                                  supplier_code=world.codes["supplier"], quantity=Decimal("0.5")),
            by_ids]


def assert_posting_fingerprint(session, consumption_id: int, quantities: list[Decimal]) -> None:
    """The consumption's posting carries the fingerprint ledger.service gives the posting as requested
    (not only one that differs where the Python path's differs, which is all written_rows compares)."""
    posting = session.scalars(select(Posting).where(Posting.document_kind == DocumentKind.CONSUMPTION,
                                                    Posting.document_id == consumption_id)).one()
    moves = session.scalars(select(StockMove).where(StockMove.posting_id == posting.id).order_by(StockMove.id)).all()
    requested = PostingCreate(moves=[MoveCreate(
        item_id=move.item_id, quantity=quantity, from_location_id=move.from_location_id,
        from_owner_id=move.from_owner_id, to_location_id=move.to_location_id, to_owner_id=move.to_owner_id,
        kind=move.kind, reference=move.reference) for move, quantity in zip(moves, quantities, strict=True)])
    assert posting.request_hash == service._hash_request(
        requested, DocumentRef(kind=DocumentKind.CONSUMPTION, id=consumption_id))


def move_for(world: World, operation: tuple, quantity: Decimal) -> MoveCreate:
    kind, source, from_owner, target, to_owner, _ = operation
    return MoveCreate(item_id=world.item, quantity=quantity, kind=kind, reference=f"DOC-{kind}",
                      from_location_id=world.places[source], from_owner_id=world.owners[from_owner],
                      to_location_id=world.places[target], to_owner_id=world.owners[to_owner])


def written_rows(session, world: World, before: dict[str, int]) -> dict[str, list[tuple]]:
    """Every column of every row the run wrote, ids replaced by roles (master data) or by the row's
    position among the run's rows (ledger tables), hashes by the order they first appear in."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for model in LEDGER_TABLES:
        table = model.__table__
        condition = (table.c.item_id == world.item) if model is StockBalance else (table.c.id > before[table.name])
        rows[table.name] = [dict(row._mapping) for row in
                            session.execute(select(table).where(condition).order_by(table.c.id))]
    positions = {name: {row["id"]: index for index, row in enumerate(found)} for name, found in rows.items()}
    hashes: dict[str, int] = {}
    normalised = {}
    for model in LEDGER_TABLES:
        table = model.__table__
        normalised[table.name] = [tuple(
            normalise(column, row[column.name], world, positions, hashes) for column in table.columns)
            for row in rows[table.name]]
    return normalised


def normalise(column, value, world: World, positions, hashes) -> Any:
    if value is None:
        return None
    if column.name == "id":
        return positions[column.table.name][value]
    if column.name == "caller_key":
        kind, _, caller = value.partition(":")
        return f"{kind}:{world.roles[('app_user', int(caller))]}" if caller else value
    if column.name == "request_hash":
        return hashes.setdefault(value, len(hashes))
    if column.name == "reference" and value.startswith("CONSUMPTION-"):  # the consumption's number, as read
        return f"CONSUMPTION-{positions['vmi_consumption'][int(value.removeprefix('CONSUMPTION-'))]}"
    if (column.table.name, column.name) == ("posting", "document_id") and value >= DOCUMENTS:
        return value  # a raw posting's document, the same number on both paths
    referred = next((key.column.table.name for key in column.foreign_keys),
                    UNCONSTRAINED_REFERENCES.get((column.table.name, column.name)))
    if referred is not None:
        return positions[referred][value] if referred in positions else world.roles[(referred, value)]
    return value


# Ids that name another table's row without a foreign key (ledger.models.LayerDraw and
# consumptions.models.ConsumptionLine say why; a posting's document is another feature's row).
UNCONSTRAINED_REFERENCES = {("layer_draw", "move_id"): "stock_move", ("layer_draw", "layer_id"): "receipt_layer",
                            ("layer_draw", "owner_id"): "party", ("posting", "document_id"): "vmi_consumption"} | {
    ("vmi_consumption_line", column): table for column, table in (
        ("supplier_id", "party"), ("agreement_id", "vmi_agreement"), ("item_id", "item"), ("location_id", "location"),
        ("production_location_id", "location"), ("buyer_id", "party"))}


def table_tops(session) -> dict[str, int]:
    return {model.__table__.name: session.scalar(select(func.coalesce(func.max(model.id), 0)))
            for model in LEDGER_TABLES}


def test_the_function_writes_every_column_the_python_path_writes(session, monkeypatch):
    taken_overall: list[str] = []
    settled_overall: list[tuple] = []

    @settings(max_examples=int(os.environ.get("FAST_PATH_EXAMPLES", 40)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(steps, st.sampled_from(["CNY", "JPY", "KWD"]))
    @example([("receive", Decimal(5), False), ("consume_settled", Decimal(2), True), ("return_settled", Decimal(1), True),
              ("consume_settled", Decimal(2), True), ("return_settled", Decimal(3), False)], "CNY")
    @example([("receive", Decimal(30), False), ("consume_batch", Decimal("2.35"), True), ("retry", Decimal(1), False),
              ("consume_settled", Decimal("1.01"), False), ("consume_unknown", Decimal(1), False),
              ("consume_settled", Decimal(11), True), ("consume_batch", Decimal(6), False),
              ("consume_settled", Decimal(40), False)], "KWD")
    @example([("receive", Decimal(25), False), ("consume_settled", Decimal("9.99"), False),
              ("consume_batch", Decimal("3.5"), True), ("receive", Decimal(20), False), ("consume_again", Decimal(1), False),
              ("consume_batch", Decimal("0.51"), False), ("consume_settled", Decimal("5.49"), False),
              ("consume_settled", Decimal(12), True), ("return_settled", Decimal(2), False)], "JPY")
    def both_paths_agree(plan, currency):
        example = session.begin_nested()
        try:
            results = {}
            for use_function in (False, True):
                world = make_world(session, currency)
                before = table_tops(session)
                taken: list[str] = []
                answers = run(session, world, plan, monkeypatch, use_function=use_function, taken=taken)
                results[use_function] = (answers, written_rows(session, world, before))
                taken_overall.extend(taken)
            note(f"function calls: {taken}")
            assert results[True][0] == results[False][0]
            for table, rows in results[False][1].items():
                assert results[True][1][table] == rows, table
            settled_overall.extend(results[True][1]["settlement_line"])
        finally:
            example.rollback()
            monkeypatch.undo()

    both_paths_agree()
    assert "function" in taken_overall, "the examples never reached the function"
    assert "consumption function" in taken_overall, "the examples never reached the consumption function"
    assert {line[1] for line in settled_overall} == {"consumption", "reversal"}, "no settlement line was compared"



def stocked_world(session, quantity: Decimal) -> World:
    world = make_world(session)
    service.post_moves(session, PostingCreate(moves=[move_for(world, OPERATIONS["receive"], quantity)]),
                       actor=world.actor, document=DocumentRef(kind=DocumentKind.RECEIPT, id=DOCUMENTS))
    return world


def call_the_consumption_function(session, world: World, quantities: list[str]):
    lines = [ConsumptionLineCreate(item_id=world.item, location_id=world.places["store"], quantity=Decimal(quantity))
             for quantity in quantities]
    return CONSUMPTION_FUNCTION(session, ConsumptionCreate(lines=lines), actor=world.actor, idempotency_key=None,
                                request_hash="0" * 64, now=START, day=LOCAL_DAY)


def test_lines_on_one_balance_each_answer_its_stock_before_and_after_the_whole_consumption(session):
    world = stocked_world(session, Decimal(10))

    consumption_id, stock = call_the_consumption_function(session, world, ["2", "3"])

    assert consumption_id is not None
    assert [(line.before, line.after) for line in stock] == [(Decimal(10), Decimal(5))] * 2


def test_a_batch_short_only_in_sum_leaves_the_request_to_the_python_path_and_writes_nothing(session):
    # given 5 in stock and three lines of 2: each line fits alone, together they do not
    world = stocked_world(session, Decimal(5))
    before = table_tops(session)

    # then the function declines (found under the balance locks) and leaves no row behind
    assert call_the_consumption_function(session, world, ["2", "2", "2"]) is None
    assert table_tops(session) == before
    # and the Python path names the shortfall
    with pytest.raises(InsufficientStock) as refused:
        consumptions.record_consumption(session, ConsumptionCreate(lines=[ConsumptionLineCreate(
            item_id=world.item, location_id=world.places["store"], quantity=Decimal(2))] * 3), actor=world.actor,
            zone="Asia/Shanghai")
    assert [(shortfall.requested, shortfall.available) for shortfall in refused.value.shortfalls] == [
        (Decimal(6), Decimal(5))]


def test_a_single_line_reads_balances_and_layers_through_their_indexes(session):
    # given a small database, where plans estimated for ten lines would rather read those tables whole
    world = stocked_world(session, Decimal(10))
    plans: list[str] = []
    driver = session.connection().connection.driver_connection

    def keep(notice) -> None:  # type: ignore[no-untyped-def]
        plans.append(notice.message_primary)

    session.execute(text("LOAD 'auto_explain'"))
    for setting in ("log_min_duration = 0", "log_nested_statements = on", "log_level = notice"):
        session.execute(text(f"SET LOCAL auto_explain.{setting}"))
    driver.add_notice_handler(keep)
    try:
        # when one line is consumed
        consumption_id, _ = call_the_consumption_function(session, world, ["2"])
    finally:
        driver.remove_notice_handler(keep)

    # then every statement of the function found its balances and layers by index (version 5)
    assert consumption_id is not None
    assert any("FOR UPDATE OF b" in plan for plan in plans), "the locking statement's plan was seen"
    assert not [plan for plan in plans if "Seq Scan on stock_balance" in plan or "Seq Scan on receipt_layer" in plan]
