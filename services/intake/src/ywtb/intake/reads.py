"""Reading cases: one case, my cases, a department's queue."""

from __future__ import annotations

from sqlalchemy import or_, select

from ywtb.common import tenancy
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import NotFound, PermissionDenied
from ywtb.intake import authz
from ywtb.intake.core import MAX_PAGE, IntakeCore, invalid
from ywtb.intake.models import Case


class CaseReads(IntakeCore):
    """Case reads."""

    def get_case(self, principal: Principal, case_no: str) -> Case:
        """One case for whoever may read it; others get NotFound-equivalent PermissionDenied."""
        with self.db.transaction() as session:
            return self.readable(session, principal, case_no)

    def case_holder(self, principal: Principal, case_no: str) -> tuple[Case, str]:
        """The case and its applicant's certificate number in clear, for another service only."""
        if not principal.has_role(tenancy.SERVICE):
            raise PermissionDenied("仅限平台内部服务调用。", message_en="services only")
        with self.db.transaction() as session:
            case = session.get(Case, case_no)
            if case is None:
                raise NotFound("未找到该办件，请核对办件编号。", code="CASE_NOT_FOUND")
            return case, self.applicant_id_number(case)

    def list_my_cases(
        self, principal: Principal, status: int = 0, page_size: int = 50, offset: int = 0
    ) -> list[Case]:
        """The caller's own cases, newest first."""
        if not principal.subject:
            raise PermissionDenied("请登录后查看我的办件。")
        query = select(Case).where(
            or_(Case.owner == principal.subject, Case.submitted_by == principal.subject)
        )
        if status:
            query = query.where(Case.status == status)
        return self._page(query.order_by(Case.submitted_at.desc(), Case.case_no.desc()), page_size, offset)

    def list_cases(
        self,
        principal: Principal,
        tenant: str,
        dept: str = "",
        status: int = 0,
        page_size: int = 50,
        offset: int = 0,
    ) -> list[Case]:
        """A tenant's queue (a clerk's own department), oldest receipt first."""
        if not tenant:
            raise invalid("tenant", "请指定地区（6位行政区划代码）。")
        dept = authz.require_queue_reader(principal, tenant, dept)
        query = select(Case).where(Case.tenant == tenant)
        if dept:
            query = query.where(Case.dept == dept)
        if status:
            query = query.where(Case.status == status)
        return self._page(query.order_by(Case.received_at, Case.case_no), page_size, offset)

    def _page(self, query, page_size: int, offset: int) -> list[Case]:  # type: ignore[no-untyped-def]
        size = min(max(page_size or 50, 1), MAX_PAGE)
        with self.db.transaction() as session:
            return list(session.scalars(query.limit(size).offset(max(offset, 0))))
