"""Refunds, reductions and late payments on SQLite (the world of conftest.py): a refund under an
Idempotency-Key (same key, other body → 409), against the expected refundable amount (→ 412), partial
refunds up to the paid amount and never beyond; a clerk's reduced order replacing the unpaid one; an
expired order paid only on a department admin's recorded decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import (
    Conflict,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
)
from ywtb.payment.models import Mismatch, OrderTransition, PaymentOrder, outbox
from ywtb.payment.reductions import OrderAsk, Reduction, Reductions
from ywtb.payment.refunds import RefundAsk, Refunds
from ywtb.payment.seen_nonces import DatabaseNonceStore
from ywtb.payment.states import CANCELLED, EXPIRED, FAILED, NOTIFIED, PAID, REFUNDED, SUBMITTED

from .conftest import DEPT, NOW

FINANCE = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
CLERK = Principal(subject="clerk-1", tenant="510104", dept=DEPT, roles=frozenset({"window_clerk"}))
OTHER_DEPT = Principal(
    subject="admin-2", tenant="510104", dept="11510104MB4234567X", roles=frozenset({"dept_admin"})
)


def _notified(world) -> PaymentOrder:  # type: ignore[no-untyped-def]
    db, _platform, facts, _orders, charges, _clock = world
    facts.guide.charge_point = catalog_pb2.CHARGE_POINT_AFTER_ACCEPTANCE
    with db.transaction() as session:
        charges.record(session, ("C-1", "item-1", "510104", DEPT), accepted_at=NOW)
    charges.run_round()
    return _current(db)


def _current(db: Database) -> PaymentOrder:
    with db.transaction() as session:
        order = session.scalars(
            select(PaymentOrder)
            .where(PaymentOrder.status != CANCELLED)
            .order_by(PaymentOrder.created_at.desc())
        ).first()
        assert order is not None
        session.expunge(order)
    return order


def _paid(world) -> PaymentOrder:  # type: ignore[no-untyped-def]
    db, platform, _facts, orders, _charges, _clock = world
    order = _notified(world)
    platform.pay(order.notice_no)
    orders.confirm(order.notice_no, "回调")
    return _current(db)


def _events(db: Database, kind: str) -> int:
    with db.transaction() as session:
        return len(session.execute(select(outbox.c.seq).where(outbox.c.ce_type == kind)).all())


def _ask(
    order: PaymentOrder, amount: int, expected: int, key: str = "k-1", reason: str = "重复缴费"
) -> RefundAsk:
    return RefundAsk(order.order_no, amount, expected, reason, key)


def test_partial_refunds_up_to_the_paid_amount_and_never_beyond(world, refunds: Refunds) -> None:  # type: ignore[no-untyped-def]
    db = world[0]
    order = _paid(world)
    first, replayed = refunds.request(FINANCE, _ask(order, 300, 1000, "k-1"))
    assert (first.status, first.amount_fen, replayed) == (REFUNDED, 300, False)
    with pytest.raises(InvalidArgument) as beyond:
        refunds.request(FINANCE, _ask(order, 800, 700, "k-2"))
    assert beyond.value.code == "PAYMENT_REFUND_EXCEEDS_PAID" and "amount_fen" in beyond.value.fields
    second, _ = refunds.request(FINANCE, _ask(order, 700, 700, "k-3"))
    assert second.status == REFUNDED
    with pytest.raises(PreconditionFailed) as nothing_left:
        refunds.request(FINANCE, _ask(order, 1, 700, "k-4"))
    assert nothing_left.value.http_status == 412 and nothing_left.value.code == "PAYMENT_REFUNDABLE_CHANGED"
    assert _events(db, "ywtb.payment.v1.PaymentRefunded") == 2
    with db.transaction() as session:
        moves = session.scalars(
            select(OrderTransition.to_status).where(OrderTransition.refund_no == first.refund_no)
        ).all()
    assert list(moves) == ["created", SUBMITTED, REFUNDED]


def test_the_idempotency_key_answers_a_retry_and_refuses_another_body(world, refunds: Refunds) -> None:  # type: ignore[no-untyped-def]
    platform = world[1]
    order = _paid(world)
    first, _ = refunds.request(FINANCE, _ask(order, 1000, 1000, "same"))
    again, replayed = refunds.request(FINANCE, _ask(order, 1000, 1000, "same"))
    assert (again.refund_no, replayed, platform.refund_calls) == (first.refund_no, True, 1)
    with pytest.raises(Conflict) as reused:
        refunds.request(FINANCE, _ask(order, 500, 1000, "same"))
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED" and reused.value.http_status == 409
    with pytest.raises(InvalidArgument):
        refunds.request(FINANCE, _ask(order, 500, 1000, ""))


def test_a_stale_expected_amount_loses_the_race(world, refunds: Refunds) -> None:  # type: ignore[no-untyped-def]
    order = _paid(world)
    refunds.request(FINANCE, _ask(order, 1000, 1000, "tab-1"))
    with pytest.raises(PreconditionFailed):  # the second tab still saw 10.00 元 refundable
        refunds.request(FINANCE, _ask(order, 1000, 1000, "tab-2"))


def test_only_the_departments_admin_refunds_a_paid_order(world, refunds: Refunds) -> None:  # type: ignore[no-untyped-def]
    order = _notified(world)
    with pytest.raises(FailedPrecondition):
        refunds.request(FINANCE, _ask(order, 100, 0))
    order = _paid(world)
    with pytest.raises(PermissionDenied):
        refunds.request(CLERK, _ask(order, 100, 1000))
    with pytest.raises(NotFound):
        refunds.request(OTHER_DEPT, _ask(order, 100, 1000))


def test_a_platform_down_or_slow_refund_settles_in_the_round_and_a_failed_one_frees_its_amount(
    world, refunds: Refunds
) -> None:  # type: ignore[no-untyped-def]
    db, platform = world[0], world[1]
    order = _paid(world)
    platform.down = True
    waiting, _ = refunds.request(FINANCE, _ask(order, 400, 1000, "k-1"))
    assert waiting.status == "created"
    platform.down, platform.refund_mode = False, "processing"
    assert refunds.run_round() == 0  # submitted, the platform still paying it back
    platform.settle_refunds()
    assert refunds.run_round() == 1
    platform.refund_mode = "failed"
    failed, _ = refunds.request(FINANCE, _ask(order, 600, 600, "k-2"))
    assert (failed.status, failed.failure) == (FAILED, "账户异常")
    platform.refund_mode = "refunded"
    rest, _ = refunds.request(FINANCE, _ask(order, 600, 600, "k-3"))  # the failed one holds nothing
    assert rest.status == REFUNDED
    assert _events(db, "ywtb.payment.v1.PaymentRefunded") == 2


def test_a_reduced_order_replaces_the_unpaid_one_and_a_full_exemption_is_paid_at_once(world) -> None:  # type: ignore[no-untyped-def]
    db, platform, _facts, orders, _charges, _clock = world
    first = _notified(world)
    reductions = Reductions(orders)
    ask = OrderAsk("C-1", (Reduction("工本费", 500, "川财综〔2026〕1号"),), "依申请减半", "r-1")
    reduced, replayed = reductions.make(CLERK, ask)
    assert (reduced.total_fen, reduced.status, replayed, reduced.created_by) == (
        500,
        NOTIFIED,
        False,
        "clerk-1",
    )
    assert platform.notices[first.notice_no].state == "cancelled"
    assert platform.issued[reduced.order_no].items == (("工本费", 500),)  # the notice asks the reduced amount
    assert reductions.make(CLERK, ask)[1] is True
    with pytest.raises(Conflict):
        reductions.make(CLERK, replace(ask, reason="另一个理由"))
    with pytest.raises(InvalidArgument) as no_basis:
        reductions.make(CLERK, OrderAsk("C-1", (Reduction("工本费", 1000, ""),), "全额减免", "r-2"))
    assert "reductions[0]" in no_basis.value.fields
    with pytest.raises(InvalidArgument):
        reductions.make(CLERK, OrderAsk("C-1", (Reduction("工本费", 1001, "依据"),), "超额", "r-3"))

    exempt = OrderAsk("C-1", (Reduction("工本费", 1000, "首次申领免收"),), "全额减免", "r-4")
    free, _ = reductions.make(CLERK, exempt)
    assert (free.total_fen, free.status) == (0, PAID)
    assert _events(db, "ywtb.payment.v1.PaymentPaid") == 1  # 缴费后发证 goes on
    with pytest.raises(FailedPrecondition):  # nothing unpaid is left to re-issue
        reductions.make(CLERK, OrderAsk("C-1", (), "恢复原价", "r-5"))


def test_a_payment_arriving_before_the_cancellation_wins(world) -> None:  # type: ignore[no-untyped-def]
    db, platform, _facts, orders, _charges, _clock = world
    first = _notified(world)
    platform.pay(first.notice_no)  # paid, the callback not yet here
    with pytest.raises(FailedPrecondition):
        Reductions(orders).make(
            CLERK, OrderAsk("C-1", (Reduction("工本费", 500, "依据文号"),), "减半", "r-1")
        )
    assert _current(db).status == PAID


def test_an_expired_order_is_paid_only_on_a_recorded_decision(world) -> None:  # type: ignore[no-untyped-def]
    db, platform, _facts, orders, _charges, _clock = world
    order = _notified(world)
    platform.notices[order.notice_no] = replace(platform.notices[order.notice_no], state="expired")
    assert orders.confirm(order.notice_no, "状态查询").status == EXPIRED
    with pytest.raises(FailedPrecondition) as unpaid:
        orders.accept_late(FINANCE, order.order_no, "缴款人在期限内已缴款")
    assert unpaid.value.code == "PAYMENT_NOT_PAID_ON_PLATFORM"
    platform.pay(order.notice_no)
    assert orders.confirm(order.notice_no, "回调").status == EXPIRED  # a late mismatch, not paid
    with pytest.raises(PermissionDenied):
        orders.accept_late(CLERK, order.order_no, "缴款人在期限内已缴款")
    paid = orders.accept_late(FINANCE, order.order_no, "银行回单显示期限内已缴款")
    assert paid.status == PAID
    with db.transaction() as session:
        decision = session.scalars(select(OrderTransition).where(OrderTransition.to_status == PAID)).one()
        late = session.scalars(select(Mismatch)).one()
    assert (decision.actor, "银行回单" in decision.cause) == ("admin-1", True)
    assert (late.kind, late.status, late.resolved_by) == ("late", "resolved", "admin-1")
    assert _events(db, "ywtb.payment.v1.PaymentPaid") == 1


def test_a_callback_nonce_is_refused_on_every_replica_within_its_window(world) -> None:  # type: ignore[no-untyped-def]
    db, clock = world[0], world[5]
    first, second = (DatabaseNonceStore(db, clock=lambda: clock["now"]) for _ in range(2))
    assert first.remember("n-1", 300) is True
    assert second.remember("n-1", 300) is False  # the other replica saw it
    clock["now"] = NOW + timedelta(seconds=301)
    assert second.purge() == 1 and second.remember("n-1", 300) is True
