"""The demo data the end-to-end tests drive: accounts and the sample item seeded by `make run` (SAMPLE DATA)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping

import httpx

from ywtb.common.pii import id_check_char

CITIZEN = "13800000001"
ID_NUMBER = "51010419900307123" + id_check_char("51010419900307123")  # the demo citizen 张三
ITEM = "个体工商户设立登记"
ITEM_QUERY = "gtgsh"  # its pinyin initials
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"  # intake sniffs the %PDF- magic
# The item's application form, as the API takes it.
FORM = {
    "operator_name": "张三",
    "id_number": ID_NUMBER,
    "business_address": "成都市锦江区红星路一段1号",
    "business_scope": "日用百货零售",
    "capital": 5,
    "mobile": "13800000001",
    "trade_name": "张三百货",
}
# The same as the portal's form fields are named and typed.
FORM_FIELDS = {f"form.{name}": str(value) for name, value in FORM.items()}


def pdf(name: str) -> bytes:
    """A small PDF whose bytes (and SHA-256) differ by name."""
    return b"%PDF-1.4\n% " + name.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# 临时居民身份证申领 of 锦江公安分局: 工本费 10 元 paid online after approval, decided at the window at once.
FEE_ITEM = "临时居民身份证申领"
FEE_FORM = {"applicant_name": "张三", "id_number": ID_NUMBER, "mobile": "13800000001", "reason": "乘机急用"}


def submitted_case(
    gateway: httpx.Client,
    login: Callable[[httpx.Client, str], dict[str, str]],
    *,
    item: tuple[str, str] = (ITEM, ITEM_QUERY),
    form: Mapping[str, object] | None = None,
) -> tuple[str, dict[str, bytes]]:
    """The demo citizen's complete online application (status submitted) for the item (name, search query;
    the demo item by default): every required material uploaded that the applicant provides (all of them for
    another item); (case number, files)."""
    citizen = login(gateway, CITIZEN)
    name, query = item
    hits = gateway.get("/api/v1/catalog/search", params={"q": query}).json()["hits"]
    hit = next(h for h in hits if h["name"] == name)
    guide = gateway.get(f"/api/v1/catalog/items/{hit['item_id']}/guide").json()
    names = [
        m["name"]
        for m in guide["guide"]["materials"]
        if m["required"] and (m["source"] == "MATERIAL_SOURCE_APPLICANT" or name != ITEM)
    ]
    files, materials = {}, []
    for name in names:
        file_name, content = f"{name}.pdf", pdf(name)
        upload = gateway.post(
            "/api/v1/cases/materials",
            headers=citizen,
            files={"file": (file_name, content, "application/pdf")},
        )
        assert upload.status_code == 201, upload.text
        files[file_name] = content
        materials.append({"material_name": name, "file_ids": [upload.json()["id"]]})
    body = {
        "item_id": hit["item_id"],
        "item_version": guide["version"],
        "channel": "CHANNEL_ONLINE",
        "applicant": {"applicant_type": 1, "name": "张三", "id_type": "111", "id_number": ID_NUMBER},
        "form_data": dict(form) if form else FORM,
        "materials": materials,
    }
    reply = gateway.post(
        "/api/v1/cases", headers={**citizen, "Idempotency-Key": str(uuid.uuid4())}, json=body
    )
    assert reply.status_code == 201 and reply.json()["status"] == "CASE_STATUS_SUBMITTED", reply.text
    return reply.json()["case_no"], files
