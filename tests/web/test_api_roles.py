"""What each role may do, proven on the routes: a role without the permission is refused with 403
before anything runs; every other role gets past the check (to its answer, or to being told what
its request lacks)."""
from openvmi.access import Role
from tests.builders import bearer, make_party, make_user

ADMIN, BUYER, WAREHOUSE, FINANCE, SUPPLIER = Role.ADMIN, Role.BUYER, Role.WAREHOUSE, Role.FINANCE, Role.SUPPLIER
EVERYONE = set(Role)

# One request per permission, and the roles whose job needs it. Writes send an empty body, so a
# role that gets through is answered 422 and nothing is written.
LET_THROUGH = {
    ("GET", "/api/v1/items"): EVERYONE,
    ("POST", "/api/v1/suppliers"): {ADMIN},
    ("POST", "/api/v1/locations"): {ADMIN},
    ("GET", "/api/v1/users"): {ADMIN},
    ("POST", "/api/v1/users"): {ADMIN},
    ("GET", "/api/v1/tokens"): EVERYONE,  # each their own
    ("POST", "/api/v1/items"): {ADMIN, BUYER},
    ("POST", "/api/v1/supplier-items"): {ADMIN, BUYER, SUPPLIER},
    ("GET", "/api/v1/stock-moves"): EVERYONE,
    ("POST", "/api/v1/stock-moves"): {ADMIN, WAREHOUSE},
    ("GET", "/api/v1/supplier-stock"): EVERYONE,
    ("POST", "/api/v1/supplier-stock"): {ADMIN, SUPPLIER},
    ("PUT", "/api/v1/supplier-stock/thresholds"): {ADMIN, BUYER},
    ("GET", "/api/v1/availability"): EVERYONE,
    ("GET", "/api/v1/alerts"): EVERYONE,
    ("POST", "/api/v1/alerts/0/acknowledge"): EVERYONE,  # then: no such alert
    ("GET", "/api/v1/notifications"): EVERYONE,
    ("GET", "/api/v1/outbox"): {ADMIN},
    ("GET", "/api/v1/settlement/invoices"): {ADMIN, FINANCE, SUPPLIER},  # a supplier: its own
    ("POST", "/api/v1/settlement/invoices"): {SUPPLIER},
    ("PUT", "/api/v1/settlement/invoice-tolerances/CNY"): {ADMIN, FINANCE},
    ("POST", "/api/v1/settlement/statements/0/match"): {ADMIN, FINANCE},  # then: no such statement
}


def test_each_role_gets_past_the_permission_check_exactly_where_its_job_needs_it(session, api_client):
    supplier = make_party(session)
    headers = {role: bearer(session, make_user(session, role=role, supplier=supplier if role is SUPPLIER else None))
               for role in Role}

    let_through = {request: {role for role in Role if gets_through(api_client, *request, headers[role])}
                   for request in LET_THROUGH}

    assert let_through == LET_THROUGH


def gets_through(api_client, method: str, path: str, headers: dict[str, str]) -> bool:
    answer = api_client.request(method, path, headers=headers, json=None if method == "GET" else {})
    assert answer.status_code not in (401, 405), (method, path, answer.text)
    if answer.status_code == 403:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "permission_denied"
        return False
    return True
