"""Example values for the OpenAPI, derived from each field's proto type and domain name (SAMPLE DATA)."""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from ywtb.common.codes.credit_code import make_credit_code
from ywtb.common.pii import id_check_char

ID_NUMBER = "51010419900307123" + id_check_char("51010419900307123")
DEPT = make_credit_code("11510104MB3234567")  # 锦江区市场监督管理局 of the demo data
COMPANY = make_credit_code("91510104MA6234567")
TIME = "2026-12-03T09:30:00Z"
DATE = "2026-12-17"
# Values by field name: what the demo platform holds (make run seeds them).
BY_NAME: dict[str, Any] = {
    "case_no": "5101042026120300001",
    "identifier": "1.2.156.3005.2.11510104MB3234566N001.11510104MB3234566N.00510104202600000001.001.M",
    "type_name": "营业执照",
    "tenant": "510104",
    "code": "510104",
    "parent_code": "510100",
    "dept": DEPT,
    "credit_code": COMPANY,
    "id_number": ID_NUMBER,
    "id_type": "111",
    "applicant_type": 1,
    "name": "张三",
    "dept_name": "锦江区市场监督管理局",
    "item_name": "个体工商户设立登记",
    "mobile": "13800000001",
    "contact_mobile": "13800000001",
    "contact_name": "张三",
    "username": "13800000001",
    "item_id": "3f2b6c1e-8a4d-4f0e-9b7a-2c5d1e6f7a80",
    "task_id": "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
    "id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
    "file_id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
    "basic_code": "000128001000",
    "implementation_code": DEPT + "000128001000",
    "material_name": "个体工商户登记申请书",
    "file_name": "个体工商户登记申请书.pdf",
    "content_type": "application/pdf",
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "size": "48213",
    "reason": "申请材料不符合法定形式，请按一次性告知补正。",
    "opinion": "材料齐全，同意受理。",
    "promised_completion_date": DATE,
    "supply_deadline": DATE,
    "keywords": "个体户 营业执照",
    "query": "个体工商户",
    "form_data": {"trade_name": "张三百货", "business_scope": "日用百货零售", "capital": 5},
    "idempotency_key": "8e0f3c2a-5b1d-4e7f-9a6c-3d2b1e0f4a5c",
    "roles": "window_clerk",
    "initial_password": "Chushi2026!mima",
    "password": "Demo2026ywtb",
    "value": "13800000001",
    "kind": "听证",
    "result": "听证结束，维持原申请内容。",
    "absent_subject": "0b3f6a8e-2c1d-5e4f-8a7b-6c5d4e3f2a1b",
    "backup_subject": "1c4a7b9f-3d2e-5f6a-9b8c-7d6e5f4a3b2c",
    "person_id": "2d5b8c0a-4e3f-5a7b-8c9d-8e7f6a5b4c3d",
    "short_name": "锦江区市场监管局",
    "representative_name": "李四",
    "subject": "营业执照申请书",
    "requirement": "请补充申请人签字后重新上传。",
    "description": "个体工商户开业涉及的登记、税务、社保事项一次办理。",
    "item_ids": "3f2b6c1e-8a4d-4f0e-9b7a-2c5d1e6f7a80",
    "version": "2026.1",
    "day": "2026-12-01",
    "fee_name": "工本费",
    "reduction_fen": "1000",
    "basis": "《居民身份证法》第二十条：首次申领免收工本费",
    "amount_fen": "1000",
    "expected_refundable_fen": "1000",
    "note": "已电话回访，申请人反映窗口等候时间较长。",
    "evidence": "窗口服务录音（2026-12-01 10:05）和叫号记录显示按时办理。",
    "comment": "办理很快，指南清楚。",
}
# Values of a field in one message (its short name), before BY_NAME.
BY_MESSAGE: dict[str, Any] = {
    "Tenant.name": "锦江区",
    "OnboardTenantRequest.name": "锦江区",
    "Department.name": "成都市锦江区市场监督管理局",
    "CreateDepartmentRequest.name": "成都市锦江区市场监督管理局",
    "Staff.name": "李受理",
    "CreateStaffRequest.name": "李受理",
    "CreateStaffRequest.username": "jinjiang.clerk",
    "LegalPerson.name": "成都锦江示例商贸有限公司",
    "RegisterLegalPersonRequest.name": "成都锦江示例商贸有限公司",
    "BasicItem.name": "个体工商户设立登记",
    "SearchHit.name": "个体工商户设立登记",
    "BundleItem.name": "个体工商户设立登记",
    "BundleItem.code": "000128001000",
    "Bundle.code": "510104-KBYGTGSH",
    "Bundle.name": "我要开办个体工商户",
    "CreateBundleRequest.code": "510104-KBYGTGSH",
    "CreateBundleRequest.name": "我要开办个体工商户",
    "GetBundleRequest.code": "510104-KBYGTGSH",
    "Task.step": "review",
    "Task.title": "审查",
    "RecordRectificationRequest.result": "增开一个综合窗口，推行预约办理，高峰期等候缩短到 15 分钟内。",
    "Rectification.result": "增开一个综合窗口，推行预约办理，高峰期等候缩短到 15 分钟内。",
    "DecideAppealRequest.decision": "经核查录音和办件记录，评价与事实不符，申诉成立。",
    "Appeal.decision": "经核查录音和办件记录，评价与事实不符，申诉成立。",
    "RateCaseRequest.level": 5,
    "Rating.level": 5,
    "Rectification.level": 1,
    "Appeal.level": 1,
    "AskQuestionRequest.kind": "consultation",
    "AskQuestionRequest.title": "个体工商户登记需要哪些材料",
    "AskQuestionRequest.question": "请问在锦江区办理个体工商户设立登记，需要携带哪些材料原件？",
    "Inquiry.kind": "consultation",
    "PublishedReply.kind": "consultation",
    "AnswerInquiryRequest.reply": "需携带经营者身份证和经营场所使用证明，可在网上提交电子材料。",
    "Inquiry.reply": "需携带经营者身份证和经营场所使用证明，可在网上提交电子材料。",
    "PublishedReply.reply": "需携带经营者身份证和经营场所使用证明，可在网上提交电子材料。",
    "AskQuestionRequest.mobile_code": "402817",
    "AskQuestionResponse.ref": "Qm3xT9vK2pLw8sYd",
    "GetInquiryByRefRequest.ref": "Qm3xT9vK2pLw8sYd",
    "OpenVisitRequest.window": "3号窗口",
    "Visit.window": "3号窗口",
    "Visit.status": "open",
    "OpenVisitResponse.token": "u7Jc2mQx9LwE4rTz8bNf1aKd6sVh3pYo",
    "GetVisitRequest.token": "u7Jc2mQx9LwE4rTz8bNf1aKd6sVh3pYo",
    "RateVisitRequest.token": "u7Jc2mQx9LwE4rTz8bNf1aKd6sVh3pYo",
    "RateVisitRequest.level": 5,
    "RateVisitRequest.channel": 4,
    "StaffIndicators.staff": "jinjiang.clerk",
}
_TYPES = {
    FieldDescriptor.CPPTYPE_STRING: str,
    FieldDescriptor.CPPTYPE_INT32: int,
    FieldDescriptor.CPPTYPE_UINT32: int,
    FieldDescriptor.CPPTYPE_BOOL: bool,
}


