"""Buyers activating rival agreements at once: one runs, every other gets the 409 of a second active one."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from openvmi.db import create_db_engine, create_session_factory
from openvmi.errors import DomainError
from openvmi.vmi.agreements import service
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.service import ActiveAgreementExists
from tests.builders import make_supplier_item, make_vmi_agreement, make_vmi_location

THREADS = 6


@pytest.mark.parametrize("fresh_database", ["sqlite_file", "postgres"], indirect=True)
def test_of_rival_drafts_activated_at_once_exactly_one_runs(fresh_database):
    engine = create_db_engine(fresh_database)
    factory = create_session_factory(engine)
    with factory() as session:
        supplier_item, location = make_supplier_item(session), make_vmi_location(session)
        drafts = [make_vmi_agreement(session, supplier_item=supplier_item, location=location).id
                  for _ in range(THREADS)]
        session.commit()
    start = threading.Barrier(THREADS)

    def activate(agreement_id: int) -> str:
        with factory() as session:
            start.wait()
            try:
                service.activate_agreement(session, agreement_id)
                session.commit()
            except DomainError as refused:
                return refused.code
            return "ok"

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = sorted(pool.map(activate, drafts))

    assert outcomes == [ActiveAgreementExists.code] * (THREADS - 1) + ["ok"]
    with factory() as session:
        assert session.scalar(select(func.count()).where(VmiAgreement.state == "active")) == 1
    engine.dispose()
