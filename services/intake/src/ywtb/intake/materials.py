"""材料: uploading files before a submission, reading a case's files (GetCase's rule)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ywtb.common.auth.principal import Principal
from ywtb.common.codes import validate_credit_code
from ywtb.common.errors import InvalidArgument, NotFound, PermissionDenied, Unavailable
from ywtb.intake import authz
from ywtb.intake.core import IntakeCore
from ywtb.intake.models import Case, MaterialFile
from ywtb.intake.storage import check_upload


class Materials(IntakeCore):
    """Material files."""

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
            uploaded_at=self.now(),
        )
        with self.db.transaction() as session:
            session.add(row)
            self.storage.save(session, row.id, content)
        return row

    def attach_licence(
        self,
        principal: Principal,
        identifier: str,
        type_name: str,
        credit_code: str = "",
        consent: bool = False,
    ) -> MaterialFile:
        """一证通办: the applicant's own e-licence (a company's for its agent) stored as a material file,
        trust grade A, for a submission to reference like an upload."""
        if not principal.has_role(*authz.APPLICANT_ROLES):
            raise PermissionDenied("请以申请人身份登录后调取本人的电子证照。", message_en="applicants only")
        if not consent:
            message = "调取电子证照须经您同意，请勾选“同意调取我的电子证照”。"
            raise InvalidArgument(message, code="LICENCE_CONSENT_REQUIRED", fields={"consent": message})
        if self.licences is None:
            raise Unavailable("电子证照服务暂不可用，请上传材料后申报。")
        code = validate_credit_code(credit_code, "credit_code") if credit_code.strip() else ""
        reply = self.identity.applicant(principal, code)
        holder_code = reply.legal_person.credit_code if code else reply.person.id_number
        held = self.licences.held(identifier, holder_code, type_name)
        content_type, digest = check_upload(held.file, max(self.max_upload_bytes, len(held.file)))
        row = MaterialFile(
            id=str(uuid.uuid4()),
            tenant=principal.tenant or "000000",
            uploaded_by=principal.subject,
            file_name=f"{held.licence.type_name}-{held.licence.licence_no}.pdf",
            content_type=content_type,
            size=len(held.file),
            sha256=digest,
            storage=self.storage.kind,
            case_no=None,
            uploaded_at=self.now(),
            trust_grade="A",
            licence_identifier=held.licence.identifier,
        )
        with self.db.transaction() as session:
            session.add(row)
            self.storage.save(session, row.id, held.file)
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
            case = self.readable(session, principal, case_no)
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
            case = self.readable(session, principal, case_no)
            row = session.get(MaterialFile, file_id)
            given = {i for ids in case.materials.values() for i in ids}
            if row is None or row.case_no != case.case_no or file_id not in given:
                raise NotFound("该办件中没有这份材料，请刷新办件详情后重试。", code="MATERIAL_NOT_FOUND")
            return row, self.storage.load(session, file_id)
