"""The portal meets the same hostile input as the API (issue 14) with its own answers, on both
databases: a message under the field, a list that falls back to its defaults, an error page; never
a 500."""
from decimal import Decimal

import pytest

from openvmi.access import Role
from openvmi.catalog.models import Item
from openvmi.limits import MAX_ID
from openvmi.supplier_stock.schemas import StockLineCreate
from openvmi.supplier_stock.service import lines
from tests.builders import make_item, make_supplier_item, make_user
from tests.service.supplier_stock.world import make_world
from tests.web.conftest import field_error


@pytest.fixture
def admin(session, portal):
    return portal.sign_in(make_user(session, role=Role.ADMIN, locale="en"))


def test_a_nul_character_typed_into_a_form_is_shown_under_its_field_and_nothing_is_saved(session, admin):
    answer = admin.post("/items/new", {"code": "EDGE-P1", "name": "Hex\x00bolt", "unit": "PCS"})

    assert answer.status_code == 422
    assert field_error(answer.text, "name") == "Remove the NUL characters from this text."
    assert session.query(Item).filter_by(code="EDGE-P1").count() == 0


def test_the_chinese_portal_says_so_in_chinese(session, portal):
    portal.sign_in(make_user(session, role=Role.ADMIN, locale="zh_CN"))

    answer = portal.post("/items/new", {"code": "EDGE-P2", "name": "Hex\x00bolt", "unit": "PCS"})

    assert field_error(answer.text, "name") == "请删除文本中的 NUL 字符。"


def test_a_quantity_past_the_largest_is_shown_with_the_limit(session, admin):
    answer = admin.post("/items/new", {"code": "EDGE-P3", "name": "Bolt", "unit": "PCS",
                                       "default_low_water": "999999999999.999999"})

    assert answer.status_code == 422
    assert field_error(answer.text, "default_low_water") == "Must be at most 999999999.999999."


def test_a_list_falls_back_to_its_defaults_for_nonsense_pages_and_searches(session, admin):
    make_item(session)
    queries = ["page=%C2%B2", "page=%D9%A3&per_page=%C2%B2", "page=" + "9" * 5000, "q=bolt%00", "q=" + "x" * 50_000]
    pages = ["/items", "/suppliers", "/supplier-items", "/locations", "/supplier-stock", "/alerts", "/users",
             "/availability"]

    answered = {(path, query[:12]): admin.get(f"{path}?{query}").status_code for path in pages for query in queries}

    assert answered == {key: 200 for key in answered}


def test_an_id_past_the_integer_column_is_an_error_page_not_a_500(admin):
    paths = [f"/items/{MAX_ID + 1}", "/items/0", f"/suppliers/{10**20}", f"/supplier-stock/{MAX_ID + 1}",
             f"/alerts/{MAX_ID + 1}", f"/users/{MAX_ID + 1}"]

    answered = {path: (answer.status_code, answer.headers["content-type"].split(";")[0])
                for path, answer in ((path, admin.get(path)) for path in paths)}

    assert answered == {path: (400, "text/html") for path in paths}


def test_a_version_that_is_no_number_counts_as_none_given_not_as_a_500(session, admin):
    row = make_supplier_item(session)

    answer = admin.post(f"/supplier-items/{row.id}", {"supplier_part_number": row.supplier_part_number,
                                                      "lead_time_days": "9", "moq": "0", "pack_size": "1",
                                                      "version": "²"}, follow_redirects=False)

    assert answer.status_code == 303


def test_a_stock_line_version_that_is_no_number_is_a_stale_edit(session, admin):
    world = make_world(session)
    (item, _, _), (site, _) = list(world.items), list(world.sites)
    line = lines.create_supplier_stock(session, StockLineCreate(supplier_code=world.supplier.code, item_code=item,
                                                                site_code=site, on_hand=Decimal(3)),
                                       actor_id=None, source="api")

    answer = admin.post(f"/supplier-stock/{line.id}", {"on_hand": "4", "version": "²"})

    assert answer.status_code == 422 and "Someone else changed this stock line" in answer.text


def test_a_log_in_with_a_nul_character_is_refused_without_a_500(portal):
    answer = portal.post("/login", {"username": "admin\x00", "password": "whatever-1"})

    assert answer.status_code == 400
