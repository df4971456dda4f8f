"""统一身份认证 REST routes: tenants, departments, staff, persons and legal persons, over IdentityService."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ywtb.api.identity.v1 import identity_pb2 as pb
from ywtb.api.identity.v1 import identity_pb2_grpc
from ywtb.common.timestamps import timestamp
from ywtb.gateway.auth import CurrentPrincipal, OptionalPrincipal
from ywtb.gateway.routes.grpc_json import app_state, to_json

SERVICE = "ywtb.api.identity.v1.IdentityService"
READS = [
    f"{SERVICE}/{m}"
    for m in ("GetTenant", "ListTenants", "ListDepartments", "GetStaff", "ListStaff", "GetPerson")
]
CODE = r"^\d{6}$"


Stub = Annotated[identity_pb2_grpc.IdentityServiceStub, Depends(app_state("identity"))]


class TenantIn(BaseModel):
    code: str = Field(pattern=CODE, description="行政区划代码（6位）")
    name: str = Field(min_length=1, max_length=100)
    parent_code: str = Field(default="", pattern=r"^(\d{6})?$")


class DepartmentIn(BaseModel):
    credit_code: str = Field(min_length=18, max_length=18, description="统一社会信用代码")
    name: str = Field(min_length=1, max_length=200)
    short_name: str = Field(default="", max_length=100)


class StaffIn(BaseModel):
    dept: str = Field(min_length=18, max_length=18)
    username: str = Field(min_length=3, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    roles: list[str] = Field(min_length=1)
    mobile: str = Field(min_length=11, max_length=11)
    initial_password: str = Field(min_length=8, max_length=128)


class FactorIn(BaseModel):
    type: int = Field(ge=1, le=5, description="1 手机 2 社保卡 3 银行卡 4 公积金 5 驾驶证")
    value: str = Field(min_length=1, max_length=64)


class PersonIn(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=18, max_length=18)
    mobile: str = Field(min_length=11, max_length=11)
    factors: list[FactorIn] = Field(min_length=1)
    username: str = Field(default="", max_length=64)
    password: str = Field(min_length=8, max_length=128)


class VerificationIn(BaseModel):
    method: int = Field(default=pb.VERIFICATION_METHOD_WINDOW, description="1 窗口核验身份证原件")
    id_number: str = Field(min_length=18, max_length=18)


class LegalPersonIn(BaseModel):
    credit_code: str = Field(min_length=18, max_length=18)
    name: str = Field(min_length=1, max_length=200)
    applicant_type: int
    representative_name: str = Field(min_length=1, max_length=50)
    tenant: str = Field(pattern=CODE)


class AgentIn(BaseModel):
    person_id: str = Field(min_length=1, max_length=36)
    valid_until: datetime | None = None


def build_identity_router() -> APIRouter:
    """Routes under /api/v1 for the identity service."""
    router = APIRouter(prefix="/api/v1", tags=["统一身份认证"])

    @router.post("/tenants", status_code=201, summary="开通地区（平台管理员）")
    def onboard_tenant(body: TenantIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.OnboardTenant(pb.OnboardTenantRequest(**body.model_dump())).tenant)

    @router.get("/tenants", summary="下级地区列表")
    def list_tenants(
        principal: OptionalPrincipal, stub: Stub, parent: Annotated[str, Query(pattern=r"^(\d{6})?$")] = ""
    ) -> list[dict[str, Any]]:
        return [to_json(t) for t in stub.ListTenants(pb.ListTenantsRequest(parent_code=parent)).tenants]

    @router.get("/tenants/{code}", summary="地区信息")
    def get_tenant(code: str, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.GetTenant(pb.GetTenantRequest(code=code)).tenant)

    @router.post("/tenants/{code}/departments", status_code=201, summary="新增部门")
    def create_department(
        code: str, body: DepartmentIn, principal: CurrentPrincipal, stub: Stub
    ) -> dict[str, Any]:
        request = pb.CreateDepartmentRequest(tenant=code, **body.model_dump())
        return to_json(stub.CreateDepartment(request).department)

    @router.get("/tenants/{code}/departments", summary="部门列表")
    def list_departments(code: str, principal: CurrentPrincipal, stub: Stub) -> list[dict[str, Any]]:
        reply = stub.ListDepartments(pb.ListDepartmentsRequest(tenant=code))
        return [to_json(d) for d in reply.departments]

    @router.post("/staff", status_code=201, summary="新增工作人员")
    def create_staff(body: StaffIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.CreateStaff(pb.CreateStaffRequest(**body.model_dump())).staff)

    @router.get("/staff", summary="工作人员列表")
    def list_staff(
        principal: CurrentPrincipal, stub: Stub, tenant: Annotated[str, Query(pattern=CODE)], dept: str = ""
    ) -> list[dict[str, Any]]:
        return [to_json(s) for s in stub.ListStaff(pb.ListStaffRequest(tenant=tenant, dept=dept)).staff]

    @router.get("/staff/{staff_id}", summary="工作人员信息")
    def get_staff(staff_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.GetStaff(pb.GetStaffRequest(id=staff_id)).staff)

    @router.post("/persons", status_code=201, summary="自然人注册")
    def register_person(body: PersonIn, principal: OptionalPrincipal, stub: Stub) -> dict[str, Any]:
        factors = [pb.Factor(type=f.type, value=f.value) for f in body.factors]
        request = pb.RegisterPersonRequest(**body.model_dump(exclude={"factors"}), factors=factors)
        return to_json(stub.RegisterPerson(request).person)

    @router.get("/persons/{person_id}", summary="自然人账户（本人可见完整证件号）")
    def get_person(person_id: str, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        return to_json(stub.GetPerson(pb.GetPersonRequest(id=person_id)).person)

    @router.post("/persons/{person_id}/verification", summary="窗口实名核验")
    def verify_person(
        person_id: str, body: VerificationIn, principal: CurrentPrincipal, stub: Stub
    ) -> dict[str, Any]:
        request = pb.VerifyPersonRequest(person_id=person_id, method=body.method, id_number=body.id_number)
        return to_json(stub.VerifyPerson(request).person)

    @router.post("/legal-persons", status_code=201, summary="法人登记（窗口）")
    def register_legal_person(body: LegalPersonIn, principal: CurrentPrincipal, stub: Stub) -> dict[str, Any]:
        request = pb.RegisterLegalPersonRequest(**body.model_dump())
        return to_json(stub.RegisterLegalPerson(request).legal_person)

    @router.post("/legal-persons/{credit_code}/agents", status_code=201, summary="授权经办人")
    def authorise_agent(
        credit_code: str, body: AgentIn, principal: CurrentPrincipal, stub: Stub
    ) -> dict[str, Any]:
        request = pb.AuthoriseAgentRequest(
            credit_code=credit_code, person_id=body.person_id, valid_until=timestamp(body.valid_until)
        )
        return to_json(stub.AuthoriseAgent(request).authorisation)

    return router
