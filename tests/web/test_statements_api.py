"""Statements over HTTP: finance generates and issues, the supplier disputes and confirms its own;
every refusal is a specific problem+json and changes nothing."""
from datetime import date
from decimal import Decimal

from openvmi.access import Role
from openvmi.parties.models import Party
from tests.builders import bearer, make_user
from tests.settlement_world import consume, make_consignment

PROBLEM = "application/problem+json"
STATEMENTS = "/api/v1/settlement/statements"


def _world(session):
    world = make_consignment(session)
    party = session.get(Party, world.supplier_id)
    [line] = consume(session, world, [Decimal(4)], unit_price=Decimal("2.50"), day=date(2026, 5, 12))
    finance = bearer(session, make_user(session, role=Role.FINANCE))
    supplier = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=party))
    return world, line, finance, supplier


def test_finance_issues_the_supplier_disputes_finance_credits_the_supplier_confirms(session, api_client):
    world, line, finance, supplier = _world(session)

    [made] = api_client.post(f"{STATEMENTS}/generate", json={"day": "2026-05-31"}, headers=finance).json()
    assert api_client.get(f"{STATEMENTS}/{made['statement_id']}", headers=supplier).status_code == 404  # a draft
    url = f"{STATEMENTS}/{made['statement_id']}"
    issued = api_client.post(f"{url}/issue", headers=finance)
    assert issued.status_code == 200, issued.text
    assert (issued.json()["state"], issued.json()["gross"]) == ("issued", "11.30")

    disputed = api_client.post(f"{url}/disputes", json={"lines": [{"line_id": line, "comment": "only 3 used"}]},
                               headers=supplier)
    assert disputed.status_code == 201 and disputed.json()["state"] == "disputed"
    blocked = api_client.post(f"{url}/confirm", headers=supplier)
    assert blocked.status_code == 409 and blocked.json()["code"] == "statement_disputes_open"

    credited = api_client.post(f"{url}/credits", json={"line_id": line, "amount": "2.50", "reason": "one unit short"},
                               headers=finance)
    assert credited.status_code == 201 and credited.json()["net"] == "7.50"
    confirmed = api_client.post(f"{url}/confirm", headers=supplier)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert [e["action"] for e in confirmed.json()["history"]] == ["generate", "issue", "dispute", "credit", "confirm"]
    overview = api_client.get(STATEMENTS, params={"period_end": "2026-05-31"}, headers=finance).json()["items"]
    # 10.00 + 1.30 tax, credited -2.50 with its own tax -0.325 -> -0.33 (per line, half-up): 8.47
    assert [(s["supplier_code"], s["state"], s["gross"]) for s in overview] == [(world.supplier_code, "confirmed",
                                                                                "8.47")]
    assert api_client.get(STATEMENTS, params={"period_end": "2026-04-30"}, headers=finance).json()["items"] == []


def test_refusals_are_specific_and_change_nothing(session, api_client):
    world, line, finance, supplier = _world(session)
    [made] = api_client.post(f"{STATEMENTS}/generate", json={"day": "2026-05-31"}, headers=finance).json()
    url = f"{STATEMENTS}/{made['statement_id']}"
    api_client.post(f"{url}/issue", headers=finance)
    other = make_consignment(session)
    stranger = bearer(session, make_user(session, role=Role.SUPPLIER, supplier=session.get(Party, other.supplier_id)))
    before = api_client.get(url, headers=finance).json()

    answers = {
        "another supplier's statement": api_client.post(f"{url}/confirm", headers=stranger),
        "the supplier issuing": api_client.post(f"{url}/issue", headers=supplier),
        "a supplier generating": api_client.post(f"{STATEMENTS}/generate", json={"day": "2026-05-31"},
                                                 headers=supplier),
        "crediting an issued statement": api_client.post(f"{url}/credits", json={
            "line_id": line, "amount": "1.00", "reason": "x"}, headers=finance),
        "no comment": api_client.post(f"{url}/disputes", json={"lines": [{"line_id": line, "comment": ""}]},
                                      headers=supplier),
        "a line of no statement": api_client.post(f"{url}/disputes", json={
            "lines": [{"line_id": 999999, "comment": "?"}]}, headers=supplier),
    }

    assert {name: (answer.status_code, answer.json().get("code")) for name, answer in answers.items()} == {
        "another supplier's statement": (404, "not_found"),
        "the supplier issuing": (403, "permission_denied"),
        "a supplier generating": (403, "permission_denied"),
        "crediting an issued statement": (409, "statement_transition_refused"),
        "no comment": (422, "invalid_input"),
        "a line of no statement": (404, "not_found"),
    }
    assert all(answer.headers["content-type"] == PROBLEM for answer in answers.values())
    assert api_client.get(url, headers=finance).json() == before


def test_a_retried_credit_answers_as_the_first_and_credits_once(session, api_client):
    world, line, finance, supplier = _world(session)
    [made] = api_client.post(f"{STATEMENTS}/generate", json={"day": "2026-05-31"}, headers=finance).json()
    url = f"{STATEMENTS}/{made['statement_id']}"
    api_client.post(f"{url}/issue", headers=finance)
    api_client.post(f"{url}/disputes", json={"lines": [{"line_id": line, "comment": "price"}]}, headers=supplier)
    credit = {"line_id": line, "amount": "1.00", "reason": "price was 2.25"}
    keyed = finance | {"Idempotency-Key": "credit-7"}

    first = api_client.post(f"{url}/credits", json=credit, headers=keyed)
    retry = api_client.post(f"{url}/credits", json=credit, headers=keyed)
    other = api_client.post(f"{url}/credits", json=credit | {"amount": "2.00"}, headers=keyed)
    unkeyed = api_client.post(f"{url}/credits", json=credit, headers=finance)

    assert first.status_code == retry.status_code == 201 and first.json() == retry.json()
    assert first.json()["net"] == "9.00"
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert (unkeyed.status_code, unkeyed.json()["code"]) == (409, "line_already_corrected")
    assert api_client.get(url, headers=finance).json()["net"] == "9.00"


def test_a_retried_answer_gets_the_statement_as_it_is_and_nothing_twice(session, api_client):
    world, line, finance, supplier = _world(session)
    [made] = api_client.post(f"{STATEMENTS}/generate", json={"day": "2026-05-31"}, headers=finance).json()
    url = f"{STATEMENTS}/{made['statement_id']}"
    objection = {"lines": [{"line_id": line, "comment": "only 3 used"}]}

    issued = [api_client.post(f"{url}/issue", headers=finance) for _ in range(2)]
    disputed = [api_client.post(f"{url}/disputes", json=objection, headers=supplier) for _ in range(2)]
    other_comment = api_client.post(f"{url}/disputes", json={"lines": [{"line_id": line, "comment": "price"}]},
                                    headers=supplier)
    contradicting = api_client.post(f"{url}/confirm", headers=supplier)

    assert [answer.status_code for answer in issued + disputed] == [200, 200, 201, 200]
    assert issued[0].json() == issued[1].json() and disputed[0].json() == disputed[1].json()
    assert disputed[1].headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in disputed[0].headers
    assert (other_comment.status_code, other_comment.json()["code"]) == (409, "line_already_disputed")
    assert (contradicting.status_code, contradicting.json()["code"]) == (409, "statement_disputes_open")
    read = api_client.get(url, headers=finance).json()
    assert [e["action"] for e in read["history"]] == ["generate", "issue", "dispute"] and len(read["disputes"]) == 1
