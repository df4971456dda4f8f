"""Reading a case: its deadlines, stops, open tasks and steps (the applicant, its staff, supervisors)."""

from __future__ import annotations

from ywtb.approval.core import ApprovalCore, CaseView
from ywtb.common.auth.principal import Principal


class CaseReads(ApprovalCore):
    """Case reads."""

    def get_case(self, principal: Principal, case_no: str) -> CaseView:
        """A case with its deadlines, stops, open tasks and steps (the applicant, its staff, supervisors)."""
        with self.db.transaction() as session:
            instance = self.case_for(session, principal, case_no)
            return self.view(session, instance, self.now())
