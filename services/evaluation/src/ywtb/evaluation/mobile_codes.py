"""Asking with a verified mobile instead of an account: a six-digit code sent by SMS, valid CODE_MINUTES, tried
at most TRIES times, one a minute and DAILY a day per number; only hashes of the number and the code are kept.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ywtb.common.calendar import day_bounds, local_date
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import InvalidArgument, ResourceExhausted, Unavailable
from ywtb.common.pii import PiiKeys
from ywtb.common.sms import Sms, SmsPlatform, SmsRefused, SmsUnavailable
from ywtb.evaluation.models import MobileCode

MOBILE = re.compile(r"^1[3-9]\d{9}$")
TENANT = re.compile(r"^\d{6}$")
CODE_TEMPLATE = "YWTB_MOBILE_CODE"
CODE_MINUTES = 5
RESEND_S = 60
DAILY = 10
TRIES = 5
NO_CODE = "验证码不正确或已失效，请重新获取验证码。"


def mobile_of(given: str) -> str:
    """A mainland mobile number, or InvalidArgument naming the field."""
    mobile = given.strip()
    if not MOBILE.match(mobile):
        message = "手机号码应为 11 位中国大陆手机号，请核对后重新填写。"
        raise InvalidArgument(message, fields={"mobile": message})
    return mobile


class MobileCodes(Clocked):
    """The codes that verify a number."""

    def __init__(
        self, db: Database, keys: PiiKeys, sms: SmsPlatform | None, *, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.keys = keys
        self.sms = sms
        self.clock = clock

    def send(self, given_mobile: str, tenant: str) -> datetime:
        """Text a new code to the number; when the next one may be asked for."""
        mobile = mobile_of(given_mobile)
        if not TENANT.match(tenant):
            message = "请先选择咨询的事项或投诉的部门，再获取验证码。"
            raise InvalidArgument(message, fields={"tenant": message})
        if self.sms is None:
            raise Unavailable(
                "短信服务暂不可用，请登录后提交咨询投诉。", message_en="no SMS platform configured"
            )
        mobile_hash, now = self.keys.lookup_hash(mobile), self.now()
        code, code_id = f"{secrets.randbelow(10**6):06d}", uuid.uuid4().hex
        with self.db.transaction() as session:
            today, _ = day_bounds(local_date(now))
            sent_today, last = session.execute(
                select(func.count(), func.max(MobileCode.sent_at)).where(
                    MobileCode.mobile_hash == mobile_hash, MobileCode.sent_at >= today
                )
            ).one()
            if last is not None and now < utc(last) + timedelta(seconds=RESEND_S):
                raise ResourceExhausted(
                    f"验证码已发送，请 {RESEND_S} 秒后再获取。", code="EVALUATION_CODE_TOO_SOON"
                )
            if sent_today >= DAILY:
                raise ResourceExhausted(
                    "该号码今日获取验证码次数已达上限，请明天再试或登录后提交。",
                    code="EVALUATION_CODE_DAILY_LIMIT",
                )
            session.add(
                MobileCode(
                    id=code_id,
                    mobile_hash=mobile_hash,
                    code_hash=self._code_hash(code_id, code),
                    sent_at=now,
                    expires_at=now + timedelta(minutes=CODE_MINUTES),
                    attempts=0,
                    used=False,
                )
            )
        params = {"code": code, "minutes": str(CODE_MINUTES)}
        try:  # outside the transaction: the row counts against the limits even when the text fails
            self.sms.send(Sms(code_id, tenant, mobile, CODE_TEMPLATE, params))
        except (SmsUnavailable, SmsRefused) as exc:
            raise Unavailable("验证码短信发送失败，请稍后重试。", message_en=str(exc)) from exc
        return now + timedelta(seconds=RESEND_S)

    def verify(self, given_mobile: str, code: str) -> str:
        """Use up the number's latest code; the number (checked) — InvalidArgument when wrong or stale."""
        mobile = mobile_of(given_mobile)
        mobile_hash, now = self.keys.lookup_hash(mobile), self.now()
        with self.db.transaction() as session:  # its own: a wrong try counts even when the ask fails
            latest = session.scalars(
                select(MobileCode)
                .where(MobileCode.mobile_hash == mobile_hash)
                .order_by(MobileCode.sent_at.desc())
                .limit(1)
                .with_for_update()
            ).first()
            usable = (
                latest is not None
                and not latest.used
                and latest.attempts < TRIES
                and now <= utc(latest.expires_at)
            )
            if latest is not None and usable:
                latest.attempts += 1
                if secrets.compare_digest(latest.code_hash, self._code_hash(latest.id, code.strip())):
                    latest.used = True
                    return mobile
        raise InvalidArgument(NO_CODE, fields={"mobile_code": NO_CODE}, code="EVALUATION_MOBILE_CODE")

    def _code_hash(self, code_id: str, code: str) -> str:
        return self.keys.lookup_hash(f"{code_id}:{code}")
