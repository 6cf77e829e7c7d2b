"""Invoice PDFs are written before their transaction commits: a rolled-back upload leaves a file no
invoice names. The periodic sweep deletes such files once they are an hour old, and never a file an
invoice names or one an upload may still be about to commit."""
import os
import time
from datetime import date
from decimal import Decimal

import pytest

from openvmi.db import create_db_engine, create_session_factory, utcnow
from openvmi.jobs.background import BackgroundWork
from openvmi.jobs.settlement import ORPHAN_AGE
from openvmi.settings import Settings
from openvmi.settlement.invoices import pdf_files, service
from openvmi.settlement.invoices.schemas import InvoiceCreate
from openvmi.vmi.agreements.queries import self_billing
from tests.invoice_world import as_supplier, tiny_pdf, two_confirmed_months

TWO_HOURS = 2 * 3600


def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_a_rolled_back_uploads_file_goes_and_a_referenced_one_stays(fresh_database, tmp_path):
    storage = tmp_path / "invoices"
    engine = create_db_engine(fresh_database)
    sessions = create_session_factory(engine)
    user, may, june = two_confirmed_months(sessions)

    def upload(statement_id, number, pdf, *, commit):
        with sessions() as session, as_supplier(session, user):
            invoice, _ = service.record_invoice(session, InvoiceCreate(
                statement_id=statement_id, number=number, invoice_date=date(2026, 7, 1), net=Decimal("40.00"),
                tax=Decimal("5.20"), gross=Decimal("45.20")), actor=user, self_billing_of=self_billing,
                pdf=pdf, storage_dir=storage)
            path, sha = invoice.pdf_path, invoice.pdf_sha256
            session.commit() if commit else session.rollback()
        return storage / path, sha

    # given an invoice whose PDF is kept, an upload that rolled back, and one still in flight
    kept_pdf = tiny_pdf("kept")
    kept, kept_sha = upload(may, "INV-1", kept_pdf, commit=True)
    orphan, _ = upload(june, "INV-2", tiny_pdf("rolled back"), commit=False)
    in_flight, _ = pdf_files.store_pdf(storage, tiny_pdf("request still running"))
    _age(kept, TWO_HOURS)
    _age(orphan, TWO_HOURS)

    # when the periodic work runs
    swept = BackgroundWork(sessions, Settings(database_url=fresh_database, invoice_storage_dir=storage)).sweep_once()

    # then only the rolled-back upload's file is gone
    assert swept and kept.exists() and (storage / in_flight).exists() and not orphan.exists()
    assert pdf_files.load_pdf(storage, kept.relative_to(storage).as_posix(), kept_sha) == kept_pdf
    engine.dispose()


def test_an_old_orphan_uploaded_again_is_fresh_and_survives_the_sweep(tmp_path):
    # given an hour-old file no invoice names (its first upload rolled back)
    pdf = tiny_pdf()
    name, _ = pdf_files.store_pdf(tmp_path, pdf)
    _age(tmp_path / name, TWO_HOURS)

    # when the same PDF is uploaded again (its request has not committed yet) and the sweep runs
    assert pdf_files.store_pdf(tmp_path, pdf)[0] == name
    removed = pdf_files.sweep_orphans(tmp_path, referenced=set(), modified_before=utcnow() - ORPHAN_AGE)

    # then the file the new upload relies on is still there
    assert removed == [] and (tmp_path / name).exists()
