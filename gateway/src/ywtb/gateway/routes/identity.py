"""统一身份认证 REST routes: tenants, departments, staff, persons and legal persons, over IdentityService."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from ywtb.api.identity.v1 import identity_pb2 as pb
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.contract.answers import PUBLIC, WRITE, answers
from ywtb.gateway.contract.models import input_model, set_enum
from ywtb.gateway.grpc_aio import AsyncStub
from ywtb.gateway.routes.grpc_json import app_state, to_json, to_proto

SERVICE = "ywtb.api.identity.v1.IdentityService"
READS = [
    f"{SERVICE}/{m}"
    for m in ("GetTenant", "ListTenants", "ListDepartments", "GetStaff", "ListStaff", "GetPerson")
]
CODE = r"^\d{6}$"


Stub = Annotated[AsyncStub, Depends(app_state("identity"))]  # ywtb.api.identity.v1.IdentityService


TenantIn = input_model(
    pb.OnboardTenantRequest.DESCRIPTOR,
    required=("code", "name"),
    rules={
        "code": Field(pattern=CODE, description="行政区划代码（6位）"),
        "name": Field(min_length=1, max_length=100),
        "parent_code": Field(pattern=r"^(\d{6})?$"),
    },
)
DepartmentIn = input_model(
    pb.CreateDepartmentRequest.DESCRIPTOR,
    exclude=("tenant",),
    required=("credit_code", "name"),
    rules={
        "credit_code": Field(min_length=18, max_length=18, description="统一社会信用代码"),
        "name": Field(min_length=1, max_length=200),
        "short_name": Field(max_length=100),
    },
)
StaffIn = input_model(
    pb.CreateStaffRequest.DESCRIPTOR,
    required=("dept", "username", "name", "roles", "mobile", "initial_password"),
    rules={
        "dept": Field(min_length=18, max_length=18),
        "username": Field(min_length=3, max_length=64),
        "name": Field(min_length=1, max_length=100),
        "roles": Field(min_length=1),
        "mobile": Field(min_length=11, max_length=11),
        "initial_password": Field(min_length=8, max_length=128),
    },
)
FactorIn = input_model(
    pb.Factor.DESCRIPTOR,
    required=("type", "value"),
    rules={"value": Field(min_length=1, max_length=64)},
    types={"type": set_enum(pb.FactorType.DESCRIPTOR)},
)
PersonIn = input_model(
    pb.RegisterPersonRequest.DESCRIPTOR,
    required=("name", "id_number", "mobile", "factors", "password"),
    rules={
        "name": Field(min_length=1, max_length=50),
        "id_number": Field(min_length=18, max_length=18),
        "mobile": Field(min_length=11, max_length=11),
        "factors": Field(min_length=1),
        "username": Field(max_length=64),
        "password": Field(min_length=8, max_length=128),
    },
    types={"factors": list[FactorIn]},  # type: ignore[valid-type]
)
VerificationIn = input_model(
    pb.VerifyPersonRequest.DESCRIPTOR,
    exclude=("person_id",),
    required=("id_number",),
    rules={"id_number": Field(min_length=18, max_length=18)},
)
LegalPersonIn = input_model(
    pb.RegisterLegalPersonRequest.DESCRIPTOR,
    required=("credit_code", "name", "applicant_type", "representative_name", "tenant"),
    rules={
        "credit_code": Field(min_length=18, max_length=18),
        "name": Field(min_length=1, max_length=200),
        "representative_name": Field(min_length=1, max_length=50),
        "tenant": Field(pattern=CODE),
    },
)
AgentIn = input_model(
    pb.AuthoriseAgentRequest.DESCRIPTOR,
    exclude=("credit_code",),
    required=("person_id",),
    rules={"person_id": Field(min_length=1, max_length=36)},
)


def build_identity_router() -> APIRouter:
    """Routes under /api/v1 for the identity service."""
    router = APIRouter(prefix="/api/v1", tags=["统一身份认证"])

    @router.post("/tenants", summary="开通地区（平台管理员）", **answers(pb.Tenant, status=201, errors=WRITE))
    async def onboard_tenant(body: TenantIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.OnboardTenant(to_proto(body, pb.OnboardTenantRequest()))).tenant)

    @router.get("/tenants", summary="下级地区列表", **answers(pb.Tenant, many=True, errors=PUBLIC))
    async def list_tenants(
        principal: OptionalPrincipal, stub: Stub, parent: Annotated[str, Query(pattern=r"^(\d{6})?$")] = ""
    ) -> list[dict[str, Any]]:
        return [
            to_json(t) for t in (await stub.ListTenants(pb.ListTenantsRequest(parent_code=parent))).tenants
        ]

    @router.get("/tenants/{code}", summary="地区信息", **answers(pb.Tenant, errors=PUBLIC))
    async def get_tenant(code: str, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.GetTenant(pb.GetTenantRequest(code=code))).tenant)

    @router.post(
        "/tenants/{code}/departments", summary="新增部门", **answers(pb.Department, status=201, errors=WRITE)
    )
    async def create_department(
        code: str,
        body: DepartmentIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.CreateDepartmentRequest(tenant=code))
        return to_json((await stub.CreateDepartment(request)).department)

    @router.get("/tenants/{code}/departments", summary="部门列表", **answers(pb.Department, many=True))
    async def list_departments(code: str, principal: CurrentPrincipal, stub: Stub) -> list[dict[str, Any]]:
        reply = await stub.ListDepartments(pb.ListDepartmentsRequest(tenant=code))
        return [to_json(d) for d in reply.departments]

    @router.post("/staff", summary="新增工作人员", **answers(pb.Staff, status=201, errors=WRITE))
    async def create_staff(body: StaffIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.CreateStaff(to_proto(body, pb.CreateStaffRequest()))).staff)

    @router.get("/staff", summary="工作人员列表", **answers(pb.Staff, many=True))
    async def list_staff(
        principal: CurrentPrincipal, stub: Stub, tenant: Annotated[str, Query(pattern=CODE)], dept: str = ""
    ) -> list[dict[str, Any]]:
        return [
            to_json(s) for s in (await stub.ListStaff(pb.ListStaffRequest(tenant=tenant, dept=dept))).staff
        ]

    @router.get("/staff/{staff_id}", summary="工作人员信息", **answers(pb.Staff))
    async def get_staff(staff_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.GetStaff(pb.GetStaffRequest(id=staff_id))).staff)

    @router.post("/persons", summary="自然人注册", **answers(pb.Person, status=201, errors=WRITE))
    async def register_person(body: PersonIn, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:  # type: ignore[valid-type]
        return to_json((await stub.RegisterPerson(to_proto(body, pb.RegisterPersonRequest()))).person)

    @router.get("/persons/{person_id}", summary="自然人账户（本人可见完整证件号）", **answers(pb.Person))
    async def get_person(person_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json((await stub.GetPerson(pb.GetPersonRequest(id=person_id))).person)

    @router.post(
        "/persons/{person_id}/verification", summary="窗口实名核验", **answers(pb.Person, errors=WRITE)
    )
    async def verify_person(
        person_id: str,
        body: VerificationIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        default = pb.VerifyPersonRequest(person_id=person_id, method=pb.VERIFICATION_METHOD_WINDOW)
        request = to_proto(body, default)
        return to_json((await stub.VerifyPerson(request)).person)

    @router.post(
        "/legal-persons", summary="法人登记（窗口）", **answers(pb.LegalPerson, status=201, errors=WRITE)
    )
    async def register_legal_person(
        body: LegalPersonIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.RegisterLegalPersonRequest())
        return to_json((await stub.RegisterLegalPerson(request)).legal_person)

    @router.post(
        "/legal-persons/{credit_code}/agents",
        summary="授权经办人",
        **answers(pb.AgentAuthorisation, status=201, errors=WRITE),
    )
    async def authorise_agent(
        credit_code: str,
        body: AgentIn,  # type: ignore[valid-type]
        principal: CurrentPrincipal,
        stub: Stub,
    ) -> dict[str, Any]:
        request = to_proto(body, pb.AuthoriseAgentRequest(credit_code=credit_code))
        return to_json((await stub.AuthoriseAgent(request)).authorisation)

    return router
