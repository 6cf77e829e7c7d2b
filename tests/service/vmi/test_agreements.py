"""VMI agreements as use cases: drafted with checked terms, one active per supplier item and VMI
location, changed only while a draft, and read by a supplier only when they are its own."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import update

from openvmi.errors import InvalidInput, NotFound, PermissionDenied
from openvmi.scoping import scope_to_supplier
from openvmi.vmi.agreements import queries, service
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.agreements.schemas import AgreementCreate, AgreementUpdate
from openvmi.vmi.agreements.service import ActiveAgreementExists, AgreementNotEditable, TransitionRefused
from tests.builders import (
    make_location, make_party, make_plant, make_supplier_item, make_vmi_agreement, make_vmi_location,
)


def fields_of(error: InvalidInput) -> list[str]:
    return sorted(e.field for e in error.errors)


def test_a_buyer_drafts_an_agreement_with_monthly_settlement_by_default(session):
    # given a supplier item and a VMI location at a plant
    supplier_item, location = make_supplier_item(session), make_vmi_location(session)

    # when the buyer drafts an agreement without naming a cycle
    row = make_vmi_agreement(session, supplier_item=supplier_item, location=location)

    # then it is a draft of that supplier's, settled monthly, with the later parts' defaults
    read = queries.describe_agreement(session, row.id)
    assert (read.state, read.settlement_cycle, read.supplier_id) == ("draft", "monthly", supplier_item.supplier_id)
    assert (read.call_off_answer_hours, read.over_shipment_tolerance_percent, read.adjustments_need_approval) == (
        48, Decimal(0), True)
    assert (read.location_code, read.min_level, read.max_level) == (location.code, Decimal(100), Decimal(500))


def test_every_bad_term_is_named_at_once_and_nothing_is_written(session):
    warehouse = make_location(session, kind="warehouse", plant_code=make_plant(session).code)
    before = session.query(VmiAgreement).count()

    with pytest.raises(InvalidInput) as raised:
        make_vmi_agreement(session, supplier_item=make_supplier_item(session), location=warehouse,
                           min_level=Decimal(600), max_level=Decimal(500), valid_from="2026-06-01",
                           valid_to="2026-05-31")

    assert fields_of(raised.value) == ["location_id", "max_level", "valid_to"]
    assert session.query(VmiAgreement).count() == before


def test_an_unknown_supplier_item_and_a_vmi_location_without_a_plant_are_refused(session):
    plantless = make_location(session, kind="vmi")

    with pytest.raises(InvalidInput) as raised:
        service.create_agreement(session, AgreementCreate(
            supplier_item_id=2_000_000_000, location_id=plantless.id, min_level=1, max_level=2, currency="CNY",
            tax_rate_percent=13, valid_from=date(2026, 1, 1)), actor_id=None)

    assert fields_of(raised.value) == ["location_id", "supplier_item_id"]


def test_only_one_agreement_runs_per_supplier_item_and_location(session):
    supplier_item, location = make_supplier_item(session), make_vmi_location(session)
    first = make_vmi_agreement(session, supplier_item=supplier_item, location=location, activate=True)
    second = make_vmi_agreement(session, supplier_item=supplier_item, location=location)

    with pytest.raises(ActiveAgreementExists) as raised:
        service.activate_agreement(session, second.id)

    assert raised.value.problem_extra == {"active_agreement_id": first.id}
    assert queries.get_agreement(session, second.id).state == "draft"
    # the same item at another location, or after the first ended, is fine
    make_vmi_agreement(session, supplier_item=supplier_item, activate=True)
    service.end_agreement(session, first.id)
    assert service.activate_agreement(session, second.id).state == "active"


def test_the_database_refuses_a_second_active_agreement_even_past_the_service(session):
    supplier_item, location = make_supplier_item(session), make_vmi_location(session)
    make_vmi_agreement(session, supplier_item=supplier_item, location=location, activate=True)
    draft = make_vmi_agreement(session, supplier_item=supplier_item, location=location)

    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        with session.begin_nested():
            session.execute(update(VmiAgreement).where(VmiAgreement.id == draft.id).values(state="active"))


def test_only_a_draft_can_be_changed_and_an_ended_agreement_stays_ended(session):
    row = make_vmi_agreement(session)
    changed = service.update_agreement(session, row.id, AgreementUpdate(max_level=Decimal(800),
                                                                        settlement_cycle="weekly"))
    assert (changed.max_level, changed.settlement_cycle) == (Decimal(800), "weekly")

    service.activate_agreement(session, row.id)
    with pytest.raises(AgreementNotEditable):
        service.update_agreement(session, row.id, AgreementUpdate(min_level=Decimal(1)))
    service.end_agreement(session, row.id)
    with pytest.raises(TransitionRefused):
        service.activate_agreement(session, row.id)
    with pytest.raises(TransitionRefused):
        service.end_agreement(session, row.id)


def test_an_update_is_checked_against_the_terms_it_keeps(session):
    row = make_vmi_agreement(session, min_level=Decimal(100), max_level=Decimal(500))

    with pytest.raises(InvalidInput) as raised:
        service.update_agreement(session, row.id, AgreementUpdate(min_level=Decimal(501)))

    assert fields_of(raised.value) == ["max_level"]
    assert queries.get_agreement(session, row.id).min_level == Decimal(100)


def test_an_agreement_whose_validity_has_passed_is_not_activated(session):
    row = make_vmi_agreement(session, valid_from="2025-01-01", valid_to="2025-12-31")

    with pytest.raises(TransitionRefused, match="2025-12-31"):
        service.activate_agreement(session, row.id, now=datetime(2026, 1, 1, tzinfo=UTC))


def test_a_supplier_sees_its_own_agreements_only_and_writes_none(session):
    mine, theirs = make_party(session), make_party(session)
    own = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=mine))
    other = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=theirs))
    session.flush()

    scope_to_supplier(session, mine.id)
    assert [a.id for a in queries.list_agreements(session).items] == [own.id]
    with pytest.raises(NotFound):
        queries.describe_agreement(session, other.id)
    with pytest.raises(NotFound):
        service.activate_agreement(session, other.id)
    with pytest.raises(PermissionDenied):
        service.activate_agreement(session, own.id)


def test_the_list_filters_and_pages_by_keyset(session):
    supplier_item = make_supplier_item(session)
    rows = [make_vmi_agreement(session, supplier_item=supplier_item) for _ in range(3)]
    service.activate_agreement(session, rows[1].id)

    first = queries.list_agreements(session, supplier_item_id=supplier_item.id, limit=2)
    rest = queries.list_agreements(session, supplier_item_id=supplier_item.id, limit=2, cursor=first.next_cursor)
    active = queries.list_agreements(session, supplier_item_id=supplier_item.id, state="active")

    assert [a.id for a in first.items + rest.items] == [r.id for r in rows]
    assert rest.next_cursor is None
    assert [a.id for a in active.items] == [rows[1].id]
