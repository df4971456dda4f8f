"""Text messages the service owes people (the answer to a mobile asker): written in the transaction that owes
them, sent by a round with backoff while the platform is down; a refused one is kept with why, not retried."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.db import Database
from ywtb.common.pii import PiiKeys
from ywtb.common.sms import Sms, SmsPlatform, SmsRefused
from ywtb.common.workers import failure_reason, retry_later
from ywtb.evaluation.models import SMS_PENDING, SMS_REFUSED, SMS_SENT, SmsNotice

log = logging.getLogger(__name__)

ROUND_SIZE = 50


def _context(notice_id: str) -> str:
    return f"sms_notices.mobile:{notice_id}"


class SmsNotices(Clocked):
    """The messages to send."""

    def __init__(
        self, db: Database, keys: PiiKeys, sms: SmsPlatform | None, *, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.keys = keys
        self.sms = sms
        self.clock = clock

    def owe(
        self, session: Session, tenant: str, mobile: str, template: str, params: Mapping[str, str]
    ) -> None:
        """Note a message to send, in the caller's transaction."""
        notice_id, now = uuid.uuid4().hex, self.now()
        session.add(
            SmsNotice(
                id=notice_id,
                tenant=tenant,
                mobile_sealed=self.keys.seal(mobile, _context(notice_id)),
                template=template,
                params=dict(params),
                status=SMS_PENDING,
                attempts=0,
                next_at=now,
                last_error="",
                created_at=now,
                updated_at=now,
            )
        )

    def send_round(self) -> int:
        """Send the messages due; how many went out (none without a platform: they wait for one)."""
        if self.sms is None:
            return 0
        now, sent = self.now(), 0
        with self.db.transaction() as session:
            due = session.scalars(
                select(SmsNotice)
                .where(
                    SmsNotice.status == SMS_PENDING,
                    or_(SmsNotice.next_at.is_(None), SmsNotice.next_at <= now),
                )
                .order_by(SmsNotice.created_at)
                .limit(ROUND_SIZE)
                .with_for_update(skip_locked=True)
            ).all()
            for notice in due:
                mobile = self.keys.open(notice.mobile_sealed, _context(notice.id))
                try:  # idempotent by message_no: a retry after a lost answer sends nothing twice
                    self.sms.send(Sms(notice.id, notice.tenant, mobile, notice.template, notice.params))
                except SmsRefused as exc:
                    notice.status, notice.last_error, notice.updated_at = SMS_REFUSED, str(exc)[:500], now
                    log.warning("SMS notice %s refused: %s", notice.id, exc)
                    continue
                except Exception as exc:  # the platform down: later, with backoff
                    retry_later(notice, failure_reason(exc), now)
                    continue
                notice.status, notice.updated_at = SMS_SENT, now
                sent += 1
        return sent
