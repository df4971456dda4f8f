"""Intake REST routes through the gateway to a real intake service (SQLite) and a fake catalogue."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ywtb.api.intake.v1 import intake_pb2_grpc
from ywtb.common.auth.principal import Principal
from ywtb.common.db import Database
from ywtb.common.grpc import build_server, server_port
from ywtb.common.migrations import script_location_of, upgrade
from ywtb.gateway.app import create_app
from ywtb.gateway.config import GatewaySettings
from ywtb.intake.catalog_client import GrpcCatalogClient
from ywtb.intake.grpc_api import IntakeServicer
from ywtb.intake.identity_client import GrpcIdentityClient
from ywtb.intake.service import IntakeService
from ywtb.intake.storage import DatabaseStorage
from ywtb.intake.testing import (
    CITIZEN,
    CLERK,
    OTHER_CITIZEN,
    OTHER_DEPT_CLERK,
    OTHER_TENANT_CLERK,
    SHOP_ITEM,
    start_fake_catalog,
    start_fake_identity,
)

SIGNING_KEY = "gateway-intake-test-signing-key-0123"
PDF = b"%PDF-1.7\n%%EOF\n"
ACCEPTED_AT = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)  # Tue 29 Sep 2026 10:00 Beijing time


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    catalog_server, catalog_target, _ = start_fake_catalog(SIGNING_KEY.encode())
    identity_server, identity_target, _ = start_fake_identity(SIGNING_KEY.encode())
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    upgrade(script_location_of("ywtb.intake"), url)
    service = IntakeService(
        Database(url),
        GrpcCatalogClient(catalog_target, SIGNING_KEY.encode()),
        GrpcIdentityClient(identity_target, SIGNING_KEY.encode()),
        DatabaseStorage(),
        pii_secret="gateway-intake-pii-secret-0123456789",
        clock=lambda: ACCEPTED_AT,
    )
    server = build_server(
        [(intake_pb2_grpc.add_IntakeServiceServicer_to_server, IntakeServicer(service))],
        port=0,
        host="127.0.0.1",
        signing_key=SIGNING_KEY.encode(),
        service_name="ywtb.intake",
        options=[("grpc.max_receive_message_length", 11 * 1024 * 1024)],
    )
    server.start()
    settings = GatewaySettings(
        internal_signing_key=SIGNING_KEY, data_dir=tmp_path, intake_target=f"127.0.0.1:{server_port(server)}"
    )
    with TestClient(create_app(settings)) as client:
        yield client
    server.stop(0)
    catalog_server.stop(0)
    identity_server.stop(0)


def _auth(client: TestClient, principal: Principal, **extra: str) -> dict[str, str]:
    token = client.app.state.issuer.mint(principal)  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {token}", **extra}


def _upload(client: TestClient, name: str) -> str:
    response = client.post(
        "/api/v1/cases/materials",
        headers=_auth(client, CITIZEN),
        files={"file": (f"{name}.pdf", PDF + name.encode(), "application/pdf")},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _body(materials: dict[str, str], form: dict | None = None) -> dict:
    return {
        "item_id": SHOP_ITEM,
        "applicant": {"id_number": "11010519491231002X"},
        "form_data": form if form is not None else {"shop_name": "张三小吃店", "area": 30},
        "materials": [{"material_name": n, "file_ids": [i]} for n, i in materials.items()],
    }


def test_upload_submit_notice_supplement_accept(client: TestClient) -> None:
    upload = client.post(
        "/api/v1/cases/materials",
        headers=_auth(client, CITIZEN),
        files={"file": ("申请书.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 201
    assert upload.json()["size"] == str(len(PDF)) and len(upload.json()["sha256"]) == 64
    body = _body({"申请书": upload.json()["id"]})
    no_key = client.post("/api/v1/cases", headers=_auth(client, CITIZEN), json=body)
    assert no_key.status_code == 422 and "Idempotency-Key" in no_key.json()["error"]["fields"]

    headers = _auth(client, CITIZEN, **{"Idempotency-Key": "gw-1"})
    created = client.post("/api/v1/cases", headers=headers, json=body)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["status"] == "CASE_STATUS_CORRECTION_REQUESTED"
    assert [d["subject"] for d in case["deficiencies"]] == ["经营场所证明", "消防安全承诺书"]
    replay = client.post("/api/v1/cases", headers=headers, json=body)
    assert replay.status_code == 200 and replay.json()["case_no"] == case["case_no"]

    mine = client.get("/api/v1/cases/mine", headers=_auth(client, CITIZEN))
    assert [c["case_no"] for c in mine.json()] == [case["case_no"]]
    assert client.get("/api/v1/cases/mine", headers=_auth(client, OTHER_CITIZEN)).json() == []
    supplement = {
        "materials": [
            {"material_name": "经营场所证明", "file_ids": [_upload(client, "经营场所证明")]},
            {"material_name": "消防安全承诺书", "file_ids": [_upload(client, "消防安全承诺书")]},
        ]
    }
    resubmitted = client.post(
        f"/api/v1/cases/{case['case_no']}/supplement", headers=_auth(client, CITIZEN), json=supplement
    )
    assert resubmitted.status_code == 200, resubmitted.text
    queue = client.get(
        "/api/v1/cases", headers=_auth(client, CLERK), params={"tenant": "510104", "status": "submitted"}
    )
    assert [c["case_no"] for c in queue.json()] == [case["case_no"]]
    accepted = client.post(
        f"/api/v1/cases/{case['case_no']}/accept", headers=_auth(client, CLERK), json={"opinion": "予以受理"}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["promised_completion_date"] == "2026-10-12"
    assert accepted.json()["applicant"]["id_number"] == "110105********002X"


def test_outsiders_are_refused_and_errors_are_chinese(client: TestClient) -> None:
    headers = _auth(client, CITIZEN, **{"Idempotency-Key": "gw-2"})
    bad_form = client.post("/api/v1/cases", headers=headers, json=_body({}, form={"area": 3}))
    assert bad_form.status_code == 422
    assert bad_form.json()["error"]["fields"] == {"form_data.shop_name": "请填写店铺名称。"}

    case = client.post(
        "/api/v1/cases", headers=headers, json=_body({"申请书": _upload(client, "申请书")})
    ).json()
    path = f"/api/v1/cases/{case['case_no']}"
    assert client.get(path, headers=_auth(client, CITIZEN)).status_code == 200
    assert client.get(path, headers=_auth(client, OTHER_CITIZEN)).status_code == 403
    assert client.get(path, headers=_auth(client, OTHER_DEPT_CLERK)).status_code == 403
    assert client.get(path).status_code == 401
    no_reason = client.post(f"{path}/reject", headers=_auth(client, CLERK), json={"reason": ""})
    assert no_reason.status_code == 422 and "理由" in no_reason.json()["error"]["fields"]["reason"]
    rejected = client.post(
        f"{path}/reject", headers=_auth(client, CLERK), json={"reason": "不属于本部门职权范围。"}
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "CASE_STATUS_REJECTED"

    text = client.post(
        "/api/v1/cases/materials",
        headers=_auth(client, CITIZEN),
        files={"file": ("fake.pdf", b"not really a pdf", "application/pdf")},
    )
    assert text.status_code == 422 and text.json()["error"]["code"] == "FILE_TYPE_NOT_ALLOWED"
    no_file = client.post(
        "/api/v1/cases/materials",
        headers=_auth(client, CITIZEN),
        files={"other": ("a.pdf", PDF, "application/pdf")},
    )
    assert no_file.status_code == 422 and "未收到上传的文件" in no_file.json()["error"]["fields"]["file"]


def test_case_materials_are_listed_and_streamed_to_readers_of_the_case(client: TestClient) -> None:
    large = PDF + bytes(range(256)) * 2000  # about 500 KiB: several gRPC chunks
    upload = client.post(
        "/api/v1/cases/materials",
        headers=_auth(client, CITIZEN),
        files={"file": ("营业执照 副本(1).pdf", large, "application/pdf")},
    )
    file_id = upload.json()["id"]
    headers = _auth(client, CITIZEN, **{"Idempotency-Key": "gw-materials"})
    case = client.post("/api/v1/cases", headers=headers, json=_body({"申请书": file_id})).json()
    path = f"/api/v1/cases/{case['case_no']}/materials"

    listed = client.get(path, headers=_auth(client, CLERK))
    assert listed.status_code == 200, listed.text
    assert [(m["material_name"], m["file"]["id"]) for m in listed.json()] == [("申请书", file_id)]
    assert listed.json()[0]["file"]["sha256"] == hashlib.sha256(large).hexdigest()

    content = client.get(f"{path}/{file_id}/content", headers=_auth(client, CLERK))
    assert content.status_code == 200 and content.content == large
    assert content.headers["content-type"] == "application/pdf"
    assert content.headers["x-content-type-options"] == "nosniff"
    assert content.headers["content-disposition"] == (
        'inline; filename="____ __(1).pdf"; '
        "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%20%E5%89%AF%E6%9C%AC%281%29.pdf"
    )
    assert client.get(f"{path}/{file_id}/content", headers=_auth(client, CITIZEN)).content == large

    for outsider in (OTHER_TENANT_CLERK, OTHER_DEPT_CLERK, OTHER_CITIZEN):
        refused = client.get(f"{path}/{file_id}/content", headers=_auth(client, outsider))
        assert refused.status_code == 403 and refused.json()["error"]["message"] == "您无权查看该办件。"
        assert client.get(path, headers=_auth(client, outsider)).status_code == 403
    missing = client.get(f"{path}/no-such-file/content", headers=_auth(client, CLERK))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "MATERIAL_NOT_FOUND"
    assert client.get(f"{path}/{file_id}/content").status_code == 401
