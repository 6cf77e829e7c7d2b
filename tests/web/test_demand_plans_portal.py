"""The demand plan pages: the buyer checks a file, then publishes it; a supplier sees its items' jump."""
import re

from openvmi.access import Role
from tests.builders import make_user
from tests.service.planning.world import line, make_plan_world, publish
from tests.unit.supplier_stock.files import csv_bytes
from tests.web.conftest import CSRF_VALUE
from tests.web.test_demand_plans_api import next_monday, week_of


def upload(portal, data, *, action, filename="plan.csv"):
    return portal.client.post("/demand-plans/upload", data={"csrf_token": CSRF_VALUE, "action": action},
                              files={"file": (filename, data, "application/octet-stream")})


def buyer_with_a_plan_file(session, portal, *, locale: str):
    """A signed-in buyer and a GBK plan file of one line: 40 of the first item next week."""
    world = make_plan_world(session)
    portal.sign_in(make_user(session, role=Role.BUYER, locale=locale))
    return world, csv_bytes([["物料编码", "工厂", "周", "数量"],
                             [world.items[0].code, world.plants[0].code, week_of(next_monday()), 40]], encoding="gbk")


def test_a_buyer_checks_a_file_then_publishes_it(session, portal):
    world, data = buyer_with_a_plan_file(session, portal, locale="en")

    checked = upload(portal, data, action="check")
    assert checked.status_code == 200 and "The file is good: nothing was published yet" in checked.text
    assert "No demand plan has been published yet." in portal.get("/demand-plans").text

    published = upload(portal, data, action="publish")
    assert published.status_code == 200 and "Demand plan version 1 published." in published.text
    assert world.items[0].code in published.text


def test_a_checked_file_is_published_with_one_click_without_choosing_it_again(session, portal):
    world, data = buyer_with_a_plan_file(session, portal, locale="zh_CN")
    checked = upload(portal, data, action="check")
    action = re.search(r'action="(/demand-plans/checks/\d+/publish)"', checked.text)
    assert action is not None and "发布此计划" in checked.text

    published = portal.client.post(action.group(1), data={"csrf_token": CSRF_VALUE})
    again = portal.client.post(action.group(1), data={"csrf_token": CSRF_VALUE})

    assert published.status_code == 200 and "要货计划第 1 版已发布。" in published.text
    assert world.items[0].code in published.text
    assert again.status_code == 200 and "此检查结果已不能使用" in again.text
    assert "第 2 版" not in portal.get("/demand-plans").text


def test_a_bad_file_shows_each_row_in_chinese_and_publishes_nothing(session, portal):
    world = make_plan_world(session)
    portal.sign_in(make_user(session, role=Role.BUYER, locale="zh_CN"))
    data = csv_bytes([["物料编码", "工厂", "周", "数量"], [world.items[0].code, "X-PLANT", "2026-W99", "很多"]])

    refused = upload(portal, data, action="publish")

    assert refused.status_code == 422
    assert '<td class="num">2</td><td>工厂</td><td>未知的工厂代码</td>' in refused.text
    assert "没有这一周：2026 年没有第 99 周" in refused.text
    assert "尚未发布要货计划。" in portal.get("/demand-plans").text


def test_a_supplier_sees_a_sharp_rise_of_its_item_highlighted_and_never_another_suppliers(session, portal):
    world = make_plan_world(session)
    bolt, _, gear = world.items
    plant = world.plants[0]
    week = week_of(next_monday())
    publish(session, world, line(bolt, plant, 100, week=week), line(gear, plant, 100, week=week))
    publish(session, world, line(bolt, plant, 900, week=week), line(gear, plant, 100, week=week))
    portal.sign_in(make_user(session, role=Role.SUPPLIER, supplier=world.supplier, locale="zh_CN"))

    page = portal.get("/demand-plans")

    assert page.status_code == 200
    assert "与上一版相比的大幅变化" in page.text and 'class="change-up_sharply"' in page.text
    assert bolt.code in page.text and gear.code not in page.text
    assert portal.get("/demand-plans/upload").status_code in (403, 404)
