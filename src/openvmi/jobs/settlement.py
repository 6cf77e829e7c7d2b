"""Settlement's periodic work: invoice PDFs that no invoice names (their upload rolled back) are swept."""
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from openvmi.db import utcnow
from openvmi.settlement.invoices import pdf_files, queries
from openvmi.settings import Settings

# An upload writes its PDF before its transaction commits; a request never runs for an hour.
ORPHAN_AGE = timedelta(hours=1)


def sweep_invoice_files(sessions: sessionmaker[Session], settings: Settings, *,
                        now: datetime | None = None) -> list[Path]:
    """Delete stored invoice PDFs older than an hour that no invoice names; the deleted paths."""
    with sessions() as session:  # the names first: a file named later is younger than the cut-off
        referenced = queries.stored_pdf_names(session)
    return pdf_files.sweep_orphans(settings.invoice_storage_dir, referenced=referenced,
                                   modified_before=(now or utcnow()) - ORPHAN_AGE)
