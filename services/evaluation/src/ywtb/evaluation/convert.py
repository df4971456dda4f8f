"""Proto messages of the evaluation service's rows and reads (the servicer's conversions, nothing else)."""

from __future__ import annotations

from datetime import datetime

from ywtb.api.evaluation.v1 import evaluation_pb2 as pb
from ywtb.common.clock import utc
from ywtb.common.timestamps import timestamp
from ywtb.evaluation.inquiries import overdue_now
from ywtb.evaluation.models import (
    ACCEPTANCE,
    ANSWERED,
    APPEAL_APPROVED,
    APPEAL_PENDING,
    APPEAL_REJECTED,
    ASKED,
    CALLED_BACK,
    COMPLETION,
    CONFIRMED,
    DISPUTED,
    ESCALATED,
    OPEN,
    RECEIPT,
    RECTIFIED,
    TO_CALL,
    VISIT,
    VISIT_OPEN,
    WITHDRAWN,
    Appeal,
    Inquiry,
    Rateable,
    Rating,
    Rectification,
    Visit,
)
from ywtb.evaluation.reads import Shown
from ywtb.evaluation.tenant_settings import Rules

STAGE_PB = {
    RECEIPT: pb.STAGE_RECEIPT,
    ACCEPTANCE: pb.STAGE_ACCEPTANCE,
    COMPLETION: pb.STAGE_COMPLETION,
    VISIT: pb.STAGE_VISIT,
}
STAGE_OF_PB = {number: stage for stage, number in STAGE_PB.items()}
RECTIFICATION_PB = {
    TO_CALL: pb.RECTIFICATION_STATUS_TO_CALL,
    CALLED_BACK: pb.RECTIFICATION_STATUS_CALLED_BACK,
    RECTIFIED: pb.RECTIFICATION_STATUS_RECTIFIED,
    CONFIRMED: pb.RECTIFICATION_STATUS_CONFIRMED,
    DISPUTED: pb.RECTIFICATION_STATUS_DISPUTED,
    WITHDRAWN: pb.RECTIFICATION_STATUS_WITHDRAWN,
}
INQUIRY_PB = {
    ASKED: pb.INQUIRY_STATUS_ASKED,
    ANSWERED: pb.INQUIRY_STATUS_ANSWERED,
    ESCALATED: pb.INQUIRY_STATUS_ESCALATED,
}
APPEAL_PB = {
    APPEAL_PENDING: pb.APPEAL_STATUS_PENDING,
    APPEAL_APPROVED: pb.APPEAL_STATUS_APPROVED,
    APPEAL_REJECTED: pb.APPEAL_STATUS_REJECTED,
}


def rating(shown: Shown) -> pb.Rating:
    rating = shown.rating
    return pb.Rating(
        id=rating.id,
        case_no=rating.case_no,
        stage=STAGE_PB[rating.stage],
        tenant=rating.tenant,
        dept=rating.dept,
        item_id=rating.item_id,
        item_name=rating.item_name,
        level=rating.level,
        indicators=rating.indicators,
        comment=rating.comment,
        channel=rating.channel,
        follow_up=rating.follow_up,
        system_default=rating.system_default,
        rater_name=shown.rater_name,
        rater=shown.rater,
        real_name=rating.real_name,
        created_at=timestamp(utc(rating.created_at)),
        excluded=rating.excluded,
        excluded_reason=rating.excluded_reason,
        rectification_id=shown.rectification.id if shown.rectification else "",
        visit_id=rating.visit_id,
        staff=shown.staff,
    )


def rectification(rectification: Rectification, rating: Rating | None = None) -> pb.Rectification:
    return pb.Rectification(
        id=rectification.id,
        rating_id=rectification.rating_id,
        case_no=rectification.case_no,
        tenant=rectification.tenant,
        dept=rectification.dept,
        status=RECTIFICATION_PB[rectification.status],
        callback_due=timestamp(utc(rectification.callback_due)),
        rectify_due=timestamp(utc(rectification.rectify_due)),
        callback_note=rectification.callback_note,
        called_back_at=timestamp(utc(rectification.called_back_at)) if rectification.called_back_at else None,
        result=rectification.result,
        rectified_at=timestamp(utc(rectification.rectified_at)) if rectification.rectified_at else None,
        rater_verdict=rectification.rater_verdict,
        rater_comment=rectification.rater_comment,
        callback_overdue=rectification.callback_overdue,
        rectify_overdue=rectification.rectify_overdue,
        level=rating.level if rating else 0,
        comment=rating.comment if rating else "",
    )


