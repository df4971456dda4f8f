"""Identity use cases; each public method is one transaction."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ywtb.api.identity.v1 import events_pb2, identity_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar.workdays import local_date
from ywtb.common.codes import (
    region_level,
    region_parent,
    validate_credit_code,
    validate_id_number,
    validate_region_code,
)
from ywtb.common.db import Database
from ywtb.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from ywtb.common.pii import mask_id_number, mask_phone
from ywtb.common.timestamps import aware
from ywtb.identity import authz, convert
from ywtb.identity.events import DEPARTMENT_TOPIC, PERSON_TOPIC, TENANT_TOPIC, publish
from ywtb.identity.models import Account, AgentAuthorisation, Department, LegalPerson, Person, Staff, Tenant
from ywtb.identity.passwords import check_password_policy, hash_password, verify_password
from ywtb.identity.pii_keys import PiiKeys
from ywtb.identity.provisioning import Provisioner

LEVELS = {"province": 1, "city": 2, "county": 3}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
APPLICANT_TYPES = {2, 3, 4, 5, 6, 9}
FORMAT_CHECKED = 2  # 实名等级 2: format check only
WINDOW_VERIFIED = 5  # 实名等级 5: verified at a window


def _now() -> datetime:
    return datetime.now(UTC)


def _invalid(field: str, message: str, message_en: str) -> InvalidArgument:
    return InvalidArgument(message, message_en=message_en, fields={field: message})


def _require_text(value: str, field: str, label: str, max_length: int = 100) -> str:
    value = value.strip()
    if not value or len(value) > max_length:
        raise _invalid(field, f"请填写{label}（不超过{max_length}个字符）。", f"{field} is required")
    return value


def _require_mobile(value: str, field: str = "mobile") -> str:
    if not MOBILE.match(value):
        raise _invalid(field, "手机号码应为11位中国大陆手机号，请核对后重新填写。", "invalid mobile number")
    return value


def _require_username(value: str, field: str = "username") -> str:
    value = value.strip().lower()
    if not USERNAME.match(value):
        message = "登录名应为3至64位小写字母、数字或 . _ -，并以字母或数字开头。"
        raise _invalid(field, message, "invalid username")
    return value


class IdentityService:
    """Tenants, departments, staff, persons and legal persons."""

    def __init__(
        self,
        db: Database,
        provisioner: Provisioner,
        keys: PiiKeys,
        *,
        person_home_tenant: str,
        local_passwords: bool,
    ) -> None:
        self.db = db
        self.provisioner = provisioner
        self.keys = keys
        self.person_home_tenant = person_home_tenant
        self.local_passwords = local_passwords

    # 地区 tenants

    def onboard_tenant(self, principal: Principal, code: str, name: str, parent_code: str) -> Tenant:
        """Onboard a province, city or county (platform admin only)."""
        principal.require_role("platform_admin")
        code = validate_region_code(code, "code")
        name = _require_text(name, "name", "地区名称")
        level = region_level(code)
        expected_parent = None if level == "province" else (parent_code or region_parent(code))
        if expected_parent and region_parent(code) and expected_parent != region_parent(code):
            raise _invalid(
                "parent_code", f"{code} 的上级地区应为 {region_parent(code)}。", "parent does not match code"
            )
        with self.db.transaction() as session:
            if session.get(Tenant, code):
                raise AlreadyExists(f"地区 {code} 已开通，请勿重复开通。", code="TENANT_EXISTS")
            if expected_parent and session.get(Tenant, expected_parent) is None:
                raise FailedPrecondition(
                    f"请先开通上级地区 {expected_parent}，再开通 {code}。", code="PARENT_TENANT_MISSING"
                )
            tenant = Tenant(
                code=code, name=name, parent_code=expected_parent, level=LEVELS[level], onboarded_at=_now()
            )
            session.add(tenant)
            session.flush()
            publish(
                session,
                events_pb2.TenantOnboarded(tenant=convert.tenant(tenant)),
                topic=TENANT_TOPIC,
                key=code,
                tenant=code,
            )
            return tenant

    def get_tenant(self, code: str) -> Tenant:
        """One tenant (public facts: code, name, parent)."""
        with self.db.transaction() as session:
            tenant = session.get(Tenant, code)
            if tenant is None:
                raise NotFound(f"地区 {code} 尚未开通。", code="TENANT_NOT_FOUND")
            return tenant

    def list_tenants(self, parent_code: str) -> list[Tenant]:
        """Children of a tenant, or the provinces."""
        with self.db.transaction() as session:
            query = select(Tenant).where(
                Tenant.parent_code == parent_code if parent_code else Tenant.parent_code.is_(None)
            )
            return list(session.scalars(query.order_by(Tenant.code)))

    # 部门 departments

    def create_department(
        self, principal: Principal, tenant: str, credit_code: str, name: str, short_name: str
    ) -> Department:
        """Create a department in a tenant (its tenant admin, an ancestor's, or a platform admin)."""
        credit_code = validate_credit_code(credit_code)
        name = _require_text(name, "name", "部门名称", 200)
        with self.db.transaction() as session:
            authz.require_admin_of(session, principal, tenant)
            if session.get(Department, credit_code):
                raise AlreadyExists(
                    "该统一社会信用代码的部门已存在，请勿重复创建。", code="DEPARTMENT_EXISTS"
                )
            dept = Department(
                credit_code=credit_code,
                tenant=tenant,
                name=name,
                short_name=short_name.strip(),
                created_at=_now(),
            )
            session.add(dept)
            session.flush()
            publish(
                session,
                events_pb2.DepartmentCreated(department=convert.department(dept)),
                topic=DEPARTMENT_TOPIC,
                key=credit_code,
                tenant=tenant,
            )
            return dept

    def list_departments(self, principal: Principal, tenant: str) -> list[Department]:
        """Departments of a tenant, for staff of that tenant or an ancestor."""
        with self.db.transaction() as session:
            if not authz.in_scope(session, principal, tenant):
                raise PermissionDenied("您无权查看该地区的部门。", message_en="tenant out of scope")
            return list(
                session.scalars(
                    select(Department).where(Department.tenant == tenant).order_by(Department.name)
                )
            )

    # 工作人员 staff

    def create_staff(
        self,
        principal: Principal,
        dept: str,
        username: str,
        name: str,
        roles: list[str],
        mobile: str,
        password: str,
        *,
        bootstrap: bool = False,
        temporary_password: bool = True,
        staff_id: str | None = None,
    ) -> tuple[Staff, Account]:
        """Create a staff member and provision the account (completes later if the IdP is down).

        Start-up code only, never the API: `bootstrap` may grant platform_admin;
        `temporary_password=False` skips the forced change at first login (the demo seed, so that
        its accounts can log in with the password grant); `staff_id` fixes the account id (the demo
        seed: the same sample account in every database, so a shared Keycloak user is adopted).
        """
        username = _require_username(username)
        name = _require_text(name, "name", "姓名")
        mobile = _require_mobile(mobile)
        check_password_policy(password, "initial_password")
        allowed = authz.STAFF_ROLES | {"platform_admin"} if bootstrap else authz.STAFF_ROLES
        if not roles or not set(roles) <= allowed:
            message = "请为工作人员选择角色：窗口受理、审批、部门管理员、地区管理员或监督人员。"
            raise _invalid("roles", message, "roles must be non-empty staff roles")
        staff_id = staff_id or str(uuid.uuid4())
        with self.db.transaction() as session:
            department = session.get(Department, dept)
            if department is None:
                raise NotFound("未找到该部门，请核对统一社会信用代码。", code="DEPARTMENT_NOT_FOUND")
            grantable = authz.require_staff_admin(session, principal, department.tenant, dept)
            if not bootstrap and not set(roles) <= grantable:
                raise PermissionDenied(
                    "您不能授予所选角色，请联系上级管理员。", message_en="role not grantable"
                )
            account = self._new_account(
                session,
                staff_id,
                "staff",
                username,
                department.tenant,
                password,
                temporary=temporary_password,
            )
            staff = Staff(
                id=staff_id,
                tenant=department.tenant,
                dept=dept,
                name=name,
                roles=sorted(set(roles)),
                mobile_enc=self.keys.seal(mobile, f"staff.mobile:{staff_id}"),
                mobile_masked=mask_phone(mobile),
                created_at=_now(),
            )
            session.add(staff)
        account = self.provisioner.provision_now(staff_id)
        return self.get_staff(principal, staff_id), account

    def _new_account(
        self,
        session,
        account_id: str,
        kind: str,
        username: str,
        tenant: str,
        password: str,
        *,
        temporary: bool,
    ) -> Account:  # type: ignore[no-untyped-def]
        if session.scalar(select(Account.id).where(Account.username == username)):
            raise AlreadyExists(
                "该登录名已被使用，请换一个。",
                code="USERNAME_TAKEN",
                fields={"username": "该登录名已被使用，请换一个。"},
            )
        account = Account(
            id=account_id,
            kind=kind,
            username=username,
            tenant=tenant,
            status=identity_pb2.ACCOUNT_STATUS_PROVISIONING,
            status_reason="",
            temporary_password=temporary,
            attempts=0,
            next_attempt_at=_now(),
            created_at=_now(),
            password_hash=hash_password(password) if self.local_passwords else None,
            pending_secret=None
            if self.local_passwords
            else self.keys.seal(password, f"account.secret:{account_id}"),
        )
        session.add(account)
        try:
            session.flush()
        except IntegrityError as exc:
            raise AlreadyExists("该登录名已被使用，请换一个。", code="USERNAME_TAKEN") from exc
        return account

    def get_staff(self, principal: Principal, staff_id: str) -> Staff:
        """One staff member (themselves, or a reader of their tenant)."""
        with self.db.transaction() as session:
            staff = session.get(Staff, staff_id)
            if staff is None:
                raise NotFound("未找到该工作人员。", code="STAFF_NOT_FOUND")
            if principal.subject != staff_id and not principal.has_role("service"):
                authz.require_staff_reader(session, principal, staff.tenant, staff.dept)
            staff.account = session.get(Account, staff_id)  # type: ignore[attr-defined]
            return staff

    def list_staff(self, principal: Principal, tenant: str, dept: str) -> list[Staff]:
        """Staff of a tenant or one department."""
        with self.db.transaction() as session:
            authz.require_staff_reader(session, principal, tenant, dept)
            query = select(Staff).where(Staff.tenant == tenant)
            if dept:
                query = query.where(Staff.dept == dept)
            rows = list(session.scalars(query))
            for staff in rows:
                staff.account = session.get(Account, staff.id)  # type: ignore[attr-defined]
            return sorted(rows, key=lambda s: s.account.username)  # type: ignore[attr-defined]

    # 自然人 natural persons

    def register_person(
        self,
        name: str,
        id_number: str,
        mobile: str,
        factors: list[tuple[int, str]],
        username: str,
        password: str,
        *,
        person_id: str | None = None,
    ) -> Person:
        """Self-registration: ID number, mobile and at least one more factor; level 2 (format checked).

        `person_id` (the demo seed only, never the API) fixes the account id, as in create_staff.
        """
        name = _require_text(name, "name", "真实姓名", 50)
        id_number = validate_id_number(id_number.strip().upper())
        mobile = _require_mobile(mobile)
        extra = [(kind, value.strip()) for kind, value in factors if value.strip()]
        if not any(kind != identity_pb2.FACTOR_TYPE_MOBILE for kind, _ in extra) or any(
            kind == identity_pb2.FACTOR_TYPE_UNSPECIFIED for kind, _ in extra
        ):
            message = "除手机号外，请至少再提供一项：社保卡号、银行卡号、公积金账号或驾驶证号。"
            raise _invalid("factors", message, "one more factor besides the mobile is required")
        username = _require_username(username or mobile)
        check_password_policy(password)
        person_id = person_id or str(uuid.uuid4())
        with self.db.transaction() as session:
            if session.scalar(
                select(Person.id).where(Person.id_number_hash == self.keys.lookup_hash(id_number))
            ):
                raise AlreadyExists("该身份证号码已注册，请直接登录或找回密码。", code="PERSON_EXISTS")
            self._new_account(
                session, person_id, "person", username, self.person_home_tenant, password, temporary=False
            )
            session.add(
                Person(
                    id=person_id,
                    tenant=self.person_home_tenant,
                    name=name,
                    id_number_enc=self.keys.seal(id_number, f"person.id_number:{person_id}"),
                    id_number_hash=self.keys.lookup_hash(id_number),
                    mobile_enc=self.keys.seal(mobile, f"person.mobile:{person_id}"),
                    mobile_hash=self.keys.lookup_hash(mobile),
                    mobile_masked=mask_phone(mobile),
                    factors_enc=self.keys.seal(repr(extra), f"person.factors:{person_id}"),
                    factor_types=sorted({identity_pb2.FACTOR_TYPE_MOBILE, *(kind for kind, _ in extra)}),
                    real_name_level=FORMAT_CHECKED,
                    registered_at=_now(),
                )
            )
        self.provisioner.provision_now(person_id)
        return self._person(person_id)

    def _person(self, person_id: str) -> Person:
        with self.db.transaction() as session:
            person = session.get(Person, person_id)
            if person is None:
                raise NotFound("未找到该自然人账户。", code="PERSON_NOT_FOUND")
            person.account = session.get(Account, person_id)  # type: ignore[attr-defined]
            return person

    def get_person(self, principal: Principal, person_id: str) -> tuple[Person, str]:
        """A person and their ID number: in full for the owner, masked for staff."""
        person = self._person(person_id)
        owner = principal.subject == person_id
        if not owner and not principal.has_role("window_clerk", "approver", "service"):
            raise PermissionDenied("您无权查看他人的账户信息。", message_en="not the owner")
        id_number = self.keys.open(person.id_number_enc, f"person.id_number:{person_id}")
        return person, id_number if owner else mask_id_number(id_number)

    def verify_person(self, principal: Principal, person_id: str, method: int, id_number: str) -> Person:
        """Window verification (实名核验) against the physical ID card: level 5."""
        principal.require_role("window_clerk")
        if method != identity_pb2.VERIFICATION_METHOD_WINDOW:
            message = "目前仅支持窗口现场核验身份证原件；公安人口库核验需省级平台接口接入后开放。"
            raise FailedPrecondition(message, code="VERIFICATION_METHOD_UNAVAILABLE")
        with self.db.transaction() as session:
            person = session.get(Person, person_id)
            if person is None:
                raise NotFound("未找到该自然人账户。", code="PERSON_NOT_FOUND")
            if self.keys.lookup_hash(id_number.strip().upper()) != person.id_number_hash:
                raise _invalid(
                    "id_number", "身份证号码与注册信息不一致，不能通过核验。", "id number mismatch"
                )
            person.real_name_level = max(person.real_name_level, WINDOW_VERIFIED)
            publish(
                session,
                events_pb2.PersonVerified(
                    person_id=person_id, real_name_level=person.real_name_level, method=method
                ),
                topic=PERSON_TOPIC,
                key=person_id,
                tenant=person.tenant,
            )
        return self._person(person_id)

    # 法人 legal persons

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
        name = _require_text(name, "name", "单位名称", 200)
        representative = _require_text(representative, "representative_name", "法定代表人姓名", 50)
        if applicant_type not in APPLICANT_TYPES:
            raise _invalid(
                "applicant_type",
                "请选择申请人类型：企业法人、事业单位、社会组织、非法人企业、机关或其他。",
                "invalid applicant type",
            )
        with self.db.transaction() as session:
            if not authz.in_scope(session, principal, tenant):
                raise PermissionDenied("只能为本地区登记法人。", message_en="tenant out of scope")
            if session.get(LegalPerson, credit_code):
                raise AlreadyExists("该法人已登记。", code="LEGAL_PERSON_EXISTS")
            legal = LegalPerson(
                credit_code=credit_code,
                tenant=tenant,
                name=name,
                applicant_type=applicant_type,
                representative_name=representative,
                registered_at=_now(),
            )
            session.add(legal)
            return legal

    def authorise_agent(
        self, principal: Principal, credit_code: str, person_id: str, valid_until: datetime | None
    ) -> AgentAuthorisation:
        """Authorise a person as agent of a legal person (window clerk of its tenant)."""
        principal.require_role("window_clerk")
        if valid_until is not None and valid_until <= _now():
            raise _invalid("valid_until", "授权截止时间应晚于当前时间。", "valid_until in the past")
        with self.db.transaction() as session:
            legal = session.get(LegalPerson, credit_code)
            if legal is None:
                raise NotFound("未找到该法人，请先登记。", code="LEGAL_PERSON_NOT_FOUND")
            if not authz.in_scope(session, principal, legal.tenant):
                raise PermissionDenied("只能为本地区的法人办理授权。", message_en="tenant out of scope")
            if session.get(Person, person_id) is None:
                raise NotFound("未找到该经办人账户，请先注册。", code="PERSON_NOT_FOUND")
            grant = session.get(AgentAuthorisation, (credit_code, person_id))
            if grant is None:
                grant = AgentAuthorisation(credit_code=credit_code, person_id=person_id, tenant=legal.tenant)
                session.add(grant)
            grant.valid_until = valid_until
            grant.granted_by = principal.subject
            grant.granted_at = _now()
            return grant

    # 申请人 applicants

    def get_applicant(
        self, principal: Principal, person_id: str, credit_code: str = ""
    ) -> tuple[Person, str, LegalPerson | None, AgentAuthorisation | None]:
        """Whom a person may apply as: themself, or a legal person they hold an authorisation for now."""
        if principal.subject != person_id and not principal.has_role("service"):
            raise PermissionDenied(
                "在线申办只能以本人名义，或以您已获授权的单位名义办理。", message_en="not the person themself"
            )
        person = self._person(person_id)
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
            if grant.valid_until is not None and aware(grant.valid_until) <= _now():
                until = local_date(aware(grant.valid_until)).isoformat()
                raise PermissionDenied(
                    f"您对“{legal.name}”的经办人授权已于 {until} 到期，不能再以该单位名义申办；"
                    "请由该单位到政务服务窗口续办授权。",
                    code="AGENT_AUTHORISATION_EXPIRED",
                    message_en="agent authorisation expired",
                )
            session.expunge_all()
            return person, id_number, legal, grant

    # 登录主体 principals

    def resolve_principal(self, principal: Principal, username: str) -> Principal:
        """The principal a token for this account carries (services and platform admins)."""
        if not principal.has_role("service", "platform_admin"):
            raise PermissionDenied(message_en="service principal required")
        return self._principal_of(username)

    def authenticate_password(self, principal: Principal, username: str, password: str) -> Principal:
        """Check a password against the local store (embedded built-in issuer only)."""
        principal.require_role("service")
        if not self.local_passwords:
            raise FailedPrecondition("请通过统一身份认证平台（Keycloak）登录。", code="USE_IDENTITY_PROVIDER")
        with self.db.transaction() as session:
            account = session.scalar(select(Account).where(Account.username == username.strip().lower()))
        if account is None or not verify_password(password, account.password_hash):
            raise Unauthenticated("用户名或密码错误，请重新输入。", code="BAD_CREDENTIALS")
        return self._principal_of(account.username)

    def _principal_of(self, username: str) -> Principal:
        with self.db.transaction() as session:
            account = session.scalar(select(Account).where(Account.username == username.strip().lower()))
            if account is None or account.status != identity_pb2.ACCOUNT_STATUS_ACTIVE:
                raise NotFound("账户不存在或尚未开通。", code="ACCOUNT_NOT_FOUND")
            if account.kind == "staff":
                staff = session.get(Staff, account.id)
                return Principal(
                    subject=account.id,
                    tenant=staff.tenant,
                    roles=frozenset(staff.roles),
                    dept=staff.dept,
                    subject_type="staff",
                    name=staff.name,
                )
            person = session.get(Person, account.id)
            agent = session.scalar(
                select(AgentAuthorisation.credit_code).where(AgentAuthorisation.person_id == account.id)
            )
            roles = {"citizen", "legal_person_agent"} if agent else {"citizen"}
            return Principal(
                subject=account.id,
                tenant=person.tenant,
                roles=frozenset(roles),
                subject_type="person",
                real_name_level=person.real_name_level,
                name=person.name,
            )
