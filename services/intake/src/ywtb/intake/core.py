"""What every intake use case shares: the service's parts, case reads and locks, acceptance, events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.auth.principal import Principal
from ywtb.common.calendar import WorkCalendar, national_calendar
from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ywtb.common.pii import decrypt, derive_key
from ywtb.intake import authz, events
from ywtb.intake.catalog_client import CatalogClient
from ywtb.intake.config import DEFAULT_CASE_NUMBER_PATTERN
from ywtb.intake.deadlines import deemed_acceptance_deadline, governing_item, promised_date
from ywtb.intake.identity_client import IdentityClient
from ywtb.intake.licence_client import LicenceClient
from ywtb.intake.models import Case, MaterialFile
from ywtb.intake.storage import MaterialStorage

MAX_PAGE = 200


def invalid(field_name: str, message: str, message_en: str = "") -> InvalidArgument:
    """InvalidArgument naming one field."""
    return InvalidArgument(message, message_en=message_en or None, fields={field_name: message})


class IntakeCore(Clocked):
    """The database, catalogue and identity clients, storage, keys, clock and calendar of intake."""

    def __init__(
        self,
        db: Database,
        catalog: CatalogClient,
        identity: IdentityClient,
        storage: MaterialStorage,
        *,
        pii_secret: str,
        calendar: WorkCalendar | None = None,
        clock: Clock = utc_now,
        max_upload_bytes: int = 10 * 1024 * 1024,
        case_number_pattern: str = DEFAULT_CASE_NUMBER_PATTERN,
        deemed_acceptance_workdays: int = 5,
        licences: LicenceClient | None = None,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.identity = identity
        self.licences = licences
        self.storage = storage
        self._pii_key = derive_key(pii_secret, "intake-pii-encryption")
        self.calendar = calendar or national_calendar()
        self.clock = clock
        self.max_upload_bytes = max_upload_bytes
        self.case_number_pattern = case_number_pattern
        self.deemed_acceptance_workdays = deemed_acceptance_workdays

    def applicant_id_number(self, case: Case) -> str:
        """The applicant's certificate number in clear (for the licence holder; never logged)."""
        return decrypt(case.applicant_id_enc, self._pii_key, b"case.applicant_id")

    def acceptance_deadline(self, case: Case) -> datetime | None:
        """While submitted, the end of the last working day to handle it (逾期视为受理 after); else None."""
        if case.status != pb.CASE_STATUS_SUBMITTED:
            return None
        return deemed_acceptance_deadline(
            utc(case.received_at), self.deemed_acceptance_workdays, self.calendar
        )

    def promised_date(self, item: dict[str, Any], accepted_at: datetime) -> date:
        """The promised completion date of an item (一件事: the latest of its parts) accepted then."""
        return promised_date(item, accepted_at, self.calendar)

    def attach(
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
    def mark_attached(session: Session, materials: dict[str, list[str]], case_no: str) -> None:
        """The files now belong to the case."""
        for file_ids in materials.values():
            for file_id in file_ids:
                session.get(MaterialFile, file_id).case_no = case_no  # type: ignore[union-attr]

    def notify(self, session: Session, case: Case, notice: list[dict[str, str]], *, automatic: bool) -> None:
        """一次性告知: the case waits for 补正 with one notice listing everything."""
        now = self.now()
        case.status = pb.CASE_STATUS_CORRECTION_REQUESTED
        case.deficiencies = notice
        case.correction_round += 1
        case.updated_at = now
        session.flush()
        events.stage(session, events.case_correction_requested(case, notice, now, automatic=automatic))

    def mark_accepted(
        self,
        session: Session,
        case: Case,
        mode: int,
        accepted_at: datetime,
        promised: date,
        pending: list[str],
        deadline: date | None,
    ) -> None:
        """The acceptance columns (by a clerk, or deemed as of receipt)."""
        case.status = pb.CASE_STATUS_ACCEPTED
        case.acceptance_mode = mode
        case.accepted_at = accepted_at
        case.promised_date = promised
        case.pending_materials = pending
        case.supply_deadline = deadline
        case.deficiencies = []
        case.updated_at = self.now()

    @staticmethod
    def readable(session: Session, principal: Principal, case_no: str) -> Case:
        """The case if the principal may read it (applicant, its department's staff, supervisors)."""
        case = session.get(Case, case_no)
        if case is None:
            raise NotFound("未找到该办件，请核对办件编号。", code="CASE_NOT_FOUND")
        if not authz.can_read(principal, case):
            raise PermissionDenied("您无权查看该办件。", message_en="case out of scope")
        return case

    @staticmethod
    def locked(session: Session, case_no: str) -> Case:
        """The case, locked for this transaction (FOR UPDATE on PostgreSQL)."""
        case = session.scalar(select(Case).where(Case.case_no == case_no).with_for_update())
        if case is None:
            raise NotFound("未找到该办件，请核对办件编号。", code="CASE_NOT_FOUND")
        return case

    @staticmethod
    def require_status(case: Case, status: int, action: str) -> None:
        """FailedPrecondition unless the case is in `status`."""
        if case.status != status:
            current = pb.CaseStatus.Name(pb.CaseStatus.ValueType(case.status)).removeprefix("CASE_STATUS_")
            raise FailedPrecondition(
                f"办件当前状态不能{action}，请刷新查看最新办理状态。",
                code="CASE_STATE",
                message_en=f"cannot {action} a case in status {current}",
            )

    def publish_submitted(self, session: Session, case: Case) -> None:
        """Stage case.submitted (on submission and on each resubmission after 补正)."""
        events.stage(session, events.case_submitted(case))

    def publish_accepted(self, session: Session, case: Case) -> None:
        """Stage case.accepted with the governing item's limits (what approval starts from)."""
        session.flush()
        item = case.item
        governing = governing_item(item, case.accepted_at or self.now(), self.calendar)
        events.stage(session, events.case_accepted(case, governing))
