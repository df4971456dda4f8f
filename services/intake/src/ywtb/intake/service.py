"""Intake use cases; each public method is one transaction (the catalogue is read before it opens)."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ywtb.api.catalog.v1 import catalog_pb2
from ywtb.api.intake.v1 import events_pb2
from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import WorkCalendar, local_date
from ywtb.common.db import Database
from ywtb.common.errors import (
    Conflict,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from ywtb.common.pii import decrypt, derive_key, encrypt, mask_id_number, mask_phone
from ywtb.common.timestamps import aware
from ywtb.intake import applicants, authz, convert
from ywtb.intake.applicants import LEGAL_PERSON_TYPES
from ywtb.intake.case_numbers import format_case_number, next_sequence
from ywtb.intake.catalog_client import CatalogClient, bundle_snapshot, item_snapshot
from ywtb.intake.completeness import missing_deficiencies, required_missing, validate_form
from ywtb.intake.config import DEFAULT_CASE_NUMBER_PATTERN
from ywtb.intake.events import publish
from ywtb.intake.identity_client import IdentityClient
from ywtb.intake.models import Case, MaterialFile
from ywtb.intake.storage import MaterialStorage, check_upload

Clock = Callable[[], datetime]
MAX_PAGE = 200


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _invalid(field_name: str, message: str, message_en: str = "") -> InvalidArgument:
    return InvalidArgument(message, message_en=message_en or None, fields={field_name: message})


@dataclass
class ApplicantIn:
    """The applicant as the caller gives it (see intake.proto Applicant)."""

    applicant_type: int = 0
    name: str = ""
    id_type: str = ""
    id_number: str = ""
    credit_code: str = ""
    contact_name: str = ""
    contact_mobile: str = ""


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


class IntakeService:
    """Applications: submit, completeness notice, supplement, accept, reject, deemed acceptance."""

    def __init__(
        self,
        db: Database,
        catalog: CatalogClient,
        identity: IdentityClient,
        storage: MaterialStorage,
        *,
        pii_secret: str,
        calendar: WorkCalendar | None = None,
        clock: Clock = _utc_now,
        max_upload_bytes: int = 10 * 1024 * 1024,
        case_number_pattern: str = DEFAULT_CASE_NUMBER_PATTERN,
        deemed_acceptance_workdays: int = 5,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.identity = identity
        self.storage = storage
        self._pii_key = derive_key(pii_secret, "intake-pii-encryption")
        self.calendar = calendar or WorkCalendar()
        self._clock = clock
        self.max_upload_bytes = max_upload_bytes
        self.case_number_pattern = case_number_pattern
        self.deemed_acceptance_workdays = deemed_acceptance_workdays

    def clock(self) -> datetime:
        """Now, in UTC (the injected clock may use any zone)."""
        return self._clock().astimezone(UTC)

    # 材料 materials

    def upload_material(self, principal: Principal, file_name: str, content: bytes) -> MaterialFile:
        """Store one file (≤ the size limit, PDF/JPEG/PNG/OFD by its content) with its SHA-256."""
        if not principal.has_role(*authz.APPLICANT_ROLES, *authz.CLERK_ROLES):
            raise PermissionDenied("请以申请人或窗口受理人员身份登录后上传材料。", message_en="cannot upload")
        content_type, digest = check_upload(content, self.max_upload_bytes)
        name = (file_name or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:255] or "material"
        row = MaterialFile(
            id=str(uuid.uuid4()),
            tenant=principal.tenant or "000000",
            uploaded_by=principal.subject,
            file_name=name,
            content_type=content_type,
            size=len(content),
            sha256=digest,
            storage=self.storage.kind,
            case_no=None,
            uploaded_at=self.clock(),
        )
        with self.db.transaction() as session:
            session.add(row)
            self.storage.save(session, row.id, content)
        return row

    def read_material(self, principal: Principal, file_id: str) -> tuple[MaterialFile, bytes]:
        """A file's metadata and content, for its uploader or whoever may read its case."""
        with self.db.transaction() as session:
            row = session.get(MaterialFile, file_id)
            if row is None:
                raise NotFound("未找到该材料文件。", code="MATERIAL_NOT_FOUND")
            case = session.get(Case, row.case_no) if row.case_no else None
            if row.uploaded_by != principal.subject and (case is None or not authz.can_read(principal, case)):
                raise PermissionDenied("您无权查看该材料。", message_en="material out of scope")
            return row, self.storage.load(session, file_id)

    def case_files(self, principal: Principal, case_no: str) -> list[tuple[str, MaterialFile]]:
        """(material name, file) of every file given for the case, for whoever may read it."""
        with self.db.transaction() as session:
            case = self._readable(session, principal, case_no)
            rows = {
                row.id: row
                for row in session.scalars(select(MaterialFile).where(MaterialFile.case_no == case.case_no))
            }
            return [
                (name, rows[file_id])
                for name, file_ids in case.materials.items()
                for file_id in file_ids
                if file_id in rows
            ]

    def case_file(self, principal: Principal, case_no: str, file_id: str) -> tuple[MaterialFile, bytes]:
        """One file of the case with its content, for whoever may read the case (GetCase's rule)."""
        with self.db.transaction() as session:
            case = self._readable(session, principal, case_no)
            row = session.get(MaterialFile, file_id)
            given = {i for ids in case.materials.values() for i in ids}
            if row is None or row.case_no != case.case_no or file_id not in given:
                raise NotFound("该办件中没有这份材料，请刷新办件详情后重试。", code="MATERIAL_NOT_FOUND")
            return row, self.storage.load(session, file_id)

    # 申办 submit

    def submit(self, principal: Principal, submission: Submission) -> tuple[Case, bool]:
        """申办: create the case (or return the one this idempotency key created); True when replayed."""
        channel = submission.channel or pb.CHANNEL_ONLINE
        if channel not in (pb.CHANNEL_ONLINE, pb.CHANNEL_WINDOW):
            raise _invalid("channel", "申办渠道不正确。", "unknown channel")
        self._check_submitter(principal, channel)
        key = submission.idempotency_key.strip()
        if channel == pb.CHANNEL_ONLINE and not key:
            raise _invalid("idempotency_key", "缺少幂等键（Idempotency-Key），请刷新页面后重新提交。")
        if len(key) > 128:
            raise _invalid("idempotency_key", "幂等键不能超过128个字符。")
        request_hash = _request_hash(submission, channel)
        if key:
            existing = self._replay(principal, key, request_hash)
            if existing is not None:
                return existing, True

        bundle_code = submission.bundle_code.strip()
        bundle_items: list[dict[str, Any]] = []
        if bundle_code:
            if submission.item_id or submission.item_version:
                raise _invalid(
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
        now = self.clock()
        try:
            with self.db.transaction() as session:
                materials = self._attach(session, principal, item, submission.materials, case_no=None)
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
                self._mark_attached(session, materials, case_no)
                self._publish_submitted(session, case)
                if any(not m["may_be_missing"] for m in required_missing(item, materials)):
                    self._notify(session, case, missing_deficiencies(item, materials), automatic=True)
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
            if case is not None and case.request_hash != request_hash:
                raise Conflict(
                    "该幂等键已用于另一份申请，请刷新页面后重新提交。",
                    code="IDEMPOTENCY_KEY_REUSED",
                    message_en="idempotency key reused for a different submission",
                )
            return case

    def _applicant(
        self, principal: Principal, channel: int, given: ApplicantIn, item: dict[str, Any]
    ) -> dict[str, Any]:
        """The applicant columns: online from identity (the person or their company), at a window as checked."""
        # An agent may also apply as the natural person they are: it is the request that names a legal person.
        legal = bool(given.credit_code or given.applicant_type in LEGAL_PERSON_TYPES)
        mobile = given.contact_mobile.strip()
        if mobile and not (len(mobile) == 11 and mobile.isdigit() and mobile.startswith("1")):
            raise _invalid("applicant.contact_mobile", "联系电话应为11位手机号码，请核对后重新填写。")
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

    def applicant_id_number(self, case: Case) -> str:
        """The applicant's certificate number in clear (for upward reporting; never logged)."""
        return decrypt(case.applicant_id_enc, self._pii_key, b"case.applicant_id")

    def _attach(
        self,
        session: Session,
        principal: Principal,
        item: dict[str, Any],
        given: dict[str, list[str]],
        *,
        case_no: str | None,
    ) -> dict[str, list[str]]:
        """Check the referenced files (the caller's, not attached elsewhere, for materials of the item)."""
        names = {m["name"] for m in item["materials"]}
        result: dict[str, list[str]] = {}
        fields: dict[str, str] = {}
        for name, file_ids in given.items():
            if name not in names:
                fields[f"materials.{name}"] = f"“{name}”不是该事项的申请材料，请按材料清单上传。"
                continue
            for file_id in file_ids:
                row = session.get(MaterialFile, file_id)
                if row is None or row.uploaded_by != principal.subject:
                    fields[f"materials.{name}"] = "材料文件不存在或不是您上传的，请重新上传。"
                elif row.case_no not in (None, case_no):
                    fields[f"materials.{name}"] = "该文件已用于其他办件，请重新上传。"
                elif file_id not in result.get(name, []):
                    result.setdefault(name, []).append(file_id)
        if fields:
            raise InvalidArgument(
                "申请材料有误，请按提示修改后重新提交。", code="MATERIALS_INVALID", fields=fields
            )
        return result

    @staticmethod
    def _mark_attached(session: Session, materials: dict[str, list[str]], case_no: str) -> None:
        for file_ids in materials.values():
            for file_id in file_ids:
                session.get(MaterialFile, file_id).case_no = case_no  # type: ignore[union-attr]

    # 一次性告知 and 补正

    def request_correction(
        self, principal: Principal, case_no: str, deficiencies: list[tuple[str, str]]
    ) -> Case:
        """补正告知: one notice with the clerk's findings and every missing required material."""
        with self.db.transaction() as session:
            case = self._locked(session, case_no)
            authz.require_clerk(principal, case)
            self._require_status(case, pb.CASE_STATUS_SUBMITTED, "补正告知")
            notice: list[dict[str, str]] = []
            for subject, requirement in deficiencies:
                subject, requirement = subject.strip(), requirement.strip()
                if not subject or not requirement:
                    raise _invalid("deficiencies", "每一项补正内容都须写明材料（或事项）和补正要求。")
                notice.append({"subject": subject[:200], "requirement": requirement[:1000]})
            listed = {d["subject"] for d in notice}
            notice += [
                d for d in missing_deficiencies(case.item, case.materials) if d["subject"] not in listed
            ]
            if not notice:
                raise _invalid("deficiencies", "请列明需要补正的全部内容（一次性告知）。")
            case.handled_by = principal.subject
            self._notify(session, case, notice, automatic=False)
            return case

    def _notify(self, session: Session, case: Case, notice: list[dict[str, str]], *, automatic: bool) -> None:
        now = self.clock()
        case.status = pb.CASE_STATUS_CORRECTION_REQUESTED
        case.deficiencies = notice
        case.correction_round += 1
        case.updated_at = now
        session.flush()
        publish(
            session,
            events_pb2.CaseCorrectionRequested(
                case_no=case.case_no,
                tenant=case.tenant,
                dept=case.dept,
                deficiencies=[pb.Deficiency(**d) for d in notice],
                correction_round=case.correction_round,
                requested_at=convert.timestamp(now),
                automatic=automatic,
            ),
            case_no=case.case_no,
            tenant=case.tenant,
        )

    def supplement(
        self,
        principal: Principal,
        case_no: str,
        materials: dict[str, list[str]],
        form_data: dict[str, Any] | None,
    ) -> Case:
        """补正: add the asked-for materials (and corrected form) and resubmit; the 5-day clock restarts."""
        with self.db.transaction() as session:
            case = self._locked(session, case_no)
            authz.require_applicant_or_clerk(principal, case)
            self._require_status(case, pb.CASE_STATUS_CORRECTION_REQUESTED, "补正")
            if form_data is not None:
                validate_form(case.item["form_schema"], form_data)
                case.form_data = form_data
            added = self._attach(session, principal, case.item, materials, case_no=case.case_no)
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
            self._mark_attached(session, added, case.case_no)
            now = self.clock()
            case.materials = merged
            case.status = pb.CASE_STATUS_SUBMITTED
            case.deficiencies = []
            case.received_at = now
            case.updated_at = now
            session.flush()
            self._publish_submitted(session, case)
            return case

    # 受理 / 不予受理

    def accept(
        self,
        principal: Principal,
        case_no: str,
        mode: int = pb.ACCEPTANCE_MODE_NORMAL,
        *,
        supply_workdays: int = 0,
        promise_signed: bool = False,
        opinion: str = "",
    ) -> Case:
        """受理 (normal, 容缺 or 告知承诺) with the promised completion date in working days."""
        mode = mode or pb.ACCEPTANCE_MODE_NORMAL
        with self.db.transaction() as session:
            case = self._locked(session, case_no)
            authz.require_clerk(principal, case)
            self._require_status(case, pb.CASE_STATUS_SUBMITTED, "受理")
            now = self.clock()
            promised = self.promised_date(case.item, now)
            missing = [m["name"] for m in required_missing(case.item, case.materials)]
            deadline: date | None = None
            if mode == pb.ACCEPTANCE_MODE_NORMAL:
                if missing:
                    raise FailedPrecondition(
                        "申请材料不齐全（缺少："
                        + "、".join(missing)
                        + "），请一次性告知补正，或按容缺受理。",
                        code="MATERIALS_MISSING",
                    )
            elif mode == pb.ACCEPTANCE_MODE_TOLERANT:
                deadline = self._tolerance(case, missing, supply_workdays, promise_signed, now, promised)
            elif mode == pb.ACCEPTANCE_MODE_COMMITMENT:
                if not promise_signed:
                    raise _invalid("promise_signed", "告知承诺受理须由申请人签署书面承诺书。")
            else:
                raise _invalid("mode", "受理方式不正确。")
            self._accept(
                session,
                case,
                mode,
                now,
                promised,
                [] if mode == pb.ACCEPTANCE_MODE_NORMAL else missing,
                deadline,
            )
            case.promise_signed = promise_signed and mode != pb.ACCEPTANCE_MODE_NORMAL
            case.handled_by = principal.subject
            case.opinion = opinion.strip()[:1000]
            self._publish_accepted(session, case)
            return case

    def _tolerance(
        self,
        case: Case,
        missing: list[str],
        supply_workdays: int,
        promise_signed: bool,
        now: datetime,
        promised: date,
    ) -> date:
        """容缺: only minor materials missing, a signed promise, a deadline not after the promised date."""
        if not missing:
            raise FailedPrecondition("材料已齐全，无需容缺受理，请直接受理。", code="NOTHING_MISSING")
        major = [m["name"] for m in required_missing(case.item, case.materials) if not m["may_be_missing"]]
        if major:
            raise FailedPrecondition(
                "以下主要材料不可容缺：" + "、".join(major) + "，请一次性告知申请人补正。",
                code="NOT_TOLERABLE",
            )
        if not promise_signed:
            raise _invalid("promise_signed", "容缺受理须由申请人签署容缺承诺书。")
        if supply_workdays < 1:
            raise _invalid("supply_workdays", "请填写容缺材料的补齐期限（工作日）。")
        deadline = self.calendar.add_workdays(now, supply_workdays)
        if deadline > promised:
            message = f"补齐期限（{deadline.isoformat()}）不得晚于承诺办结日期（{promised.isoformat()}），请缩短期限。"
            raise _invalid("supply_workdays", message)
        return deadline

    def _accept(
        self,
        session: Session,
        case: Case,
        mode: int,
        accepted_at: datetime,
        promised: date,
        pending: list[str],
        deadline: date | None,
    ) -> None:
        case.status = pb.CASE_STATUS_ACCEPTED
        case.acceptance_mode = mode
        case.accepted_at = accepted_at
        case.promised_date = promised
        case.pending_materials = pending
        case.supply_deadline = deadline
        case.deficiencies = []
        case.updated_at = self.clock()

    def promised_date(self, item: dict[str, Any], accepted_at: datetime) -> date:
        """The promised completion date: same day for instant items, else the promised limit counted.

        一件事: the latest of the bundled items' promised dates (they are approved in parallel)."""
        return self._promised(self._governing(item, accepted_at), accepted_at)

    def _governing(self, item: dict[str, Any], accepted_at: datetime) -> dict[str, Any]:
        """The item (or, for a bundle, the bundled item) whose promised limit ends last."""
        parts = item.get("parts") or []
        if not parts:
            return item
        return max(parts, key=lambda part: self._promised(part, accepted_at))

    def _promised(self, item: dict[str, Any], accepted_at: datetime) -> date:
        day = local_date(accepted_at, self.calendar.tz)
        limit = item["promised_limit"]
        if item["case_type"] == catalog_pb2.CASE_TYPE_INSTANT or limit["value"] <= 0:
            return day
        if limit["unit"] == catalog_pb2.TIME_UNIT_NATURAL_DAY:
            last = day + timedelta(days=limit["value"])
            while not self.calendar.is_workday(last):  # a limit never ends on a holiday
                last += timedelta(days=1)
            return last
        return self.calendar.add_workdays(day, limit["value"])

    def reject(self, principal: Principal, case_no: str, reason: str) -> Case:
        """不予受理 with a mandatory reason shown to the applicant."""
        reason = (reason or "").strip()
        if len(reason) < 2 or len(reason) > 1000:
            raise _invalid("reason", "请填写不予受理的理由（2至1000个字），并告知申请人依法享有的权利。")
        with self.db.transaction() as session:
            case = self._locked(session, case_no)
            authz.require_clerk(principal, case)
            if case.status not in (pb.CASE_STATUS_SUBMITTED, pb.CASE_STATUS_CORRECTION_REQUESTED):
                raise FailedPrecondition(
                    "该办件已受理或已不予受理，不能再作不予受理决定。", code="CASE_CLOSED"
                )
            now = self.clock()
            case.status = pb.CASE_STATUS_REJECTED
            case.rejected_at = now
            case.reject_reason = reason
            case.handled_by = principal.subject
            case.updated_at = now
            session.flush()
            publish(
                session,
                events_pb2.CaseRejected(
                    case_no=case.case_no,
                    tenant=case.tenant,
                    dept=case.dept,
                    item_id=case.item_id,
                    reason=reason,
                    rejected_at=convert.timestamp(now),
                    rejected_by=principal.subject,
                ),
                case_no=case.case_no,
                tenant=case.tenant,
            )
            return case

    # 逾期视为受理 (Administrative Licensing Law art. 32)

    def deem_overdue(self) -> list[str]:
        """Accept, as of receipt, every submission nobody handled within the deemed-acceptance limit."""
        now = self.clock()
        horizon = now - timedelta(days=self.deemed_acceptance_workdays)  # calendar days never exceed workdays
        with self.db.transaction() as session:
            candidates = list(
                session.scalars(
                    select(Case.case_no)
                    .where(Case.status == pb.CASE_STATUS_SUBMITTED, Case.received_at <= horizon)
                    .order_by(Case.received_at)
                    .limit(500)
                )
            )
        done: list[str] = []
        for case_no in candidates:
            with self.db.transaction() as session:
                case = self._locked(session, case_no)
                received = aware(case.received_at)
                if case.status != pb.CASE_STATUS_SUBMITTED:
                    continue
                if now <= self.calendar.deadline(received, self.deemed_acceptance_workdays):
                    continue
                missing = [m["name"] for m in required_missing(case.item, case.materials)]
                self._accept(
                    session,
                    case,
                    pb.ACCEPTANCE_MODE_NORMAL,
                    received,
                    self.promised_date(case.item, received),
                    missing,
                    None,
                )
                case.deemed_accepted = True
                case.handled_by = ""
                self._publish_accepted(session, case)
                done.append(case_no)
        return done

    def run_deemed_acceptance(self, stop: threading.Event, *, interval_s: float = 60.0) -> None:
        """The worker loop: check overdue submissions until stopped."""
        while not stop.is_set():
            self.deem_overdue()
            stop.wait(interval_s)

    # reads

    def get_case(self, principal: Principal, case_no: str) -> Case:
        """One case for whoever may read it; others get NotFound-equivalent PermissionDenied."""
        with self.db.transaction() as session:
            return self._readable(session, principal, case_no)

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
            raise _invalid("tenant", "请指定地区（6位行政区划代码）。")
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

    # helpers

    @staticmethod
    def _readable(session: Session, principal: Principal, case_no: str) -> Case:
        """The case if the principal may read it (applicant, its department's staff, supervisors)."""
        case = session.get(Case, case_no)
        if case is None:
            raise NotFound("未找到该办件，请核对办件编号。", code="CASE_NOT_FOUND")
        if not authz.can_read(principal, case):
            raise PermissionDenied("您无权查看该办件。", message_en="case out of scope")
        return case

    @staticmethod
    def _locked(session: Session, case_no: str) -> Case:
        case = session.scalar(select(Case).where(Case.case_no == case_no).with_for_update())
        if case is None:
            raise NotFound("未找到该办件，请核对办件编号。", code="CASE_NOT_FOUND")
        return case

    @staticmethod
    def _require_status(case: Case, status: int, action: str) -> None:
        if case.status != status:
            current = pb.CaseStatus.Name(case.status).removeprefix("CASE_STATUS_")
            raise FailedPrecondition(
                f"办件当前状态不能{action}，请刷新查看最新办理状态。",
                code="CASE_STATE",
                message_en=f"cannot {action} a case in status {current}",
            )

    def _publish_submitted(self, session: Session, case: Case) -> None:
        publish(
            session,
            events_pb2.CaseSubmitted(
                case_no=case.case_no,
                tenant=case.tenant,
                dept=case.dept,
                item_id=case.item_id,
                item_version=case.item_version,
                implementation_code=case.item["implementation_code"],
                channel=case.channel,
                applicant_type=case.applicant_type,
                received_at=convert.timestamp(case.received_at),
                correction_round=case.correction_round,
            ),
            case_no=case.case_no,
            tenant=case.tenant,
        )

    def _publish_accepted(self, session: Session, case: Case) -> None:
        session.flush()
        item = case.item
        governing = self._governing(item, case.accepted_at or self.clock())
        publish(
            session,
            events_pb2.CaseAccepted(
                case_no=case.case_no,
                tenant=case.tenant,
                dept=case.dept,
                item_id=case.item_id,
                item_version=case.item_version,
                process=item["process"],
                case_type=governing["case_type"],
                promised_limit=catalog_pb2.TimeLimit(**governing["promised_limit"]),
                legal_limit=catalog_pb2.TimeLimit(**governing["legal_limit"]),
                accepted_at=convert.timestamp(case.accepted_at),
                promised_completion_date=case.promised_date.isoformat() if case.promised_date else "",
                acceptance_mode=case.acceptance_mode,
                pending_materials=case.pending_materials,
                supply_deadline=case.supply_deadline.isoformat() if case.supply_deadline else "",
                deemed_accepted=case.deemed_accepted,
                channel=case.channel,
                applicant_type=case.applicant_type,
                accepted_by=case.handled_by,
                applicant_id=case.owner,
                items=[convert.bundle_item(i) for i in case.bundle_items or []],
                bundle_code=case.bundle_code or "",
            ),
            case_no=case.case_no,
            tenant=case.tenant,
        )


def _request_hash(submission: Submission, channel: int) -> str:
    """A digest of what was submitted, to tell a retry from a different application under the same key."""
    body = {
        "item": [submission.item_id, submission.item_version, channel],
        "bundle": submission.bundle_code.strip(),
        "applicant": submission.applicant.__dict__,
        "form": submission.form_data,
        "materials": {k: sorted(v) for k, v in sorted(submission.materials.items())},
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
