"""The intake service: its use cases, one file each; each public method is one transaction."""

from __future__ import annotations

from ywtb.intake.acceptance import Acceptance
from ywtb.intake.applicants import ApplicantIn
from ywtb.intake.correction import Corrections
from ywtb.intake.materials import Materials
from ywtb.intake.reads import CaseReads
from ywtb.intake.submission import Submission, Submissions

__all__ = ["ApplicantIn", "IntakeService", "Submission"]


class IntakeService(Materials, Submissions, Corrections, Acceptance, CaseReads):
    """Applications: submit, completeness notice, supplement, accept, reject, deemed acceptance."""
