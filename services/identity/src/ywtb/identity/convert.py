"""Identity rows to their protobuf messages (the one place that knows both)."""

from __future__ import annotations

from ywtb.api.identity.v1 import identity_pb2
from ywtb.common.timestamps import timestamp
from ywtb.identity.models import AgentAuthorisation, Department, LegalPerson, Person, Staff, Tenant


def tenant(row: Tenant) -> identity_pb2.Tenant:
    return identity_pb2.Tenant(
        code=row.code,
        name=row.name,
        parent_code=row.parent_code or "",
        level=identity_pb2.TenantLevel.ValueType(row.level),
        onboarded_at=timestamp(row.onboarded_at),
    )


def department(row: Department) -> identity_pb2.Department:
    return identity_pb2.Department(
        credit_code=row.credit_code,
        tenant=row.tenant,
        name=row.name,
        short_name=row.short_name,
        created_at=timestamp(row.created_at),
    )


def staff(row: Staff) -> identity_pb2.Staff:
    account = row.account  # type: ignore[attr-defined]
    return identity_pb2.Staff(
        id=row.id,
        tenant=row.tenant,
        dept=row.dept,
        username=account.username,
        name=row.name,
        roles=row.roles,
        mobile_masked=row.mobile_masked,
        status=account.status,
        status_reason=account.status_reason,
        created_at=timestamp(row.created_at),
    )


def person(row: Person, id_number: str) -> identity_pb2.Person:
    account = row.account  # type: ignore[attr-defined]
    return identity_pb2.Person(
        id=row.id,
        name=row.name,
        id_number=id_number,
        mobile_masked=row.mobile_masked,
        real_name_level=row.real_name_level,
        factors=[identity_pb2.FactorType.ValueType(t) for t in row.factor_types],
        username=account.username,
        status=account.status,
        registered_at=timestamp(row.registered_at),
    )


def legal_person(row: LegalPerson) -> identity_pb2.LegalPerson:
    return identity_pb2.LegalPerson(
        credit_code=row.credit_code,
        name=row.name,
        applicant_type=row.applicant_type,
        representative_name=row.representative_name,
        tenant=row.tenant,
        registered_at=timestamp(row.registered_at),
    )


def authorisation(row: AgentAuthorisation) -> identity_pb2.AgentAuthorisation:
    return identity_pb2.AgentAuthorisation(
        credit_code=row.credit_code,
        person_id=row.person_id,
        valid_until=timestamp(row.valid_until),
        granted_by=row.granted_by,
        granted_at=timestamp(row.granted_at),
    )
