"""好差评 REST routes: a case's ratings and rating it, the caller's ratings, the department's ratings and
rectifications (callback, result), the rater's confirmation, appeals and their decision, settings and the
indicators (also per staff member); window visits (一次一评) and rating them by their code; 咨询投诉: asking, the
department's queue, answers, escalation, the public replies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from ywtb.api.evaluation.v1 import evaluation_pb2 as pb
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.contract.answers import PUBLIC, WRITE, answers
from ywtb.gateway.contract.models import input_model
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.routes.grpc_json import app_state, to_json, to_proto

SERVICE = "ywtb.api.evaluation.v1.EvaluationService"
READS = [
    f"{SERVICE}/{m}"
    for m in (
        "ListCaseRatings",
        "ListMyRatings",
        "ListDepartmentRatings",
        "ListRectifications",
        "ListAppeals",
        "GetSettings",
        "GetIndicators",
        "ListMyInquiries",
        "ListInquiries",
        "ListPublishedReplies",
        "GetVisit",
        "ListMyVisits",
        "GetInquiryByRef",
    )
]
ID = r"^[A-Za-z0-9_-]{1,64}$"
DAY = r"^(|\d{4}-\d{2}-\d{2})$"

Stub = Annotated[AsyncStub, Depends(app_state("evaluation"))]  # ywtb.api.evaluation.v1.EvaluationService

RateIn = input_model(
    pb.RateCaseRequest.DESCRIPTOR,
    exclude=("case_no",),
    required=("level",),
    rules={"level": Field(ge=1, le=5), "comment": Field(max_length=500), "channel": Field(ge=0, le=2)},
)
VisitIn = input_model(
    pb.OpenVisitRequest.DESCRIPTOR,
    required=("window",),
    rules={
        "window": Field(min_length=1, max_length=40),
        "item_id": Field(max_length=64),
        "case_no": Field(max_length=64),
        "visitor_name": Field(max_length=200),
    },
)
RateVisitIn = input_model(
    pb.RateVisitRequest.DESCRIPTOR,
    exclude=("token",),
    required=("level",),
    rules={"level": Field(ge=1, le=5), "comment": Field(max_length=500), "channel": Field(ge=0, le=5)},
)
CallbackIn = input_model(
    pb.RecordCallbackRequest.DESCRIPTOR,
    exclude=("id",),
    required=("note",),
    rules={"note": Field(min_length=2, max_length=500)},
)
ResultIn = input_model(
    pb.RecordRectificationRequest.DESCRIPTOR,
    exclude=("id",),
    required=("result",),
    rules={"result": Field(min_length=2, max_length=1000)},
)
ConfirmIn = input_model(
    pb.ConfirmRectificationRequest.DESCRIPTOR,
    exclude=("id",),
    required=("satisfied",),
    rules={"comment": Field(max_length=500)},
)
AppealIn = input_model(
    pb.AppealRatingRequest.DESCRIPTOR,
    exclude=("rating_id",),
    required=("reason", "evidence"),
    rules={"reason": Field(min_length=2, max_length=500), "evidence": Field(min_length=2, max_length=2000)},
)
DecisionIn = input_model(
    pb.DecideAppealRequest.DESCRIPTOR,
    exclude=("id",),
    required=("approve", "decision"),
    rules={"decision": Field(min_length=2, max_length=500)},
)
AskIn = input_model(
    pb.AskQuestionRequest.DESCRIPTOR,
    required=("kind", "title", "question"),
    rules={
        "kind": Field(pattern="^(consultation|complaint)$"),
        "title": Field(min_length=2, max_length=100),
        "question": Field(min_length=5, max_length=2000),
        "item_id": Field(max_length=64),
        "case_no": Field(max_length=64),
        "dept": Field(max_length=18),
        "tenant": Field(pattern=r"^(|\d{6})$"),
    },
)
MobileAskIn = input_model(
    pb.AskQuestionRequest.DESCRIPTOR,
    exclude=("case_no",),
    required=("kind", "title", "question", "mobile", "mobile_code"),
    rules={
        "kind": Field(pattern="^(consultation|complaint)$"),
        "title": Field(min_length=2, max_length=100),
        "question": Field(min_length=5, max_length=2000),
        "item_id": Field(max_length=64),
        "dept": Field(max_length=18),
        "tenant": Field(pattern=r"^(|\d{6})$"),
        "mobile": Field(pattern=r"^1[3-9]\d{9}$"),
        "mobile_code": Field(pattern=r"^\d{6}$"),
    },
)
MobileCodeIn = input_model(
    pb.SendMobileCodeRequest.DESCRIPTOR,
    required=("mobile", "tenant"),
    rules={"mobile": Field(pattern=r"^1[3-9]\d{9}$"), "tenant": Field(pattern=r"^\d{6}$")},
)
AnswerIn = input_model(
    pb.AnswerInquiryRequest.DESCRIPTOR,
    exclude=("id",),
    required=("reply",),
    rules={"reply": Field(min_length=2, max_length=2000)},
)
EscalateIn = input_model(
    pb.EscalateComplaintRequest.DESCRIPTOR,
    exclude=("id",),
    required=("reason",),
    rules={"reason": Field(min_length=2, max_length=500)},
)
SettingsIn = input_model(
    pb.Settings.DESCRIPTOR,
    exclude=("tenant",),
    required=(
        "default_after_days",
        "default_level",
        "callback_workdays",
        "rectify_workdays",
        "consultation_workdays",
        "complaint_workdays",
    ),
    rules={
        "default_after_days": Field(ge=1, le=60),
        "default_level": Field(ge=3, le=5),
        "callback_workdays": Field(ge=1, le=5),
        "rectify_workdays": Field(ge=1, le=60),
        "consultation_workdays": Field(ge=1, le=30),
        "complaint_workdays": Field(ge=1, le=30),
    },
)


def build_evaluation_router() -> APIRouter:
    """Routes under /api/v1/evaluation for the evaluation service."""
    router = APIRouter(prefix="/api/v1/evaluation", tags=["好差评"])

    @router.get(
        "/cases/{case_no}/ratings",
        summary="办件的评价及可评价环节（申请人本人；本部门工作人员看到的评价人已脱敏）",
        **answers(pb.ListCaseRatingsResponse),
    )
    async def case_ratings(
        case_no: Annotated[str, Path(pattern=ID)], principal: CurrentPrincipal, stub: Stub
    ) -> dict[str, Any]:
        return to_json(await stub.ListCaseRatings(pb.ListCaseRatingsRequest(case_no=case_no)))

    @router.post(
        "/cases/{case_no}/ratings",
        summary="评价办件（一事一评；已评价的可追评一次；不强制评价）",
        **answers(pb.Rating, status=201, errors=WRITE),
    )
    async def rate(
        case_no: Annotated[str, Path(pattern=ID)],
        body: RateIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.RateCaseRequest(case_no=case_no))
        return to_json((await stub.RateCase(request)).rating)

    @router.get(
        "/ratings/mine",
        summary="我的评价（含差评整改结果和待评价的办件）",
        **answers(pb.ListMyRatingsResponse),
    )
    async def my_ratings(
        principal: CurrentPrincipal,
        stub: Stub,
        page_size: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0, le=100000)] = 0,
    ) -> dict[str, Any]:
        return to_json(await stub.ListMyRatings(pb.ListMyRatingsRequest(page_size=page_size, offset=offset)))

    @router.get(
        "/ratings",
        summary="本部门（或所监督地区）的评价；评价人仅对有权角色显示",
        **answers(pb.Rating, many=True),
    )
    async def department_ratings(
        principal: CurrentPrincipal,
        stub: Stub,
        bad_only: bool = False,
        page_size: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0, le=100000)] = 0,
    ) -> list[dict[str, Any]]:
        request = pb.ListDepartmentRatingsRequest(bad_only=bad_only, page_size=page_size, offset=offset)
        return [to_json(r) for r in (await stub.ListDepartmentRatings(request)).ratings]

    @router.get(
        "/rectifications", summary="差评整改（本部门或所监督地区）", **answers(pb.Rectification, many=True)
    )
    async def rectifications(
        principal: CurrentPrincipal, stub: Stub, open_only: bool = False
    ) -> list[dict[str, Any]]:
        reply = await stub.ListRectifications(pb.ListRectificationsRequest(open_only=open_only))
        return [to_json(r) for r in reply.rectifications]

    @router.post(
        "/rectifications/{rectification_id}/callback",
        summary="记录差评回访（被评价部门工作人员）",
        **answers(pb.Rectification, errors=WRITE),
    )
    async def callback(
        rectification_id: Annotated[str, Path(pattern=ID)],
        body: CallbackIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.RecordCallbackRequest(id=rectification_id))
        return to_json((await stub.RecordCallback(request)).rectification)

    @router.post(
        "/rectifications/{rectification_id}/result",
        summary="记录整改结果，告知评价人（被评价部门工作人员）",
        **answers(pb.Rectification, errors=WRITE),
    )
    async def result(
        rectification_id: Annotated[str, Path(pattern=ID)],
        body: ResultIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.RecordRectificationRequest(id=rectification_id))
        return to_json((await stub.RecordRectification(request)).rectification)

    @router.post(
        "/rectifications/{rectification_id}/confirmation",
        summary="评价人确认整改结果（满意或未解决）",
        **answers(pb.Rectification, errors=WRITE),
    )
    async def confirm(
        rectification_id: Annotated[str, Path(pattern=ID)],
        body: ConfirmIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.ConfirmRectificationRequest(id=rectification_id))
        return to_json((await stub.ConfirmRectification(request)).rectification)

    @router.post(
        "/ratings/{rating_id}/appeals",
        summary="申诉：请求剔除错误或恶意评价（被评价部门管理员，须附证据）",
        **answers(pb.Appeal, status=201, errors=WRITE),
    )
    async def appeal(
        rating_id: Annotated[str, Path(pattern=ID)],
        body: AppealIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.AppealRatingRequest(rating_id=rating_id))
        return to_json((await stub.AppealRating(request)).appeal)

    @router.get("/appeals", summary="申诉（本部门的，或待本级审核的）", **answers(pb.Appeal, many=True))
    async def appeals(
        principal: CurrentPrincipal, stub: Stub, pending_only: bool = False
    ) -> list[dict[str, Any]]:
        reply = await stub.ListAppeals(pb.ListAppealsRequest(pending_only=pending_only))
        return [to_json(a) for a in reply.appeals]

    @router.post(
        "/appeals/{appeal_id}/decision",
        summary="审核申诉（租户管理员）：成立则该评价不计入指标（保留，不删除）",
        **answers(pb.Appeal, errors=WRITE),
    )
    async def decide(
        appeal_id: Annotated[str, Path(pattern=ID)],
        body: DecisionIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.DecideAppealRequest(id=appeal_id))
        return to_json((await stub.DecideAppeal(request)).appeal)

    @router.get("/settings", summary="好差评设置（本地区或所辖地区）", **answers(pb.Settings))
    async def get_settings(
        principal: CurrentPrincipal, stub: Stub, tenant: Annotated[str, Query(pattern=r"^(|\d{6})$")] = ""
    ) -> dict[str, Any]:
        return to_json((await stub.GetSettings(pb.GetSettingsRequest(tenant=tenant))).settings)

    @router.put(
        "/settings", summary="修改本地区的好差评设置（租户管理员）", **answers(pb.Settings, errors=WRITE)
    )
    async def put_settings(body: SettingsIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        request = pb.UpdateSettingsRequest(settings=to_proto(body, pb.Settings()))
        return to_json((await stub.UpdateSettings(request)).settings)

    @router.get(
        "/indicators",
        summary="好差评指标：主动评价率、好评率、差评整改率、满意度（本部门或所监督地区）",
        **answers(pb.Indicators),
    )
    async def indicators(
        principal: CurrentPrincipal,
        stub: Stub,
        tenant: Annotated[str, Query(pattern=r"^(|\d{6})$")] = "",
        dept: Annotated[str, Query(max_length=18)] = "",
        item_id: Annotated[str, Query(max_length=64)] = "",
        since: Annotated[str, Query(pattern=DAY)] = "",
        until: Annotated[str, Query(pattern=DAY)] = "",
        staff: Annotated[str, Query(max_length=64)] = "",
    ) -> dict[str, Any]:
        request = pb.GetIndicatorsRequest(
            tenant=tenant, dept=dept, item_id=item_id, since=since, until=until, staff=staff
        )
        return to_json((await stub.GetIndicators(request)).indicators)

    @router.get(
        "/indicators/staff",
        summary="每名工作人员的好差评指标（其受理的办件和窗口服务），评价多的在前",
        **answers(pb.StaffIndicators, many=True),
    )
    async def staff_indicators(
        principal: CurrentPrincipal,
        stub: Stub,
        tenant: Annotated[str, Query(pattern=r"^(|\d{6})$")] = "",
        dept: Annotated[str, Query(max_length=18)] = "",
        since: Annotated[str, Query(pattern=DAY)] = "",
        until: Annotated[str, Query(pattern=DAY)] = "",
    ) -> list[dict[str, Any]]:
        request = pb.GetIndicatorsRequest(tenant=tenant, dept=dept, since=since, until=until, by_staff=True)
        return [to_json(s) for s in (await stub.GetIndicators(request)).by_staff]

    @router.post(
        "/visits",
        summary="登记窗口服务（一次一评）：返回评价码，供扫码或窗口评价器评价（窗口工作人员）",
        **answers(pb.OpenVisitResponse, status=201, errors=WRITE),
    )
    async def open_visit(body: VisitIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json(await stub.OpenVisit(to_proto(body, pb.OpenVisitRequest())))

    @router.get(
        "/visits/mine", summary="我服务的窗口办事记录（窗口工作人员）", **answers(pb.Visit, many=True)
    )
    async def my_visits(
        principal: CurrentPrincipal, stub: Stub, page_size: Annotated[int, Query(ge=1, le=100)] = 50
    ) -> list[dict[str, Any]]:
        reply = await stub.ListMyVisits(pb.ListMyVisitsRequest(page_size=page_size))
        return [to_json(v) for v in reply.visits]

    @router.get(
        "/visits/{token}",
        summary="评价码对应的窗口服务（无需登录）",
        **answers(pb.Visit, errors=PUBLIC),
    )
    async def visit(
        token: Annotated[str, Path(pattern=ID)], principal: OptionalPrincipal, stub: Stub
    ) -> dict[str, Any]:
        return to_json((await stub.GetVisit(pb.GetVisitRequest(token=token))).visit)

    @router.post(
        "/visits/{token}/ratings",
        summary="评价窗口服务（一次一评；可匿名，登录后为实名评价；可追评一次）",
        **answers(pb.Rating, status=201, errors=WRITE),
    )
    async def rate_visit(
        token: Annotated[str, Path(pattern=ID)],
        body: RateVisitIn,  # type: ignore[valid-type]
        principal: OptionalPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.RateVisitRequest(token=token))
        return to_json((await stub.RateVisit(request)).rating)

    @router.post(
        "/inquiries",
        summary="咨询事项或投诉办件、部门（个人或法人账号）",
        **answers(pb.Inquiry, status=201, errors=WRITE),
    )
    async def ask(body: AskIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.AskQuestion(to_proto(body, pb.AskQuestionRequest()))).inquiry)

    @router.post(
        "/mobile-codes",
        summary="向手机号发送咨询投诉验证码（无需登录；每号每分钟一次、每天十次）",
        **answers(pb.SendMobileCodeResponse, status=201, errors=(*WRITE, 429)),
    )
    async def mobile_code(body: MobileCodeIn, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json(await stub.SendMobileCode(to_proto(body, pb.SendMobileCodeRequest())))

    @router.post(
        "/inquiries/by-mobile",
        summary="凭手机验证码咨询事项或投诉部门（无需登录）：返回查询码，仅显示一次，答复后短信通知",
        **answers(pb.AskQuestionResponse, status=201, errors=WRITE),
    )
    async def ask_by_mobile(body: MobileAskIn, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json(await stub.AskQuestion(to_proto(body, pb.AskQuestionRequest())))

    @router.get(
        "/inquiries/by-ref/{ref}",
        summary="凭查询码查看咨询投诉及答复（无需登录）",
        **answers(pb.Inquiry, errors=PUBLIC),
    )
    async def inquiry_by_ref(
        ref: Annotated[str, Path(pattern=ID)], principal: OptionalPrincipal, stub: Stub
    ) -> dict[str, Any]:
        return to_json((await stub.GetInquiryByRef(pb.GetInquiryByRefRequest(ref=ref))).inquiry)

    @router.get("/inquiries/mine", summary="我的咨询投诉及答复", **answers(pb.Inquiry, many=True))
    async def my_inquiries(principal: CurrentPrincipal, stub: Stub) -> list[dict[str, Any]]:
        reply = await stub.ListMyInquiries(pb.ListMyInquiriesRequest())
        return [to_json(i) for i in reply.inquiries]

    @router.get(
        "/inquiries",
        summary="本部门待答复的咨询投诉（租户管理员：升级的投诉），按答复期限排序",
        **answers(pb.Inquiry, many=True),
    )
    async def inquiries(
        principal: CurrentPrincipal, stub: Stub, open_only: bool = False
    ) -> list[dict[str, Any]]:
        reply = await stub.ListInquiries(pb.ListInquiriesRequest(open_only=open_only))
        return [to_json(i) for i in reply.inquiries]

    @router.post(
        "/inquiries/{inquiry_id}/reply",
        summary="答复咨询投诉（提问人同意时可公开）",
        **answers(pb.Inquiry, errors=WRITE),
    )
    async def answer(
        inquiry_id: Annotated[str, Path(pattern=ID)],
        body: AnswerIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.AnswerInquiryRequest(id=inquiry_id))
        return to_json((await stub.AnswerInquiry(request)).inquiry)

    @router.post(
        "/inquiries/{inquiry_id}/escalation",
        summary="投诉升级到本级政务服务管理部门（投诉人）",
        **answers(pb.Inquiry, errors=WRITE),
    )
    async def escalate(
        inquiry_id: Annotated[str, Path(pattern=ID)],
        body: EscalateIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.EscalateComplaintRequest(id=inquiry_id))
        return to_json((await stub.EscalateComplaint(request)).inquiry)

    @router.get(
        "/replies",
        summary="公开的咨询投诉答复（可检索，无需登录）",
        **answers(pb.PublishedReply, many=True, errors=PUBLIC),
    )
    async def published_replies(
        principal: OptionalPrincipal,
        stub: Stub,
        tenant: Annotated[str, Query(pattern=r"^(|\d{6})$")] = "",
        query: Annotated[str, Query(max_length=50)] = "",
    ) -> list[dict[str, Any]]:
        reply = await stub.ListPublishedReplies(pb.ListPublishedRepliesRequest(tenant=tenant, query=query))
        return [to_json(r) for r in reply.replies]

    return router
