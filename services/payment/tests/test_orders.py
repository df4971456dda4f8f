"""Charges and orders on SQLite (the world of conftest.py): an order at the item's
charging point, notified, paid exactly once on the platform's word, mismatches reported once, a lost
callback found by the early check, a platform down retried."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.errors import NotFound, PermissionDenied
from ywtb.payment.callbacks import Callbacks
from ywtb.payment.charges import AT_APPROVAL, Charges
from ywtb.payment.models import FREE, ORDERED, Charge, PaymentOrder, outbox
from ywtb.payment.states import EXPIRED, NOTIFIED, PAID

from .conftest import DEPT, NOW

CASE = ("C-1", "item-1", "510104", DEPT)
OWNER = Principal(subject="citizen-1", tenant="510104", roles=frozenset({"citizen"}))
STRANGER = Principal(subject="citizen-2", tenant="510104", roles=frozenset({"citizen"}))
CLERK = Principal(subject="clerk-1", tenant="510104", dept=DEPT, roles=frozenset({"window_clerk"}))


def _record(db: Database, charges: Charges, **moment: datetime) -> None:
    with db.transaction() as session:
        charges.record(session, CASE, **moment)


def _events(db: Database) -> list[str]:
    with db.transaction() as session:
        return [row.ce_type for row in session.execute(select(outbox.c.ce_type).order_by(outbox.c.seq))]


def _order(db: Database) -> PaymentOrder:
    with db.transaction() as session:
        order = session.scalars(select(PaymentOrder)).one()
        session.expunge(order)
    return order


def test_an_item_charging_after_approval_is_ordered_and_notified_once_approved(world) -> None:  # type: ignore[no-untyped-def]
    db, _platform, _facts, _orders, charges, _clock = world
    _record(db, charges, accepted_at=NOW)
    charges.run_round()
    with db.transaction() as session:
        assert session.get(Charge, CASE[:2]).status == AT_APPROVAL  # type: ignore[union-attr]
    _record(db, charges, approved_at=NOW)
    _record(db, charges, approved_at=NOW)  # a redelivered event changes nothing
    assert charges.run_round() == 1
    order = _order(db)
    assert (order.status, order.total_fen, order.payer_name, order.owner) == (
        NOTIFIED,
        1000,
        "张三",
        "citizen-1",
    )
    assert [line["name"] for line in order.lines] == ["工本费"] and order.notice_no == f"N{order.order_no}"
    assert _events(db) == ["ywtb.payment.v1.OrderNotified"]
    with db.transaction() as session:
        assert session.get(Charge, CASE[:2]).status == ORDERED  # type: ignore[union-attr]


def test_a_free_item_or_one_not_paid_online_is_not_charged(world) -> None:  # type: ignore[no-untyped-def]
    db, _platform, facts, _orders, charges, _clock = world
    facts.guide.online_payment = False
    _record(db, charges, accepted_at=NOW, approved_at=NOW)
    charges.run_round()
    with db.transaction() as session:
        assert session.get(Charge, CASE[:2]).status == FREE  # type: ignore[union-attr]
        assert session.scalars(select(PaymentOrder)).first() is None


def test_paid_exactly_once_on_the_platforms_word(world) -> None:  # type: ignore[no-untyped-def]
    db, platform, facts, orders, charges, _clock = world
    facts.guide.charge_point = catalog_pb2.CHARGE_POINT_AFTER_ACCEPTANCE
    _record(db, charges, accepted_at=NOW)
    charges.run_round()
    notice_no = _order(db).notice_no
    callbacks = Callbacks(orders, platform)
    with pytest.raises(PermissionDenied) as forged:
        callbacks.handle(notice_no.encode(), {"x-nontax-signature": "forged"})
    assert forged.value.code == "PAYMENT_CALLBACK_REJECTED"
    assert (
        callbacks.handle(notice_no.encode(), {"x-nontax-signature": "good"}).status == NOTIFIED
    )  # not paid yet
    platform.pay(notice_no)
    for _ in range(3):  # the callback, its duplicate, a status check
        assert callbacks.handle(notice_no.encode(), {"x-nontax-signature": "good"}).status == PAID
    order = _order(db)
    assert (order.paid_fen, order.receipt_no, order.channel) == (1000, "R-1", "wechat")
    assert _events(db).count("ywtb.payment.v1.PaymentPaid") == 1


def test_an_amount_mismatch_is_reported_once_and_never_paid(world) -> None:  # type: ignore[no-untyped-def]
    db, platform, facts, orders, charges, _clock = world
    facts.guide.charge_point = catalog_pb2.CHARGE_POINT_AFTER_ACCEPTANCE
    _record(db, charges, accepted_at=NOW)
    charges.run_round()
    notice_no = _order(db).notice_no
    platform.pay(notice_no, paid_fen=900)
    assert orders.confirm(notice_no, "回调").status == NOTIFIED
    assert orders.confirm(notice_no, "状态查询").status == NOTIFIED
    assert _events(db).count("ywtb.payment.v1.PaymentMismatch") == 1


def test_a_lost_callback_is_found_by_the_early_check_and_an_expired_order_needs_a_decision(world) -> None:  # type: ignore[no-untyped-def]
    db, platform, facts, orders, charges, clock = world
    facts.guide.charge_point = catalog_pb2.CHARGE_POINT_AFTER_ACCEPTANCE
    _record(db, charges, accepted_at=NOW)
    charges.run_round()
    platform.pay(_order(db).notice_no)
    assert orders.check_round(60) == 0  # not quiet long enough
    clock["now"] = NOW + timedelta(minutes=2)
    assert orders.check_round(60) == 1 and _order(db).status == PAID

    with db.transaction() as session:  # a second case whose notice lapses before its late payment
        charges.record(session, ("C-2", "item-1", "510104", DEPT), accepted_at=NOW)
    charges.run_round()
    with db.transaction() as session:
        late = session.scalars(select(PaymentOrder).where(PaymentOrder.case_no == "C-2")).one()
        notice_no = late.notice_no
    notice = platform.notices[notice_no]
    platform.notices[notice_no] = replace(notice, state="expired")
    assert orders.confirm(notice_no, "状态查询").status == EXPIRED
    platform.pay(notice_no)
    assert orders.confirm(notice_no, "回调").status == EXPIRED
    assert _events(db).count("ywtb.payment.v1.PaymentMismatch") == 1  # kind late, for the finance clerk


def test_a_peer_or_the_platform_down_is_retried(world) -> None:  # type: ignore[no-untyped-def]
    db, platform, facts, orders, charges, clock = world
    facts.down = True
    _record(db, charges, accepted_at=NOW, approved_at=NOW)
    assert charges.run_round() == 0
    with db.transaction() as session:
        charge = session.get(Charge, CASE[:2])
        assert charge is not None and charge.attempts == 1 and "intake down" in charge.last_error
    facts.down, platform.down = False, True
    clock["now"] = NOW + timedelta(seconds=5)
    assert charges.run_round() == 1
    assert _order(db).status == "created"  # made, its notice not yet issued
    platform.down = False
    assert orders.notify_round() == 1 and _order(db).status == NOTIFIED


def test_a_cases_orders_are_shown_to_its_payer_and_its_department_only(world) -> None:  # type: ignore[no-untyped-def]
    db, _platform, _facts, orders, charges, _clock = world
    _record(db, charges, accepted_at=NOW, approved_at=NOW)
    charges.run_round()
    assert [o.case_no for o in orders.of_case(OWNER, "C-1")] == ["C-1"]
    assert len(orders.of_case(CLERK, "C-1")) == 1
    with pytest.raises(NotFound):
        orders.of_case(STRANGER, "C-1")
    assert [o.case_no for o in orders.mine(OWNER)] == ["C-1"] and orders.mine(STRANGER) == []
    with pytest.raises(PermissionDenied):
        orders.mine(CLERK)
