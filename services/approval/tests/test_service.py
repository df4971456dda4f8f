"""Approval service on SQLite with the embedded bus: start from CaseAccepted, tasks, steps, deadlines, events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import func, select

from ywtb.api.approval.v1 import approval_pb2 as apb
from ywtb.api.approval.v1 import events_pb2 as aev
from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import events_pb2 as intake_events
from ywtb.approval import convert
from ywtb.approval.consumer import case_accepted_consumer
from ywtb.approval.engine import WorkflowEngine
from ywtb.approval.events import INTAKE_CASE_TOPIC, INTAKE_EVENTS, accepted_case_of
from ywtb.approval.grpc_api import ApprovalServicer
from ywtb.approval.models import Instance, Step, Task, inbox, outbox
from ywtb.approval.service import ApprovalService
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import DayOverride, WorkCalendar
from ywtb.common.context import bound
from ywtb.common.db import Database, is_postgres
from ywtb.common.errors import Conflict, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ywtb.common.events.embedded import EmbeddedBus
from ywtb.common.events.envelope import Event
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.common.testing.bus import quiet

CST = timezone(timedelta(hours=8))
TENANT = "510104"
D1 = "11510104MB3234567X"  # 区市场监管局 (lead department)
D2 = "11510104MB4234567Y"  # 区卫健局
ACCEPTED = datetime(2026, 9, 28, 10, 0, tzinfo=CST)  # Monday before 国庆节 2026 (10-01 … 10-07 off)


def staff(subject: str, role: str, dept: str = D1, tenant: str = TENANT, name: str = "") -> Principal:
    return Principal(subject=subject, tenant=tenant, roles=frozenset({role}), dept=dept, name=name)


CLERK = staff("clerk-1", "window_clerk", name="李受理")
APPROVER = staff("appr-1", "approver", name="王审批")
APPROVER_B = staff("appr-2", "approver", name="赵审核")
BACKUP = staff("appr-3", "approver", name="钱代班")
ADMIN = staff("admin-1", "dept_admin", name="张主任")
D2_APPROVER = staff("appr-d2", "approver", dept=D2, name="孙审批")
D2_CLERK = staff("clerk-d2", "window_clerk", dept=D2, name="周窗口")
OTHER_TENANT = staff("appr-x", "approver", tenant="510105", name="吴审批")
APPLICANT = Principal(subject="citizen-1", tenant=TENANT, roles=frozenset({"citizen"}), name="陈申请")
STRANGER = Principal(subject="citizen-2", tenant=TENANT, roles=frozenset({"citizen"}))


def end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=CST)


class Clock:
    """A settable clock for the service."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class World:
    """A migrated approval database, its service, the embedded bus and the CaseAccepted consumer."""

    def __init__(self, url: str, bus_path: str, **service_kwargs) -> None:  # type: ignore[no-untyped-def]
        upgrade(script_location_of("ywtb.approval"), url)
        self.db = Database(url)
        self.clock = Clock(ACCEPTED)
        self.service = ApprovalService(self.db, ENGINE, clock=self.clock, **service_kwargs)
        self.bus = EmbeddedBus(bus_path, lease_seconds=3.0)
        self.consumer = case_accepted_consumer(self.bus, self.db, self.service)

    def accept(self, case_no: str, *, event_id: str | None = None, **extra) -> Event:  # type: ignore[no-untyped-def]
        """Publish a CaseAccepted (canonical proto JSON plus extra camelCase fields) and consume it."""
        message = intake_events.CaseAccepted(
            case_no=case_no,
            tenant=TENANT,
            dept=extra.pop("dept", D1),
            item_id=extra.pop("item_id", "ITEM-1"),
            item_version=3,
            process=extra.pop("process", "promised-default"),
            case_type=catalog_pb2.CASE_TYPE_PROMISED,
            accepted_at=ts(ACCEPTED),
            promised_completion_date="2026-10-10",
        )
        if extra.pop("promised", True):
            message.promised_limit.CopyFrom(
                catalog_pb2.TimeLimit(value=5, unit=catalog_pb2.TIME_UNIT_WORKDAY)
            )
        base = Event.of(message, topic=INTAKE_CASE_TOPIC, key=case_no, source="/ywtb/intake", tenant=TENANT)
        data = {**json.loads(base.data), "applicantId": APPLICANT.subject, **extra}
        event = Event(
            topic=base.topic,
            key=case_no,
            type=base.type,
            source=base.source,
            tenant=TENANT,
            data=json.dumps(data, ensure_ascii=False).encode(),
            id=event_id or base.id,
        )
        self.bus.publish(INTAKE_CASE_TOPIC, case_no, event.data, event.headers())
        assert self.consumer.run_once(5.0)
        return event

    def task(self, case_no: str, step: str, principal: Principal, item: str = "") -> str:
        """The id of the open task `step` of a case, as the principal's task list shows it."""
        tasks = [
            v.task
            for v in self.service.list_tasks(principal, case_no)
            if v.task.step == step and v.task.item_code == item
        ]
        assert len(tasks) == 1, f"{step}@{item} not in the task list of {principal.subject}"
        return tasks[0].task_id

    def do(
        self, case_no: str, step: str, principal: Principal, decision: str | None = None, item: str = ""
    ) -> None:
        """Claim and complete a step."""
        task_id = self.task(case_no, step, principal, item)
        self.service.claim_task(principal, case_no, task_id)
        opinion = "不符合法定条件：缺少消防验收意见" if decision == "deny" else "材料齐全，同意"
        self.service.complete_task(principal, case_no, task_id, opinion, decision)

    def events(self, case_no: str) -> list[str]:
        with self.db.transaction() as s:
            rows = s.execute(select(outbox.c.ce_type).where(outbox.c.key == case_no).order_by(outbox.c.seq))
            return [r.ce_type.rsplit(".", 1)[-1] for r in rows]

    def payloads(self, case_no: str, ce_type: str) -> list[dict]:  # type: ignore[type-arg]
        with self.db.transaction() as s:
            rows = s.execute(
                select(outbox.c.payload)
                .where(outbox.c.key == case_no, outbox.c.ce_type == f"ywtb.approval.v1.{ce_type}")
                .order_by(outbox.c.seq)
            )
            return [json.loads(bytes(r.payload)) for r in rows]

    def count(self, model, **where) -> int:  # type: ignore[no-untyped-def]
        with self.db.transaction() as s:
            query = select(func.count()).select_from(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return s.scalar(query) or 0


ENGINE = WorkflowEngine()


def ts(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


@pytest.fixture
def world(sqlite_url, tmp_path) -> Iterator[World]:  # type: ignore[no-untyped-def]
    w = World(sqlite_url, str(tmp_path / "events.db"))
    yield w
    w.bus.close()
    w.db.dispose()


# --- start --------------------------------------------------------------------------------------


def test_redelivered_case_accepted_starts_one_workflow(world: World) -> None:
    first = world.accept("510104-20260928-000001")
    world.accept("510104-20260928-000001", event_id=first.id)  # the same record delivered again
    world.accept("510104-20260928-000001")  # the same case announced again under a new event id
    assert world.count(Instance) == 1
    assert world.count(Task, case_no="510104-20260928-000001") == 1
    with world.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(inbox)) == 2
        instance = s.get(Instance, "510104-20260928-000001")
        assert instance is not None and instance.source_event_id == first.id
    case = world.service.get_case(CLERK, "510104-20260928-000001")
    assert world.service.current_deadline(case.instance, case.stops, case.now) == end_of(date(2026, 10, 10))


def test_other_intake_events_are_ignored_and_unknown_process_dead_letters(world: World) -> None:
    other = Event.of(
        intake_events.CaseRejected(case_no="X-1", tenant=TENANT, reason="不符合"),
        topic=INTAKE_CASE_TOPIC,
        key="X-1",
        source="/ywtb/intake",
        tenant=TENANT,
    )
    world.bus.publish(INTAKE_CASE_TOPIC, "X-1", other.data, other.headers())
    assert world.consumer.run_once(5.0)
    world.accept("X-2", process="no-such-process")
    assert world.count(Instance) == 0
    with world.bus.subscribe("t", [INTAKE_CASE_TOPIC + ".dlq"]) as dlq:
        dead = quiet(dlq, 4)  # every partition, drained: only the poison event may be there
    assert [(r.key, r.header("ywtb_dlq_consumer_group")) for r in dead] == [("X-2", "ywtb-approval")]
    assert "no-such-process" in (dead[0].header("ywtb_dlq_error") or "")


def test_case_accepted_without_what_approval_needs_dead_letters(world: World) -> None:
    world.accept("X-3", dept="")
    assert world.count(Instance) == 0
    with world.bus.subscribe("t", [INTAKE_CASE_TOPIC + ".dlq"]) as dlq:
        dead = quiet(dlq, 4)
    assert [r.key for r in dead] == ["X-3"]
    assert "lacks dept" in (dead[0].header("ywtb_dlq_error") or "")


def test_case_accepted_fields_are_read_from_the_proto(world: World) -> None:
    items = [{"itemId": "ITEM-A", "dept": D1, "code": "A"}, {"itemId": "ITEM-B", "dept": D2}]
    event = world.accept("C-PROTO", process="joint-default", items=items, timeoutDefault=True, futureField=1)
    case = accepted_case_of(INTAKE_EVENTS.parse(event), event)  # type: ignore[arg-type]
    assert (case.applicant, case.timeout_default, case.promised_days) == (APPLICANT.subject, True, 5)
    assert [(i.item_id, i.code) for i in case.items] == [("ITEM-A", "A"), ("ITEM-B", "ITEM-B")]
    with world.db.transaction() as s:
        instance = s.get(Instance, "C-PROTO")
        assert instance is not None and instance.timeout_default and instance.joint


def test_case_deadline_from_the_promised_limit(world: World) -> None:
    world.accept("C-PROMISED3", promisedLimit={"value": 3, "unit": "TIME_UNIT_WORKDAY"})
    view = world.service.get_case(CLERK, "C-PROMISED3")
    # 09-29, 09-30, then 国庆 off, 10-08.
    assert world.service.current_deadline(view.instance, view.stops, view.now) == end_of(date(2026, 10, 8))


def test_an_injected_calendar_counts_the_deadlines(sqlite_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    local_rest = WorkCalendar([DayOverride(date(2026, 10, 8), False, "测试调整")])
    world = World(sqlite_url, str(tmp_path / "events.db"), calendar=local_rest)
    try:
        world.accept("C-LOCAL3", promisedLimit={"value": 3, "unit": "TIME_UNIT_WORKDAY"})
        view = world.service.get_case(CLERK, "C-LOCAL3")
        # 09-29, 09-30, then 国庆 and the local rest day off, 10-09.
        assert world.service.current_deadline(view.instance, view.stops, view.now) == end_of(
            date(2026, 10, 9)
        )
    finally:
        world.bus.close()
        world.db.dispose()


def test_case_deadline_from_step_days_without_promised_limit(world: World) -> None:
    world.accept("C-STEPDAYS", promised=False, promisedCompletionDate="")
    view = world.service.get_case(CLERK, "C-STEPDAYS")
    # promised-default steps: 1 + 2 + 1 + 1 = 5 working days → 10-10 (Saturday make-up day).
    assert view.instance.promised_days == 5
    assert world.service.current_deadline(view.instance, view.stops, view.now) == end_of(date(2026, 10, 10))
    assert view.open_tasks[0].step_deadline.replace(tzinfo=UTC) == end_of(date(2026, 9, 29))


# --- happy path -----------------------------------------------------------------------------------


def test_promised_case_by_two_staff_approved_then_completed(world: World) -> None:
    case = "510104-20260928-000002"
    world.accept(case)
    assert [v.task.step for v in world.service.list_tasks(CLERK)] == ["accept"]
    assert world.service.list_tasks(APPROVER) == []
    world.do(case, "accept", CLERK)
    world.clock.now = datetime(2026, 9, 29, 9, 0, tzinfo=CST)
    world.do(case, "review", APPROVER)
    world.do(case, "decide", APPROVER, "approve")
    world.clock.now = datetime(2026, 9, 30, 16, 0, tzinfo=CST)
    world.do(case, "complete", CLERK)
    assert world.events(case) == [
        "CaseStepCompleted",
        "CaseStepCompleted",
        "CaseStepCompleted",
        "CaseApproved",
        "CaseStepCompleted",
        "CaseCompleted",
    ]
    view = world.service.get_case(APPLICANT, case)
    assert (view.instance.status, view.instance.outcome) == ("completed", "approved")
    steps = world.payloads(case, "CaseStepCompleted")
    assert [s["step"] for s in steps] == ["accept", "review", "decide", "complete"]
    assert [s["actor"] for s in steps] == ["李**", "王**", "王**", "李**"]
    assert steps[2]["decision"] == "DECISION_APPROVE" and all(s["onTime"] for s in steps)
    done = world.payloads(case, "CaseCompleted")[0]
    assert done["onTime"] is True and done["outcome"] == "DECISION_APPROVE"
    assert done["deadline"]["promisedDays"] == 5
    assert done["deadline"]["caseDeadline"] == "2026-10-10T15:59:59.999999Z"
    assert done["deadline"]["elapsedWorkdays"] == 2
    with pytest.raises(NotFound):
        world.service.complete_task(CLERK, case, steps[0]["seq"] and "nope", "意见")


def test_joint_case_completes_only_after_both_departments(world: World) -> None:
    case = "510104-20260928-000003"
    items = [{"itemId": "ITEM-A", "dept": D1, "code": "A"}, {"itemId": "ITEM-B", "dept": D2, "code": "B"}]
    world.accept(case, process="joint-default", items=items)
    world.do(case, "accept", CLERK)
    assert [(v.task.step, v.task.item_code) for v in world.service.list_tasks(APPROVER)] == [("review", "A")]
    assert [(v.task.step, v.task.item_code) for v in world.service.list_tasks(D2_APPROVER)] == [
        ("review", "B")
    ]
    world.do(case, "review", APPROVER, item="A")
    world.do(case, "decide", APPROVER, "approve", item="A")
    assert "CaseApproved" not in world.events(case)
    assert world.service.get_case(CLERK, case).instance.status == "running"
    world.do(case, "review", D2_APPROVER, item="B")
    world.do(case, "decide", D2_APPROVER, "approve", item="B")
    assert world.events(case)[-1] == "CaseApproved"
    world.do(case, "complete", CLERK)
    assert world.events(case)[-1] == "CaseCompleted"
    assert world.service.get_case(D2_APPROVER, case).instance.outcome == "approved"


def test_deny_needs_a_reason_and_ends_the_case(world: World) -> None:
    case = "510104-20260928-000004"
    world.accept(case)
    world.do(case, "accept", CLERK)
    world.do(case, "review", APPROVER)
    task_id = world.task(case, "decide", APPROVER)
    with pytest.raises(InvalidArgument) as err:
        world.service.complete_task(APPROVER, case, task_id, "  ", "deny")
    assert "意见" in err.value.message
    with pytest.raises(InvalidArgument):
        world.service.complete_task(APPROVER, case, task_id, "同意", None)  # decision required
    world.service.complete_task(APPROVER, case, task_id, "不符合法定条件：缺少消防验收意见", "deny")
    assert world.events(case)[-2:] == ["CaseDenied", "CaseCompleted"]
    assert world.payloads(case, "CaseDenied")[0]["reason"] == "不符合法定条件：缺少消防验收意见"
    view = world.service.get_case(APPLICANT, case)
    assert (view.instance.status, view.instance.outcome, view.open_tasks) == ("completed", "denied", [])


# --- deadlines ------------------------------------------------------------------------------------


def test_suspend_resume_moves_deadline_across_national_day(world: World) -> None:
    case = "510104-20260928-000005"
    world.accept(case)
    world.do(case, "accept", CLERK)  # review started 09-28 10:00, 2 days → 09-30
    world.clock.now = datetime(2026, 9, 29, 8, 0, tzinfo=CST)
    with pytest.raises(InvalidArgument):
        world.service.suspend_case(APPROVER, case, "专家评审", "")
    with pytest.raises(PermissionDenied):
        world.service.suspend_case(CLERK, case, "专家评审", "需组织专家论证")
    view = world.service.suspend_case(APPROVER, case, "专家评审", "需组织专家论证")
    assert view.instance.status == "suspended"
    task_id = world.task(case, "review", APPROVER)
    with pytest.raises(FailedPrecondition) as err:
        world.service.complete_task(APPROVER, case, task_id, "同意")
    assert "特别程序" in err.value.message
    world.clock.now = datetime(2026, 9, 30, 18, 0, tzinfo=CST)
    view = world.service.resume_case(APPROVER, case, "专家论证通过")
    # 09-29 and 09-30 stopped: 10-08, 10-09, 10-10 (调休), 10-12, 10-13.
    assert view.instance.case_deadline.replace(tzinfo=UTC) == end_of(date(2026, 10, 13))
    assert view.open_tasks[0].step_deadline.replace(tzinfo=UTC) == end_of(date(2026, 10, 9))
    assert world.events(case)[-2:] == ["CaseSuspended", "CaseResumed"]
    resumed = world.payloads(case, "CaseResumed")[0]
    assert resumed["deadline"]["caseDeadline"] == "2026-10-13T15:59:59.999999Z"
    assert resumed["deadline"].get("elapsedWorkdays", 0) == 0  # proto3 JSON omits zero: both days stopped
    assert resumed["stop"]["endedAt"] == "2026-09-30T10:00:00Z"
    with pytest.raises(FailedPrecondition):
        world.service.resume_case(APPROVER, case)


def test_extension_once_by_ten_working_days(world: World) -> None:
    case = "510104-20260928-000006"
    world.accept(case)
    with pytest.raises(InvalidArgument):
        world.service.extend_deadline(ADMIN, case, "")
    view = world.service.extend_deadline(ADMIN, case, "案情复杂，需现场核查")
    # 10-10 + 10 working days: 10-12 … 10-16, 10-19 … 10-23.
    assert view.instance.case_deadline.replace(tzinfo=UTC) == end_of(date(2026, 10, 23))
    assert view.instance.extension_days == 10
    with pytest.raises(FailedPrecondition) as err:
        world.service.extend_deadline(ADMIN, case, "再次延长")
    assert "已延长过一次" in err.value.message
    assert world.events(case) == ["CaseDeadlineExtended"]


# --- who may do what ------------------------------------------------------------------------------


def test_claim_is_exclusive_and_backup_handler_takes_over(world: World) -> None:
    case = "510104-20260928-000007"
    world.accept(case)
    world.do(case, "accept", CLERK)
    task_id = world.task(case, "review", APPROVER)
    world.service.claim_task(APPROVER, case, task_id)
    with pytest.raises(FailedPrecondition) as err:
        world.service.claim_task(APPROVER_B, case, task_id)
    assert "已由其他工作人员签收" in err.value.message
    assert world.service.list_tasks(APPROVER_B) == []
    with pytest.raises(PermissionDenied):
        world.service.set_backup_handler(APPROVER, D1, APPROVER.subject, BACKUP.subject)
    world.service.set_backup_handler(ADMIN, D1, APPROVER.subject, BACKUP.subject)
    assert [v.task.task_id for v in world.service.list_tasks(BACKUP)] == [task_id]
    world.service.claim_task(BACKUP, case, task_id)
    world.service.complete_task(BACKUP, case, task_id, "同意（B 角代办）")
    with world.db.transaction() as s:
        step = s.scalars(select(Step).where(Step.case_no == case, Step.step == "review")).one()
        assert step.actor == BACKUP.subject


def test_other_department_and_tenant_cannot_see_or_claim(world: World) -> None:
    case = "510104-20260928-000008"
    world.accept(case)
    task_id = world.task(case, "accept", CLERK)
    assert world.service.list_tasks(D2_CLERK) == []
    assert world.service.list_tasks(staff("clerk-x", "window_clerk", tenant="510105")) == []
    with pytest.raises(PermissionDenied):
        world.service.claim_task(D2_CLERK, case, task_id)
    with pytest.raises(NotFound):
        world.service.claim_task(OTHER_TENANT, case, task_id)
    with pytest.raises(PermissionDenied):
        world.service.claim_task(APPROVER, case, task_id)  # right department, wrong role
    with pytest.raises(PermissionDenied):
        world.service.get_case(D2_APPROVER, case)
    with pytest.raises(PermissionDenied):
        world.service.get_case(OTHER_TENANT, case)
    with pytest.raises(PermissionDenied):
        world.service.get_case(STRANGER, case)
    for role in ("supervisor", "tenant_admin"):  # upward supervision: a city sees its counties
        city = Principal(subject="sup", tenant="510100", roles=frozenset({role}))
        assert world.service.get_case(city, case).instance.case_no == case
        with pytest.raises(PermissionDenied):  # never sideways
            world.service.get_case(Principal(subject="sup", tenant="510105", roles=frozenset({role})), case)
    with pytest.raises(PermissionDenied):  # the city's approvers do not supervise
        world.service.get_case(staff("appr-city", "approver", tenant="510100"), case)


def race_two_completions(world: World, monkeypatch, case: str) -> list[Exception]:
    """Two requests complete the same claimed task at once; the errors.

    On PostgreSQL both read the same version and compute before either writes (the version guard
    decides: CASE_VERSION_CONFLICT); SQLite's BEGIN IMMEDIATE runs them one after the other, so the
    second finds the step done (TASK_NOT_OPEN).
    """
    world.accept(case)
    task_id = world.task(case, "accept", CLERK)
    world.service.claim_task(CLERK, case, task_id)
    concurrent = is_postgres(world.db.engine)
    if concurrent:
        both_computed = threading.Barrier(2, timeout=20)
        original = WorkflowEngine.complete

        def complete_together(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            state = original(self, *args, **kwargs)
            both_computed.wait()  # both requests read the same version and computed before either writes
            return state

        monkeypatch.setattr(WorkflowEngine, "complete", complete_together)
    outcomes: list[object] = []

    def attempt() -> None:
        try:
            outcomes.append(world.service.complete_task(CLERK, case, task_id, "材料齐全"))
        except Exception as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    expected = Conflict if concurrent else FailedPrecondition
    assert len(outcomes) == 2 and len(errors) == 1 and isinstance(errors[0], expected), outcomes
    return errors


def test_concurrent_completion_of_one_task_one_wins(world: World, monkeypatch) -> None:
    case = "510104-20260928-000009"
    errors = race_two_completions(world, monkeypatch, case)
    assert "已办理完成或已失效" in errors[0].message  # SQLite: the second request comes after the first
    assert world.count(Step, case_no=case) == 1
    assert world.events(case) == ["CaseStepCompleted"]
    assert [v.task.step for v in world.service.list_tasks(APPROVER)] == ["review"]


def test_timeline_masks_handler_names_for_the_applicant(world: World) -> None:
    case = "510104-20260928-000010"
    world.accept(case)
    world.do(case, "accept", CLERK)
    world.do(case, "review", APPROVER)
    with bound(principal=APPLICANT):
        timeline = ApprovalServicer(world.service).GetCaseTimeline(
            apb.GetCaseTimelineRequest(case_no=case), None
        )
    assert [(e.title, e.handler, e.in_progress) for e in timeline.entries] == [
        ("受理", "李**", False),
        ("审查", "王**", False),
        ("决定", "", True),
    ]
    assert "李受理" not in str(timeline) and "王审批" not in str(timeline)
    assert timeline.case_deadline.ToDatetime(tzinfo=CST) == end_of(date(2026, 10, 10))
    with bound(principal=STRANGER), pytest.raises(PermissionDenied):
        ApprovalServicer(world.service).GetCaseTimeline(apb.GetCaseTimelineRequest(case_no=case), None)


# --- 超时默认 --------------------------------------------------------------------------------------


def test_timeout_default_approves_decide_step_once(world: World) -> None:
    flagged, plain = "510104-20260928-000011", "510104-20260928-000012"
    world.accept(flagged, timeoutDefault=True)
    world.accept(plain)
    for case in (flagged, plain):
        world.do(case, "accept", CLERK)
        world.do(case, "review", APPROVER)  # decide ready 09-28 10:00, 1 day → 09-29 end
    assert world.service.apply_timeouts(datetime(2026, 9, 29, 23, 0, tzinfo=CST)) == []
    assert world.service.apply_timeouts(datetime(2026, 9, 30, 9, 0, tzinfo=CST)) == [flagged]
    assert world.service.apply_timeouts(datetime(2026, 9, 30, 9, 5, tzinfo=CST)) == []
    approved = world.payloads(flagged, "CaseApproved")
    assert len(approved) == 1 and approved[0]["deemed"] is True
    step = world.payloads(flagged, "CaseStepCompleted")[-1]
    assert (step["step"], step["actor"], step.get("onTime", False)) == ("decide", "系统", False)
    assert (
        step["completedAt"] == "2026-09-29T15:59:59.999999Z"
    )  # deemed at the deadline, whenever the worker ran
    assert "CaseApproved" not in world.events(plain)


def test_timeout_default_by_setting(sqlite_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = World(sqlite_url, str(tmp_path / "events.db"), timeout_default_processes=["promised-default"])
    world.accept("C-SETTING")
    world.do("C-SETTING", "accept", CLERK)
    world.do("C-SETTING", "review", APPROVER)
    assert world.service.apply_timeouts(datetime(2026, 10, 8, 9, 0, tzinfo=CST)) == ["C-SETTING"]


# --- kill safety ------------------------------------------------------------------------------------

CRASH_SCRIPT = """
import os, sys
from ywtb.approval import events as module
from ywtb.approval.service import ApprovalService
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database, is_postgres

url, case_no, task_id = sys.argv[1:4]
def crash(*args, **kwargs):
    os._exit(17)  # killed after the engine computed and the rows were written, before COMMIT
module.stage = crash
clerk = Principal(subject="clerk-1", tenant="510104", roles=frozenset({"window_clerk"}),
                  dept="11510104MB3234567X", name="李受理")
ApprovalService(Database(url)).complete_task(clerk, case_no, task_id, "材料齐全")
"""


def crash_then_complete_again(world: World, url: str, case: str) -> None:
    """Shared by the SQLite and PostgreSQL tests: a killed completion leaves the task open; retry once works."""
    task_id = world.task(case, "accept", CLERK)
    world.service.claim_task(CLERK, case, task_id)
    env = {**os.environ}
    result = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, url, case, task_id], env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 17, result.stderr.decode()[-2000:]
    assert world.count(Step, case_no=case) == 0
    assert world.events(case) == []
    assert [v.task.task_id for v in world.service.list_tasks(CLERK, case)] == [task_id]
    world.service.complete_task(CLERK, case, task_id, "材料齐全")
    with pytest.raises(FailedPrecondition):
        world.service.complete_task(CLERK, case, task_id, "材料齐全")
    assert world.count(Step, case_no=case) == 1
    assert world.events(case) == ["CaseStepCompleted"]
    assert [v.task.step for v in world.service.list_tasks(APPROVER, case)] == ["review"]


def test_crash_before_commit_loses_nothing_and_doubles_nothing(world: World, sqlite_url) -> None:
    world.accept("C-CRASH")
    crash_then_complete_again(world, sqlite_url, "C-CRASH")


def test_convert_decision_round_trip() -> None:
    assert convert.decision_of(convert.decision("deny")) == "deny"
    assert convert.decision(None) == apb.DECISION_UNSPECIFIED
    assert aev.CaseCompleted.DESCRIPTOR.fields_by_name["deadline"].message_type.name == "DeadlineFacts"
