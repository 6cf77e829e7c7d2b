"""Call-offs as use cases: one per supplier from the board's suggestions, and what replenishment counts as promised."""
from datetime import date
from decimal import Decimal

import pytest

from openvmi.access import Actor, Role
from openvmi.vmi.call_offs import queries, service
from openvmi.vmi.call_offs.queries import OpenAccepted
from openvmi.vmi.call_offs.rules import CallOffAction
from openvmi.vmi.call_offs.service import NoActiveAgreement, Suggestion
from tests.builders import make_party, make_supplier_item, make_user, make_vmi_agreement


def actor(session, role=Role.BUYER, supplier=None) -> Actor:
    user = make_user(session, role=role, supplier=supplier)
    return Actor(user_id=user.id, username=user.username, role=role, supplier_id=supplier.id if supplier else None)


def test_suggestions_of_two_suppliers_become_two_sent_call_offs(session):
    # given active agreements with two suppliers
    first, second = make_party(session), make_party(session)
    a = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=first), activate=True)
    b = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=second), activate=True)
    c = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=first), activate=True)

    # when the buyer calls off the board's three suggestions in one action
    rows = service.create_call_offs_from_suggestions(session, [
        Suggestion(a.id, date(2026, 12, 7), Decimal(100)), Suggestion(b.id, date(2026, 12, 8), Decimal(50)),
        Suggestion(c.id, date(2026, 12, 9), Decimal(20))], actor=actor(session), send=True)

    # then there is one sent call-off per supplier, with its own lines
    assert sorted((row.supplier_id, row.state) for row in rows) == sorted([(first.id, "sent"), (second.id, "sent")])
    lines = {row.supplier_id: [line.agreement_id for line in queries.describe_call_off(session, row.id).lines]
             for row in rows}
    assert lines == {first.id: [a.id, c.id], second.id: [b.id]}


def test_one_suggestion_without_an_active_agreement_refuses_them_all(session):
    active = make_vmi_agreement(session, activate=True)
    draft = make_vmi_agreement(session)

    with pytest.raises(NoActiveAgreement) as refused:
        service.create_call_offs_from_suggestions(session, [
            Suggestion(active.id, date(2026, 12, 7), Decimal(1)), Suggestion(draft.id, date(2026, 12, 7), Decimal(1))],
            actor=actor(session))

    assert [e.field for e in refused.value.errors] == ["lines[1].agreement_id"]
    assert queries.open_accepted_quantities(session, [active.id]) == []


def test_only_accepted_call_offs_count_as_promised_and_only_what_is_not_shipped(session):
    # given a call-off accepted by the supplier and another one only sent
    supplier = make_party(session)
    agreement = make_vmi_agreement(session, supplier_item=make_supplier_item(session, supplier=supplier),
                                   activate=True)
    buyer, seller = actor(session), actor(session, Role.SUPPLIER, supplier)
    accepted, sent = (service.create_call_offs_from_suggestions(session, [
        Suggestion(agreement.id, date(2026, 12, 7), Decimal(30)), Suggestion(agreement.id, date(2026, 12, 14),
                                                                             Decimal(5))], actor=buyer, send=True)
        for _ in range(2))
    service.act_on_call_off(session, accepted[0].id, action=CallOffAction.ACCEPT, actor=seller)

    # then only the accepted one is promised, per due date
    assert queries.open_accepted_quantities(session, [agreement.id]) == [
        OpenAccepted(agreement.id, date(2026, 12, 7), Decimal(30)),
        OpenAccepted(agreement.id, date(2026, 12, 14), Decimal(5))]
    assert queries.open_accepted_quantities(session, [agreement.id], until=date(2026, 12, 10)) == [
        OpenAccepted(agreement.id, date(2026, 12, 7), Decimal(30))]
    assert sent[0].state == "sent"
