"""The approval service: its use cases, one file each; each public method is one transaction."""

from __future__ import annotations

from ywtb.approval.backups import Backups
from ywtb.approval.core import CaseView, TaskView
from ywtb.approval.procedures import Procedures
from ywtb.approval.reads import CaseReads
from ywtb.approval.starting import CaseStarts
from ywtb.approval.tasks import TaskHandling
from ywtb.approval.timeouts import Timeouts

__all__ = ["ApprovalService", "CaseView", "TaskView"]


class ApprovalService(CaseStarts, TaskHandling, Timeouts, Procedures, Backups, CaseReads):
    """Workflow instances of accepted cases, task lists, steps, special procedures, deadlines."""
