"""受理 (normal, 容缺, 告知承诺), 不予受理, and 逾期视为受理 (deemed acceptance, 行政许可法第三十二条)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.errors import FailedPrecondition
from ywtb.intake import authz, events
from ywtb.intake.completeness import required_missing
from ywtb.intake.core import IntakeCore, invalid
from ywtb.intake.deadlines import supply_deadline
from ywtb.intake.models import Case


class Acceptance(IntakeCore):
    """A clerk's acceptance or rejection, and the deemed-acceptance round."""

    def accept(
        self,
        principal: Principal,
        case_no: str,
        mode: int = pb.ACCEPTANCE_MODE_NORMAL,
        *,
        supply_workdays: int = 0,
        promise_signed: bool = False,
        opinion: str = "",
    ) -> Case:
        """受理 (normal, 容缺 or 告知承诺) with the promised completion date in working days."""
        mode = mode or pb.ACCEPTANCE_MODE_NORMAL
        with self.db.transaction() as session:
            case = self.locked(session, case_no)
            authz.require_clerk(principal, case)
            self.require_status(case, pb.CASE_STATUS_SUBMITTED, "受理")
            now = self.now()
            promised = self.promised_date(case.item, now)
            missing = [m["name"] for m in required_missing(case.item, case.materials)]
            deadline: date | None = None
            if mode == pb.ACCEPTANCE_MODE_NORMAL:
                if missing:
                    raise FailedPrecondition(
                        "申请材料不齐全（缺少："
                        + "、".join(missing)
                        + "），请一次性告知补正，或按容缺受理。",
                        code="MATERIALS_MISSING",
                    )
            elif mode == pb.ACCEPTANCE_MODE_TOLERANT:
                deadline = self._tolerance(case, missing, supply_workdays, promise_signed, now, promised)
            elif mode == pb.ACCEPTANCE_MODE_COMMITMENT:
                if not promise_signed:
                    raise invalid("promise_signed", "告知承诺受理须由申请人签署书面承诺书。")
            else:
                raise invalid("mode", "受理方式不正确。")
            self.mark_accepted(
                session,
                case,
                mode,
                now,
                promised,
                [] if mode == pb.ACCEPTANCE_MODE_NORMAL else missing,
                deadline,
            )
            case.promise_signed = promise_signed and mode != pb.ACCEPTANCE_MODE_NORMAL
            case.handled_by = principal.subject
            case.opinion = opinion.strip()[:1000]
            self.publish_accepted(session, case)
            return case

    def _tolerance(
        self,
        case: Case,
        missing: list[str],
        supply_workdays: int,
        promise_signed: bool,
        now: datetime,
        promised: date,
    ) -> date:
        """容缺: only minor materials missing, a signed promise, a deadline not after the promised date."""
        if not missing:
            raise FailedPrecondition("材料已齐全，无需容缺受理，请直接受理。", code="NOTHING_MISSING")
        major = [m["name"] for m in required_missing(case.item, case.materials) if not m["may_be_missing"]]
        if major:
            raise FailedPrecondition(
                "以下主要材料不可容缺：" + "、".join(major) + "，请一次性告知申请人补正。",
                code="NOT_TOLERABLE",
            )
        if not promise_signed:
            raise invalid("promise_signed", "容缺受理须由申请人签署容缺承诺书。")
        if supply_workdays < 1:
            raise invalid("supply_workdays", "请填写容缺材料的补齐期限（工作日）。")
        deadline = supply_deadline(now, supply_workdays, self.calendar)
        if deadline > promised:
            message = f"补齐期限（{deadline.isoformat()}）不得晚于承诺办结日期（{promised.isoformat()}），请缩短期限。"
            raise invalid("supply_workdays", message)
        return deadline

    def reject(self, principal: Principal, case_no: str, reason: str) -> Case:
        """不予受理 with a mandatory reason shown to the applicant."""
        reason = (reason or "").strip()
        if len(reason) < 2 or len(reason) > 1000:
            raise invalid("reason", "请填写不予受理的理由（2至1000个字），并告知申请人依法享有的权利。")
        with self.db.transaction() as session:
            case = self.locked(session, case_no)
            authz.require_clerk(principal, case)
            if case.status not in (pb.CASE_STATUS_SUBMITTED, pb.CASE_STATUS_CORRECTION_REQUESTED):
                raise FailedPrecondition(
                    "该办件已受理或已不予受理，不能再作不予受理决定。", code="CASE_CLOSED"
                )
            now = self.now()
            case.status = pb.CASE_STATUS_REJECTED
            case.rejected_at = now
            case.reject_reason = reason
            case.handled_by = principal.subject
            case.updated_at = now
            session.flush()
            events.stage(session, events.case_rejected(case))
            return case

    # 逾期视为受理 (Administrative Licensing Law art. 32)

    def deem_overdue(self) -> list[str]:
        """Accept, as of receipt, every submission nobody handled within the deemed-acceptance limit."""
        now = self.now()
        horizon = now - timedelta(days=self.deemed_acceptance_workdays)  # calendar days never exceed workdays
        with self.db.transaction() as session:
            candidates = list(
                session.scalars(
                    select(Case.case_no)
                    .where(Case.status == pb.CASE_STATUS_SUBMITTED, Case.received_at <= horizon)
                    .order_by(Case.received_at)
                    .limit(500)
                )
            )
        done: list[str] = []
        for case_no in candidates:
            with self.db.transaction() as session:
                case = self.locked(session, case_no)
                deadline = self.acceptance_deadline(case)
                if deadline is None or now <= deadline:  # handled meanwhile, or still within the limit
                    continue
                received = utc(case.received_at)
                missing = [m["name"] for m in required_missing(case.item, case.materials)]
                self.mark_accepted(
                    session,
                    case,
                    pb.ACCEPTANCE_MODE_NORMAL,
                    received,
                    self.promised_date(case.item, received),
                    missing,
                    None,
                )
                case.deemed_accepted = True
                case.handled_by = ""
                self.publish_accepted(session, case)
                done.append(case_no)
        return done
