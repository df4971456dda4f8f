"""Provisioning accounts into the identity provider: retried until done, compensated when refused.

The identity database is the source of truth. An account is saved first (PROVISIONING), then
created at the identity provider by `ensure_account`, which is idempotent and adopts a user it
created before a crash. Only then does the account become ACTIVE and its event get published,
in one transaction. Keycloak down: the attempt is rescheduled with backoff. Username owned by
someone else at the provider: the first (synchronous) attempt removes the new rows and the call
fails with ALREADY_EXISTS; a later attempt marks the account FAILED with the reason.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, select

from ywtb.api.identity.v1 import events_pb2, identity_pb2
from ywtb.common.clock import utc_now
from ywtb.common.db import Database, is_postgres
from ywtb.common.errors import AlreadyExists, FailedPrecondition
from ywtb.common.pii import PiiKeys
from ywtb.identity import convert, directory
from ywtb.identity.authz import lineage
from ywtb.identity.events import PERSON_TOPIC, STAFF_TOPIC, publish
from ywtb.identity.models import Account, Person, Staff

log = logging.getLogger(__name__)
PROVISIONING = identity_pb2.ACCOUNT_STATUS_PROVISIONING
USERNAME_TAKEN = "该登录名已被统一身份认证平台中的其他账户使用，请换一个登录名重新创建。"
REJECTED = "统一身份认证平台拒绝了该账户信息，请联系平台管理员处理。"


class Provisioner:
    """Brings accounts in PROVISIONING state into the directory (Keycloak, or the local store)."""

    def __init__(
        self, db: Database, target: directory.Directory, keys: PiiKeys, *, max_backoff_s: float = 300
    ) -> None:
        self.db = db
        self.directory = target
        self.keys = keys
        self.max_backoff_s = max_backoff_s

    def provision_now(self, account_id: str) -> Account:
        """The synchronous first attempt of a create call; ALREADY_EXISTS when the username is taken."""
        outcome = self._attempt(account_id, compensate=True)
        if outcome == "compensated:UsernameTaken":
            raise AlreadyExists(USERNAME_TAKEN, code="USERNAME_TAKEN", fields={"username": USERNAME_TAKEN})
        if outcome.startswith("compensated"):
            raise FailedPrecondition(REJECTED, code="ACCOUNT_REJECTED")
        with self.db.transaction() as session:
            return session.get(Account, account_id)  # type: ignore[return-value]

    def run_due(self, limit: int = 20) -> int:
        """One round of the background worker: attempt every account that is due; how many were tried."""
        with self.db.transaction() as session:
            due = list(
                session.scalars(
                    select(Account.id)
                    .where(Account.status == PROVISIONING, Account.next_attempt_at <= utc_now())
                    .order_by(Account.next_attempt_at)
                    .limit(limit)
                )
            )
        for account_id in due:
            self._attempt(account_id, compensate=False)
        return len(due)

    def _attempt(self, account_id: str, *, compensate: bool) -> str:
        with self.db.transaction() as session:
            query = select(Account).where(Account.id == account_id, Account.status == PROVISIONING)
            if is_postgres(self.db.engine):
                query = query.with_for_update(skip_locked=True)
            account = session.scalar(query)
            if account is None:
                return "skipped"  # done already, or another worker holds it right now
            desired = self._desired(session, account)
            try:
                idp_user_id = self.directory.ensure_account(desired)
            except (directory.UsernameTaken, directory.AccountRejected) as exc:
                if compensate:
                    self._remove(session, account)
                    return f"compensated:{type(exc).__name__}"
                account.status = identity_pb2.ACCOUNT_STATUS_FAILED
                account.status_reason = (
                    USERNAME_TAKEN if isinstance(exc, directory.UsernameTaken) else REJECTED
                )
                log.error("account %s cannot be provisioned: %s", account.id, exc)
                return "failed"
            except directory.DirectoryUnavailable as exc:
                account.attempts += 1
                backoff = min(2**account.attempts, self.max_backoff_s)
                account.next_attempt_at = utc_now() + timedelta(seconds=backoff)
                log.warning(
                    "account %s not provisioned yet (attempt %d): %s", account.id, account.attempts, exc
                )
                return "retry"
            account.status = identity_pb2.ACCOUNT_STATUS_ACTIVE
            account.idp_user_id = idp_user_id
            account.pending_secret = None
            self._publish_created(session, account)
            return "active"

    def _desired(self, session, account: Account) -> directory.Account:  # type: ignore[no-untyped-def]
        password = (
            self.keys.open(account.pending_secret, f"account.secret:{account.id}")
            if account.pending_secret
            else None
        )
        tenant_path = "/tenants/" + "/".join(reversed(lineage(session, account.tenant)))
        if account.kind == "staff":
            staff = session.get(Staff, account.id)
            return directory.Account(
                account_id=account.id,
                username=account.username,
                name=staff.name,
                email=None,
                roles=frozenset(staff.roles),
                tenant=staff.tenant,
                dept=staff.dept,
                subject_type="staff",
                real_name_level=0,
                groups=(tenant_path, f"{tenant_path}/depts/{staff.dept}"),
                password=password,
                temporary_password=account.temporary_password,
            )
        person = session.get(Person, account.id)
        return directory.Account(
            account_id=account.id,
            username=account.username,
            name=person.name,
            email=None,
            roles=frozenset({"citizen"}),
            tenant=person.tenant,
            dept="",
            subject_type="person",
            real_name_level=person.real_name_level,
            groups=("/persons",),
            password=password,
            temporary_password=False,
        )

    def _remove(self, session, account: Account) -> None:  # type: ignore[no-untyped-def]
        session.execute(delete(Staff).where(Staff.id == account.id))
        session.execute(delete(Person).where(Person.id == account.id))
        session.delete(account)

    def _publish_created(self, session, account: Account) -> None:  # type: ignore[no-untyped-def]
        if account.kind == "staff":
            staff = session.get(Staff, account.id)
            staff.account = account
            publish(
                session,
                events_pb2.StaffCreated(staff=convert.staff(staff)),
                topic=STAFF_TOPIC,
                key=account.id,
                tenant=account.tenant,
            )
        else:
            person = session.get(Person, account.id)
            publish(
                session,
                events_pb2.PersonRegistered(person_id=account.id, real_name_level=person.real_name_level),
                topic=PERSON_TOPIC,
                key=account.id,
                tenant=account.tenant,
            )
