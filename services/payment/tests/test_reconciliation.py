"""日终对账 on SQLite against the recording platform of test_orders: a lost callback applied from the statement,
an extra line, an amount that differs and a payment missing from the statement each become one mismatch,
reported once however often the day is run; a finance clerk of the department resolves it with a reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ywtb.payment.mismatches import Mismatches
from ywtb.payment.models import PaymentOrder, outbox
from ywtb.payment.nontax.platform import Payment
from ywtb.payment.reconciliation import Reconciler
from ywtb.payment.states import PAID

from .conftest import DEPT, NOW

DAY = date(2026, 12, 1)  # NOW is 10:00 Beijing on 1 Dec
DEPT_ADMIN = Principal(subject="admin-1", tenant="510104", dept=DEPT, roles=frozenset({"dept_admin"}))
TENANT_ADMIN = Principal(subject="t-admin", tenant="510104", roles=frozenset({"tenant_admin"}))
CLERK = Principal(subject="clerk-1", tenant="510104", dept=DEPT, roles=frozenset({"window_clerk"}))


def _two_orders(world) -> list[PaymentOrder]:  # type: ignore[no-untyped-def]
    db, _platform, facts, _orders, charges, _clock = world
    facts.guide.charge_point = catalog_pb2.CHARGE_POINT_AFTER_ACCEPTANCE
    for case_no in ("C-1", "C-2"):
        with db.transaction() as session:
            charges.record(session, (case_no, "item-1", "510104", DEPT), accepted_at=NOW)
    charges.run_round()
    with db.transaction() as session:
        found = list(session.scalars(select(PaymentOrder).order_by(PaymentOrder.case_no)))
        session.expunge_all()
    return found


def test_the_statement_applies_a_lost_callback_and_reports_each_mismatch_once(world) -> None:  # type: ignore[no-untyped-def]
    db, platform, _facts, orders, _charges, clock = world
    first, second = _two_orders(world)
    platform.pay(first.notice_no)  # its callback lost: only the statement tells
    platform.pay(second.notice_no)
    orders.confirm(second.notice_no, "回调")
    platform.hidden.add(second.notice_no)  # paid here, absent from the platform's statement
    platform.extra_lines.append(Payment("N-UNKNOWN", "PO-X", 500, NOW, "R-9", "alipay"))
    clock["now"] = NOW + timedelta(days=1)
    reconciler = Reconciler(db, platform, orders, clock=lambda: clock["now"])
    done = reconciler.reconcile(DAY)
    assert (done.lines, done.matched, done.mismatched) == (2, 1, 2)
    with db.transaction() as session:
        assert session.get(PaymentOrder, first.order_no).status == PAID  # type: ignore[union-attr]
    assert reconciler.reconcile(DAY).mismatched == 2  # run again: the same two, not reported twice
    with db.transaction() as session:
        kinds = [row.ce_type for row in session.execute(select(outbox.c.ce_type))]
    assert kinds.count("ywtb.payment.v1.PaymentMismatch") == 2
    assert reconciler.daily_round() == 0  # yesterday (1 Dec) is done


def test_a_department_admin_resolves_a_mismatch_with_a_reason(world) -> None:  # type: ignore[no-untyped-def]
    db, platform, _facts, orders, _charges, clock = world
    first, _second = _two_orders(world)
    platform.pay(first.notice_no, paid_fen=900)
    orders.confirm(first.notice_no, "回调")  # the amount differs: not paid, reported
    mismatches = Mismatches(db, clock=lambda: clock["now"])
    (found,) = mismatches.report_of(DEPT_ADMIN)
    assert (found.kind, found.expected_fen, found.platform_fen, found.status) == ("amount", 1000, 900, "open")
    assert mismatches.report_of(CLERK) == []  # not a finance role
    assert [m.id for m in mismatches.report_of(TENANT_ADMIN)] == [found.id]
    with pytest.raises(InvalidArgument):
        mismatches.resolve(DEPT_ADMIN, found.id, "x")
    with pytest.raises(NotFound):
        mismatches.resolve(CLERK, found.id, "已核实")
    resolved = mismatches.resolve(DEPT_ADMIN, found.id, "已与缴款人核实，少缴部分已补缴")
    assert (resolved.status, resolved.resolved_by) == ("resolved", "admin-1")
    with pytest.raises(FailedPrecondition):
        mismatches.resolve(DEPT_ADMIN, found.id, "再次处理")
    reconciler = Reconciler(db, platform, orders, clock=lambda: clock["now"])
    with pytest.raises(PermissionDenied):
        reconciler.reconcile_on_request(DEPT_ADMIN, "2026-11-30")
    with pytest.raises(InvalidArgument):
        reconciler.reconcile_on_request(TENANT_ADMIN, "2026-12-01")  # today is not over
    assert reconciler.reconcile_on_request(TENANT_ADMIN, "2026-11-30").lines == 0
