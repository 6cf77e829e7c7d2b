"""Pure inbound rules: call-off transitions and sides, shipping states, tolerance, receipt counts and splits."""
from datetime import date
from decimal import Decimal

import pytest

from openvmi.vmi.call_offs.rules import (
    CallOffAction, CallOffState, LineShipping, Side, allowed, allowed_actions, shipping_state,
)
from openvmi.vmi.receipts.rules import Count, Split, count_problems, split
from openvmi.vmi.shipments.rules import new_number, normalised_number, room_left

D = Decimal


def test_a_buyer_sends_a_draft_and_the_supplier_answers_a_sent_call_off():
    assert allowed_actions("draft", Side.BUYER) == [CallOffAction.SEND, CallOffAction.CANCEL]
    assert allowed_actions("draft", Side.SUPPLIER) == []
    assert allowed_actions("sent", Side.SUPPLIER) == [CallOffAction.ACCEPT, CallOffAction.REJECT,
                                                      CallOffAction.COUNTER_PROPOSE]
    assert allowed_actions("counter_proposed", Side.BUYER) == [CallOffAction.ACCEPT_PROPOSAL, CallOffAction.SEND,
                                                               CallOffAction.CANCEL]


@pytest.mark.parametrize("state", ["rejected", "closed", "cancelled"])
def test_a_finished_call_off_takes_no_action(state):
    assert not any(allowed(state, action) for action in CallOffAction)


def test_nothing_shipped_is_accepted_some_is_partly_shipped_all_is_shipped():
    assert shipping_state([LineShipping(D(10), D(0)), LineShipping(D(5), D(0))]) is CallOffState.ACCEPTED
    assert shipping_state([LineShipping(D(10), D(10)), LineShipping(D(5), D(0))]) is CallOffState.PARTLY_SHIPPED
    assert shipping_state([LineShipping(D(10), D(11)), LineShipping(D(5), D(5))]) is CallOffState.SHIPPED


def test_a_line_carries_its_quantity_plus_the_tolerance():
    assert room_left(D(100), D(0), D(10)) == D(110)
    assert room_left(D(100), D(60), D(0)) == D(40)


def test_a_shipment_number_is_what_a_scanner_sends_back():
    number = new_number(date(2026, 12, 2))
    assert number.startswith("ASN-261202-") and len(number) == 17
    assert normalised_number(f"  {number.lower()}\n") == number


def count(**parts) -> Count:
    return Count(**({"shipped": D(50), "accepted": D(50), "short": D(0), "over": D(0), "damaged": D(0),
                     "short_reason": None, "over_reason": None, "damaged_reason": None} | parts))


def test_a_count_must_add_up_to_what_was_shipped_with_a_reason_for_each_difference():
    assert count_problems(count(accepted=D(42), damaged=D(5), short=D(3), damaged_reason="quality_defect",
                                short_reason="not_delivered")) == []
    assert [field for field, _ in count_problems(count(accepted=D(49)))] == ["accepted"]
    assert [field for field, _ in count_problems(count(accepted=D(47), short=D(3)))] == ["short_reason"]
    assert [field for field, _ in count_problems(count(accepted=D(53), short=D(1), over=D(4), short_reason="other",
                                                       over_reason="other"))] == ["over"]


def test_damaged_goods_leave_transit_first_and_what_came_over_comes_from_the_origin():
    assert split(count(accepted=D(42), damaged=D(5), short=D(3))) == Split(D(42), D(5), D(0), D(0))
    assert split(count(accepted=D(52), over=D(2))) == Split(D(50), D(0), D(2), D(0))
    assert split(count(accepted=D(0), damaged=D(52), over=D(2))) == Split(D(0), D(50), D(0), D(2))