def rateable(rateable: Rateable) -> pb.Rateable:
    return pb.Rateable(
        case_no=rateable.case_no,
        stage=STAGE_PB[rateable.stage],
        item_name=rateable.item_name,
        reached_at=timestamp(utc(rateable.reached_at)),
        default_at=timestamp(utc(rateable.default_at)) if rateable.default_at else None,
        rated=rateable.status != OPEN,
    )


def visit(visit: Visit, staff_view: bool) -> pb.Visit:
    return pb.Visit(
        id=visit.id,
        tenant=visit.tenant,
        dept=visit.dept,
        dept_name=visit.dept_name,
        window=visit.window,
        staff=visit.staff if staff_view else "",
        staff_name=visit.staff_name,
        item_id=visit.item_id,
        item_name=visit.item_name,
        case_no=visit.case_no if staff_view else "",
        status=visit.status,
        created_at=timestamp(utc(visit.created_at)),
        expires_at=timestamp(utc(visit.expires_at)),
        rated=visit.status != VISIT_OPEN,
        visitor_verified=bool(visit.visitor_name),
    )


def appeal(appeal: Appeal, rating: Rating | None = None) -> pb.Appeal:
    return pb.Appeal(
        id=appeal.id,
        rating_id=appeal.rating_id,
        tenant=appeal.tenant,
        dept=appeal.dept,
        reason=appeal.reason,
        evidence=appeal.evidence,
        status=APPEAL_PB[appeal.status],
        requested_by=appeal.requested_by,
        created_at=timestamp(utc(appeal.created_at)),
        decided_by=appeal.decided_by,
        decision=appeal.decision,
        decided_at=timestamp(utc(appeal.decided_at)) if appeal.decided_at else None,
        level=rating.level if rating else 0,
        case_no=rating.case_no if rating else "",
    )


def inquiry(inquiry: Inquiry, now: datetime) -> pb.Inquiry:
    return pb.Inquiry(
        id=inquiry.id,
        kind=inquiry.kind,
        tenant=inquiry.tenant,
        dept=inquiry.dept,
        dept_name=inquiry.dept_name,
        item_id=inquiry.item_id,
        item_name=inquiry.item_name,
        case_no=inquiry.case_no,
        title=inquiry.title,
        question=inquiry.question,
        consent_to_publish=inquiry.consent_to_publish,
        status=INQUIRY_PB[inquiry.status],
        reply_due=timestamp(utc(inquiry.reply_due)),
        reply=inquiry.reply,
        replied_at=timestamp(utc(inquiry.replied_at)) if inquiry.replied_at else None,
        answered_late=inquiry.answered_late,
        overdue=overdue_now(inquiry, now),
        published=inquiry.published,
        escalation=inquiry.escalation,
        created_at=timestamp(utc(inquiry.created_at)),
    )


def published(inquiry: Inquiry) -> pb.PublishedReply:
    return pb.PublishedReply(
        id=inquiry.id,
        kind=inquiry.kind,
        title=inquiry.title,
        question=inquiry.question,
        reply=inquiry.reply,
        dept_name=inquiry.dept_name,
        item_name=inquiry.item_name,
        asked_at=timestamp(utc(inquiry.created_at)),
        replied_at=timestamp(utc(inquiry.replied_at)) if inquiry.replied_at else None,
    )


def settings(rules: Rules) -> pb.Settings:
    return pb.Settings(
        tenant=rules.tenant,
        rate_at_receipt=rules.rate_at_receipt,
        rate_at_acceptance=rules.rate_at_acceptance,
        default_after_days=rules.default_after_days,
        default_level=rules.default_level,
        callback_workdays=rules.callback_workdays,
        rectify_workdays=rules.rectify_workdays,
        consultation_workdays=rules.consultation_workdays,
        complaint_workdays=rules.complaint_workdays,
    )
