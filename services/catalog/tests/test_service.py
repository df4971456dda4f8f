"""Catalog use cases on SQLite with the in-process guide cache: lifecycle, permissions, versions,
withdrawal, bundles, basic catalogue changes, events and the sample catalogue."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ywtb.catalog import importer
from ywtb.catalog.basic import BasicChange, Release
from ywtb.catalog.cache import LocalGuideCache, latest_key
from ywtb.catalog.codes import DEFAULT_PATTERN
from ywtb.catalog.models import Item, ItemAction, outbox
from ywtb.catalog.reads import GuideReads
from ywtb.catalog.search import SearchIndex
from ywtb.catalog.seed import seed_catalogue
from ywtb.catalog.service import CatalogService
from ywtb.common.auth.principal import Principal
from ywtb.common.clock import utc
from ywtb.common.codes import make_credit_code
from ywtb.common.db import Database
from ywtb.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from ywtb.common.migrations import script_location_of, upgrade

MSCJ = make_credit_code("11510104MB3234567")  # 锦江区市场监管局
MZJ = make_credit_code("11510104MB4234567")  # 锦江区民政局
QY = make_credit_code("11510105MB6234567")  # 青羊区市场监管局
PROVINCE = Principal(subject="sc-admin", tenant="510000", roles=frozenset({"tenant_admin"}))
CITY = Principal(subject="cd-admin", tenant="510100", roles=frozenset({"tenant_admin"}))
JINJIANG = Principal(subject="jj-admin", tenant="510104", roles=frozenset({"tenant_admin"}))
QINGYANG = Principal(subject="qy-admin", tenant="510105", roles=frozenset({"tenant_admin"}))
MSCJ_ADMIN = Principal(subject="mscj", tenant="510104", dept=MSCJ, roles=frozenset({"dept_admin"}))
MZJ_ADMIN = Principal(subject="mzj", tenant="510104", dept=MZJ, roles=frozenset({"dept_admin"}))
QY_ADMIN = Principal(subject="qy", tenant="510105", dept=QY, roles=frozenset({"dept_admin"}))
CITIZEN = Principal(subject="p1", tenant="510000", roles=frozenset({"citizen"}))
PLATFORM = Principal(subject="root", roles=frozenset({"platform_admin"}))

GETIHU = "000104001000"  # 个体工商户设立登记
JIEHUN = "000107001000"  # 内地居民婚姻登记
CATALOGUE = Release(
    version="2026.11",
    entries=(
        BasicChange(GETIHU, "add", "个体工商户设立登记", "01", (3, 4), "《个体工商户条例》"),
        BasicChange(JIEHUN, "add", "内地居民婚姻登记", "07", (4,), "《婚姻登记条例》"),
        BasicChange("000104002000", "add", "个体工商户变更登记", "01", (3, 4), "《个体工商户条例》"),
        BasicChange("000104003000", "add", "个体工商户注销登记", "01", (3, 4), "《个体工商户条例》"),
    ),
)
GUIDE = {
    "name": "个体工商户设立登记",
    "conditions": "具有经营能力的自然人",
    "legal_limit": {"value": 15, "unit": "workday"},
    "promised_limit": {"value": 3, "unit": "workday"},
    "case_type": "promised",
    "visits": 0,
    "online_depth": 6,
    "place": "锦江区政务服务中心",
    "hours": "工作日 9:00-17:00",
    "consult_phone": "028-12345",
    "complaint_phone": "12345",
    "service_objects": ["natural_person"],
    "themes": ["开办企业"],
    "result": {"name": "营业执照", "type": "licence", "licence_type": "LT-YYZZ"},
    "materials": [
        {"name": "居民身份证", "source": "government", "licence_type": "LT-SFZ", "may_be_missing": False},
        {"name": "经营场所使用证明", "source": "applicant", "required": False},
    ],
    "form_schema": {
        "type": "object",
        "properties": {"shop_name": {"type": "string"}},
        "required": ["shop_name"],
    },
}


def make_service(url: str, cache=None) -> CatalogService:  # type: ignore[no-untyped-def]
    """A migrated catalog service with its own index (one replica)."""
    upgrade(script_location_of("ywtb.catalog"), url)
    reads = GuideReads(Database(url), cache or LocalGuideCache(), SearchIndex(), ttl_s=600)
    return CatalogService(reads.db, reads, province_tenant="510000", code_pattern=DEFAULT_PATTERN)


def guide(**changes) -> dict:  # type: ignore[no-untyped-def]
    document = copy.deepcopy(GUIDE)
    document.update(changes)
    return document


def ce_types(service: CatalogService) -> list[str]:
    with service.db.transaction() as s:
        return [r.ce_type for r in s.execute(select(outbox.c.ce_type).order_by(outbox.c.seq))]


def denied(call, *args) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        call(*args)


def lifecycle(service: CatalogService) -> str:
    """claim → edit → submit → return → resubmit → approve → publish, refusing the wrong callers at each step."""
    service.apply_release(PROVINCE, CATALOGUE)
    # claim: only the department's own admin
    for intruder in (QY_ADMIN, MZJ_ADMIN, CITIZEN, JINJIANG):
        denied(service.claim, intruder, "510104", MSCJ, "锦江区市场监管局", GETIHU)
    item = service.claim(MSCJ_ADMIN, "510104", MSCJ, "锦江区市场监管局", GETIHU)
    assert item.status == "draft" and item.implementation_code == GETIHU + "510104" + MSCJ
    assert len(item.implementation_code) == 36
    with pytest.raises(AlreadyExists):
        service.claim(MSCJ_ADMIN, "510104", MSCJ, "锦江区市场监管局", GETIHU)
    # edit: drafts may be incomplete; other departments, tenants and citizens may not edit
    for intruder in (QY_ADMIN, MZJ_ADMIN, CITIZEN):
        denied(service.update_guide, intruder, item.id, guide())
    service.update_guide(MSCJ_ADMIN, item.id, {"name": "个体工商户设立登记", "visits": 1}, "个体户 开店")
    with pytest.raises(InvalidArgument) as caught:  # the rules run on submit
        service.submit(MSCJ_ADMIN, item.id)
    assert "guide.conditions" in caught.value.fields
    service.update_guide(MSCJ_ADMIN, item.id, guide(), "个体户 开店 营业执照")
    for intruder in (QY_ADMIN, MZJ_ADMIN, CITIZEN):
        denied(service.submit, intruder, item.id)
    service.submit(MSCJ_ADMIN, item.id)
    with pytest.raises(FailedPrecondition):  # locked while under review
        service.update_guide(MSCJ_ADMIN, item.id, guide())
    # return: reviewers of the tenant or an ancestor, with a mandatory reason
    for intruder in (QINGYANG, MSCJ_ADMIN, CITIZEN):
        denied(service.return_item, intruder, item.id, "受理条件不完整")
    with pytest.raises(InvalidArgument) as caught:
        service.return_item(JINJIANG, item.id, "  ")
    assert "reason" in caught.value.fields
    returned = service.return_item(CITY, item.id, "请补充经营场所要求")
    assert (returned.status, returned.return_reason) == ("returned", "请补充经营场所要求")
    service.update_guide(
        MSCJ_ADMIN, item.id, guide(conditions="具有经营能力的自然人，有固定经营场所"), "个体户"
    )
    service.submit(MSCJ_ADMIN, item.id)
    for intruder in (QINGYANG, MSCJ_ADMIN, CITIZEN):
        denied(service.approve, intruder, item.id)
    service.approve(JINJIANG, item.id)
    for intruder in (QINGYANG, MSCJ_ADMIN, CITIZEN):
        denied(service.publish, intruder, item.id)
    published, version = service.publish(JINJIANG, item.id)
    assert (published.status, published.published_version, version.version) == ("published", 1, 1)
    assert version.process == "promised-default"
    return item.id


@pytest.fixture
def service(sqlite_url) -> CatalogService:  # type: ignore[no-untyped-def]
    return make_service(sqlite_url)


def test_claim_edit_submit_return_resubmit_approve_publish_with_permission_checks(service) -> None:
    item_id = lifecycle(service)
    live = service.reads.guide(item_id)
    assert live["guide"]["conditions"] == "具有经营能力的自然人，有固定经营场所"
    assert service.reads.search("个体工商户").hits[0].doc.item_id == item_id
    assert ce_types(service) == ["ywtb.catalog.v1.ItemPublished"]
    with service.db.transaction() as s:
        payload = json.loads(s.execute(select(outbox.c.payload)).scalar_one())
    assert payload["itemId"] == item_id and payload["process"] == "promised-default"
    assert payload["promisedLimit"] == {"value": 3, "unit": "TIME_UNIT_WORKDAY"}
    # staff reads: the department and the tenant see the draft; others do not
    assert service.get_item(MSCJ_ADMIN, item_id).status == "published"
    assert [i.id for i in service.list_items(CITY, "510104")] == [item_id]
    for intruder in (QY_ADMIN, QINGYANG, CITIZEN, MZJ_ADMIN):
        denied(service.get_item, intruder, item_id)


def test_a_published_version_never_changes(service) -> None:
    item_id = lifecycle(service)
    v1 = service.reads.guide(item_id)
    edited = service.update_guide(MSCJ_ADMIN, item_id, guide(name="个体工商户设立登记（新版）"))
    assert (edited.status, edited.published_version) == ("draft", 1)
    # citizens still see version 1 while the new draft waits
    assert service.reads.guide(item_id)["guide"]["name"] == "个体工商户设立登记"
    service.submit(MSCJ_ADMIN, item_id)
    service.approve(JINJIANG, item_id)
    _, v2 = service.publish(JINJIANG, item_id)
    assert v2.version == 2
    assert service.reads.guide(item_id)["guide"]["name"] == "个体工商户设立登记（新版）"
    assert service.reads.guide(item_id, 1) == v1
    assert [v["version"] for v in service.reads.versions(item_id)] == [1, 2]
    with pytest.raises(NotFound):
        service.reads.guide(item_id, 3)


def test_publishing_invalidates_the_cached_live_guide(service) -> None:
    item_id = lifecycle(service)
    service.reads.guide(item_id)
    assert service.reads.cache.get(latest_key(item_id)) is not None
    service.update_guide(MSCJ_ADMIN, item_id, guide(hours="周一至周六"))
    service.submit(MSCJ_ADMIN, item_id)
    service.approve(JINJIANG, item_id)
    service.publish(JINJIANG, item_id)
    assert service.reads.guide(item_id)["guide"]["hours"] == "周一至周六"


def test_withdraw_hides_the_item_from_search_and_guide_reads(service) -> None:
    item_id = lifecycle(service)
    service.reads.guide(item_id)  # cached
    for intruder in (MSCJ_ADMIN, QINGYANG, CITIZEN):
        denied(service.withdraw, intruder, item_id, "政策调整")
    with pytest.raises(InvalidArgument):
        service.withdraw(JINJIANG, item_id, "")
    item = service.withdraw(JINJIANG, item_id, "政策调整，暂停办理")
    assert (item.status, item.published_version) == ("withdrawn", 0)
    with pytest.raises(NotFound):
        service.reads.guide(item_id)
    assert service.reads.search("个体工商户").total == 0
    assert service.reads.guide(item_id, 1)["version"] == 1  # cases filed under v1 still read it
    assert ce_types(service)[-1] == "ywtb.catalog.v1.ItemWithdrawn"
    with pytest.raises(FailedPrecondition):
        service.withdraw(JINJIANG, item_id, "再次撤回")
    # editing again starts a new draft; publishing brings it back as version 2
    service.update_guide(MSCJ_ADMIN, item_id, guide())
    service.submit(MSCJ_ADMIN, item_id)
    service.approve(JINJIANG, item_id)
    service.publish(JINJIANG, item_id)
    assert service.reads.guide(item_id)["version"] == 2
    assert service.reads.search("个体工商户").total == 1


def test_bundle_merges_and_deduplicates_materials(service) -> None:
    getihu = lifecycle(service)
    jiehun = service.claim(MZJ_ADMIN, "510104", MZJ, "锦江区民政局", JIEHUN)
    service.update_guide(
        MZJ_ADMIN,
        jiehun.id,
        guide(
            name="内地居民婚姻登记",
            case_type="instant",
            promised_limit={"value": 0, "unit": "workday"},
            legal_limit={"value": 1, "unit": "workday"},
            visits=1,
            online_depth=3,
            result={"name": "结婚证", "type": "licence", "licence_type": "LT-JHZ"},
            materials=[
                {"name": "身份证", "source": "government", "licence_type": "LT-SFZ", "may_be_missing": True},
                {"name": " 经营场所使用证明 ", "required": True, "copies": 2},
                {"name": "本人无配偶声明", "required": True},
            ],
        ),
    )
    service.submit(MZJ_ADMIN, jiehun.id)
    service.approve(JINJIANG, jiehun.id)
    _, version = service.publish(JINJIANG, jiehun.id)
    assert version.process == "instant-default"
    for intruder in (MSCJ_ADMIN, QINGYANG, CITIZEN):
        denied(
            service.create_bundle,
            intruder,
            "510104-YJS-0001",
            "510104",
            "开店一件事",
            "",
            [getihu, jiehun.id],
        )
    with pytest.raises(InvalidArgument):
        service.create_bundle(JINJIANG, "510104-YJS-0001", "510104", "开店一件事", "", [getihu])
    bundle = service.create_bundle(
        JINJIANG, "510104-YJS-0001", "510104", "开店一件事", "", [getihu, jiehun.id]
    )
    assert bundle.process == "joint-default"
    _, versions, materials, unavailable = service.get_bundle("510104-YJS-0001")
    assert {v["item_id"] for v in versions} == {getihu, jiehun.id} and unavailable == []
    by_name = {m["name"]: (m, ids) for m, ids in materials}
    assert list(by_name) == ["居民身份证", "经营场所使用证明", "本人无配偶声明"]
    id_card, id_items = by_name["居民身份证"]  # same licence type, different names
    assert id_items == [getihu, jiehun.id] and id_card["may_be_missing"] is False
    premises, _ = by_name["经营场所使用证明"]  # same normalised name: strictest flags
    assert premises["required"] is True and premises["copies"] == 2


def test_basic_catalogue_change_kinds(service) -> None:
    item_id = lifecycle(service)
    merge_me = service.claim(MSCJ_ADMIN, "510104", MSCJ, "锦江区市场监管局", "000104003000")
    marriage = service.claim(MZJ_ADMIN, "510104", MZJ, "锦江区民政局", JIEHUN)
    service.update_guide(MZJ_ADMIN, marriage.id, guide(name="内地居民婚姻登记"))
    service.submit(MZJ_ADMIN, marriage.id)
    service.approve(JINJIANG, marriage.id)
    service.publish(JINJIANG, marriage.id)
    denied(service.apply_release, JINJIANG, Release("2026.12", (BasicChange(GETIHU, "suspend"),)))
    outcome = service.apply_release(
        PROVINCE,
        Release(
            "2026.12",
            (
                BasicChange("000199001000", "add", "某项新增事项", "20", (4,)),
                BasicChange("000199001000", "change", name="某项新增事项（更名）", legal_basis="《新条例》"),
                BasicChange("000104002000", "suspend"),
                BasicChange(
                    GETIHU,
                    "split",
                    split_into=(
                        ("000104001001", "个体工商户设立登记（普通）"),
                        ("000104001002", "个体工商户设立登记（告知承诺）"),
                    ),
                ),
                BasicChange("000104009000", "merge", name="个体工商户注销", merged_from=("000104003000",)),
                BasicChange(JIEHUN, "cancel"),
            ),
        ),
    )
    # the live implementations of the split and the cancelled item are withdrawn, with events
    assert outcome.applied and sorted(outcome.withdrawn_item_ids) == sorted([item_id, marriage.id])
    assert ce_types(service)[-2:] == ["ywtb.catalog.v1.ItemWithdrawn"] * 2
    for withdrawn in (item_id, marriage.id):
        with pytest.raises(NotFound):
            service.reads.guide(withdrawn)
    assert service.reads.search("婚姻登记").total == 0
    assert not service.apply_release(PROVINCE, Release("2026.12", (BasicChange(GETIHU, "suspend"),))).applied
    with pytest.raises(FailedPrecondition):
        service.apply_release(PROVINCE, Release("2026.10", (BasicChange("000199002000", "add", "旧", "20"),)))
    items = {b.basic_code: b for b in service.list_basic_items()}
    assert (items["000199001000"].name, items["000199001000"].legal_basis) == (
        "某项新增事项（更名）",
        "《新条例》",
    )
    assert items["000104002000"].status == "suspended"
    assert (items[GETIHU].status, items[GETIHU].successors) == ("split", ["000104001001", "000104001002"])
    assert items["000104001001"].item_type == "01" and items["000104001001"].status == "active"
    assert (items["000104003000"].status, items["000104003000"].successors) == ("merged", ["000104009000"])
    assert items[JIEHUN].status == "cancelled"
    assert "000104002000" not in {b.basic_code for b in service.list_basic_items(claimable_only=True)}
    for code in ("000104002000", GETIHU, JIEHUN):
        with pytest.raises(FailedPrecondition):
            service.claim(MZJ_ADMIN, "510104", MZJ, "锦江区民政局", code)
    service.claim(MSCJ_ADMIN, "510104", MSCJ, "锦江区市场监管局", "000104001001")
    service.update_guide(MSCJ_ADMIN, merge_me.id, guide())
    with pytest.raises(FailedPrecondition):  # a draft of a retired basic item cannot go to review
        service.submit(MSCJ_ADMIN, merge_me.id)
    with pytest.raises(InvalidArgument):
        service.apply_release(PROVINCE, Release("2026.13", (BasicChange("000104002000", "explode"),)))


def test_platform_admin_may_do_everything_and_a_city_reviews_its_counties(service) -> None:
    service.apply_release(PLATFORM, CATALOGUE)
    item = service.claim(PLATFORM, "510105", QY, "青羊区市场监管局", GETIHU)
    service.update_guide(PLATFORM, item.id, guide())
    service.submit(PLATFORM, item.id)
    denied(service.approve, JINJIANG, item.id)  # a sibling county
    service.approve(CITY, item.id)
    service.publish(PROVINCE, item.id)
    assert service.reads.search("个体").total == 1
    assert service.reads.search("个体", tenants=["510104", "510100", "510000"]).total == 0
    assert service.reads.search("个体", tenants=["510105", "510100", "510000"]).total == 1


def test_the_index_is_rebuilt_from_published_versions_at_start_up(service, sqlite_url) -> None:
    item_id = lifecycle(service)
    replica = make_service(sqlite_url)
    assert replica.reads.search("个体工商户").total == 0
    assert replica.reads.rebuild_index() == 1
    assert replica.reads.search("营业执照").hits[0].doc.item_id == item_id


SMALL_FILE = """
meta: {sample: true, description: "单元测试目录", version: "2026.11"}
basic_catalogue:
  version: "2026.11"
  entries:
    - {basic_code: "000104001000", name: 个体工商户设立登记, item_type: "01", exercise_levels: [3, 4], legal_basis: 条例, change: add}
    - {basic_code: "000107001000", name: 内地居民婚姻登记, item_type: "07", exercise_levels: [4], legal_basis: 条例, change: add}
  changes: {version: "2026.12", entries: [{basic_code: "000107001000", change: change, name: 结婚登记}]}
