"""出证台: the issuing department's clerks see the issuances left to them and issue each with its fields."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import FailedPrecondition, NotFound, PermissionDenied
from ywtb.licence.issuance import Issuances, order_of
from ywtb.licence.models import (
    AWAITING_CLERK,
    AWAITING_PAYMENT,
    ISSUED,
    PENDING,
    Issuance,
    Licence,
    LicenceType,
)

DESK_ROLES = (tenancy.WINDOW_CLERK, tenancy.APPROVER)
OPEN = (PENDING, AWAITING_CLERK, AWAITING_PAYMENT)


@dataclass(frozen=True)
class DeskEntry:
    """An issuance as the desk shows it, with its licence type once resolved."""

    issuance: Issuance
    licence_type: LicenceType | None


def _require_desk(principal: Principal, tenant: str, dept: str) -> None:
    if tenancy.is_department_staff(principal, tenant, dept, DESK_ROLES):
        return
    raise PermissionDenied(
        "只有发证部门的窗口人员或审批人员可以出证。", message_en="issuing department staff only"
    )


class IssuingDesk:
    """The clerk's side of issuance."""

    def __init__(self, issuances: Issuances) -> None:
        self.issuances = issuances

    def open_issuances(self, principal: Principal) -> list[DeskEntry]:
        """The caller's department's issuances not yet issued, the earliest due first."""
        if not principal.dept:
            raise PermissionDenied("请使用发证部门的工作人员账号登录。", message_en="department staff only")
        _require_desk(principal, principal.tenant, principal.dept)
        with self.issuances.db.transaction() as session:
            rows = list(
                session.scalars(
                    select(Issuance)
                    .where(Issuance.dept == principal.dept, Issuance.status.in_(OPEN))
                    .order_by(Issuance.due_on, Issuance.case_no)
                    .limit(200)
                )
            )
            entries = [
                DeskEntry(row, session.get(LicenceType, row.type_code) if row.type_code else None)
                for row in rows
            ]
            session.expunge_all()
        return entries

    def issue(self, principal: Principal, case_no: str, item_id: str, values: dict[str, str]) -> Licence:
        """Issue an issuance left to the clerk, the form's values overridden by the clerk's."""
        db = self.issuances.db
        with db.transaction() as session:
            issuance = session.get(Issuance, (case_no, item_id))
            if issuance is None:
                raise NotFound("未找到该出证任务，请刷新后重试。", code="ISSUANCE_NOT_FOUND")
            _require_desk(principal, issuance.tenant, issuance.dept)
            if issuance.status != AWAITING_CLERK:
                raise FailedPrecondition(
                    "该办件的证照已签发或尚在自动出证中，请刷新后查看。", code="ISSUANCE_NOT_OPEN"
                )
            kind = session.get(LicenceType, issuance.type_code)
            keys = [f["key"] for f in kind.fields] if kind else []
        holder = self.issuances.facts.holder(case_no, keys)
        with db.transaction() as session:
            issuance = session.get(Issuance, (case_no, item_id), with_for_update=True)
            kind = session.get(LicenceType, issuance.type_code) if issuance else None
            if issuance is None or kind is None or issuance.status != AWAITING_CLERK:
                raise FailedPrecondition("该办件的证照已签发，请刷新后查看。", code="ISSUANCE_NOT_OPEN")
            order = order_of(issuance, kind, holder, {**dict(holder.values), **values})
            licence = self.issuances.licences.issue(session, order, self.issuances.now())
            issuance.status, issuance.identifier, issuance.last_error = ISSUED, licence.identifier, ""
            issuance.updated_at = self.issuances.now()
            session.flush()
            session.expunge(licence)
        return licence
