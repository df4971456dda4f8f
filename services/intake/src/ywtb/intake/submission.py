"""申办: an application submitted online (in the applicant's own name) or at a window, idempotent by key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import local_date
from ywtb.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from ywtb.common.idempotency import idempotency_key, request_digest, require_same_request
from ywtb.common.pii import encrypt, mask_id_number, mask_phone
from ywtb.intake import applicants, authz
from ywtb.intake.applicants import LEGAL_PERSON_TYPES, ApplicantIn
from ywtb.intake.case_numbers import format_case_number, next_sequence
from ywtb.intake.catalog_client import bundle_snapshot, item_snapshot
from ywtb.intake.completeness import missing_deficiencies, required_missing, validate_form
from ywtb.intake.core import IntakeCore, invalid
from ywtb.intake.models import Case


@dataclass
class Submission:
    """A submission as the caller gives it."""

    item_id: str
    item_version: int
    channel: int
    applicant: ApplicantIn
    form_data: dict[str, Any]
    materials: dict[str, list[str]] = field(default_factory=dict)
    idempotency_key: str = ""
    bundle_code: str = ""  # 一件事: apply for this bundle instead of one item


class Submissions(IntakeCore):
    """Submitting an application."""

    def submit(self, principal: Principal, submission: Submission) -> tuple[Case, bool]:
        """申办: create the case (or return the one this idempotency key created); True when replayed."""
        channel = submission.channel or pb.CHANNEL_ONLINE
        if channel not in (pb.CHANNEL_ONLINE, pb.CHANNEL_WINDOW):
            raise invalid("channel", "申办渠道不正确。", "unknown channel")
        self._check_submitter(principal, channel)
        key = idempotency_key(submission.idempotency_key, required=channel == pb.CHANNEL_ONLINE)
        request_hash = _request_hash(submission, channel)
        if key:
            existing = self._replay(principal, key, request_hash)
            if existing is not None:
                return existing, True

        bundle_code = submission.bundle_code.strip()
        bundle_items: list[dict[str, Any]] = []
        if bundle_code:
            if submission.item_id or submission.item_version:
                raise invalid(
                    "bundle_code", "申报“一件事”时不能同时指定单个事项。", "item_id with bundle_code"
                )
            item, bundle_items = bundle_snapshot(self.catalog.bundle(bundle_code))
            item_id, item_version = bundle_items[0]["item_id"], bundle_items[0]["version"]
        else:
            guide = self.catalog.get_guide(submission.item_id, submission.item_version)
            item = item_snapshot(guide)
            item_id, item_version = guide.item_id, guide.version
        depts = authz.case_depts(item["dept"], bundle_items)
        if channel == pb.CHANNEL_WINDOW and not authz.is_clerk_of_any(principal, item["tenant"], depts):
            raise PermissionDenied(
                "窗口代办只能由该事项所属部门的窗口受理人员办理。",
                message_en="clerk of the item's department required",
            )
        applicant = self._applicant(principal, channel, submission.applicant, item)
        validate_form(item["form_schema"], submission.form_data)
        now = self.now()
        try:
            with self.db.transaction() as session:
                materials = self.attach(session, principal, item, submission.materials, case_no=None)
                seq = next_sequence(session, item["tenant"], local_date(now))
                case_no = format_case_number(self.case_number_pattern, item["tenant"], local_date(now), seq)
                case = Case(
                    case_no=case_no,
                    tenant=item["tenant"],
                    dept=item["dept"],
                    item_id=item_id,
                    item_version=item_version,
                    item=item,
                    bundle_code=bundle_code,
                    bundle_items=bundle_items,
                    channel=channel,
                    status=pb.CASE_STATUS_SUBMITTED,
                    owner=principal.subject if channel == pb.CHANNEL_ONLINE else "",
                    submitted_by=principal.subject,
                    idempotency_key=key or None,
                    request_hash=request_hash,
                    form_data=submission.form_data,
                    materials=materials,
                    deficiencies=[],
                    correction_round=0,
                    submitted_at=now,
                    received_at=now,
                    acceptance_mode=0,
                    pending_materials=[],
                    promise_signed=False,
                    deemed_accepted=False,
                    reject_reason="",
                    handled_by="",
                    opinion="",
                    updated_at=now,
                    **applicant,
                )
                session.add(case)
                session.flush()
                self.mark_attached(session, materials, case_no)
                self.publish_submitted(session, case)
                if any(not m["may_be_missing"] for m in required_missing(item, materials)):
                    self.notify(session, case, missing_deficiencies(item, materials), automatic=True)
                return case, False
        except (IntegrityError, InvalidArgument):
            # A concurrent retry with the same key may have won: it holds the key and the files.
            existing = self._replay(principal, key, request_hash) if key else None
            if existing is None:
                raise
            return existing, True

    def _check_submitter(self, principal: Principal, channel: int) -> None:
        if channel == pb.CHANNEL_WINDOW:
            if not principal.has_role(*authz.CLERK_ROLES):
                raise PermissionDenied("窗口申办须由窗口受理人员办理。", message_en="window clerk required")
            return
        if not principal.has_role(*authz.APPLICANT_ROLES):
            raise PermissionDenied(
                "请以自然人或法人经办人身份登录后在线申办。",
                message_en="citizen or legal person agent required",
            )

    def _replay(self, principal: Principal, key: str, request_hash: str) -> Case | None:
        with self.db.transaction() as session:
            case = session.scalar(
                select(Case).where(Case.submitted_by == principal.subject, Case.idempotency_key == key)
            )
            if case is not None:
                require_same_request(case.request_hash, request_hash, "份申请")
            return case

    def _applicant(
        self, principal: Principal, channel: int, given: ApplicantIn, item: dict[str, Any]
    ) -> dict[str, Any]:
        """The applicant columns: online from identity (the person or their company), at a window as checked."""
        # An agent may also apply as the natural person they are: it is the request that names a legal person.
        legal = bool(given.credit_code or given.applicant_type in LEGAL_PERSON_TYPES)
        mobile = given.contact_mobile.strip()
        if mobile and not (len(mobile) == 11 and mobile.isdigit() and mobile.startswith("1")):
            raise invalid("applicant.contact_mobile", "联系电话应为11位手机号码，请核对后重新填写。")
        if channel == pb.CHANNEL_ONLINE:
            who = applicants.online(self.identity, principal, given, legal, item)
        else:
            who = applicants.at_window(given, legal)
        objects = item["service_objects"]
        wanted = (
            catalog_pb2.SERVICE_OBJECT_LEGAL_PERSON if legal else catalog_pb2.SERVICE_OBJECT_NATURAL_PERSON
        )
        if objects and wanted not in objects:
            kind = "法人" if legal else "自然人"
            raise FailedPrecondition(
                f"该事项不面向{kind}办理，请核对事项后重新申报。", code="SERVICE_OBJECT_MISMATCH"
            )
        contact_name = given.contact_name.strip() or (
            principal.name if legal and channel == pb.CHANNEL_ONLINE else ""
        )
        return {
            "applicant_type": who.applicant_type,
            "applicant_name": who.name,
            "applicant_id_type": who.id_type,
            "applicant_id_enc": encrypt(who.id_number, self._pii_key, b"case.applicant_id"),
            "applicant_id_masked": who.id_number if legal else mask_id_number(who.id_number),
            "credit_code": who.id_number if legal else "",
            "identity_check": who.check,
            "applicant_real_name_level": who.real_name_level,
            "contact_name": contact_name[:100],
            "contact_mobile_enc": encrypt(mobile, self._pii_key, b"case.contact_mobile") if mobile else "",
            "contact_mobile_masked": mask_phone(mobile) if mobile else "",
        }


def _request_hash(submission: Submission, channel: int) -> str:
    """A digest of what was submitted, to tell a retry from a different application under the same key."""
    body = {
        "item": [submission.item_id, submission.item_version, channel],
        "bundle": submission.bundle_code.strip(),
        "applicant": submission.applicant.__dict__,
        "form": submission.form_data,
        "materials": {k: sorted(v) for k, v in sorted(submission.materials.items())},
    }
    return request_digest(body)
