"""What every identity use case shares: the service's parts, input checks and new accounts."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ywtb.api.identity.v1 import identity_pb2
from ywtb.common.clock import utc_now
from ywtb.common.db import Database
from ywtb.common.errors import AlreadyExists, InvalidArgument, NotFound
from ywtb.common.pii import PiiKeys
from ywtb.identity.models import Account, Person
from ywtb.identity.passwords import hash_password
from ywtb.identity.provisioning import Provisioner

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def invalid(field: str, message: str, message_en: str) -> InvalidArgument:
    """InvalidArgument naming one field."""
    return InvalidArgument(message, message_en=message_en, fields={field: message})


def require_text(value: str, field: str, label: str, max_length: int = 100) -> str:
    """The trimmed text, required and at most max_length long."""
    value = value.strip()
    if not value or len(value) > max_length:
        raise invalid(field, f"请填写{label}（不超过{max_length}个字符）。", f"{field} is required")
    return value


def require_mobile(value: str, field: str = "mobile") -> str:
    """A mainland mobile number."""
    if not MOBILE.match(value):
        raise invalid(field, "手机号码应为11位中国大陆手机号，请核对后重新填写。", "invalid mobile number")
    return value


def require_username(value: str, field: str = "username") -> str:
    """A login name, lower-cased."""
    value = value.strip().lower()
    if not USERNAME.match(value):
        message = "登录名应为3至64位小写字母、数字或 . _ -，并以字母或数字开头。"
        raise invalid(field, message, "invalid username")
    return value


class IdentityCore:
    """The database, the provisioner, the PII keys and where persons belong."""

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

    def new_account(
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
        """A new account in PROVISIONING (the provisioner brings it into the directory)."""
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
            next_attempt_at=utc_now(),
            created_at=utc_now(),
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

    def person(self, person_id: str) -> Person:
        """A person with their account; NotFound when there is none."""
        with self.db.transaction() as session:
            person = session.get(Person, person_id)
            if person is None:
                raise NotFound("未找到该自然人账户。", code="PERSON_NOT_FOUND")
            person.account = session.get(Account, person_id)  # type: ignore[attr-defined]
            return person
