"""一次性告知 and 补正: one notice listing every deficiency, the applicant's corrected resubmission."""

from __future__ import annotations

from typing import Any

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.auth.principal import Principal
from ywtb.common.errors import FailedPrecondition
from ywtb.intake import authz
from ywtb.intake.completeness import missing_deficiencies, required_missing, validate_form
from ywtb.intake.core import IntakeCore, invalid
from ywtb.intake.models import Case


class Corrections(IntakeCore):
    """Correction notices and supplements."""

    def request_correction(
        self, principal: Principal, case_no: str, deficiencies: list[tuple[str, str]]
    ) -> Case:
        """补正告知: one notice with the clerk's findings and every missing required material."""
        with self.db.transaction() as session:
            case = self.locked(session, case_no)
            authz.require_clerk(principal, case)
            self.require_status(case, pb.CASE_STATUS_SUBMITTED, "补正告知")
            notice: list[dict[str, str]] = []
            for subject, requirement in deficiencies:
                subject, requirement = subject.strip(), requirement.strip()
                if not subject or not requirement:
                    raise invalid("deficiencies", "每一项补正内容都须写明材料（或事项）和补正要求。")
                notice.append({"subject": subject[:200], "requirement": requirement[:1000]})
            listed = {d["subject"] for d in notice}
            notice += [
                d for d in missing_deficiencies(case.item, case.materials) if d["subject"] not in listed
            ]
            if not notice:
                raise invalid("deficiencies", "请列明需要补正的全部内容（一次性告知）。")
            case.handled_by = principal.subject
            self.notify(session, case, notice, automatic=False)
            return case

    def supplement(
        self,
        principal: Principal,
        case_no: str,
        materials: dict[str, list[str]],
        form_data: dict[str, Any] | None,
    ) -> Case:
        """补正: add the asked-for materials (and corrected form) and resubmit; the 5-day clock restarts."""
        with self.db.transaction() as session:
            case = self.locked(session, case_no)
            authz.require_applicant_or_clerk(principal, case)
            self.require_status(case, pb.CASE_STATUS_CORRECTION_REQUESTED, "补正")
            if form_data is not None:
                validate_form(case.item["form_schema"], form_data)
                case.form_data = form_data
            added = self.attach(session, principal, case.item, materials, case_no=case.case_no)
            merged = {name: list(ids) for name, ids in case.materials.items()}
            for name, file_ids in added.items():
                merged[name] = merged.get(name, []) + [i for i in file_ids if i not in merged.get(name, [])]
            still = [m for m in required_missing(case.item, merged) if not m["may_be_missing"]]
            if still:
                fields = {f"materials.{m['name']}": f"请补正{m['name']}。" for m in still}
                raise FailedPrecondition(
                    "补正材料仍不齐全：" + "、".join(m["name"] for m in still) + "，请补齐后再提交。",
                    code="CORRECTION_INCOMPLETE",
                    fields=fields,
                )
            self.mark_attached(session, added, case.case_no)
            now = self.now()
            case.materials = merged
            case.status = pb.CASE_STATUS_SUBMITTED
            case.deficiencies = []
            case.received_at = now
            case.updated_at = now
            session.flush()
            self.publish_submitted(session, case)
            return case
