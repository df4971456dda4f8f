"""申请人身份: whom an application is in the name of — checked against identity online, as shown at a window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.auth.principal import Principal
from ywtb.common.codes import validate_credit_code, validate_id_number
from ywtb.common.errors import InvalidArgument, PermissionDenied
from ywtb.intake.identity_client import IdentityClient

ID_TYPE_CITIZEN = "111"  # 居民身份证
ID_TYPE_CREDIT_CODE = "001"  # 统一社会信用代码
NATURAL_PERSON = 1
LEGAL_PERSON_TYPES = {2, 3, 4, 5, 6, 9}
ENTERPRISE_LEGAL_PERSON = 2
LEVEL_NAMES = {2: "身份信息格式校验", 3: "二要素核验", 4: "人脸识别核验", 5: "窗口核验或数字证书"}


@dataclass
class ApplicantIn:
    """The applicant as the caller gives it (see intake.proto Applicant)."""

    applicant_type: int = 0
    name: str = ""
    id_type: str = ""
    id_number: str = ""
    credit_code: str = ""
    contact_name: str = ""
    contact_mobile: str = ""


@dataclass(frozen=True)
class Applicant:
    """The applicant a case records, and how their identity was established."""

    applicant_type: int
    name: str
    id_type: str
    id_number: str
    check: int
    real_name_level: int = 0


def _invalid(field_name: str, message: str) -> InvalidArgument:
    return InvalidArgument(message, fields={field_name: message})


def online(
    identity: IdentityClient, principal: Principal, given: ApplicantIn, legal: bool, item: dict[str, Any]
) -> Applicant:
    """In the logged-in person's own name, or for a legal person they are an authorised agent of now."""
    credit_code = validate_credit_code(given.credit_code, "applicant.credit_code") if legal else ""
    reply = identity.applicant(principal, credit_code)
    person = reply.person
    require_level(person.real_name_level, int(item.get("min_real_name_level") or 0))
    named = given.name.strip()
    if legal:
        company = reply.legal_person
        if named and named != company.name:
            raise PermissionDenied(
                f"统一社会信用代码 {credit_code} 登记的单位名称为“{company.name}”，与填写的申请单位不一致；"
                "请核对后重新申报（申请单位名称以登记信息为准，可不填写）。",
                code="APPLICANT_NOT_AUTHORISED",
                message_en="the applicant's name does not match the legal person of the credit code",
            )
        return Applicant(
            company.applicant_type or ENTERPRISE_LEGAL_PERSON,
            company.name,
            ID_TYPE_CREDIT_CODE,
            company.credit_code,
            pb.IDENTITY_CHECK_AGENT_AUTHORISATION,
            person.real_name_level,
        )
    number = given.id_number.strip().upper()
    if (named and named != person.name) or (number and number != person.id_number.upper()):
        raise PermissionDenied(
            f"在线申办只能以本人（{person.name}）的名义办理，申请人姓名和身份证号码以您的实名账户为准。"
            "为他人办理，请由其本人登录申办，或携带其身份证件到政务服务窗口办理；"
            "代表单位办理，请先取得该单位的经办人授权，再填写单位的统一社会信用代码。",
            code="APPLICANT_NOT_SELF",
            message_en="an online application is in the logged-in person's own name only",
        )
    return Applicant(
        NATURAL_PERSON,
        person.name,
        ID_TYPE_CITIZEN,
        person.id_number,
        pb.IDENTITY_CHECK_ACCOUNT,
        person.real_name_level,
    )


def at_window(given: ApplicantIn, legal: bool) -> Applicant:
    """As the window clerk checked the applicant's certificate in person (the clerk is the submitter)."""
    name = given.name.strip()
    if not name or len(name) > 200:
        raise _invalid("applicant.name", "请填写申请人名称（不超过200个字符）。")
    if legal:
        credit_code = validate_credit_code(given.credit_code, "applicant.credit_code")
        applicant_type = (
            given.applicant_type if given.applicant_type in LEGAL_PERSON_TYPES else ENTERPRISE_LEGAL_PERSON
        )
        return Applicant(applicant_type, name, ID_TYPE_CREDIT_CODE, credit_code, pb.IDENTITY_CHECK_WINDOW)
    id_number = validate_id_number(given.id_number, "applicant.id_number")
    return Applicant(NATURAL_PERSON, name, ID_TYPE_CITIZEN, id_number, pb.IDENTITY_CHECK_WINDOW)


def require_level(level: int, required: int) -> None:
    """Refuse an online applicant below the item's minimum real-name level (DOMAIN.md §8)."""
    if required and level < required:
        raise PermissionDenied(
            f"该事项要求申请人实名认证等级不低于{required}级（{LEVEL_NAMES.get(required, '')}），"
            f"您的账户当前为{level}级。请携带本人身份证原件到任一政务服务窗口核验身份后再在线申办，"
            "或直接到窗口办理。",
            code="REAL_NAME_LEVEL_TOO_LOW",
            message_en=f"real-name level {required} required, the account has {level}",
        )