departments:
  - {tenant: "510104", prefix17: "11510104MB3234567", name: 锦江区市场监管局, short_name: 区市场监管局}
  - {tenant: "510104", prefix17: "11510104MB4234567", name: 锦江区民政局, short_name: 区民政局}
implementations:
  - tenant: "510104"
    dept_prefix17: "11510104MB3234567"
    basic_code: "000104001000"
    keywords: 营业执照 个体户 开店
    guide: GUIDE_A
  - tenant: "510104"
    dept_prefix17: "11510104MB4234567"
    basic_code: "000107001000"
    keywords: 结婚
    guide: GUIDE_B
bundles:
  - {code: 510104-YJS-0001, tenant: "510104", name: 开店一件事, description: 示例, items: ["000104001000", "000107001000"]}
"""


def test_a_catalogue_file_imports_and_publishes_every_item_idempotently(service, tmp_path) -> None:
    text = SMALL_FILE.replace("GUIDE_A", json.dumps(guide(), ensure_ascii=False)).replace(
        "GUIDE_B", json.dumps(guide(name="内地居民婚姻登记", themes=["婚姻登记"]), ensure_ascii=False)
    )
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    catalogue = importer.load_catalogue(path)
    assert importer.YamlCatalogueSource(path).fetch("2026.12").entries[0].change == "change"
    counts = seed_catalogue(service, catalogue)
    assert counts == {"releases": 2, "published": 2, "bundles": 1, "withdrawn": 0}
    assert seed_catalogue(service, catalogue) == {"releases": 0, "published": 0, "bundles": 0, "withdrawn": 0}
    assert service.get_basic_item("000107001000").name == "结婚登记"
    assert service.reads.search("结婚").total == 1


def test_the_sample_catalogue_imports_and_publishes_all_items(service) -> None:
    path = importer.sample_path()
    assert path is not None, "the sample catalogue ships with the catalog package"
    catalogue = importer.load_catalogue(path)
    assert catalogue.meta.get("sample") is True
    counts = seed_catalogue(service, catalogue)
    assert counts["published"] == len(catalogue.implementations)
    assert counts["bundles"] == len(catalogue.bundles)
    live = sum(1 for i in service.list_items(PLATFORM, "510104") if i.published_version)
    assert live >= 1
    assert service.reads.search("营业执照").total >= 1


def test_the_servicer_round_trips_guides_and_enums(service) -> None:
    from ywtb.api.catalog.v1 import catalog_pb2 as pb
    from ywtb.catalog import convert
    from ywtb.catalog.grpc_api import CatalogServicer
    from ywtb.common.context import bound

    api = CatalogServicer(service)
    with bound(principal=PROVINCE):
        request = pb.ImportBasicCatalogueRequest(
            version="2026.11",
            entries=[
                pb.BasicChange(
                    basic_code=GETIHU,
                    change=pb.CHANGE_KIND_ADD,
                    name="个体工商户设立登记",
                    item_type="01",
                    exercise_levels=[3, 4],
                )
            ],
        )
        assert api.ImportBasicCatalogue(request, None).applied
    with bound(principal=MSCJ_ADMIN):
        item = api.ClaimItem(
            pb.ClaimItemRequest(tenant="510104", dept=MSCJ, dept_name="区市场监管局", basic_code=GETIHU), None
        ).item
        assert item.status == pb.ITEM_STATUS_DRAFT
        edited = api.UpdateGuide(
            pb.UpdateGuideRequest(
                item_id=item.id, guide=convert.guide(guide(visits=0)), expected_revision=item.revision
            ),
            None,
        ).item
        assert edited.guide.visits == 0 and edited.guide.service_objects == [pb.SERVICE_OBJECT_NATURAL_PERSON]
        assert convert.guide_document(edited.guide)["form_schema"] == GUIDE["form_schema"]
        api.SubmitItem(pb.SubmitItemRequest(item_id=item.id), None)
    with bound(principal=JINJIANG):
        api.ApproveItem(pb.ApproveItemRequest(item_id=item.id), None)
        published = api.PublishItem(pb.PublishItemRequest(item_id=item.id), None)
        assert published.version.version == 1 and published.item.status == pb.ITEM_STATUS_PUBLISHED
        listed = api.ListItems(pb.ListItemsRequest(tenant="510104", status=pb.ITEM_STATUS_PUBLISHED), None)
        assert [i.id for i in listed.items] == [item.id]
    # public reads, no principal
    got = api.GetGuide(pb.GetGuideRequest(item_id=item.id), None).guide
    assert got.guide.legal_limit.unit == pb.TIME_UNIT_WORKDAY and got.process == "promised-default"
    assert got.implementation_code == item.implementation_code
    hits = api.SearchItems(
        pb.SearchItemsRequest(
            query="个体工商户", tenant="510104", service_object=pb.SERVICE_OBJECT_NATURAL_PERSON
        ),
        None,
    )
    assert [h.item_id for h in hits.hits] == [item.id]
    none = api.SearchItems(
        pb.SearchItemsRequest(query="个体工商户", service_object=pb.SERVICE_OBJECT_LEGAL_PERSON), None
    )
    assert none.total == 0
    assert len(api.ListItemVersions(pb.ListItemVersionsRequest(item_id=item.id), None).versions) == 1
    basic = api.GetBasicItem(pb.GetBasicItemRequest(basic_code=GETIHU), None).item
    assert basic.status == pb.BASIC_ITEM_STATUS_ACTIVE


def test_the_injected_clock_dates_revisions_actions_and_the_withdrawal_event(sqlite_url) -> None:
    upgrade(script_location_of("ywtb.catalog"), sqlite_url)
    reads = GuideReads(Database(sqlite_url), LocalGuideCache(), SearchIndex(), ttl_s=600)
    fixed = datetime(2026, 9, 29, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    service = CatalogService(
        reads.db, reads, province_tenant="510000", code_pattern=DEFAULT_PATTERN, clock=lambda: fixed
    )
    item_id = lifecycle(service)
    service.withdraw(JINJIANG, item_id, "政策调整，暂停办理")
    with service.db.transaction() as s:
        item = s.get(Item, item_id)
        assert utc(item.updated_at) == fixed
        assert {utc(at) for at in s.scalars(select(ItemAction.at).where(ItemAction.item_id == item_id))} == {
            fixed
        }
        payload = s.scalars(select(outbox.c.payload).order_by(outbox.c.seq.desc())).first()
    assert json.loads(bytes(payload))["withdrawnAt"] == "2026-09-29T02:00:00Z"
