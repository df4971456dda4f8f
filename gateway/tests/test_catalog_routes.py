"""Catalog REST routes through the gateway to a real catalog service seeded with the sample catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ywtb.api.catalog.v1 import catalog_pb2_grpc
from ywtb.catalog.cache import LocalGuideCache
from ywtb.catalog.grpc_api import CatalogServicer
from ywtb.catalog.reads import GuideReads
from ywtb.catalog.search import SearchIndex
from ywtb.catalog.seed import seed_demo
from ywtb.catalog.service import CatalogService
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.grpc import build_server, server_port
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.gateway.app import create_app
from ywtb.gateway.config import GatewaySettings

SIGNING_KEY = "gateway-catalog-test-signing-key-0123"


@pytest.fixture(scope="module")
def catalog_target(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.db'}"
    upgrade(script_location_of("ywtb.catalog"), url)
    db = Database(url)
    reads = GuideReads(db, LocalGuideCache(), SearchIndex())
    service = CatalogService(
        db, reads, province_tenant="510000", code_pattern="{basic_code}{region_code}{credit_code}"
    )
    seed_demo(service)
    reads.rebuild_index()
    server = build_server(
        [(catalog_pb2_grpc.add_CatalogServiceServicer_to_server, CatalogServicer(service))],
        port=0,
        host="127.0.0.1",
        signing_key=SIGNING_KEY.encode(),
        service_name="ywtb.catalog",
    )
    server.start()
    yield f"127.0.0.1:{server_port(server)}"
    server.stop(0)


@pytest.fixture
def client(catalog_target: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = GatewaySettings(
        internal_signing_key=SIGNING_KEY, data_dir=tmp_path, catalog_target=catalog_target
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _auth(client: TestClient, principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.app.state.issuer.mint(principal)}"}  # type: ignore[attr-defined]


def _top(client: TestClient, q: str, **params: str) -> list[str]:
    response = client.get("/api/v1/catalog/search", params={"q": q, "page_size": "5", **params})
    assert response.status_code == 200, response.text
    return [hit["name"] for hit in response.json()["hits"]]


@pytest.mark.parametrize("query", ["营业执照", "yyzz", "gtgsh", "个体工商户设立登计"])
def test_citizens_find_the_item_without_logging_in(client: TestClient, query: str) -> None:
    assert "个体工商户设立登记" in _top(client, query)[:3]


def test_filters_and_bad_parameters(client: TestClient) -> None:
    assert "结婚登记" not in _top(client, "登记", service_object="legal_person")
    bad = client.get("/api/v1/catalog/search", params={"service_object": "martian"})
    assert bad.status_code == 422 and "query.service_object" in bad.json()["error"]["fields"]


def test_edit_review_publish_shows_in_the_next_guide_read(client: TestClient) -> None:
    hit = client.get("/api/v1/catalog/search", params={"q": "个体工商户设立登记"}).json()["hits"][0]
    item_id, tenant, dept = hit["item_id"], hit["tenant"], hit["dept"]
    before = client.get(f"/api/v1/catalog/items/{item_id}/guide").json()
    guide = dict(before["guide"], hours="工作日 8:30-18:00（示例：延时服务）")
    admin = Principal(subject="da", tenant=tenant, dept=dept, roles=frozenset({"dept_admin"}))
    citizen = Principal(subject="p", tenant="510000", roles=frozenset({"citizen"}))
    body = {"guide": guide, "keywords": "营业执照 个体户"}
    assert (
        client.put(
            f"/api/v1/catalog/items/{item_id}/guide", json=body, headers=_auth(client, citizen)
        ).status_code
        == 403
    )
    bad = client.put(
        f"/api/v1/catalog/items/{item_id}/guide",
        json={"guide": {"visits": "many"}},
        headers=_auth(client, admin),
    )
    assert bad.status_code == 422 and bad.json()["error"]["fields"] == {"guide.visits": "应为整数"}
    assert (
        client.put(
            f"/api/v1/catalog/items/{item_id}/guide", json=body, headers=_auth(client, admin)
        ).status_code
        == 200
    )
    assert (
        client.post(f"/api/v1/catalog/items/{item_id}/submit", headers=_auth(client, admin)).status_code
        == 200
    )
    reviewer = Principal(subject="ta", tenant=tenant, roles=frozenset({"tenant_admin"}))
    assert (
        client.post(f"/api/v1/catalog/items/{item_id}/approve", headers=_auth(client, reviewer)).status_code
        == 200
    )
    published = client.post(f"/api/v1/catalog/items/{item_id}/publish", headers=_auth(client, reviewer))
    assert published.status_code == 200, published.text
    after = client.get(f"/api/v1/catalog/items/{item_id}/guide").json()
    assert after["version"] == before["version"] + 1 and after["guide"]["hours"].startswith("工作日 8:30")
    old = client.get(f"/api/v1/catalog/items/{item_id}/guide", params={"version": before["version"]}).json()
    assert old["guide"]["hours"] == before["guide"]["hours"]
