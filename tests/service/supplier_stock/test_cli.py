"""`openvmi import supplier-stock` and `openvmi alerts sweep` from the command line."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from typer.testing import CliRunner

from openvmi.alerts.models import Alert
from openvmi.cli import app
from openvmi.db import create_db_engine, create_session_factory, utcnow
from openvmi.jobs.supplier_stock import sweep_alerts
from openvmi.parties.models import Party
from tests.service.supplier_stock.world import make_world, stock_of
from tests.unit.supplier_stock.files import csv_bytes
from tests.unit.supplier_stock.hostile_xlsx import BILLION_LAUGHS, workbook


def test_a_file_imported_from_the_command_line_and_a_bad_one_refused(fresh_database, monkeypatch, tmp_path):
    sessions = create_session_factory(create_db_engine(fresh_database))
    with sessions() as session:
        world = make_world(session)
        session.commit()
    (bolt, nut, _), (site, _) = list(world.items), list(world.sites)
    good, bad = tmp_path / "stock.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_bytes([["物料编码", "仓库", "库存"], [bolt, site, 12], [nut, site, 3]], encoding="gbk"))
    bad.write_bytes(csv_bytes([["物料编码", "仓库", "库存"], [bolt, site, -1]]))
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(workbook(strings_prolog=BILLION_LAUGHS, strings="&lol9;"))
    monkeypatch.setenv("OPENVMI_DATABASE_URL", fresh_database)

    imported = CliRunner().invoke(app, ["import", "supplier-stock", str(good), "--supplier", world.supplier.code])
    refused = CliRunner().invoke(app, ["import", "supplier-stock", str(bad), "--supplier", world.supplier.code])
    exploded = CliRunner().invoke(app, ["import", "supplier-stock", str(bomb), "--supplier", world.supplier.code])

    assert imported.exit_code == 0, imported.output
    assert "applied: 2 rows, 2 new" in imported.output
    assert refused.exit_code == 2 and "negative quantity" in refused.output
    assert exploded.exit_code == 2 and "XML entities" in " ".join(exploded.output.split()), exploded.output
    with sessions() as session:
        assert stock_of(session, world.supplier) == {(bolt, site): (Decimal(12), Decimal(12)),
                                                     (nut, site): (Decimal(3), Decimal(3))}


def test_the_sweep_opens_one_stale_data_alert_per_silent_supplier(fresh_database, monkeypatch, tmp_path):
    sessions = create_session_factory(create_db_engine(fresh_database))
    with sessions() as session:
        world = make_world(session)
        world.supplier.stale_after_days = 2
        session.commit()
    (bolt, _, _), (site, _) = list(world.items), list(world.sites)
    stock = tmp_path / "stock.csv"
    stock.write_bytes(csv_bytes([["item", "site", "qty"], [bolt, site, 12]]))
    monkeypatch.setenv("OPENVMI_DATABASE_URL", fresh_database)
    assert CliRunner().invoke(app, ["import", "supplier-stock", str(stock), "--supplier", world.supplier.code]).exit_code == 0

    swept_now = CliRunner().invoke(app, ["alerts", "sweep"])
    later = utcnow() + timedelta(days=3)
    first, second = sweep_alerts(sessions, now=later), sweep_alerts(sessions, now=later)

    assert swept_now.exit_code == 0 and "0 opened" in swept_now.output
    assert (first.opened, second.opened) == (1, 0)
    with sessions() as session:
        supplier_id = session.scalar(select(Party.id).where(Party.code == world.supplier.code))
        assert session.scalars(select(Alert.kind).where(Alert.supplier_id == supplier_id)).all() == ["stale_data"]


def test_an_encoding_that_is_no_text_encoding_is_refused_before_anything_is_read(tmp_path):
    stock = tmp_path / "stock.csv"
    stock.write_bytes(b"item,qty\r\nBOLT,1\r\n")

    refused = CliRunner().invoke(app, ["import", "supplier-stock", str(stock), "--supplier", "S-1", "--encoding", "zlib"])

    assert refused.exit_code == 2
    assert "--encoding: not a text encoding" in " ".join(refused.output.split())
