"""Setting up a company from the command line, as an administrator scripting a new site would."""
from decimal import Decimal

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from openvmi.catalog.models import SupplierItem
from openvmi.cli import app
from openvmi.db import create_db_engine, create_session_factory
from openvmi.locations.models import Location


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_an_admin_sets_up_a_supplier_relationship_from_the_shell(fresh_database, monkeypatch):
    monkeypatch.setenv("OPENVMI_DATABASE_URL", fresh_database)
    run = CliRunner().invoke
    steps = [
        ["supplier", "add", "HXPM", "Huaxin Precision", "--buyer"],
        ["plant", "add", "SZ01", "Suzhou plant"],
        ["supplier", "add", "S-NBHD", "宁波恒达紧固件", "--country", "CN"],
        ["item", "add", "BOLT-M8X30", "Hex bolt M8x30", "--unit", "PCS", "--low-water", "200"],
        ["supplier-item", "add", "--supplier", "S-NBHD", "--item", "BOLT-M8X30", "--part-number", "HD-8830",
         "--lead-time-days", "7", "--price", "0.35", "--valid-from", "2026-01-01"],
        ["location", "add", "SZ01-VMI", "Suzhou VMI store", "--kind", "vmi", "--plant", "SZ01"],
        ["location", "add", "SITE-NBHD", "Hengda main warehouse", "--kind", "supplier_site", "--supplier", "S-NBHD"],
    ]
    for step in steps:
        result = run(app, step)
        assert result.exit_code == 0, (step, result.output)

    listed = run(app, ["supplier", "list", "-q", "恒达"])
    assert "S-NBHD" in listed.output and "HXPM" not in listed.output
    with create_session_factory(create_db_engine(fresh_database))() as session:
        supplier_item = session.scalars(select(SupplierItem)).one()
        assert (supplier_item.supplier_part_number, supplier_item.lead_time_days) == ("HD-8830", 7)
        assert [p.price for p in supplier_item.prices] == [Decimal("0.35")]
        assert {loc.code for loc in session.scalars(select(Location))} == {"SZ01-VMI", "SITE-NBHD"}


@pytest.mark.parametrize("fresh_database", ["sqlite_file"], indirect=True)
def test_bad_input_on_the_command_line_names_the_field_and_writes_nothing(fresh_database, monkeypatch):
    monkeypatch.setenv("OPENVMI_DATABASE_URL", fresh_database)
    run = CliRunner().invoke
    assert run(app, ["supplier", "add", "S-A", "Supplier A"]).exit_code == 0

    duplicate = run(app, ["supplier", "add", "S-A", "Again"])
    negative_lead_time = run(app, ["supplier-item", "add", "--supplier", "S-A", "--item", "NOPE",
                                   "--part-number", "X", "--lead-time-days", "-3"])
    unknown_item = run(app, ["supplier-item", "add", "--supplier", "S-A", "--item", "NOPE", "--part-number", "X"])
    site_without_supplier = run(app, ["location", "add", "SITE-X", "Site", "--kind", "supplier_site"])

    assert duplicate.exit_code == 2 and "already exists" in duplicate.output
    assert negative_lead_time.exit_code == 2 and "lead_time_days" in negative_lead_time.output
    assert unknown_item.exit_code == 2 and "no such item: NOPE" in unknown_item.output
    assert site_without_supplier.exit_code == 2 and "supplier_code" in site_without_supplier.output
    with create_session_factory(create_db_engine(fresh_database))() as session:
        assert session.scalars(select(SupplierItem)).all() == []
        assert session.scalars(select(Location)).all() == []
