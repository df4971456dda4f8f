"""申请人身份 through the gateway, on both stacks: one applies in one's own name, for a company only as its
authorised agent, for an item only at its real-name level; a window clerk applies for whoever stands there.

The hole this closes: a second citizen registered with POST /api/v1/persons and submitted an online
application with the first citizen's name and ID number — it was accepted (201).
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ywtb.common.codes import make_credit_code
from ywtb.common.pii import id_check_char
from ywtb.common.testing.demo import FORM, ID_NUMBER, PDF

PASSWORD = "Abc12345ywtb"
SEAL_QUERY, SEAL_ITEM = "刻章", "公章刻制备案"  # a legal-person item with no applicant-supplied material
FUND_QUERY, FUND_ITEM = "公积金提取", "住房公积金提取（租房）"  # needs real-name level 3


def _ok(reply: httpx.Response, status: int = 200) -> dict:
    assert reply.status_code == status, reply.text
    return reply.json()


def _refused(reply: httpx.Response, status: int, code: str) -> dict:
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert error["code"] == code, error
    return error


def _item(gateway: httpx.Client, query: str, name: str) -> dict:
    hits = _ok(gateway.get("/api/v1/catalog/search", params={"q": query}))["hits"]
    hit = next(h for h in hits if h["name"] == name)
    return _ok(gateway.get(f"/api/v1/catalog/items/{hit['item_id']}/guide"))


def _new_person(gateway: httpx.Client, login) -> tuple[dict, dict[str, str], str]:  # type: ignore[no-untyped-def]
    """A freshly registered citizen: (person, bearer headers, ID number)."""
    id17 = f"510104{random.randint(1960, 2000)}0{random.randint(1, 9)}1{random.randint(0, 8)}{random.randint(100, 999)}"
    id_number = id17 + id_check_char(id17)
    mobile = f"139{random.randint(0, 99_999_999):08d}"
    body = {
        "name": "李四",
        "id_number": id_number,
        "mobile": mobile,
        "factors": [{"type": "FACTOR_TYPE_BANK_CARD", "value": f"6222{random.randint(0, 10**12):012d}"}],
        "password": PASSWORD,
    }
    person = _ok(gateway.post("/api/v1/persons", json=body), 201)
    deadline = time.monotonic() + 30
    while True:  # on the full stack the account reaches Keycloak through identity's provisioning
        try:
            return person, login(gateway, person["username"], PASSWORD), id_number
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _submit(gateway: httpx.Client, headers: dict[str, str], body: dict) -> httpx.Response:
    return gateway.post("/api/v1/cases", headers={**headers, "Idempotency-Key": str(uuid.uuid4())}, json=body)


def _shop_application(gateway: httpx.Client, headers: dict[str, str], applicant: dict) -> dict:
    guide = _item(gateway, "gtgsh", "个体工商户设立登记")
    upload = gateway.post(
        "/api/v1/cases/materials", headers=headers, files={"file": ("申请书.pdf", PDF, "application/pdf")}
    )
    material = guide["guide"]["materials"][0]["name"]
    return {
        "item_id": guide["item_id"],
        "item_version": guide["version"],
        "channel": "CHANNEL_ONLINE",
        "applicant": applicant,
        "form_data": FORM,
        "materials": [{"material_name": material, "file_ids": [_ok(upload, 201)["id"]]}],
    }


def _seal_application(gateway: httpx.Client, credit_code: str) -> dict:
    guide = _item(gateway, SEAL_QUERY, SEAL_ITEM)
    form = {
        "entity_name": "成都锦江申请人核验测试有限公司",
        "credit_code": credit_code,
        "contact_name": "李四",
        "contact_mobile": "13900000001",
        "seals": "公章一枚",
    }
    return {
        "item_id": guide["item_id"],
        "item_version": guide["version"],
        "channel": "CHANNEL_ONLINE",
        "applicant": {"credit_code": credit_code},
        "form_data": form,
        "materials": [],
    }


def check_applicant_identity(gateway: httpx.Client, login) -> None:  # type: ignore[no-untyped-def]
    """Every rule of issue 11 §1, as a second citizen, an agent and a window clerk would meet them."""
    person, li, li_id = _new_person(gateway, login)
    clerk = login(gateway, "jinjiang.clerk")

    # 1. Naming the first citizen (张三, the demo account) is refused, and nothing is created.
    before = len(_ok(gateway.get("/api/v1/cases/mine", headers=li)))
    stolen = {"applicant_type": 1, "name": "张三", "id_type": "111", "id_number": ID_NUMBER}
    refused = _refused(
        _submit(gateway, li, _shop_application(gateway, li, stolen)), 403, "APPLICANT_NOT_SELF"
    )
    assert "本人（李四）" in refused["message"]
    assert len(_ok(gateway.get("/api/v1/cases/mine", headers=li))) == before

    # 2. In one's own name: name and ID number come from the account, whatever the body leaves out.
    own = _ok(_submit(gateway, li, _shop_application(gateway, li, {"contact_mobile": "13900000001"})), 201)
    assert own["applicant"]["name"] == "李四" and own["applicant"]["id_number"].endswith(li_id[-4:])
    assert own["identity_check"] == "IDENTITY_CHECK_ACCOUNT" and own["owner"] == person["id"]

    # 3. For a company: only with an authorisation valid now.
    credit_code = make_credit_code(f"91510104MA{random.randint(1_000_000, 9_999_999)}")
    company = {
        "credit_code": credit_code,
        "name": "成都锦江申请人核验测试有限公司",
        "applicant_type": 2,
        "representative_name": "王法人",
        "tenant": "510104",
    }
    _ok(gateway.post("/api/v1/legal-persons", headers=clerk, json=company), 201)
    _refused(_submit(gateway, li, _seal_application(gateway, credit_code)), 403, "AGENT_NOT_AUTHORISED")
    until = datetime.now(UTC) + timedelta(seconds=6)
    grant = {"person_id": person["id"], "valid_until": until.isoformat().replace("+00:00", "Z")}
    _ok(gateway.post(f"/api/v1/legal-persons/{credit_code}/agents", headers=clerk, json=grant), 201)
    for_company = _ok(_submit(gateway, li, _seal_application(gateway, credit_code)), 201)
    assert for_company["applicant"]["name"] == company["name"]
    assert for_company["identity_check"] == "IDENTITY_CHECK_AGENT_AUTHORISATION"
    demo_company = make_credit_code("91510104MA6234567")  # 张三's company, not 李四's
    _refused(_submit(gateway, li, _seal_application(gateway, demo_company)), 403, "AGENT_NOT_AUTHORISED")
    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.5)
    expired = _submit(gateway, li, _seal_application(gateway, credit_code))
    assert "到期" in _refused(expired, 403, "AGENT_AUTHORISATION_EXPIRED")["message"]

    # 4. An item's minimum real-name level: level 2 is refused with what to do; after the window check, it passes.
    fund = _item(gateway, FUND_QUERY, FUND_ITEM)
    assert fund["guide"]["min_real_name_level"] == 3
    body = {"item_id": fund["item_id"], "channel": "CHANNEL_ONLINE", "applicant": {}, "form_data": {}}
    low = _refused(_submit(gateway, li, body), 403, "REAL_NAME_LEVEL_TOO_LOW")
    assert "窗口" in low["message"]
    verification = {"method": "VERIFICATION_METHOD_WINDOW", "id_number": li_id}
    verified = _ok(
        gateway.post(f"/api/v1/persons/{person['id']}/verification", headers=clerk, json=verification)
    )
    assert verified["real_name_level"] == 5
    assert (
        _submit(gateway, li, body).status_code == 422
    )  # past the level check: now the empty form is at fault

    # 5. At a window the clerk applies for the person in front of them and is recorded as the submitter.
    window_body = {
        **_shop_application(gateway, clerk, {"name": "王五", "id_type": "111", "id_number": li_id}),
        "channel": "CHANNEL_WINDOW",
    }
    window = _ok(gateway.post("/api/v1/cases", headers=clerk, json=window_body), 201)
    assert window["identity_check"] == "IDENTITY_CHECK_WINDOW" and window["applicant"]["name"] == "王五"
    clerk_subject = _ok(gateway.get("/api/v1/me", headers=clerk))["subject"]
    assert window["owner"] == "" and window["submitted_by"] == clerk_subject
    online_for_someone = {**window_body, "channel": "CHANNEL_ONLINE"}  # staff never apply online in a name
    assert _submit(gateway, clerk, online_for_someone).status_code == 403
    other_county = login(gateway, "qingyang.clerk")  # the clerk's tenant and department rules stay
    assert gateway.post("/api/v1/cases", headers=other_county, json=window_body).status_code == 403


def test_applicant_identity_on_the_embedded_default(embedded_gateway, login) -> None:  # type: ignore[no-untyped-def]
    check_applicant_identity(embedded_gateway, login)


@pytest.mark.integration
def test_applicant_identity_on_the_local_stack(local_gateway, login) -> None:  # type: ignore[no-untyped-def]
    check_applicant_identity(local_gateway, login)