def example_value(field: FieldDescriptor) -> Any | None:
    """An example JSON value of one field (None for nested messages: their own fields carry examples)."""
    value = _scalar_example(field)
    if value is None:
        return None
    return [value] if field.is_repeated and not _is_map(field) else value


def _is_map(field: FieldDescriptor) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry


def _scalar_example(field: FieldDescriptor) -> Any | None:
    known = BY_MESSAGE.get(f"{field.containing_type.name}.{field.name}", BY_NAME.get(field.name))
    if known is not None and isinstance(known, _TYPES.get(field.cpp_type, type(None))):
        return known
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        full = field.message_type.full_name
        if full == "google.protobuf.Timestamp":
            return TIME
        if full == "google.protobuf.Struct":
            return BY_NAME.get(field.name, {})
        return None
    if field.type == FieldDescriptor.TYPE_ENUM:
        values = [v.name for v in field.enum_type.values if v.number]
        return values[0] if values else field.enum_type.values[0].name
    if field.type == FieldDescriptor.TYPE_BOOL:
        return False
    if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return 1.5
    if field.type == FieldDescriptor.TYPE_BYTES:
        return "JVBERi0xLjQK"
    if field.cpp_type in (FieldDescriptor.CPPTYPE_INT64, FieldDescriptor.CPPTYPE_UINT64):
        return "1"
    if field.cpp_type in (FieldDescriptor.CPPTYPE_INT32, FieldDescriptor.CPPTYPE_UINT32):
        return 1
    return None  # a free text without a known domain example


def message_example(descriptor: Descriptor, depth: int = 0) -> dict[str, Any]:
    """An example of a whole message as the gateway writes it (every field that has an example)."""
    example: dict[str, Any] = {}
    if depth > 4:  # a recursive message: stop with an empty one
        return example
    for field in descriptor.fields:
        if field.type == FieldDescriptor.TYPE_MESSAGE and not _is_map(field):
            value = _scalar_example(field)
            if value is None:
                nested = message_example(field.message_type, depth + 1)
                value = [nested] if field.is_repeated else nested
            example[field.name] = value
        elif _is_map(field):
            example[field.name] = {}
        else:
            value = example_value(field)
            example[field.name] = value if value is not None else _text(field)
    return example


def _text(field: FieldDescriptor) -> Any:
    return [] if field.is_repeated else ""
