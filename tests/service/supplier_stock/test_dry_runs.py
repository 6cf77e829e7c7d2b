"""Kept checks: the file waits for its confirmation and no longer, and a refused check is checked
again from the kept file once the problem is fixed."""
import io
import os
from datetime import timedelta

import pytest

from openvmi.access import Role
from openvmi.db import utcnow
from openvmi.errors import InvalidImportFile
from openvmi.supplier_stock.schemas import ImportRequest, SiteAliasCreate
from openvmi.supplier_stock.service import dry_runs, import_queue, site_aliases
from tests.builders import make_user
from tests.service.supplier_stock.world import make_world, stock_of
from tests.unit.supplier_stock.files import csv_bytes

KEEP = timedelta(minutes=30)


def check(session, world, rows, storage, user_id):
    request = ImportRequest(supplier_code=world.supplier.code, filename="stock.csv")
    return dry_runs.check_file(session, request, stream=io.BytesIO(csv_bytes([["item", "site", "qty"], *rows])),
                               storage=storage, keep_for=KEEP, actor_id=user_id)


def test_a_refused_check_is_checked_again_from_its_kept_file_after_the_alias_is_added(session, tmp_path):
    # given a check refused for a site name the supplier's ERP uses
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    user = make_user(session, role=Role.SUPPLIER, supplier=world.supplier)
    with pytest.raises(InvalidImportFile) as refused:
        check(session, world, [[bolt, "主仓", 4]], tmp_path, user.id)

    # when the alias is added and the kept file checked again
    site_aliases.add_site_alias(session, SiteAliasCreate(supplier_code=world.supplier.code, site_code=site,
                                                         alias="主仓"), actor_id=user.id)
    again = dry_runs.check_again(session, refused.value.import_id, actor_id=user.id, storage=tmp_path, keep_for=KEEP)

    # then the new check passes, and confirming it publishes the line
    assert again.batch.status == "previewed" and again.batch.new_count == 1
    dry_runs.confirm_dry_run(session, again.batch.id, actor_id=user.id)
    assert stock_of(session, world.supplier) == {(bolt, site): (4, 4)}


def test_the_sweep_keeps_a_check_s_file_until_it_is_used_or_expires(session, tmp_path):
    world = make_world(session)
    bolt, site = next(iter(world.items)), next(iter(world.sites))
    user = make_user(session, role=Role.SUPPLIER, supplier=world.supplier)
    waiting = check(session, world, [[bolt, site, 1]], tmp_path, user.id).batch
    used = check(session, world, [[bolt, site, 2]], tmp_path, user.id).batch
    expired = check(session, world, [[bolt, site, 3]], tmp_path, user.id).batch
    files = {batch.id: batch.stored_file for batch in (waiting, used, expired)}
    dry_runs.confirm_dry_run(session, used.id, actor_id=user.id)
    expired.kept_until = utcnow() - timedelta(seconds=1)
    session.flush()
    an_hour_ago = (utcnow() - timedelta(hours=1)).timestamp()
    for path in files.values():
        os.utime(path, (an_hour_ago, an_hour_ago))

    removed = import_queue.sweep_orphan_files(session, tmp_path, modified_before=utcnow() - timedelta(minutes=15))

    assert sorted(str(p) for p in removed) == sorted([files[used.id], files[expired.id]])
    assert os.path.exists(files[waiting.id])
