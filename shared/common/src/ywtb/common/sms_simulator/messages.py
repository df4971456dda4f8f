"""The platform's use cases: send one message (idempotent by message_no, a daily limit a number), a number's
inbox, the recent numbers (the page)."""

from __future__ import annotations

import json
import re
import threading
import uuid

from sqlalchemy import func, select

from ywtb.common.calendar import local_date
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.signed_http.refusals import Refusal
from ywtb.common.sms.platform import Sms
from ywtb.common.sms.templates import MAX_PARAM_CHARS, TEMPLATES, placeholders, render
from ywtb.common.sms.wire import ReceivedSms
from ywtb.common.sms_simulator.faults import Faults
from ywtb.common.sms_simulator.tables import MessageRow

INBOX_SIZE = 50  # the latest messages of a number an inbox read answers
_MESSAGE_NO = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TENANT = re.compile(r"[0-9]{6}")
MOBILE = re.compile(r"1[3-9][0-9]{9}")  # a mainland mobile number, without +86


def refusal(sms: Sms) -> Refusal | None:
    """The platform's own checks of one message (a real one has more), or None."""
    if not _MESSAGE_NO.fullmatch(sms.message_no):
        return Refusal(400, "MESSAGE_NO_INVALID", "短信流水号须为 1 至 64 位字母、数字、_ 或 -。")
    if not _TENANT.fullmatch(sms.tenant):
        return Refusal(400, "TENANT_INVALID", "行政区划代码须为 6 位数字。")
    if not MOBILE.fullmatch(sms.mobile):
        return Refusal(400, "MOBILE_INVALID", "手机号码须为 11 位中国大陆手机号码，请核对后重试。")
    if sms.template not in TEMPLATES:
        return Refusal(400, "TEMPLATE_UNKNOWN", f"短信模板 {sms.template[:40]} 未报备，请使用已报备的模板。")
    wanted, given = placeholders(sms.template), set(sms.params)
    if missing := sorted(wanted - given):
        return Refusal(400, "PARAMS_MISSING", f"短信模板 {sms.template} 缺少参数：{'、'.join(missing)}。")
    if unknown := sorted(given - wanted):
        names = "、".join(name[:20] for name in unknown[:5])
        return Refusal(400, "PARAMS_UNKNOWN", f"短信模板 {sms.template} 没有参数：{names}。")
    if any(not 0 < len(value) <= MAX_PARAM_CHARS for value in sms.params.values()):
        return Refusal(400, "PARAM_INVALID", f"短信参数不能为空，且每个不超过 {MAX_PARAM_CHARS} 个字。")
    return None


class Messages(Clocked):
    """The messages in the simulator's database; each use case is one transaction."""

    def __init__(self, db: Database, faults: Faults, daily_limit: int, clock: Clock = utc_now) -> None:
        self.db = db
        self.faults = faults
        self.daily_limit = daily_limit
        self.clock = clock
        # SQLite takes its write lock at BEGIN already; this keeps the limit's count one at a time on any backend.
        self._lock = threading.Lock()

    def send(self, sms: Sms) -> tuple[str, bool]:
        """The message id and whether it is new; the same message_no with the same message again: the same id."""
        fate = self.faults.fate()
        if fate == "fail":
            raise Refusal(500, "INTERNAL_ERROR", "短信平台内部错误，请稍后重试（模拟器的失败开关）。")
        refused = refusal(sms)
        if refused:
            raise refused
        params_json = json.dumps(dict(sms.params), ensure_ascii=False, sort_keys=True)
        with self._lock, self.db.transaction() as session:
            now = self.now()
            row = session.scalar(select(MessageRow).where(MessageRow.message_no == sms.message_no))
            if row is not None:
                if (row.tenant, row.mobile, row.template, row.params_json) != (
                    sms.tenant,
                    sms.mobile,
                    sms.template,
                    params_json,
                ):
                    raise Refusal(
                        409,
                        "MESSAGE_CONFLICT",
                        "该短信流水号已用于另一条短信（号码、模板或参数不同），请使用新的流水号。",
                    )
                message_id, created = row.message_id, False
            else:
                day = local_date(now).isoformat()
                sent_today = session.scalar(
                    select(func.count()).where(MessageRow.mobile == sms.mobile, MessageRow.day == day)
                )
                if (sent_today or 0) >= self.daily_limit:
                    raise Refusal(
                        429,
                        "SMS_DAILY_LIMIT",
                        f"该号码今日已接收 {self.daily_limit} 条短信，已达当日上限，请明日再试。",
                    )
                message_id, created = f"SM{uuid.uuid4().hex[:30].upper()}", True
                session.add(
                    MessageRow(
                        message_id=message_id,
                        message_no=sms.message_no,
                        tenant=sms.tenant,
                        mobile=sms.mobile,
                        template=sms.template,
                        params_json=params_json,
                        text=render(sms.template, sms.params),
                        day=day,
                        sent_at=now,
                    )
                )
        if fate == "lose":  # sent (the number has it), but the answer never reaches the sender
            raise Refusal(504, "TIMEOUT", "短信平台应答超时（模拟器的丢失应答开关）。")
        return message_id, created

    def inbox(self, mobile: str, limit: int = INBOX_SIZE) -> tuple[int, list[ReceivedSms]]:
        """How many messages the number received in all, and the latest `limit`, newest first."""
        with self.db.transaction() as session:
            total = session.scalar(select(func.count()).where(MessageRow.mobile == mobile)) or 0
            rows = session.scalars(
                select(MessageRow)
                .where(MessageRow.mobile == mobile)
                .order_by(MessageRow.id.desc())
                .limit(limit)
            ).all()
            return total, [_received(row) for row in rows]

    def numbers(self, limit: int = 100) -> list[tuple[str, int, ReceivedSms]]:
        """The numbers that received messages, latest first: each with its count and its latest message."""
        with self.db.transaction() as session:
            latest = (
                select(MessageRow.mobile, func.max(MessageRow.id).label("last_id"), func.count().label("n"))
                .group_by(MessageRow.mobile)
                .subquery()
            )
            found = session.execute(
                select(latest.c.n, MessageRow)
                .join(MessageRow, MessageRow.id == latest.c.last_id)
                .order_by(latest.c.last_id.desc())
                .limit(limit)
            ).all()
            return [(row.mobile, n, _received(row)) for n, row in found]


def _received(row: MessageRow) -> ReceivedSms:
    return ReceivedSms(
        message_id=row.message_id,
        message_no=row.message_no,
        tenant=row.tenant,
        template=row.template,
        params=json.loads(row.params_json),
        text=row.text,
        sent_at=utc(row.sent_at),
    )
