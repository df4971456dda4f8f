"""自然人: self-registration (实名等级 2) and window verification (实名等级 5) of natural persons."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ywtb.api.identity.v1 import events_pb2, identity_pb2
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc_now
from ywtb.common.codes import validate_id_number
from ywtb.common.errors import AlreadyExists, FailedPrecondition, NotFound, PermissionDenied
from ywtb.common.pii import mask_id_number, mask_phone
from ywtb.identity.core import IdentityCore, invalid, require_mobile, require_text, require_username
from ywtb.identity.events import PERSON_TOPIC, publish
from ywtb.identity.models import Person
from ywtb.identity.passwords import check_password_policy

FORMAT_CHECKED = 2  # 实名等级 2: format check only
WINDOW_VERIFIED = 5  # 实名等级 5: verified at a window


class Persons(IdentityCore):
    """Natural persons."""

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
        name = require_text(name, "name", "真实姓名", 50)
        id_number = validate_id_number(id_number.strip().upper())
        mobile = require_mobile(mobile)
        extra = [(kind, value.strip()) for kind, value in factors if value.strip()]
        if not any(kind != identity_pb2.FACTOR_TYPE_MOBILE for kind, _ in extra) or any(
            kind == identity_pb2.FACTOR_TYPE_UNSPECIFIED for kind, _ in extra
        ):
            message = "除手机号外，请至少再提供一项：社保卡号、银行卡号、公积金账号或驾驶证号。"
            raise invalid("factors", message, "one more factor besides the mobile is required")
        username = require_username(username or mobile)
        check_password_policy(password)
        person_id = person_id or str(uuid.uuid4())
        with self.db.transaction() as session:
            if session.scalar(
                select(Person.id).where(Person.id_number_hash == self.keys.lookup_hash(id_number))
            ):
                raise AlreadyExists("该身份证号码已注册，请直接登录或找回密码。", code="PERSON_EXISTS")
            self.new_account(
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
                    registered_at=utc_now(),
                )
            )
        self.provisioner.provision_now(person_id)
        return self.person(person_id)

    def get_person(self, principal: Principal, person_id: str) -> tuple[Person, str]:
        """A person and their ID number: in full for the owner, masked for staff."""
        person = self.person(person_id)
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
                raise invalid("id_number", "身份证号码与注册信息不一致，不能通过核验。", "id number mismatch")
            person.real_name_level = max(person.real_name_level, WINDOW_VERIFIED)
            publish(
                session,
                events_pb2.PersonVerified(
                    person_id=person_id,
                    real_name_level=person.real_name_level,
                    method=identity_pb2.VerificationMethod.ValueType(method),
                ),
                topic=PERSON_TOPIC,
                key=person_id,
                tenant=person.tenant,
            )
        return self.person(person_id)
