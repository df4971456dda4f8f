"""Intake rows to their protobuf messages and back (the one place that knows both)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf import json_format
from google.protobuf.struct_pb2 import Struct

from ywtb.api.intake.v1 import intake_pb2 as pb
from ywtb.common.timestamps import timestamp
from ywtb.intake.models import Case, MaterialFile


def struct(data: dict[str, Any]) -> Struct:
    """A JSON object as a Struct."""
    value = Struct()
    value.update(data)
    return value


def struct_to_dict(value: Struct) -> dict[str, Any]:
    """A Struct as plain JSON (integral numbers stay numbers: JSON Schema "integer" accepts 3.0)."""
    return json_format.MessageToDict(value)


def materials_in(given: Any) -> dict[str, list[str]]:
    """Repeated MaterialSubmission as {material name: [file ids]} (repeats of a name are merged)."""
    result: dict[str, list[str]] = {}
    for entry in given:
        result.setdefault(entry.material_name.strip(), []).extend(
            i.strip() for i in entry.file_ids if i.strip()
        )
    return result


def uploaded_file(row: MaterialFile) -> pb.UploadedFile:
    return pb.UploadedFile(
        id=row.id,
        file_name=row.file_name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=timestamp(row.uploaded_at),
        trust_grade=row.trust_grade or "C",
        licence_identifier=row.licence_identifier or "",
    )


def bundle_item(item: dict[str, Any]) -> pb.BundleItem:
    """One bundled item as recorded on a case."""
    return pb.BundleItem(
        item_id=item["item_id"],
        item_version=item["version"],
        dept=item["dept"],
        code=item["code"],
        name=item.get("name", ""),
    )


def case(row: Case, acceptance_deadline: datetime | None = None) -> pb.Case:
    """A case as callers see it: certificate number and mobile masked; the deemed-acceptance deadline given."""
    item = row.item
    return pb.Case(
        case_no=row.case_no,
        tenant=row.tenant,
        dept=row.dept,
        item_id=row.item_id,
        item_version=row.item_version,
        item_name=item["name"],
        implementation_code=item["implementation_code"],
        process=item["process"],
        case_type=item["case_type"],
        channel=pb.Channel.ValueType(row.channel),
        status=pb.CaseStatus.ValueType(row.status),
        applicant=pb.Applicant(
            applicant_type=row.applicant_type,
            name=row.applicant_name,
            id_type=row.applicant_id_type,
            id_number=row.applicant_id_masked,
            credit_code=row.credit_code,
            contact_name=row.contact_name,
            contact_mobile=row.contact_mobile_masked,
        ),
        owner=row.owner,
        submitted_by=row.submitted_by,
        identity_check=pb.IdentityCheck.ValueType(row.identity_check),
        applicant_real_name_level=row.applicant_real_name_level,
        form_data=struct(row.form_data),
        materials=[pb.MaterialSubmission(material_name=k, file_ids=v) for k, v in row.materials.items()],
        deficiencies=[pb.Deficiency(**d) for d in row.deficiencies],
        correction_round=row.correction_round,
        submitted_at=timestamp(row.submitted_at),
        received_at=timestamp(row.received_at),
        accepted_at=timestamp(row.accepted_at),
        promised_completion_date=row.promised_date.isoformat() if row.promised_date else "",
        acceptance_mode=pb.AcceptanceMode.ValueType(row.acceptance_mode),
        pending_materials=row.pending_materials,
        supply_deadline=row.supply_deadline.isoformat() if row.supply_deadline else "",
        promise_signed=row.promise_signed,
        deemed_accepted=row.deemed_accepted,
        rejected_at=timestamp(row.rejected_at),
        reject_reason=row.reject_reason,
        handled_by=row.handled_by,
        opinion=row.opinion,
        bundle_code=row.bundle_code or "",
        bundle_items=[bundle_item(i) for i in row.bundle_items or []],
        acceptance_deadline=timestamp(acceptance_deadline),
    )


def case_holder(row: Case, holder_code: str, fields: list[str]) -> pb.GetCaseHolderResponse:
    """Who a licence issued on the case belongs to: the applicant, or the organisation it applied for."""
    return pb.GetCaseHolderResponse(
        case_no=row.case_no,
        tenant=row.tenant,
        dept=row.dept,
        dept_name=str(row.item.get("dept_name", "")),
        item_id=row.item_id,
        item_version=row.item_version,
        item_name=str(row.item.get("name", "")),
        applicant_type=row.applicant_type,
        holder_name=row.applicant_name,
        holder_code_type=row.applicant_id_type,
        holder_code=holder_code,
        owner=row.owner,
        values={k: str(row.form_data[k]) for k in fields if row.form_data.get(k) not in (None, "")},
    )
