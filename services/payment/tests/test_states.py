"""The order and refund state machines (hypothesis): only the drawn moves are allowed, a final state never
moves, an order is paid at most once, and an expired one only on a recorded decision."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ywtb.common.errors import FailedPrecondition
from ywtb.payment import states

ORDER_STATES = sorted(states.ORDER_MOVES)
REFUND_STATES = sorted(states.REFUND_MOVES)
DECISIONS = st.sampled_from(["", states.LATE_PAYMENT_ACCEPTED, states.FULLY_EXEMPTED, "other"])
# The moves that need a recorded decision, and which.
DECIDED = {
    (states.EXPIRED, states.PAID): states.LATE_PAYMENT_ACCEPTED,
    (states.CREATED, states.PAID): states.FULLY_EXEMPTED,
}


@given(st.lists(st.tuples(st.sampled_from(ORDER_STATES), DECISIONS), max_size=30))
def test_any_sequence_of_order_moves_keeps_the_rules(moves: list[tuple[str, str]]) -> None:
    status, paid = states.CREATED, 0
    for target, decision in moves:
        before = status
        try:
            status = states.order_move(status, target, decision)
        except FailedPrecondition as refused:
            assert refused.code == "PAYMENT_STATE"
            needed = DECIDED.get((before, target))
            assert target not in states.ORDER_MOVES[before] or (needed and decision != needed)
            continue
        assert target in states.ORDER_MOVES[before]
        assert DECIDED.get((before, target), decision) == decision
        paid += status == states.PAID
    assert paid <= 1
    if status in (states.PAID, states.CANCELLED):
        for target in ORDER_STATES:
            with pytest.raises(FailedPrecondition):
                for decision in DECIDED.values():
                    states.order_move(status, target, decision)


@given(st.lists(st.sampled_from(REFUND_STATES), max_size=20))
def test_any_sequence_of_refund_moves_ends_once(moves: list[str]) -> None:
    status, ended = states.CREATED, 0
    for target in moves:
        try:
            status = states.refund_move(status, target)
        except FailedPrecondition:
            continue
        ended += status in (states.REFUNDED, states.FAILED)
    assert ended <= 1


def test_the_drawn_moves() -> None:
    assert states.order_move(states.CREATED, states.NOTIFIED) == states.NOTIFIED
    assert states.order_move(states.NOTIFIED, states.PAID) == states.PAID
    assert states.order_move(states.EXPIRED, states.PAID, states.LATE_PAYMENT_ACCEPTED) == states.PAID
    with pytest.raises(FailedPrecondition) as refused:
        states.order_move(states.EXPIRED, states.PAID)
    assert "已过期" in refused.value.message
    with pytest.raises(FailedPrecondition):
        states.order_move(states.CREATED, states.PAID)  # never paid without a notice, unless nothing is owed
    assert states.order_move(states.CREATED, states.PAID, states.FULLY_EXEMPTED) == states.PAID
    assert states.order_move(states.EXPIRED, states.CANCELLED) == states.CANCELLED  # replaced
