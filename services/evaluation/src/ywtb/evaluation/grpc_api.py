"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from ywtb.api.evaluation.v1 import evaluation_pb2 as pb
from ywtb.api.evaluation.v1 import evaluation_pb2_grpc
from ywtb.common.auth.principal import Principal
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
from ywtb.evaluation import convert
from ywtb.evaluation.appeals import Appeals
from ywtb.evaluation.authz import APPEAL_ROLES, HANDLER_ROLES
from ywtb.evaluation.indicators import Indicators, scope_of
from ywtb.evaluation.inquiries import Inquiries, Question
from ywtb.evaluation.models import COMPLETION, VISIT
from ywtb.evaluation.ratings import RatingAsk, Ratings
from ywtb.evaluation.reads import Reads, Shown
from ywtb.evaluation.tenant_settings import Rules, TenantRules
from ywtb.evaluation.visits import VisitAsk, Visits


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


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
            stage=convert.STAGE_OF_PB.get(request.stage, COMPLETION),
            level=request.level,
            indicators=dict(request.indicators),
            comment=request.comment,
            channel=request.channel or 1,
            follow_up=request.follow_up,
        )
        rating = self.ratings.rate(_caller(), ask)
        return pb.RateCaseResponse(rating=convert.rating(Shown.own(rating)))

    @allow(*APPLICANT_ROLES, *STAFF_ROLES, *UNBOUND_ROLES)
    def ListCaseRatings(self, request, context):  # noqa: N802
        shown, stages = self.reads.of_case(_caller(), request.case_no)
        return pb.ListCaseRatingsResponse(
            ratings=[convert.rating(s) for s in shown], rateable=[convert.rateable(r) for r in stages]
        )

    @allow(*APPLICANT_ROLES)
    def ListMyRatings(self, request, context):  # noqa: N802
        shown, stages = self.reads.mine(_caller(), request.page_size, request.offset)
        return pb.ListMyRatingsResponse(
            ratings=[convert.rating(s) for s in shown],
            rectifications=[
                convert.rectification(s.rectification, s.rating) for s in shown if s.rectification
            ],
            rateable=[convert.rateable(r) for r in stages],
        )

    @allow(*STAFF_ROLES)
    def ListDepartmentRatings(self, request, context):  # noqa: N802
        shown = self.reads.of_department(_caller(), request.bad_only, request.page_size, request.offset)
        return pb.ListDepartmentRatingsResponse(ratings=[convert.rating(s) for s in shown])

    @allow(*STAFF_ROLES)
    def ListRectifications(self, request, context):  # noqa: N802
        found = self.rectifications.of_department(_caller(), request.open_only)
        ratings = self.reads.ratings_by_id([r.rating_id for r in found])
        return pb.ListRectificationsResponse(
            rectifications=[convert.rectification(r, ratings.get(r.rating_id)) for r in found]
        )

    @allow(*HANDLER_ROLES)
    def RecordCallback(self, request, context):  # noqa: N802
        done = self.rectifications.call_back(_caller(), request.id, request.note)
        return pb.RecordCallbackResponse(rectification=convert.rectification(done))

    @allow(*HANDLER_ROLES)
    def RecordRectification(self, request, context):  # noqa: N802
        done = self.rectifications.rectify(_caller(), request.id, request.result)
        return pb.RecordRectificationResponse(rectification=convert.rectification(done))

    @allow(*APPLICANT_ROLES)
    def ConfirmRectification(self, request, context):  # noqa: N802
        done = self.rectifications.confirm(_caller(), request.id, request.satisfied, request.comment)
        return pb.ConfirmRectificationResponse(rectification=convert.rectification(done))

    @allow(*APPEAL_ROLES)
    def AppealRating(self, request, context):  # noqa: N802
        appeal = self.appeals.appeal(_caller(), request.rating_id, request.reason, request.evidence)
        return pb.AppealRatingResponse(appeal=convert.appeal(appeal))

    @allow(*STAFF_ROLES, PLATFORM_ADMIN)
    def ListAppeals(self, request, context):  # noqa: N802
        found = self.appeals.visible(_caller(), request.pending_only)
        return pb.ListAppealsResponse(appeals=[convert.appeal(appeal, rating) for appeal, rating in found])

    @allow(TENANT_ADMIN, PLATFORM_ADMIN)
    def DecideAppeal(self, request, context):  # noqa: N802
        appeal = self.appeals.decide(_caller(), request.id, request.approve, request.decision)
        return pb.DecideAppealResponse(appeal=convert.appeal(appeal))

    @allow(*STAFF_ROLES, *UNBOUND_ROLES)
    def GetSettings(self, request, context):  # noqa: N802
        return pb.GetSettingsResponse(settings=convert.settings(self.rules.get(_caller(), request.tenant)))

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
        return pb.UpdateSettingsResponse(settings=convert.settings(self.rules.update(_caller(), wanted)))

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
        return pb.AskQuestionResponse(inquiry=convert.inquiry(inquiry, self.inquiries.now()), ref=ref)

    @public  # limited per number; the code goes only to the number
    def SendMobileCode(self, request, context):  # noqa: N802
        if self.inquiries.codes is None:
            raise Unavailable("短信服务暂不可用，请登录后提交咨询投诉。", message_en="no SMS platform")
        resend_after = self.inquiries.codes.send(request.mobile, request.tenant)
        return pb.SendMobileCodeResponse(resend_after=timestamp(resend_after))

    @public  # the reference is the key
    def GetInquiryByRef(self, request, context):  # noqa: N802
        found = self.inquiries.by_ref(request.ref)
        return pb.GetInquiryByRefResponse(inquiry=convert.inquiry(found, self.inquiries.now()))

    @allow(*APPLICANT_ROLES)
    def ListMyInquiries(self, request, context):  # noqa: N802
        return pb.ListMyInquiriesResponse(
            inquiries=[convert.inquiry(i, self.inquiries.now()) for i in self.inquiries.mine(_caller())]
        )

    @allow(*STAFF_ROLES)
    def ListInquiries(self, request, context):  # noqa: N802
        found = self.inquiries.queue(_caller(), request.open_only)
        return pb.ListInquiriesResponse(inquiries=[convert.inquiry(i, self.inquiries.now()) for i in found])

    @allow(*HANDLER_ROLES, TENANT_ADMIN)
    def AnswerInquiry(self, request, context):  # noqa: N802
        done = self.inquiries.answer(_caller(), request.id, request.reply, request.publish)
        return pb.AnswerInquiryResponse(inquiry=convert.inquiry(done, self.inquiries.now()))

    @allow(*APPLICANT_ROLES)
    def EscalateComplaint(self, request, context):  # noqa: N802
        return pb.EscalateComplaintResponse(
            inquiry=convert.inquiry(
                self.inquiries.escalate(_caller(), request.id, request.reason), self.inquiries.now()
            )
        )

    @public  # the published questions and answers are public (no asker in them)
    def ListPublishedReplies(self, request, context):  # noqa: N802
        found = self.inquiries.published(request.tenant, request.query)
        return pb.ListPublishedRepliesResponse(replies=[convert.published(i) for i in found])

    @allow(WINDOW_CLERK, APPROVER, DEPT_ADMIN)
    def OpenVisit(self, request, context):  # noqa: N802
        ask = VisitAsk(
            window=request.window,
            item_id=request.item_id,
            case_no=request.case_no,
            visitor_name=request.visitor_name,
        )
        visit, token = self.visits.open(_caller(), ask)
        return pb.OpenVisitResponse(visit=convert.visit(visit, staff_view=True), token=token)

    @public  # the token is the key: the visitor may be anonymous at the hall tablet
    def GetVisit(self, request, context):  # noqa: N802
        return pb.GetVisitResponse(visit=convert.visit(self.visits.by_token(request.token), staff_view=False))

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
        return pb.RateVisitResponse(rating=convert.rating(Shown.own(rating)))

    @allow(WINDOW_CLERK, APPROVER, DEPT_ADMIN)
    def ListMyVisits(self, request, context):  # noqa: N802
        found = self.visits.served_by(_caller(), request.page_size or 50)
        return pb.ListMyVisitsResponse(visits=[convert.visit(v, staff_view=True) for v in found])
