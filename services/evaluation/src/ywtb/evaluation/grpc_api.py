"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from datetime import datetime

from ywtb.api.evaluation.v1 import evaluation_pb2 as pb
from ywtb.api.evaluation.v1 import evaluation_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated, Unavailable
from ywtb.common.grpc import allow, public
from ywtb.common.tenancy import (
    APPLICANT_ROLES,
    APPROVER,
    DEPT_ADMIN,
    PLATFORM_ADMIN,
    STAFF_ROLES,
    TENANT_ADMIN,
    UNBOUND_ROLES,
    WINDOW_CLERK,
)
from ywtb.common.timestamps import timestamp
from ywtb.evaluation.appeals import Appeals
from ywtb.evaluation.authz import APPEAL_ROLES, HANDLER_ROLES
from ywtb.evaluation.indicators import Indicators, scope_of
from ywtb.evaluation.inquiries import Inquiries, Question, overdue_now
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
from ywtb.evaluation.ratings import RatingAsk, Ratings
from ywtb.evaluation.reads import Reads, Shown
from ywtb.evaluation.tenant_settings import Rules, TenantRules
from ywtb.evaluation.visits import VisitAsk, Visits

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


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


def _rating(shown: Shown) -> pb.Rating:
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


def _rectification(rectification: Rectification, rating: Rating | None = None) -> pb.Rectification:
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


def _rateable(rateable: Rateable) -> pb.Rateable:
    return pb.Rateable(
        case_no=rateable.case_no,
        stage=STAGE_PB[rateable.stage],
        item_name=rateable.item_name,
        reached_at=timestamp(utc(rateable.reached_at)),
        default_at=timestamp(utc(rateable.default_at)) if rateable.default_at else None,
        rated=rateable.status != OPEN,
    )


def _visit(visit: Visit, staff_view: bool) -> pb.Visit:
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


def _appeal(appeal: Appeal, rating: Rating | None = None) -> pb.Appeal:
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


def _inquiry(inquiry: Inquiry, now: datetime) -> pb.Inquiry:
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


def _published(inquiry: Inquiry) -> pb.PublishedReply:
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


def _settings(rules: Rules) -> pb.Settings:
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


