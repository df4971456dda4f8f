"""证照目录: licence types defined by departments, read by anyone.

Each use case owns its transaction; its events go to the outbox in that transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ywtb.api.licence.v1 import events_pb2
from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import Clock, Clocked, utc_now
from ywtb.common.codes.credit_code import credit_code_valid
from ywtb.common.codes.regions import validate_region_code
from ywtb.common.db import Database
from ywtb.common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from ywtb.licence import authz
from ywtb.licence.events import publish
from ywtb.licence.models import AUTOMATIC, MANUAL, LicenceType

FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
TYPE_CODE = re.compile(r"^[0-9A-Z]{18}[0-9]{3}$")
MAX_FIELDS = 30
MAX_SEQUENCE = 999


@dataclass(frozen=True)
class LicenceTypeDraft:
    """What a department asks for when it defines a licence type."""

    name: str
    fields: tuple[tuple[str, str, bool], ...]  # (key, label, required)
    validity_months: int
    template_title: str
    issue_mode: str


def _invalid(message: str, field: str, message_en: str) -> InvalidArgument:
    return InvalidArgument(
        message, code="LICENCE_TYPE_INVALID", message_en=message_en, fields={field: message}
    )


def _checked(draft: LicenceTypeDraft) -> LicenceTypeDraft:
    name = draft.name.strip()
    if not 2 <= len(name) <= 50:
        raise _invalid("请填写证照类型名称（2 至 50 个字）。", "name", "name must have 2-50 characters")
    if len(draft.fields) > MAX_FIELDS:
        raise _invalid(f"证照字段最多 {MAX_FIELDS} 个。", "fields", f"at most {MAX_FIELDS} fields")
    keys: set[str] = set()
    for i, (key, label, _required) in enumerate(draft.fields):
        if not FIELD_KEY.match(key) or key in keys:
            raise _invalid(
                "字段代码须以小写字母开头、由小写字母、数字和下划线组成且不重复。",
                f"fields.{i}.key",
                f"field key {key!r} malformed or repeated",
            )
        if not 1 <= len(label.strip()) <= 20:
            raise _invalid(
                "请填写字段名称（1 至 20 个字）。", f"fields.{i}.label", "label must have 1-20 characters"
            )
        keys.add(key)
    if not 0 <= draft.validity_months <= 1200:
        raise _invalid(
            "有效期按月填写，0 表示长期有效，最长 1200 个月。", "validity_months", "validity 0-1200 months"
        )
    title = draft.template_title.strip() or name
    if len(title) > 50:
        raise _invalid("证照标题最多 50 个字。", "template_title", "template title too long")
    if draft.issue_mode not in (AUTOMATIC, MANUAL):
        raise _invalid("请选择出证方式（自动出证或人工出证）。", "issue_mode", "issue mode required")
    fields = tuple((key, label.strip(), required) for key, label, required in draft.fields)
    return LicenceTypeDraft(name, fields, draft.validity_months, title, draft.issue_mode)


class LicenceTypes(Clocked):
    """The licence type catalogue's use cases."""

    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def define(self, principal: Principal, draft: LicenceTypeDraft) -> LicenceType:
        """A type of the caller's department, coded dept + next 3-digit sequence; LicenceTypeDefined."""
        authz.require_department_admin(principal)
        draft = _checked(draft)
        try:
            with self.db.transaction() as session:
                taken = session.scalar(select(func.count()).where(LicenceType.dept == principal.dept))
                if (taken or 0) >= MAX_SEQUENCE:
                    raise FailedPrecondition(
                        "本部门的证照类型已达 999 个上限，请联系平台管理员。", code="LICENCE_TYPES_EXHAUSTED"
                    )
                licence_type = LicenceType(
                    code=f"{principal.dept}{(taken or 0) + 1:03d}",
                    tenant=principal.tenant,
                    dept=principal.dept,
                    name=draft.name,
                    fields=[{"key": k, "label": label, "required": r} for k, label, r in draft.fields],
                    validity_months=draft.validity_months,
                    template_title=draft.template_title,
                    issue_mode=draft.issue_mode,
                    created_by=principal.subject,
                    created_at=self.now(),
                )
                session.add(licence_type)
                session.flush()  # a taken name or code fails here, before the event is staged
                event = events_pb2.LicenceTypeDefined(
                    code=licence_type.code,
                    tenant=licence_type.tenant,
                    dept=licence_type.dept,
                    name=draft.name,
                )
                publish(session, event, key=licence_type.code, tenant=licence_type.tenant)
                session.expunge(licence_type)
        except IntegrityError as exc:
            raise AlreadyExists(
                "本部门已有同名证照类型，或同时有人在定义证照类型；请更换名称或稍后重试。",
                code="LICENCE_TYPE_EXISTS",
                message_en="a type of this name exists, or a concurrent definition took the code",
            ) from exc
        return licence_type

    def get(self, code: str) -> LicenceType:
        """One type by its code."""
        code = code.strip().upper()
        if not TYPE_CODE.match(code) or not credit_code_valid(code[:18]):
            raise InvalidArgument(
                "证照类型代码应为 18 位统一社会信用代码加 3 位顺序号，请核对。",
                code="LICENCE_TYPE_CODE_MALFORMED",
                message_en="type code = 18-char credit code + 3 digits",
            )
        with self.db.transaction() as session:
            licence_type = session.get(LicenceType, code)
            if licence_type is None:
                raise NotFound("未找到该证照类型，请核对证照类型代码。", code="LICENCE_TYPE_NOT_FOUND")
            session.expunge(licence_type)
        return licence_type

    @staticmethod
    def resolve(session: Session, name_or_code: str, dept: str, tenant: str) -> LicenceType | None:
        """The type an item's result names: by code, else by name — the department's, then its tenant's
        and the tenants above (a type a province defines is issued by its counties)."""
        wanted = name_or_code.strip()
        if TYPE_CODE.match(wanted):
            return session.get(LicenceType, wanted)
        own = session.scalar(select(LicenceType).where(LicenceType.dept == dept, LicenceType.name == wanted))
        if own is not None:
            return own
        for level in tenancy.lineage(tenant):
            found = session.scalar(
                select(LicenceType)
                .where(LicenceType.tenant == level, LicenceType.name == wanted)
                .order_by(LicenceType.code)
                .limit(1)
            )
            if found is not None:
                return found
        return None

    def list(self, tenant: str, dept: str = "") -> list[LicenceType]:
        """The types of a tenant (or of one of its departments), by code."""
        tenant = validate_region_code(tenant, "tenant")
        with self.db.transaction() as session:
            query = select(LicenceType).where(LicenceType.tenant == tenant)
            if dept:
                query = query.where(LicenceType.dept == dept)
            found = list(session.scalars(query.order_by(LicenceType.code)))
            session.expunge_all()
        return found
