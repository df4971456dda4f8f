"""Test doubles on real gRPC servers: a CatalogService serving fixed guide versions and 一件事 bundles, and an
IdentityService answering GetApplicant for fixed persons and agent authorisations."""

from __future__ import annotations

import threading
import time
from typing import Any

import grpc
from google.protobuf.struct_pb2 import Struct

from ywtb.api.catalog.v1 import catalog_pb2 as cpb
from ywtb.api.catalog.v1 import catalog_pb2_grpc
from ywtb.api.identity.v1 import identity_pb2 as ipb
from ywtb.api.identity.v1 import identity_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.codes import make_credit_code
from ywtb.common.context import current_principal
from ywtb.common.errors import NotFound, PermissionDenied
from ywtb.common.grpc import allow, public
from ywtb.common.tenancy import APPLICANT_ROLES
from ywtb.common.testing.grpc import serve

MARKET = make_credit_code("11510104MB3234567")  # 锦江区市场监督管理局 (sample)
CULTURE = make_credit_code("11510104MB4234567")  # another department of the same county
SHOP_ITEM = "item-shop-licence"
INSTANT_ITEM = "item-instant"
SHOW_ITEM = "item-show-permit"  # 营业性演出许可 of CULTURE, bundled with SHOP_ITEM
BUNDLE_CODE = "510104-YJS-0001"  # 开办演艺餐厅一件事 (sample)
FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["shop_name", "area"],
    "properties": {
        "shop_name": {"type": "string", "title": "店铺名称", "minLength": 1},
        "area": {"type": "number", "title": "经营面积", "minimum": 1},
        "mobile": {"type": "string", "title": "联系电话", "pattern": "^1\\d{10}$"},
    },
}


SHOW_FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["shop_name", "show_type"],
    "properties": {
        "shop_name": {"type": "string", "title": "场所名称", "minLength": 1},
        "show_type": {"type": "string", "title": "演出类型", "enum": ["音乐", "曲艺", "舞蹈"]},
    },
}


def show_version(*, version: int = 1, tenant: str = "510104", promised_days: int = 8) -> cpb.GuideVersion:
    """A published CULTURE item sharing 申请书 and 经营场所证明 with SHOP_ITEM, plus its own 演出节目单."""
    schema = Struct()
    schema.update(SHOW_FORM_SCHEMA)
    guide = cpb.Guide(
        name="营业性演出许可（样例）",
        legal_limit=cpb.TimeLimit(value=20, unit=cpb.TIME_UNIT_WORKDAY),
        promised_limit=cpb.TimeLimit(value=promised_days, unit=cpb.TIME_UNIT_WORKDAY),
        case_type=cpb.CASE_TYPE_PROMISED,
        process="licence_standard",
        service_objects=[cpb.SERVICE_OBJECT_NATURAL_PERSON, cpb.SERVICE_OBJECT_LEGAL_PERSON],
        materials=[
            cpb.Material(name="申请书", required=True, source=cpb.MATERIAL_SOURCE_APPLICANT),
            cpb.Material(name="经营场所证明", required=True, source=cpb.MATERIAL_SOURCE_APPLICANT),
            cpb.Material(name="演出节目单", required=True, source=cpb.MATERIAL_SOURCE_APPLICANT),
        ],
        form_schema=schema,
    )
    return cpb.GuideVersion(
        item_id=SHOW_ITEM,
        version=version,
        tenant=tenant,
        dept=CULTURE,
        dept_name="锦江区文化广电旅游局",
        basic_code="000123002000",
        item_type="01",
        implementation_code="11510104MB42345670002",
        process="licence_standard",
        guide=guide,
    )


def bundle_of(code: str, name: str, versions: list[cpb.GuideVersion], tenant: str = "510104") -> cpb.Bundle:
    """A bundle as CatalogService.GetBundle gives it: its items' versions and their merged materials
    (same name = one material; required / 容缺 only if every asking item says so)."""
    merged: dict[str, cpb.BundleMaterial] = {}
    for v in versions:
        for m in v.guide.materials:
            entry = merged.get(m.name)
            if entry is None:
                merged[m.name] = cpb.BundleMaterial(material=m, item_ids=[v.item_id])
                continue
            entry.material.required = entry.material.required or m.required
            entry.material.may_be_missing = entry.material.may_be_missing and m.may_be_missing
            entry.item_ids.append(v.item_id)
    return cpb.Bundle(
        code=code,
        tenant=tenant,
        name=name,
        process="joint-default",
        items=versions,
        materials=list(merged.values()),
    )


