"""法人: legal persons registered at a window, their agents (经办人授权), and whom a person may apply as."""

from __future__ import annotations

from datetime import datetime

from ywtb.api.identity.v1 import identity_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import local_date
from ywtb.common.clock import utc, utc_now
from ywtb.common.codes import validate_credit_code
from ywtb.common.errors import AlreadyExists, NotFound, PermissionDenied
from ywtb.identity import authz
from ywtb.identity.core import IdentityCore, invalid, require_text
from ywtb.identity.models import AgentAuthorisation, LegalPerson, Person

APPLICANT_TYPES = {2, 3, 4, 5, 6, 9}


class LegalPersons(IdentityCore):
    """Legal persons, agents and applicants."""

    def register_legal_person(
        self,
        principal: Principal,
        credit_code: str,
        name: str,
        applicant_type: int,
        representative: str,
        tenant: str,
    ) -> LegalPerson:
        """Register a legal person at a window (clerk of the tenant) after checking its licence."""
        principal.require_role("window_clerk")
        credit_code = validate_credit_code(credit_code)
        name = require_text(name, "name", "单位名称", 200)
        representative = require_text(representative, "representative_name", "法定代表人姓名", 50)
        if applicant_type not in APPLICANT_TYPES:
            raise invalid(
                "applicant_type",
                "请选择申请人类型：企业法人、事业单位、社会组织、非法人企业、机关或其他。",
                "invalid applicant type",
            )
        with self.db.transaction() as session:
            authz.require_window_of(
                session, principal, tenant, "只能在本地区的政务服务窗口为本地区登记法人。"
            )
            if session.get(LegalPerson, credit_code):
                raise AlreadyExists("该法人已登记。", code="LEGAL_PERSON_EXISTS")
            legal = LegalPerson(
                credit_code=credit_code,
                tenant=tenant,
                name=name,
                applicant_type=applicant_type,
                representative_name=representative,
                registered_at=utc_now(),
            )
            session.add(legal)
            return legal

    def authorise_agent(
        self, principal: Principal, credit_code: str, person_id: str, valid_until: datetime | None
    ) -> AgentAuthorisation:
        """Authorise a person as agent of a legal person (window clerk of its tenant)."""
        principal.require_role("window_clerk")
        if valid_until is not None and valid_until <= utc_now():
            raise invalid("valid_until", "授权截止时间应晚于当前时间。", "valid_until in the past")
        with self.db.transaction() as session:
            legal = session.get(LegalPerson, credit_code)
            if legal is None:
                raise NotFound("未找到该法人，请先登记。", code="LEGAL_PERSON_NOT_FOUND")
            authz.require_window_of(
                session, principal, legal.tenant, "只能在法人登记地的政务服务窗口办理经办人授权。"
            )
            if session.get(Person, person_id) is None:
                raise NotFound("未找到该经办人账户，请先注册。", code="PERSON_NOT_FOUND")
            grant = session.get(AgentAuthorisation, (credit_code, person_id))
            if grant is None:
                grant = AgentAuthorisation(credit_code=credit_code, person_id=person_id, tenant=legal.tenant)
                session.add(grant)
            grant.valid_until = valid_until
            grant.granted_by = principal.subject
            grant.granted_at = utc_now()
            return grant

    # 申请人 applicants

    def get_applicant(
        self, principal: Principal, person_id: str, credit_code: str = ""
    ) -> tuple[Person, str, LegalPerson | None, AgentAuthorisation | None]:
        """Whom a person may apply as: themself, or a legal person they hold an authorisation for now."""
        if principal.subject != person_id:
            raise PermissionDenied(
                "在线申办只能以本人名义，或以您已获授权的单位名义办理。", message_en="not the person themself"
            )
        person = self.person(person_id)
        if person.account.status != identity_pb2.ACCOUNT_STATUS_ACTIVE:  # type: ignore[attr-defined]
            raise PermissionDenied(
                "您的账户尚未开通或已停用，暂不能在线申办；请联系12345政务服务热线或到政务服务窗口办理。",
                code="ACCOUNT_NOT_ACTIVE",
                message_en="the account is not active",
            )
        id_number = self.keys.open(person.id_number_enc, f"person.id_number:{person_id}")
        if not credit_code:
            return person, id_number, None, None
        credit_code = validate_credit_code(credit_code, "applicant.credit_code")
        with self.db.transaction() as session:
            legal = session.get(LegalPerson, credit_code)
            grant = session.get(AgentAuthorisation, (credit_code, person_id))
            if legal is None or grant is None:
                raise PermissionDenied(
                    f"您没有统一社会信用代码为 {credit_code} 的单位的经办人授权，不能以该单位名义申办；"
                    "请由该单位到政务服务窗口为您办理经办人授权，或以本人名义申办。",
                    code="AGENT_NOT_AUTHORISED",
                    message_en="no agent authorisation for this credit code",
                )
            if grant.valid_until is not None and utc(grant.valid_until) <= utc_now():
                until = local_date(utc(grant.valid_until)).isoformat()
                raise PermissionDenied(
                    f"您对“{legal.name}”的经办人授权已于 {until} 到期，不能再以该单位名义申办；"
                    "请由该单位到政务服务窗口续办授权。",
                    code="AGENT_AUTHORISATION_EXPIRED",
                    message_en="agent authorisation expired",
                )
            session.expunge_all()
            return person, id_number, legal, grant
