"""咨询投诉: a citizen asks about an item (咨询) or complains about one of their cases or a department (投诉);
it goes to the responsible department with a reply deadline in the tenant's working days (5 by default, the
seed indicators' figure); the department answers (and, with the asker's consent, publishes the question and
answer); a complaint can be escalated to the tenant's 政务服务管理; the sweep raises an overdue one once, and
an answer after its deadline stays counted as late. Without an account, a verified mobile asks (consultations
and complaints about a department) and is texted when answered.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.api.evaluation.v1 import events_pb2
from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import WorkCalendar, national_calendar
from ywtb.common.case_facts import CaseFacts
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.codes import credit_code_valid
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound, Unauthenticated
from ywtb.common.pii import mask_phone
from ywtb.common.timestamps import timestamp
from ywtb.evaluation import authz
from ywtb.evaluation.events import publish_inquiry
from ywtb.evaluation.mobile_codes import MobileCodes
from ywtb.evaluation.models import ANSWERED, ASKED, COMPLAINT, CONSULTATION, ESCALATED, Inquiry
from ywtb.evaluation.sms_notices import SmsNotices
from ywtb.evaluation.tenant_settings import rules_of
from ywtb.evaluation.texts import text_of

KINDS = (CONSULTATION, COMPLAINT)
ANSWERED_TEMPLATE = "YWTB_INQUIRY_ANSWERED"


@dataclass(frozen=True)
class Question:
    """What the citizen asks, and about what: an item, a case of theirs, or a department."""

    kind: str
    title: str
    question: str
    item_id: str = ""
    case_no: str = ""
    tenant: str = ""
    dept: str = ""
    consent_to_publish: bool = False
    mobile: str = ""  # without an account: the number and the code texted to it
    mobile_code: str = ""


class Inquiries(Clocked):
    """Consultations and complaints."""

    def __init__(
        self,
        db: Database,
        facts: CaseFacts,
        *,
        clock: Clock = utc_now,
        calendar: WorkCalendar | None = None,
        codes: MobileCodes | None = None,
        notices: SmsNotices | None = None,
    ) -> None:
        self.db = db
        self.facts = facts
        self.clock = clock
        self.calendar = calendar or national_calendar()
        self.codes = codes
        self.notices = notices

    def ask(self, principal: Principal, asked: Question) -> Inquiry:
        """Record an applicant's question, routed to its department with its reply deadline (InquirySubmitted)."""
        authz.require_applicant(principal)
        title, question = self._checked(asked)
        route = self._route(principal, asked)
        return self._record(asked, title, question, route, principal.subject, principal.name or "")

    def ask_by_mobile(self, asked: Question) -> tuple[Inquiry, str]:
        """Record the question of a verified mobile without an account; also its reference (查询码, shown once)."""
        if self.codes is None:
            raise Unauthenticated("请登录后提交咨询投诉。")
        if asked.case_no:
            message = "投诉办件须登录办件申请人的账号；未登录时可投诉部门。"
            raise InvalidArgument(message, fields={"case_no": message})
        title, question = self._checked(asked)
        route = self._route(None, asked)
        mobile = self.codes.verify(asked.mobile, asked.mobile_code)  # last: a question refused keeps its code
        asker = f"mobile:{self.codes.keys.lookup_hash(mobile)[:56]}"
        ref = secrets.token_urlsafe(12)
        return self._record(asked, title, question, route, asker, mask_phone(mobile), (mobile, ref)), ref

    @staticmethod
    def _checked(asked: Question) -> tuple[str, str]:
        if asked.kind not in KINDS:
            raise InvalidArgument("请选择咨询或投诉。", fields={"kind": "请选择咨询或投诉。"})
        title = text_of(asked.title, 2, 100, "title", "请填写标题（2 至 100 字）。")
        question = text_of(asked.question, 5, 2000, "question", "请写明您的问题（5 至 2000 字）。")
        return title, question

    def _record(
        self,
        asked: Question,
        title: str,
        question: str,
        route: tuple[str, str, str, str],
        asker: str,
        asker_name: str,
        mobile_and_ref: tuple[str, str] | None = None,
    ) -> Inquiry:
        tenant, dept, dept_name, item_name = route
        now = self.now()
        with self.db.transaction() as session:
            rules = rules_of(session, tenant)
            days = rules.consultation_workdays if asked.kind == CONSULTATION else rules.complaint_workdays
            inquiry = Inquiry(
                id=uuid.uuid4().hex,
                kind=asked.kind,
                tenant=tenant,
                dept=dept,
                dept_name=dept_name,
                item_id=asked.item_id,
                item_name=item_name,
                case_no=asked.case_no,
                asker=asker,
                asker_name=asker_name,
                title=title,
                question=question,
                consent_to_publish=asked.consent_to_publish,
                status=ASKED,
                reply_due=utc(self.calendar.deadline(now, days)),
                created_at=now,
            )
            if mobile_and_ref and self.codes is not None:
                (mobile, ref), keys = mobile_and_ref, self.codes.keys
                inquiry.asker_mobile = keys.seal(mobile, f"inquiries.asker_mobile:{inquiry.id}")
                inquiry.ref_sealed = keys.seal(ref, f"inquiries.ref:{inquiry.id}")
                inquiry.ref_hash = keys.lookup_hash(ref)
            session.add(inquiry)
            event = events_pb2.InquirySubmitted(
                inquiry_id=inquiry.id,
                kind=inquiry.kind,
                tenant=tenant,
                dept=dept,
                item_id=inquiry.item_id,
                case_no=inquiry.case_no,
                reply_due=timestamp(inquiry.reply_due),
            )
            publish_inquiry(session, event, key=inquiry.id, tenant=tenant)
            session.flush()
            session.expunge(inquiry)
        return inquiry

    def by_ref(self, ref: str) -> Inquiry:
        """A mobile asker's inquiry by its reference (public: the reference is the key)."""
        found = None
        if self.codes is not None and 8 <= len(ref.strip()) <= 64:
            ref_hash = self.codes.keys.lookup_hash(ref.strip())
            with self.db.transaction() as session:
                found = session.scalars(select(Inquiry).where(Inquiry.ref_hash == ref_hash)).first()
                if found is not None:
                    session.expunge(found)
        if found is None:
            raise NotFound(
                "未找到该查询码对应的咨询投诉，请核对短信中的查询码。", code="EVALUATION_NOT_FOUND"
            )
        return found

    def _route(self, principal: Principal | None, asked: Question) -> tuple[str, str, str, str]:
        """(tenant, department, its name, item name): of the item, of the asker's own case, or as given."""
        if asked.case_no and principal is not None:
            holder = self.facts.holder(asked.case_no, [])
            if holder.owner != principal.subject:
                raise NotFound("未找到您的该办件，请核对办件编号。", code="EVALUATION_NOT_FOUND")
            return holder.tenant, holder.dept, holder.dept_name, holder.item_name
        if asked.item_id:
            item = self.facts.item(asked.item_id)
            return item.tenant, item.dept, item.dept_name, item.guide.name
        if asked.kind == COMPLAINT and asked.tenant and credit_code_valid(asked.dept):
            return asked.tenant, asked.dept, "", ""
        message = "请选择咨询的事项，或投诉的办件或部门。"
        raise InvalidArgument(message, fields={"item_id": message})

    def answer(self, principal: Principal, inquiry_id: str, reply: str, publish: bool) -> Inquiry:
        """The department's reply (escalated: the tenant admin's); published only with the asker's consent."""
        reply = text_of(reply, 2, 2000, "reply", "请填写答复（2 至 2000 字）。")
        now = self.now()
        with self.db.transaction() as session:
            inquiry = session.get(Inquiry, inquiry_id, with_for_update=True)
            if inquiry is None or not self._handles(principal, inquiry):
                raise NotFound("未找到该咨询或投诉。", code="EVALUATION_NOT_FOUND")
            if inquiry.status == ANSWERED:
                raise FailedPrecondition("该咨询或投诉已答复。", code="EVALUATION_STATE")
            if publish and not inquiry.consent_to_publish:
                message = "提问人未同意公开，不能公开答复。"
                raise InvalidArgument(message, fields={"publish": message})
            inquiry.status, inquiry.reply, inquiry.replied_by, inquiry.replied_at = (
                ANSWERED,
                reply,
                principal.subject,
                now,
            )
            inquiry.answered_late = now > utc(inquiry.reply_due)
            inquiry.published = publish
            event = events_pb2.InquiryAnswered(
                inquiry_id=inquiry.id,
                kind=inquiry.kind,
                tenant=inquiry.tenant,
                dept=inquiry.dept,
                on_time=not inquiry.answered_late,
                answered_at=timestamp(now),
            )
            publish_inquiry(session, event, key=inquiry.id, tenant=inquiry.tenant)
            self._tell_mobile_asker(session, inquiry)
            session.flush()
            session.expunge(inquiry)
        return inquiry

    def _tell_mobile_asker(self, session: Session, inquiry: Inquiry) -> None:
        """Text the answer's notice to an asker without an account (in the answer's transaction)."""
        if not inquiry.asker_mobile or self.codes is None or self.notices is None:
            return
        keys = self.codes.keys
        params = {
            "kind": "咨询" if inquiry.kind == CONSULTATION else "投诉",
            "title": inquiry.title[:20],
            "ref": keys.open(inquiry.ref_sealed, f"inquiries.ref:{inquiry.id}"),
        }
        mobile = keys.open(inquiry.asker_mobile, f"inquiries.asker_mobile:{inquiry.id}")
        self.notices.owe(session, inquiry.tenant, mobile, ANSWERED_TEMPLATE, params)

    @staticmethod
    def _handles(principal: Principal, inquiry: Inquiry) -> bool:
        if inquiry.status == ESCALATED:
            return tenancy.administers(principal, inquiry.tenant)
        return tenancy.is_department_staff(principal, inquiry.tenant, inquiry.dept, authz.HANDLER_ROLES)

    def escalate(self, principal: Principal, inquiry_id: str, reason: str) -> Inquiry:
        """The complainant takes an unanswered or unresolved complaint to the tenant's 政务服务管理."""
        authz.require_applicant(principal)
        reason = text_of(reason, 2, 500, "reason", "请说明升级投诉的原因（2 至 500 字）。")
        now = self.now()
        with self.db.transaction() as session:
            inquiry = session.get(Inquiry, inquiry_id, with_for_update=True)
            if inquiry is None or inquiry.asker != principal.subject:
                raise NotFound("未找到您的该投诉。", code="EVALUATION_NOT_FOUND")
            if inquiry.kind != COMPLAINT or inquiry.status == ESCALATED:
                raise FailedPrecondition("只有尚未升级的投诉可以升级。", code="EVALUATION_STATE")
            rules = rules_of(session, inquiry.tenant)
            inquiry.status, inquiry.escalation, inquiry.escalated_at = ESCALATED, reason, now
            inquiry.reply_due = utc(self.calendar.deadline(now, rules.complaint_workdays))
            inquiry.overdue_raised = False
            event = events_pb2.InquiryEscalated(
                inquiry_id=inquiry.id,
                tenant=inquiry.tenant,
                dept=inquiry.dept,
                reply_due=timestamp(inquiry.reply_due),
            )
            publish_inquiry(session, event, key=inquiry.id, tenant=inquiry.tenant)
            session.flush()
            session.expunge(inquiry)
        return inquiry

    def sweep(self) -> int:
        """Raise each unanswered inquiry past its deadline once (InquiryOverdue); how many."""
        now = self.now()
        with self.db.transaction() as session:
            late = [
                inquiry
                for inquiry in session.scalars(
                    select(Inquiry)
                    .where(Inquiry.status != ANSWERED, Inquiry.overdue_raised.is_(False))
                    .order_by(Inquiry.reply_due)
                    .limit(500)
                )
                if utc(inquiry.reply_due) < now
            ]
            for inquiry in late:
                inquiry.overdue_raised = True
                event = events_pb2.InquiryOverdue(
                    inquiry_id=inquiry.id,
                    kind=inquiry.kind,
                    tenant=inquiry.tenant,
                    dept=inquiry.dept,
                    reply_due=timestamp(utc(inquiry.reply_due)),
                )
                publish_inquiry(session, event, key=inquiry.id, tenant=inquiry.tenant)
        return len(late)

    def mine(self, principal: Principal) -> list[Inquiry]:
        """The caller's questions, newest first."""
        authz.require_applicant(principal)
        return self._list(select(Inquiry).where(Inquiry.asker == principal.subject))

    def queue(self, principal: Principal, open_only: bool = False) -> list[Inquiry]:
        """The department's questions (a tenant admin's: the escalated ones of their tenants), due first."""
        authz.require_department_staff(principal)
        statement = select(Inquiry)
        if open_only:
            statement = statement.where(Inquiry.status != ANSWERED)
        found = [
            inquiry
            for inquiry in self._list(statement, by_due=True)
            if authz.in_scope(principal, inquiry.tenant, inquiry.dept)
            or (inquiry.status == ESCALATED and tenancy.administers(principal, inquiry.tenant))
        ]
        return found

    def published(self, tenant: str = "", query: str = "") -> list[Inquiry]:
        """The published questions and answers (public): newest first, by words in the title or question."""
        statement = select(Inquiry).where(Inquiry.published.is_(True))
        if tenant:
            statement = statement.where(Inquiry.tenant == tenant)
        words = query.strip()[:50]
        if words:
            like = f"%{words}%"
            statement = statement.where(
                Inquiry.title.like(like) | Inquiry.question.like(like) | Inquiry.reply.like(like)
            )
        return self._list(statement)

    def _list(self, statement, by_due: bool = False) -> list[Inquiry]:  # type: ignore[no-untyped-def]
        order = Inquiry.reply_due if by_due else Inquiry.created_at.desc()
        with self.db.transaction() as session:
            found = list(session.scalars(statement.order_by(order).limit(200)))
            session.expunge_all()
        return found


def overdue_now(inquiry: Inquiry, now: datetime) -> bool:
    """Unanswered past its deadline."""
    return inquiry.status != ANSWERED and utc(inquiry.reply_due) < now