def guide_version(
    item_id: str = SHOP_ITEM,
    *,
    version: int = 1,
    tenant: str = "510104",
    dept: str = MARKET,
    case_type: int = cpb.CASE_TYPE_PROMISED,
    promised_days: int = 5,
) -> cpb.GuideVersion:
    """A published version: 5 working days promised, four materials (one fetched, one 容缺)."""
    schema = Struct()
    schema.update(FORM_SCHEMA)
    guide = cpb.Guide(
        name="食品经营许可（样例）",
        legal_limit=cpb.TimeLimit(value=20, unit=cpb.TIME_UNIT_WORKDAY),
        promised_limit=cpb.TimeLimit(value=promised_days, unit=cpb.TIME_UNIT_WORKDAY),
        case_type=cpb.CaseType.ValueType(case_type),
        process="licence_standard",
        service_objects=[cpb.SERVICE_OBJECT_NATURAL_PERSON, cpb.SERVICE_OBJECT_LEGAL_PERSON],
        materials=[
            cpb.Material(name="申请书", required=True, source=cpb.MATERIAL_SOURCE_APPLICANT),
            cpb.Material(name="身份证明", required=True, source=cpb.MATERIAL_SOURCE_GOVERNMENT),
            cpb.Material(name="经营场所证明", required=True, source=cpb.MATERIAL_SOURCE_APPLICANT),
            cpb.Material(
                name="消防安全承诺书",
                required=True,
                may_be_missing=True,
                source=cpb.MATERIAL_SOURCE_APPLICANT,
            ),
            cpb.Material(name="其他说明", required=False, source=cpb.MATERIAL_SOURCE_APPLICANT),
        ],
        form_schema=schema,
    )
    return cpb.GuideVersion(
        item_id=item_id,
        version=version,
        tenant=tenant,
        dept=dept,
        dept_name="锦江区市场监督管理局",
        basic_code="000117001000",
        item_type="01",
        implementation_code=f"11510104MB3234567{item_id[-4:]}",
        process="licence_standard",
        guide=guide,
    )


class FakeCatalog(catalog_pb2_grpc.CatalogServiceServicer):
    """GetGuide over fixed versions; counts calls; the n-th call may be delayed n * stagger_s."""

    def __init__(
        self,
        versions: list[cpb.GuideVersion] | None = None,
        *,
        bundles: list[cpb.Bundle] | None = None,
        stagger_s: float = 0.0,
    ) -> None:
        self.versions = versions or [
            guide_version(),
            guide_version(INSTANT_ITEM, case_type=cpb.CASE_TYPE_INSTANT, promised_days=1),
            show_version(),
        ]
        self.bundles = bundles or [
            bundle_of(BUNDLE_CODE, "开办演艺餐厅一件事（样例）", [guide_version(), show_version()])
        ]
        self.calls = 0
        self.stagger_s = stagger_s
        self._lock = threading.Lock()

    @public
    def GetGuide(self, request, context):  # noqa: N802
        with self._lock:
            self.calls += 1
            delay = self.stagger_s * self.calls
        if delay:
            time.sleep(delay)
        matches = [
            v for v in self.versions if v.item_id == request.item_id and (request.version in (0, v.version))
        ]
        if not matches:
            raise NotFound("未找到该事项的已发布版本。", code="ITEM_NOT_FOUND")
        return cpb.GetGuideResponse(guide=max(matches, key=lambda v: v.version))

    @public
    def GetBundle(self, request, context):  # noqa: N802
        with self._lock:
            self.calls += 1
        for bundle in self.bundles:
            if bundle.code == request.code:
                return cpb.GetBundleResponse(bundle=bundle)
        raise NotFound("未找到该“一件事”。", code="BUNDLE_NOT_FOUND")


