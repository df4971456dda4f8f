"""The licence type catalogue (证照目录) through the gateway of the embedded platform: a department admin
defines a type, anyone reads it, other roles and malformed input are refused and change nothing."""

from __future__ import annotations

import httpx

BUSINESS_LICENCE = {
    "name": "个体工商户营业执照",
    "fields": [{"key": "business_scope", "label": "经营范围", "required": True}],
    "validity_months": 0,
    "issue_mode": "ISSUE_MODE_AUTOMATIC",
}


def _types(gateway: httpx.Client) -> list[dict]:
    reply = gateway.get("/api/v1/licence/types", params={"tenant": "510104"})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_department_admin_defines_a_type_that_anyone_reads(embedded_gateway, login) -> None:  # type: ignore[no-untyped-def]
    gateway = embedded_gateway
    admin = login(gateway, "jinjiang.deptadmin")
    before = _types(gateway)

    for username in ("jinjiang.clerk", "13800000001"):
        refused = gateway.post(
            "/api/v1/licence/types", headers=login(gateway, username), json=BUSINESS_LICENCE
        )
        assert refused.status_code == 403, refused.text
    assert gateway.post("/api/v1/licence/types", json=BUSINESS_LICENCE).status_code == 401
    malformed = gateway.post("/api/v1/licence/types", headers=admin, json={**BUSINESS_LICENCE, "name": "证"})
    assert malformed.status_code == 422, malformed.text
    bad_field = {**BUSINESS_LICENCE, "fields": [{"key": "Scope", "label": "经营范围"}]}
    invalid = gateway.post("/api/v1/licence/types", headers=admin, json=bad_field)
    assert (invalid.status_code, invalid.json()["error"]["code"]) == (422, "LICENCE_TYPE_INVALID"), (
        invalid.text
    )
    assert _types(gateway) == before

    created = gateway.post("/api/v1/licence/types", headers=admin, json=BUSINESS_LICENCE)
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    dept = code[:18]
    assert len(code) == 21 and code[18:].isdigit()
    again = gateway.post("/api/v1/licence/types", headers=admin, json=BUSINESS_LICENCE)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "LICENCE_TYPE_EXISTS"), again.text

    read = gateway.get(f"/api/v1/licence/types/{code}")
    assert read.status_code == 200, read.text
    assert (read.json()["name"], read.json()["dept"], read.json()["fields"][0]["label"]) == (
        "个体工商户营业执照",
        dept,
        "经营范围",
    )
    assert code in [t["code"] for t in _types(gateway)]
    of_dept = gateway.get("/api/v1/licence/types", params={"tenant": "510104", "dept": dept}).json()
    assert [t["code"] for t in of_dept if t["name"] == "个体工商户营业执照"] == [code]
    missing = gateway.get(f"/api/v1/licence/types/{dept}999")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "LICENCE_TYPE_NOT_FOUND")
    assert gateway.get("/api/v1/licence/types/not-a-code").status_code == 422
