"""The API against its own OpenAPI document: schemathesis generates input for every operation of
/openapi.json and sends it as each role, on both databases. No answer is a 5xx, every error is
application/problem+json, every answer is one the document describes (status, content type, body),
and input the document rules out is refused.

A fixed seed and Hypothesis' derandomized mode make every run send the same requests, so a
failure here reproduces; six examples per operation keep the tier near 20 s per database on the
2-core machine. A failure prints the request as a curl command.
"""
from collections.abc import Iterator
from decimal import Decimal

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from openvmi.access import Role
from openvmi.app import create_app
from openvmi.ledger.queries import invariant_violations
from openvmi.settings import Settings
from openvmi.supplier_stock.schemas import StockLineCreate, ThresholdSet
from openvmi.supplier_stock.service import lines, thresholds
from tests.builders import bearer, make_app, make_buyer, make_location, make_user, receive
from tests.service.supplier_stock.world import make_world

PROBLEM = "application/problem+json"
EXAMPLES_PER_OPERATION = 6

# Values that broke the API before (issue 14): NUL characters, non-ASCII digits, numbers past the
# integer columns and past what a quantity holds, and (for times) times with no UTC time in years
# 1-9999. Generated values are drawn from these a quarter of the time; in positive cases only those
# the document allows. (Lone surrogates cannot be drawn: schemathesis' schema validator refuses
# them; tests/web/test_api_edges.py sends them.)
DICTIONARIES = {
    "hostile": ["\x00", "a\x00b", "²", "٣", 0, -1, 2_147_483_647, 2_147_483_648, 10**20, "999999999999.999999",
                999999999999.999999],
    "hostile-times": ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "\x00"],
}
DRAW = {"dictionary": "hostile", "probability": 0.25}


def _document() -> dict:
    """What the app serves at /openapi.json (built without a database: nothing is connected)."""
    app = create_app(Settings(database_url="sqlite://", import_runner=False, embedded_worker=False))
    return TestClient(app).get("/openapi.json").json()


def _inputs(document: dict) -> dict[str, dict]:
    """A binding for every query parameter ("query.q") and every scalar field of every request body
    ("body.moves[*].reference") in `document`: dictionaries reach bodies and optional parameters
    (`anyOf` a type and null) only through such keys. Ids in paths are required integers, which
    the type-wide binding reaches; headers cannot carry a NUL character."""
    schemas, keys = document["components"]["schemas"], set()

    def walk(schema: dict, path: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                walk(schemas[name], path, seen | {name})
            return
        for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
            walk(branch, path, seen)
        for name, field in schema.get("properties", {}).items():
            walk(field, f"{path}.{name}", seen)
        if "items" in schema:
            walk(schema["items"], f"{path}[*]", seen)
        if schema.get("type") in ("string", "integer", "number") and path != "body":
            keys.add(path)

    times = set()
    for operation in (op for item in document["paths"].values() for op in item.values()):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and "$ref" not in str(parameter["schema"]):  # enums: schemathesis fails
                keys.add(f"{parameter['in']}.{parameter['name']}")
                if "date-time" in str(parameter["schema"]):
                    times.add(f"{parameter['in']}.{parameter['name']}")
        for media in operation.get("requestBody", {}).get("content", {}).values():
            walk(media["schema"], "body", frozenset())
    return {key: DRAW | {"dictionary": "hostile-times"} if key in times else DRAW for key in keys}


DOCUMENT = _document()
CONFIG = SchemathesisConfig.from_dict({
    "seed": 14,
    "dictionaries": {name: {"values": values} for name, values in DICTIONARIES.items()},
    "parameters": _inputs(DOCUMENT),
    "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True, "database": "none",
                   "dictionaries": {"string": DRAW, "integer": DRAW, "number": DRAW}},
    # The coverage phase's boundary values cost more requests than the tier's budget; the fuzzing
    # phase with the values above reaches the same limits, and tests/web/test_api_edges.py names each.
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
})
# The API only: /healthz and /readyz read the real engine outside the test's transaction, which
# on SQLite waits for that transaction's write lock (tests/web/test_api_health.py covers them).
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG).include(path_regex="^/api/")


def errors_are_problems(ctx, response, case) -> None:
    """Every 4xx (and, were there one, 5xx) is an RFC 9457 problem, whatever the document says."""
    if response.status_code >= 400:
        assert response.headers.get("content-type") == [PROBLEM], f"{response.status_code} is not a problem"


CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.negative_data_rejection, errors_are_problems]


@pytest.fixture(scope="module")
def fuzzed(engine: Engine, database_url: str, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[FastAPI, dict[Role, dict[str, str]]]]:
    """One app per database for the module, every request inside one transaction rolled back at
    the end, and a small world (stock, a line, an alert), so generated ids sometimes name rows."""
    with engine.connect() as connection:
        transaction = connection.begin()
        app = make_app(connection, database_url, storage=tmp_path_factory.mktemp("imports"))
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            headers = _world(session)
            session.commit()
        yield app, headers
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            assert invariant_violations(session) == []
        transaction.rollback()
        app.state.engine.dispose()


def _world(session: Session) -> dict[Role, dict[str, str]]:
    world = make_world(session)
    make_buyer(session)
    item, site = next(iter(world.items.values())), next(iter(world.sites))
    receive(session, item=item, location=make_location(session), owner=world.supplier, quantity=5)
    lines.create_supplier_stock(session, StockLineCreate(supplier_code=world.supplier.code, item_code=item.code,
                                                         site_code=site, on_hand=Decimal(3)),
                                actor_id=None, source="api")
    thresholds.set_threshold(session, ThresholdSet(supplier_code=world.supplier.code, item_code=item.code,
                                                   low_water=Decimal(10)), actor_id=None)  # opens an alert
    return {role: bearer(session, make_user(session, role=role, supplier=world.supplier if role is Role.SUPPLIER
                                            else None)) for role in Role}


@SCHEMA.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_every_answer_is_one_the_document_describes(case, fuzzed) -> None:
    app, headers = fuzzed
    secured = "security" in DOCUMENT["paths"][case.path][case.method.lower()]
    for caller in (headers[role] for role in Role) if secured else [{}]:  # logging in needs no token
        response = case.call(app=app, headers=caller)
        case.validate_response(response, checks=CHECKS, headers=caller)
