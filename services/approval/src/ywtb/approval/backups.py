"""AB 角: a department admin names the backup (B 角) who handles an absent colleague's tasks."""

from __future__ import annotations

from ywtb.approval import authz
from ywtb.approval.core import ApprovalCore
from ywtb.approval.models import BackupHandler
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import InvalidArgument


class Backups(ApprovalCore):
    """Setting and clearing backup handlers."""

    def set_backup_handler(
        self, principal: Principal, dept: str, absent: str, backup: str, *, clear: bool = False
    ) -> BackupHandler | None:
        """AB 角: the department admin names (or clears) the backup of an absent handler."""
        dept = dept or principal.dept
        authz.require_dept_admin(principal, principal.tenant, dept)
        absent, backup = absent.strip(), backup.strip()
        if not absent or (not clear and not backup):
            raise InvalidArgument("请指定不在岗人员和代班（B 角）人员。", fields={"backup_subject": "必填"})
        if absent == backup:
            raise InvalidArgument("代班人员不能是不在岗人员本人。", fields={"backup_subject": "须为他人"})
        with self.db.transaction() as session:
            row = session.get(BackupHandler, (dept, absent))
            if clear:
                if row is not None:
                    session.delete(row)
                return None
            if row is None:
                row = BackupHandler(dept=dept, absent=absent, tenant=principal.tenant)
                session.add(row)
            row.backup, row.set_by, row.set_at = backup, principal.subject, self.now()
            return row
