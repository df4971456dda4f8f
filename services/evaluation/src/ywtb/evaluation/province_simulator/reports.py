"""The province's use cases: receive a batch of reports (one ack each), what it holds of a day, the recent ones."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.common.calendar import local_date
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.signed_http.refusals import bad_request
from ywtb.evaluation.province.platform import CHANNELS, LEVELS, MAX_BATCH, STAGES, Ack, RatingReport
from ywtb.evaluation.province.wire import report_to_json
from ywtb.evaluation.province_simulator.faults import REFUSED_CODE, REFUSED_MESSAGE, Faults
from ywtb.evaluation.province_simulator.tables import DeliveryRow, ReportRow

_RATING_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TENANT = re.compile(r"[0-9]{6}")
_DEPT = re.compile(r"[0-9A-Z]{18}")


def refusal(report: RatingReport) -> tuple[str, str] | None:
    """The province's own checks of one report (a real one has more): its code and message, or None."""
    checks = [
        (
            _RATING_ID.fullmatch(report.rating_id),
            "RATING_ID_INVALID",
            "评价编号须为 1 至 64 位字母、数字、_ 或 -。",
        ),
        (report.revision >= 1, "REVISION_INVALID", "版本号须为正整数。"),
        (_TENANT.fullmatch(report.tenant), "TENANT_INVALID", "行政区划代码须为 6 位数字。"),
        (_DEPT.fullmatch(report.dept), "DEPT_INVALID", "部门统一社会信用代码须为 18 位数字或大写字母。"),
        (report.stage in STAGES, "STAGE_INVALID", "评价环节须为收件、受理、办结或窗口服务。"),
        (report.level in LEVELS, "LEVEL_INVALID", "评价等级须为 1 至 5。"),
        (report.channel in CHANNELS, "CHANNEL_INVALID", "评价渠道须为 1 至 7。"),
        (
            all(v in LEVELS for v in report.indicators.values()),
            "INDICATOR_INVALID",
            "分项评价等级须为 1 至 5。",
        ),
        (report.case_no or report.visit_id, "SUBJECT_MISSING", "办件编号与窗口服务编号不能同时为空。"),
        (report.excluded_reason or not report.excluded, "EXCLUSION_REASON_MISSING", "剔除的评价须注明原因。"),
    ]
    return next(((code, message) for ok, code, message in checks if not ok), None)


class Reports(Clocked):
    """The reports in the simulator's database; each use case is one transaction."""

    def __init__(self, db: Database, faults: Faults, clock: Clock = utc_now) -> None:
        self.db = db
        self.faults = faults
        self.clock = clock

    def receive(self, batch: list[RatingReport]) -> list[Ack]:
        """One ack per report, in order; a later revision replaces the one held, an earlier one changes nothing."""
        if len(batch) > MAX_BATCH:
            raise bad_request(f"每次最多上报 {MAX_BATCH} 条评价。")
        if len({report.key for report in batch}) != len(batch):
            raise bad_request("同一批次中评价编号与版本号重复。")
        now, acks = self.now(), []
        with self.db.transaction() as session:
            for report in batch:
                refused = refusal(report)
                fate = "refuse" if refused else self.faults.fate()
                if fate == "refuse":
                    code, message = refused or (REFUSED_CODE, REFUSED_MESSAGE)
                    acks.append(Ack(report.rating_id, report.revision, False, code, message))
                    outcome = "refused"
                else:
                    acks.append(Ack(report.rating_id, report.revision, True))
                    code, outcome = "", "dropped" if fate == "drop" else self._store(session, report, now)
                session.add(
                    DeliveryRow(
                        rating_id=report.rating_id[:64],
                        revision=report.revision,
                        tenant=report.tenant[:6],
                        outcome=outcome,
                        code=code,
                        at=now,
                    )
                )
        return acks

    @staticmethod
    def _store(session: Session, report: RatingReport, now: datetime) -> str:
        """Hold the report unless a later revision is held: stored, or stale."""
        row = session.scalar(select(ReportRow).where(ReportRow.rating_id == report.rating_id))
        if row is not None and row.revision >= report.revision:
            return "stale" if row.revision > report.revision else "stored"
        if row is None:
            row = ReportRow(rating_id=report.rating_id)
            session.add(row)
        row.revision, row.tenant, row.excluded = report.revision, report.tenant, report.excluded
        row.rated_day = local_date(report.rated_at).isoformat()
        row.body = json.dumps(report_to_json(report), ensure_ascii=False)
        row.received_at = now
        return "stored"

    def received(self, tenant: str, day: date) -> set[tuple[str, int]]:
        """(rating_id, revision) held of the tenant's ratings rated that Beijing day."""
        with self.db.transaction() as session:
            rows = session.execute(
                select(ReportRow.rating_id, ReportRow.revision).where(
                    ReportRow.tenant == tenant, ReportRow.rated_day == day.isoformat()
                )
            ).all()
        return {(rating_id, revision) for rating_id, revision in rows}

    def recent(self, limit: int = 200) -> tuple[list[dict[str, Any]], list[DeliveryRow]]:
        """The latest reports held (as received) and the latest deliveries, newest first (the page)."""
        with self.db.transaction() as session:
            reports = [
                json.loads(body)
                for body in session.scalars(
                    select(ReportRow.body)
                    .order_by(ReportRow.received_at.desc(), ReportRow.id.desc())
                    .limit(limit)
                )
            ]
            deliveries = list(
                session.scalars(select(DeliveryRow).order_by(DeliveryRow.id.desc()).limit(limit))
            )
            session.expunge_all()
        return reports, deliveries