def start_fake_catalog(
    signing_key: bytes, catalog: FakeCatalog | None = None
) -> tuple[grpc.Server, str, FakeCatalog]:
    """A real gRPC server on a free port serving the fake; (server, target, fake)."""
    fake = catalog or FakeCatalog()
    add = catalog_pb2_grpc.add_CatalogServiceServicer_to_server
    return (*serve(add, fake, signing_key=signing_key, service_name="ywtb.catalog"), fake)


# Sample principals.
CITIZEN = Principal(
    subject="p-zhang", tenant="510000", roles=frozenset({"citizen"}), subject_type="person", name="张三"
)
OTHER_CITIZEN = Principal(
    subject="p-li", tenant="510000", roles=frozenset({"citizen"}), subject_type="person", name="李四"
)
AGENT = Principal(
    subject="p-wang",
    tenant="510000",
    roles=frozenset({"legal_person_agent"}),
    subject_type="person",
    name="王五",
)
CLERK = Principal(subject="s-clerk", tenant="510104", roles=frozenset({"window_clerk"}), dept=MARKET)
OTHER_DEPT_CLERK = Principal(
    subject="s-culture", tenant="510104", roles=frozenset({"window_clerk"}), dept=CULTURE
)
CULTURE_CLERK = OTHER_DEPT_CLERK  # a window clerk of the bundle's second department
CULTURE_APPROVER = Principal(
    subject="s-culture-appr", tenant="510104", roles=frozenset({"approver"}), dept=CULTURE
)
OTHER_TENANT_CLERK = Principal(
    subject="s-qy", tenant="510105", roles=frozenset({"window_clerk"}), dept=MARKET
)
CITY_SUPERVISOR = Principal(subject="s-sup", tenant="510100", roles=frozenset({"supervisor"}))
OTHER_CITY_SUPERVISOR = Principal(subject="s-sup2", tenant="510700", roles=frozenset({"supervisor"}))


AGENT_COMPANY = make_credit_code("91510104MA6234567")  # 成都某某餐饮有限公司 (sample), AGENT's company
PERSONS = {  # subject -> (name, ID number, real-name level)
    "p-zhang": ("张三", "11010519491231002X", 2),
    "p-li": ("李四", "110105194912310038", 2),
    "p-wang": ("王五", "110105195001010012", 5),
}
LEGAL_PERSONS = {AGENT_COMPANY: ("成都某某餐饮有限公司", 2)}


class FakeIdentity(identity_pb2_grpc.IdentityServiceServicer):
    """GetApplicant over PERSONS and agent grants {(subject, credit code)}; the caller may ask only for themself."""

    def __init__(self, grants: set[tuple[str, str]] | None = None) -> None:
        self.persons = dict(PERSONS)
        self.grants = {("p-wang", AGENT_COMPANY)} if grants is None else grants
        self.calls = 0

    @allow(*APPLICANT_ROLES)  # as the real GetApplicant
    def GetApplicant(self, request, context):  # noqa: N802
        self.calls += 1
        caller = current_principal.get()
        if caller is None or caller.subject != request.person_id or request.person_id not in self.persons:
            raise PermissionDenied("在线申办只能以本人名义办理。")
        name, id_number, level = self.persons[request.person_id]
        reply = ipb.GetApplicantResponse(
            person=ipb.Person(id=request.person_id, name=name, id_number=id_number, real_name_level=level)
        )
        if request.credit_code:
            if (request.person_id, request.credit_code) not in self.grants:
                raise PermissionDenied("您没有该单位的经办人授权。", code="AGENT_NOT_AUTHORISED")
            legal_name, applicant_type = LEGAL_PERSONS[request.credit_code]
            reply.legal_person.CopyFrom(
                ipb.LegalPerson(
                    credit_code=request.credit_code, name=legal_name, applicant_type=applicant_type
                )
            )
            reply.authorisation.CopyFrom(
                ipb.AgentAuthorisation(credit_code=request.credit_code, person_id=request.person_id)
            )
        return reply


def start_fake_identity(
    signing_key: bytes, identity: FakeIdentity | None = None
) -> tuple[grpc.Server, str, FakeIdentity]:
    """A real gRPC server on a free port serving the fake; (server, target, fake)."""
    fake = identity or FakeIdentity()
    add = identity_pb2_grpc.add_IdentityServiceServicer_to_server
    return (*serve(add, fake, signing_key=signing_key, service_name="ywtb.identity"), fake)
