"""Oversized and unauthenticated requests are refused before their bodies are read: 413 by
Content-Length or as soon as a chunked body passes the route's limit, 401 on the API (and a log-in
redirect for portal uploads) before the first byte. Bodies here count what the server pulled from
them; a chunked one is streamed through ASGI directly (the test client reads a body whole first)."""
import json

import anyio
import pytest

from openvmi.access import Role
from tests.builders import bearer, make_party, make_user

JSON_LIMIT, UPLOAD_LIMIT = 2048, 8192
CHUNK = 512
PROBLEM = "application/problem+json"


@pytest.fixture
def app_settings():
    return {"max_body_bytes": JSON_LIMIT, "max_upload_bytes": UPLOAD_LIMIT}


class CountedBody:
    """A chunked request body of `size` bytes that remembers how much of it was pulled."""

    def __init__(self, size: int, *, prefix: bytes = b"") -> None:
        self.size, self.prefix, self.pulled = size, prefix, 0

    def __iter__(self):
        yield self.prefix
        self.pulled += len(self.prefix)
        while self.pulled < self.size:
            self.pulled += CHUNK
            yield b" " * CHUNK


def assert_problem(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == code


def test_a_huge_json_body_without_a_token_is_refused_by_its_length_without_being_read(api_client):
    body = CountedBody(150 * 1024 * 1024, prefix=b'{"code": "X", ')

    answer = api_client.post("/api/v1/items", content=body, headers={
        "Content-Type": "application/json", "Content-Length": str(body.size)})

    assert_problem(answer, 413, "content_too_large")
    assert answer.json()["limit_bytes"] == JSON_LIMIT
    assert body.pulled == 0


def test_a_body_without_a_token_is_refused_before_its_first_byte(api_client):
    body = CountedBody(100 * 1024 * 1024)  # chunked: no length to judge it by

    for headers in ({}, {"Authorization": "Bearer ovmi_made-up"}):
        answer = api_client.post("/api/v1/items", content=body, headers={"Content-Type": "application/json",
                                                                          **headers})
        assert_problem(answer, 401, "not_authenticated")
        assert answer.headers["www-authenticate"] == "Bearer"
    assert body.pulled == 0


def stream(app, path: str, body: CountedBody, headers: dict[str, str]) -> tuple[int, dict]:
    """POST `body` chunk by chunk, without a length, as a server would hand it to the app."""
    chunks = iter(body)
    answer: dict = {}

    async def receive() -> dict:
        chunk = next(chunks, None)
        return {"type": "http.request", "body": chunk or b"", "more_body": chunk is not None}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in {"host": "testserver", **headers}.items()],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    anyio.run(app, scope, receive, send)
    return answer["status"], json.loads(answer["body"])


def test_a_chunked_body_from_a_known_caller_is_cut_off_just_past_the_limit(session, api_app):
    body = CountedBody(100 * 1024 * 1024, prefix=b'{"code": "X", "name": "')
    headers = {"Content-Type": "application/json", **bearer(session, make_user(session, role=Role.ADMIN))}

    status, problem = stream(api_app, "/api/v1/items", body, headers)

    assert (status, problem["code"]) == (413, "content_too_large")
    assert body.pulled <= JSON_LIMIT + CHUNK


def test_the_log_in_form_reads_its_small_body_without_a_token_but_not_a_big_one(session, api_client):
    user = make_user(session)

    logged_in = api_client.post("/api/v1/auth/token", data={"username": user.username, "password": "correct-horse-1"})
    too_big = api_client.post("/api/v1/auth/token", data={"username": "x" * JSON_LIMIT, "password": "y"})

    assert logged_in.status_code == 200
    assert_problem(too_big, 413, "content_too_large")


def test_a_stock_file_may_be_bigger_than_a_json_body_up_to_the_upload_limit(session, api_client):
    headers = bearer(session, make_user(session, role=Role.ADMIN))
    supplier = make_party(session)

    def upload(size: int):
        rows = b"item_code,site,on_hand\n" + b"NO-SUCH-ITEM,NO-SITE,1\n" * (size // 23)
        return api_client.post("/api/v1/supplier-stock/imports", headers=headers, data={"supplier": supplier.code},
                               files={"file": ("stock.csv", rows, "text/csv")})

    within, beyond = upload(UPLOAD_LIMIT // 2), upload(UPLOAD_LIMIT)

    assert within.status_code == 422 and within.json()["code"] == "invalid_import_file"  # read and checked
    assert_problem(beyond, 413, "content_too_large")
    assert beyond.json()["limit_bytes"] == UPLOAD_LIMIT


def test_a_portal_upload_is_read_only_from_a_signed_in_user_and_too_big_is_a_translated_page(session, portal):
    body = CountedBody(UPLOAD_LIMIT // 2)
    headers = {"Content-Type": "multipart/form-data; boundary=x"}

    anonymous = portal.client.post("/supplier-stock/upload", content=body, headers=headers, follow_redirects=False)
    portal.sign_in(make_user(session, role=Role.ADMIN, locale="zh_CN"))
    too_big = portal.client.post("/supplier-stock/upload", headers=headers, content=b"x" * UPLOAD_LIMIT * 2)

    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert body.pulled == 0
    assert too_big.status_code == 413 and too_big.headers["content-type"].startswith("text/html")
    assert "文件或表单超过了服务器接受的大小" in too_big.text