class EvaluationServicer(evaluation_pb2_grpc.EvaluationServiceServicer):
    """EvaluationService over gRPC."""

    def __init__(
        self,
        ratings: Ratings,
        reads: Reads,
        appeals: Appeals,
        rules: TenantRules,
        indicators: Indicators,
        inquiries: Inquiries,
        visits: Visits,
    ) -> None:
        self.ratings = ratings
        self.reads = reads
        self.rectifications = ratings.rectifications
        self.appeals = appeals
        self.rules = rules
        self.indicators = indicators
        self.inquiries = inquiries
        self.visits = visits

    # The door of each RPC (@public or @allow(*roles); the kit refuses to serve an undeclared one): the roles
    # its use case can admit at all. The use case (authz) still decides tenant and department.
    @allow(*APPLICANT_ROLES)
    def RateCase(self, request, context):  # noqa: N802
        ask = RatingAsk(
            case_no=request.case_no,
            stage=STAGE_OF_PB.get(request.stage, COMPLETION),
            level=request.level,
            indicators=dict(request.indicators),
            comment=request.comment,
            channel=request.channel or 1,
            follow_up=request.follow_up,
        )
        rating = self.ratings.rate(_caller(), ask)
        return pb.RateCaseResponse(rating=_rating(Shown.own(rating)))

    @allow(*APPLICANT_ROLES, *STAFF_ROLES, *UNBOUND_ROLES)
    def ListCaseRatings(self, request, context):  # noqa: N802
        shown, stages = self.reads.of_case(_caller(), request.case_no)
        return pb.ListCaseRatingsResponse(
            ratings=[_rating(s) for s in shown], rateable=[_rateable(r) for r in stages]
        )

    @allow(*APPLICANT_ROLES)
    def ListMyRatings(self, request, context):  # noqa: N802
        shown, stages = self.reads.mine(_caller(), request.page_size, request.offset)
        return pb.ListMyRatingsResponse(
            ratings=[_rating(s) for s in shown],
            rectifications=[_rectification(s.rectification, s.rating) for s in shown if s.rectification],
            rateable=[_rateable(r) for r in stages],
        )

    @allow(*STAFF_ROLES)
    def ListDepartmentRatings(self, request, context):  # noqa: N802
        shown = self.reads.of_department(_caller(), request.bad_only, request.page_size, request.offset)
        return pb.ListDepartmentRatingsResponse(ratings=[_rating(s) for s in shown])

    @allow(*STAFF_ROLES)
    def ListRectifications(self, request, context):  # noqa: N802
        found = self.rectifications.of_department(_caller(), request.open_only)
        ratings = self.reads.ratings_by_id([r.rating_id for r in found])
        return pb.ListRectificationsResponse(
            rectifications=[_rectification(r, ratings.get(r.rating_id)) for r in found]
        )

    @allow(*HANDLER_ROLES)
    def RecordCallback(self, request, context):  # noqa: N802
        done = self.rectifications.call_back(_caller(), request.id, request.note)
        return pb.RecordCallbackResponse(rectification=_rectification(done))

    @allow(*HANDLER_ROLES)
    def RecordRectification(self, request, context):  # noqa: N802
        done = self.rectifications.rectify(_caller(), request.id, request.result)
        return pb.RecordRectificationResponse(rectification=_rectification(done))

    @allow(*APPLICANT_ROLES)
    def ConfirmRectification(self, request, context):  # noqa: N802
        done = self.rectifications.confirm(_caller(), request.id, request.satisfied, request.comment)
        return pb.ConfirmRectificationResponse(rectification=_rectification(done))

    @allow(*APPEAL_ROLES)
    def AppealRating(self, request, context):  # noqa: N802
        appeal = self.appeals.appeal(_caller(), request.rating_id, request.reason, request.evidence)
        return pb.AppealRatingResponse(appeal=_appeal(appeal))

    @allow(*STAFF_ROLES, PLATFORM_ADMIN)
    def ListAppeals(self, request, context):  # noqa: N802
        found = self.appeals.visible(_caller(), request.pending_only)
        return pb.ListAppealsResponse(appeals=[_appeal(appeal, rating) for appeal, rating in found])

    @allow(TENANT_ADMIN, PLATFORM_ADMIN)
    def DecideAppeal(self, request, context):  # noqa: N802
        appeal = self.appeals.decide(_caller(), request.id, request.approve, request.decision)
        return pb.DecideAppealResponse(appeal=_appeal(appeal))

    @allow(*STAFF_ROLES, *UNBOUND_ROLES)
    def GetSettings(self, request, context):  # noqa: N802
        return pb.GetSettingsResponse(settings=_settings(self.rules.get(_caller(), request.tenant)))

    @allow(TENANT_ADMIN)
    def UpdateSettings(self, request, context):  # noqa: N802
        given = request.settings
        wanted = Rules(
            tenant="",
            rate_at_receipt=given.rate_at_receipt,
            rate_at_acceptance=given.rate_at_acceptance,
            default_after_days=given.default_after_days,
            default_level=given.default_level,
            callback_workdays=given.callback_workdays,
            rectify_workdays=given.rectify_workdays,
            consultation_workdays=given.consultation_workdays,
            complaint_workdays=given.complaint_workdays,
        )
        return pb.UpdateSettingsResponse(settings=_settings(self.rules.update(_caller(), wanted)))

    @allow(*STAFF_ROLES, *UNBOUND_ROLES)
    def GetIndicators(self, request, context):  # noqa: N802
        scope = scope_of(
            _caller(),
            request.tenant,
            request.dept,
            request.item_id,
            request.since,
            request.until,
            request.staff,
        )
        figures = self.indicators.of(scope)
        by_staff = self.indicators.by_staff(scope) if request.by_staff else []
        return pb.GetIndicatorsResponse(
            indicators=pb.Indicators(**figures.__dict__),
            by_staff=[
                pb.StaffIndicators(staff=s, indicators=pb.Indicators(**f.__dict__)) for s, f in by_staff
            ],
        )

    @public  # an applicant, or a mobile verified by SendMobileCode (the use case checks which)
    def AskQuestion(self, request, context):  # noqa: N802
        asked = Question(
            kind=request.kind,
            title=request.title,
            question=request.question,
            item_id=request.item_id,
            case_no=request.case_no,
            tenant=request.tenant,
            dept=request.dept,
            consent_to_publish=request.consent_to_publish,
            mobile=request.mobile,
            mobile_code=request.mobile_code,
        )
        principal = current_principal.get()
        if principal is not None and principal.subject:
            inquiry, ref = self.inquiries.ask(principal, asked), ""
        else:
            inquiry, ref = self.inquiries.ask_by_mobile(asked)
        return pb.AskQuestionResponse(inquiry=_inquiry(inquiry, self.inquiries.now()), ref=ref)

    @public  # limited per number; the code goes only to the number
    def SendMobileCode(self, request, context):  # noqa: N802
        if self.inquiries.codes is None:
            raise Unavailable("短信服务暂不可用，请登录后提交咨询投诉。", message_en="no SMS platform")
        resend_after = self.inquiries.codes.send(request.mobile, request.tenant)
        return pb.SendMobileCodeResponse(resend_after=timestamp(resend_after))

    @public  # the reference is the key
    def GetInquiryByRef(self, request, context):  # noqa: N802
        found = self.inquiries.by_ref(request.ref)
        return pb.GetInquiryByRefResponse(inquiry=_inquiry(found, self.inquiries.now()))

    @allow(*APPLICANT_ROLES)
    def ListMyInquiries(self, request, context):  # noqa: N802
        return pb.ListMyInquiriesResponse(
            inquiries=[_inquiry(i, self.inquiries.now()) for i in self.inquiries.mine(_caller())]
        )

    @allow(*STAFF_ROLES)
    def ListInquiries(self, request, context):  # noqa: N802
        found = self.inquiries.queue(_caller(), request.open_only)
        return pb.ListInquiriesResponse(inquiries=[_inquiry(i, self.inquiries.now()) for i in found])

    @allow(*HANDLER_ROLES, TENANT_ADMIN)
    def AnswerInquiry(self, request, context):  # noqa: N802
        done = self.inquiries.answer(_caller(), request.id, request.reply, request.publish)
        return pb.AnswerInquiryResponse(inquiry=_inquiry(done, self.inquiries.now()))

    @allow(*APPLICANT_ROLES)
    def EscalateComplaint(self, request, context):  # noqa: N802
        return pb.EscalateComplaintResponse(
            inquiry=_inquiry(
                self.inquiries.escalate(_caller(), request.id, request.reason), self.inquiries.now()
            )
        )

    @public  # the published questions and answers are public (no asker in them)
    def ListPublishedReplies(self, request, context):  # noqa: N802
        found = self.inquiries.published(request.tenant, request.query)
        return pb.ListPublishedRepliesResponse(replies=[_published(i) for i in found])

    @allow(WINDOW_CLERK, APPROVER, DEPT_ADMIN)
    def OpenVisit(self, request, context):  # noqa: N802
        ask = VisitAsk(
            window=request.window,
            item_id=request.item_id,
            case_no=request.case_no,
            visitor_name=request.visitor_name,
        )
        visit, token = self.visits.open(_caller(), ask)
        return pb.OpenVisitResponse(visit=_visit(visit, staff_view=True), token=token)

    @public  # the token is the key: the visitor may be anonymous at the hall tablet
    def GetVisit(self, request, context):  # noqa: N802
        return pb.GetVisitResponse(visit=_visit(self.visits.by_token(request.token), staff_view=False))

    @public  # the token is the key; a logged-in applicant's rating is real-name
    def RateVisit(self, request, context):  # noqa: N802
        ask = RatingAsk(
            case_no="",
            stage=VISIT,
            level=request.level,
            indicators=dict(request.indicators),
            comment=request.comment,
            channel=request.channel or 3,
            follow_up=request.follow_up,
        )
        rating = self.visits.rate(current_principal.get(), request.token, ask)
        return pb.RateVisitResponse(rating=_rating(Shown.own(rating)))

    @allow(WINDOW_CLERK, APPROVER, DEPT_ADMIN)
    def ListMyVisits(self, request, context):  # noqa: N802
        found = self.visits.served_by(_caller(), request.page_size or 50)
        return pb.ListMyVisitsResponse(visits=[_visit(v, staff_view=True) for v in found])
