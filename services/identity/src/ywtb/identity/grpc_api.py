"""Thin gRPC servicer: proto <-> domain, nothing else."""

from __future__ import annotations

from datetime import UTC

from ywtb.api.identity.v1 import identity_pb2 as pb
from ywtb.api.identity.v1 import identity_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.context import current_principal
from ywtb.common.errors import Unauthenticated
from ywtb.common.grpc import allow, public
from ywtb.common.grpc.diagnostics import principal_to_proto
from ywtb.common.tenancy import (
    APPLICANT_ROLES,
    APPROVER,
    DEPT_ADMIN,
    PLATFORM_ADMIN,
    SERVICE,
    STAFF_ROLES,
    SUPERVISOR,
    TENANT_ADMIN,
    WINDOW_CLERK,
)
from ywtb.identity import convert
from ywtb.identity.service import IdentityService


def _caller() -> Principal:
    principal = current_principal.get()
    if principal is None:
        raise Unauthenticated()
    return principal


class IdentityServicer(identity_pb2_grpc.IdentityServiceServicer):
    """IdentityService over gRPC."""

    def __init__(self, service: IdentityService) -> None:
        self.service = service

    @allow(PLATFORM_ADMIN)
    def OnboardTenant(self, request, context):  # noqa: N802
        tenant = self.service.onboard_tenant(_caller(), request.code, request.name, request.parent_code)
        return pb.OnboardTenantResponse(tenant=convert.tenant(tenant))

    @public
    def GetTenant(self, request, context):  # noqa: N802
        return pb.GetTenantResponse(tenant=convert.tenant(self.service.get_tenant(request.code)))

    @public
    def ListTenants(self, request, context):  # noqa: N802
        tenants = self.service.list_tenants(request.parent_code)
        return pb.ListTenantsResponse(tenants=[convert.tenant(t) for t in tenants])

    @allow(PLATFORM_ADMIN, TENANT_ADMIN)
    def CreateDepartment(self, request, context):  # noqa: N802
        dept = self.service.create_department(
            _caller(), request.tenant, request.credit_code, request.name, request.short_name
        )
        return pb.CreateDepartmentResponse(department=convert.department(dept))

    @allow(*STAFF_ROLES, PLATFORM_ADMIN)
    def ListDepartments(self, request, context):  # noqa: N802
        depts = self.service.list_departments(_caller(), request.tenant)
        return pb.ListDepartmentsResponse(departments=[convert.department(d) for d in depts])

    @allow(PLATFORM_ADMIN, TENANT_ADMIN, DEPT_ADMIN)
    def CreateStaff(self, request, context):  # noqa: N802
        staff, _ = self.service.create_staff(
            _caller(),
            request.dept,
            request.username,
            request.name,
            list(request.roles),
            request.mobile,
            request.initial_password,
        )
        return pb.CreateStaffResponse(staff=convert.staff(staff))

    @allow(*STAFF_ROLES, PLATFORM_ADMIN, SERVICE)
    def GetStaff(self, request, context):  # noqa: N802
        return pb.GetStaffResponse(staff=convert.staff(self.service.get_staff(_caller(), request.id)))

    @allow(PLATFORM_ADMIN, TENANT_ADMIN, SUPERVISOR, DEPT_ADMIN)
    def ListStaff(self, request, context):  # noqa: N802
        staff = self.service.list_staff(_caller(), request.tenant, request.dept)
        return pb.ListStaffResponse(staff=[convert.staff(s) for s in staff])

    @public
    def RegisterPerson(self, request, context):  # noqa: N802
        person = self.service.register_person(
            request.name,
            request.id_number,
            request.mobile,
            [(f.type, f.value) for f in request.factors],
            request.username,
            request.password,
        )
        return pb.RegisterPersonResponse(person=convert.person(person, ""))

    @allow(WINDOW_CLERK)
    def VerifyPerson(self, request, context):  # noqa: N802
        person = self.service.verify_person(_caller(), request.person_id, request.method, request.id_number)
        return pb.VerifyPersonResponse(person=convert.person(person, ""))

    @allow(*APPLICANT_ROLES, WINDOW_CLERK, APPROVER, SERVICE)
    def GetPerson(self, request, context):  # noqa: N802
        person, id_number = self.service.get_person(_caller(), request.id)
        return pb.GetPersonResponse(person=convert.person(person, id_number))

    @allow(WINDOW_CLERK)
    def RegisterLegalPerson(self, request, context):  # noqa: N802
        legal = self.service.register_legal_person(
            _caller(),
            request.credit_code,
            request.name,
            request.applicant_type,
            request.representative_name,
            request.tenant,
        )
        return pb.RegisterLegalPersonResponse(legal_person=convert.legal_person(legal))

    @allow(WINDOW_CLERK)
    def AuthoriseAgent(self, request, context):  # noqa: N802
        valid_until = request.valid_until.ToDatetime(tzinfo=UTC) if request.HasField("valid_until") else None
        grant = self.service.authorise_agent(_caller(), request.credit_code, request.person_id, valid_until)
        return pb.AuthoriseAgentResponse(authorisation=convert.authorisation(grant))

    @allow(*APPLICANT_ROLES)
    def GetApplicant(self, request, context):  # noqa: N802
        person, id_number, legal, grant = self.service.get_applicant(
            _caller(), request.person_id, request.credit_code
        )
        return pb.GetApplicantResponse(
            person=convert.person(person, id_number),
            legal_person=convert.legal_person(legal) if legal else None,
            authorisation=convert.authorisation(grant) if grant else None,
        )

    @allow(SERVICE, PLATFORM_ADMIN)
    def ResolvePrincipal(self, request, context):  # noqa: N802
        principal = self.service.resolve_principal(_caller(), request.username)
        return pb.ResolvePrincipalResponse(principal=principal_to_proto(principal))

    @allow(SERVICE)
    def AuthenticatePassword(self, request, context):  # noqa: N802
        principal = self.service.authenticate_password(_caller(), request.username, request.password)
        return pb.AuthenticatePasswordResponse(principal=principal_to_proto(principal))
