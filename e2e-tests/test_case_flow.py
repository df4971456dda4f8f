"""A citizen's application from search to completion, only through the gateway, on both stacks.

search → guide → upload → submit (a main material missing: one-time deficiency notice) → supplement →
clerk accepts (promised date in working days) → approval: 受理 by the clerk, 审查 and 决定 by an
approver, 办结 by the clerk → the citizen sees the case completed and approved, handlers masked → the
approved case's 营业执照 is issued into the citizen's wallet and verifies by identifier, QR code and file.
"""

from __future__ import annotations

import os
import time
import uuid

import httpx
import pytest

from ywtb.common.components import registry
from ywtb.common.containers import image_of, podman
from ywtb.common.events.envelope import Event
from ywtb.common.events.kafka import KafkaBus
from ywtb.common.testing.bus import quiet
from ywtb.common.testing.case_flow import approved_food_case, run_case_to_completion
from ywtb.common.testing.case_flow import ok as _ok
from ywtb.common.testing.demo import FORM
from ywtb.common.testing.kube_play import pod_of, pod_states


def licence_of_case(gateway: httpx.Client, login, case_no: str) -> dict:  # type: ignore[no-untyped-def]
    """The e-licence issued on the approved case, as its holder's wallet lists it, checked every way."""
    citizen = login(gateway, "13800000001")
    deadline = time.monotonic() + 60
    while True:
        mine = _ok(gateway.get("/api/v1/licence/licences/mine", headers=citizen))
        issued = [licence for licence in mine if licence["case_no"] == case_no]
        if issued or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(issued) == 1, f"no licence for {case_no} within 60 s: {mine}"
    licence = issued[0]
    assert licence["type_name"] == "营业执照" and licence["status"] == "LICENCE_STATUS_VALID"
    assert licence["identifier"].startswith("1.2.156.3005.2.") and licence["valid_until"] == "长期"
    assert (
        licence["fields"]["business_scope"] == FORM["business_scope"] and "*" in licence["holder_code_masked"]
    )
    identifier = licence["identifier"]

    by_id = _ok(gateway.get(f"/api/v1/licence/licences/{identifier}/verification"))  # no login
    assert by_id["valid"] is True, by_id
    assert [c["name"] for c in by_id["checks"]] == ["signature", "issuer", "revoked", "expired", "superseded"]
    assert by_id["licence"]["holder_name"] == "张*" and len(by_id["licence"]["seal_public_key"]) == 128
    by_qr = _ok(gateway.get("/api/v1/licence/licences/verification", params={"qr": licence["qr_payload"]}))
    assert by_qr["valid"] is True and by_qr["checks"][-1]["name"] == "qr"
    download = gateway.get(f"/api/v1/licence/licences/{identifier}/file", headers=citizen)
    assert download.status_code == 200 and download.content.startswith(b"%PDF"), download.text
    upload = {"file": ("营业执照.pdf", download.content, "application/pdf")}
    assert _ok(gateway.post("/api/v1/licence/licences/verification/file", files=upload))["valid"] is True
    forged = {"file": ("营业执照.pdf", download.content + b"%tampered\n", "application/pdf")}
    answer = _ok(gateway.post("/api/v1/licence/licences/verification/file", files=forged))
    assert answer["valid"] is False and [c["name"] for c in answer["checks"] if not c["passed"]] == ["file"]
    clerk = login(gateway, "jinjiang.clerk")
    assert gateway.get(f"/api/v1/licence/licences/{identifier}/file", headers=clerk).status_code == 403
    malformed = gateway.get("/api/v1/licence/licences/1.2.156.3005.2.x/verification")
    assert (malformed.status_code, malformed.json()["error"]["code"]) == (422, "LICENCE_ID_MALFORMED")

    # 一证通办: the held licence stands for the 营业执照 material of a second case, trust grade A
    attach = {"identifier": identifier, "type_name": "营业执照", "consent": True}
    no_consent = gateway.post(
        "/api/v1/cases/materials/licence", headers=citizen, json={**attach, "consent": False}
    )
    assert (no_consent.status_code, no_consent.json()["error"]["code"]) == (422, "LICENCE_CONSENT_REQUIRED")
    wrong_type = gateway.post(
        "/api/v1/cases/materials/licence", headers=citizen, json={**attach, "type_name": "结婚证"}
    )
    assert (wrong_type.status_code, wrong_type.json()["error"]["code"]) == (409, "LICENCE_WRONG_TYPE")
    attached = _ok(gateway.post("/api/v1/cases/materials/licence", headers=citizen, json=attach), 201)
    assert (attached["trust_grade"], attached["licence_identifier"]) == ("A", identifier)
    second = approved_food_case(gateway, login, {"营业执照": [attached["id"]]})
    files = _ok(gateway.get(f"/api/v1/cases/{second}/materials", headers=citizen))
    held = [f["file"] for f in files if f["material_name"] == "营业执照"]
    assert [(f["trust_grade"], f["licence_identifier"]) for f in held] == [("A", identifier)]

    shared = _ok(
        gateway.post(f"/api/v1/licence/licences/{identifier}/shares", headers=citizen, json={"minutes": 5}),
        201,
    )
    assert (
        gateway.post(f"/api/v1/licence/licences/{identifier}/shares", headers=clerk, json={}).status_code
        == 403
    )
    shown = _ok(gateway.get(f"/api/v1/licence/shares/{shared['token']}"))  # whoever scanned the 亮证 QR
    assert (
        shown["verification"]["valid"] is True
        and shown["verification"]["licence"]["identifier"] == identifier
    )
    assert gateway.get(f"/api/v1/licence/shares/{'x' * 43}").status_code == 404
    views = _ok(gateway.get(f"/api/v1/licence/licences/{identifier}/shares/views", headers=citizen))
    assert [(v["viewer"], v["outcome"]) for v in views] == [("anonymous", "shown")]

    approver = login(gateway, "jinjiang.approver")
    credential = credential_of_licence(gateway, citizen, approver, identifier)
    change = {"kind": "REISSUE_KIND_CHANGE", "values": {"business_scope": "日用百货零售；文具用品零售"}}
    changed = _ok(
        gateway.post(f"/api/v1/licence/licences/{identifier}/versions", headers=approver, json=change), 201
    )
    assert (changed["version"], changed["licence_no"]) == (2, licence["licence_no"])
    stale = _ok(gateway.get(f"/api/v1/licence/licences/{identifier}/verification"))
    assert [c["name"] for c in stale["checks"] if not c["passed"]] == ["superseded"]
    identifier = changed["identifier"]

    revocation = {"kind": "REVOKE_KIND_PROMISE_FALSE", "reason": "经核查，经营场所承诺不实"}
    path = f"/api/v1/licence/licences/{identifier}/revocation"
    assert gateway.post(path, headers=clerk, json=revocation).status_code == 403
    assert gateway.post(path, headers=approver, json={**revocation, "reason": ""}).status_code == 422
    revoked = _ok(gateway.post(path, headers=approver, json=revocation))
    assert revoked["status"] == "LICENCE_STATUS_REVOKED"
    after = _ok(gateway.get(f"/api/v1/licence/licences/{identifier}/verification"))
    assert after["valid"] is False and [c["name"] for c in after["checks"] if not c["passed"]] == ["revoked"]
    revoked_share = gateway.get(f"/api/v1/licence/shares/{shared['token']}")  # superseded, then revoked
    assert (revoked_share.status_code, revoked_share.json()["error"]["code"]) == (409, "LICENCE_NOT_CURRENT")
    refused = gateway.post(
        "/api/v1/cases/materials/licence", headers=citizen, json={**attach, "identifier": identifier}
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "LICENCE_NOT_CURRENT")
    listed = _ok(gateway.get(f"/api/v1/licence/issuers/{licence['issuer']}/status-list"))
    assert identifier in [r["identifier"] for r in listed["revoked"]] and len(listed["signature"]) == 128
    superseded = _ok(gateway.post("/credentials/verify", json={"verifiableCredential": credential}))
    failed = {c["name"] for c in superseded["checks"] if not c["passed"]}
    assert superseded["verified"] is False and failed == {"status", "superseded"}, superseded
    return licence


def credential_of_licence(gateway: httpx.Client, citizen: dict, approver: dict, identifier: str) -> dict:  # type: ignore[type-arg]
    """The licence as a W3C credential: the holder's, verified by anyone through the VC-API, alone and in a
    presentation; a changed claim fails; the issuer's DID document and status list resolve; VC-API issue
    signs only in the approver's own department's name."""
    credential = _ok(gateway.get(f"/api/v1/licence/licences/{identifier}/credential", headers=citizen))
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialSubject"]["licenceIdentifier"] == identifier
    verified = _ok(gateway.post("/credentials/verify", json={"verifiableCredential": credential}))
    assert verified["verified"] is True and {c["name"] for c in verified["checks"]} >= {
        "proof",
        "status",
        "signature",
        "revoked",
        "superseded",
    }
    forged = {**credential, "credentialSubject": {**credential["credentialSubject"], "name": "李四"}}
    refused = _ok(gateway.post("/credentials/verify", json={"verifiableCredential": forged}))
    assert refused["verified"] is False and refused["errors"][0]["type"].endswith("PROOF_VERIFICATION_ERROR")
    shown = {"@context": [credential["@context"][0]], "type": ["VerifiablePresentation"]}
    presented = {"verifiablePresentation": {**shown, "verifiableCredential": [credential]}}
    answer = _ok(gateway.post("/presentations/verify", json=presented))
    assert answer["verified"] is True and answer["credentials"][0]["verified"] is True
    challenged = {**presented, "options": {"challenge": "c-1"}}
    assert _ok(gateway.post("/presentations/verify", json=challenged))["verified"] is False  # unsigned
    issuer = credential["issuer"]["id"]
    dept = issuer.rsplit(":", 1)[1]
    document = _ok(gateway.get(f"/api/v1/licence/issuers/{dept}/did.json"))
    assert (
        document["id"] == issuer and credential["proof"]["verificationMethod"] in document["assertionMethod"]
    )
    status_list = _ok(gateway.get(f"/api/v1/licence/issuers/{dept}/credentials/status-list"))
    assert status_list["credentialSubject"]["statusPurpose"] == "revocation"
    draft = {
        "@context": [credential["@context"][0], {"inspection": "urn:example:inspection"}],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialSubject": {"id": "did:example:shop", "inspection": "合格"},
    }
    assert gateway.post("/credentials/issue", headers=citizen, json={"credential": draft}).status_code == 403
    issued = _ok(gateway.post("/credentials/issue", headers=approver, json={"credential": draft}), 201)
    signed = issued["verifiableCredential"]
    assert _ok(gateway.post("/credentials/verify", json={"verifiableCredential": signed}))["verified"] is True
    other = {**draft, "issuer": issuer[: -len(dept)] + "11510105MB6234567X"}
    foreign = gateway.post("/credentials/issue", headers=approver, json={"credential": other})
    assert (foreign.status_code, foreign.json()["error"]["code"]) == (403, "CREDENTIAL_ISSUER_NOT_OWN")
    return credential


def test_citizen_application_to_completion_on_the_embedded_default(embedded_gateway, login) -> None:  # type: ignore[no-untyped-def]
    """The approved case ends in a sealed e-licence in the citizen's wallet that anyone can verify."""
    case_no = run_case_to_completion(embedded_gateway, login)
    licence_of_case(embedded_gateway, login, case_no)


@pytest.mark.integration
def test_citizen_application_to_completion_on_the_platform_from_the_images(images_gateway, login) -> None:  # type: ignore[no-untyped-def]
    """The same case with every component a container as the chart runs it (read-only, non-root, no caps)."""
    licence_of_case(images_gateway, login, run_case_to_completion(images_gateway, login))
    shift = images_gateway.base_url.port - registry()["gateway"].ports.serving()  # run_platform's offset
    running = podman("ps", f"--filter=name=ywtb-{shift}-", "--format={{.Names}} {{.Image}}").stdout.split(
        "\n"
    )
    assert sorted(filter(None, running)) == sorted(
        f"ywtb-{shift}-{c.name}-0 {image_of(c.name)}" for c in registry()
    )


@pytest.mark.integration
def test_citizen_application_to_completion_on_the_chart_played_by_podman(chart_pods_gateway, login) -> None:  # type: ignore[no-untyped-def]
    """The chart's Deployments, ConfigMaps, Secrets and hook Jobs on the local stack, one case through them."""
    licence_of_case(chart_pods_gateway, login, run_case_to_completion(chart_pods_gateway, login))
    states = pod_states()
    assert {c.name: states.get(pod_of(c.name)) for c in registry()} == {c.name: "Running" for c in registry()}


INTAKE_TOPIC, APPROVAL_TOPIC = "ywtb.intake.case.v1", "ywtb.approval.case.v1"


@pytest.mark.integration
def test_on_the_local_stack_an_external_system_reads_every_event_in_order(local_gateway, login) -> None:  # type: ignore[no-untyped-def]
    """A vertical ministry system subscribed to the public topics sees the case's events, ordered, as CloudEvents."""
    bus = KafkaBus(os.environ["YWTB_KAFKA_BOOTSTRAP"], client_id="e2e-vertical-system")
    with bus.subscribe(
        f"e2e-vertical-{uuid.uuid4().hex[:8]}", [INTAKE_TOPIC, APPROVAL_TOPIC], start="latest"
    ) as sub:
        quiet(sub, 5)  # joined: from now on every new event reaches this group
        case_no = run_case_to_completion(local_gateway, login)
        seen: dict[str, list] = {INTAKE_TOPIC: [], APPROVAL_TOPIC: []}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
            r.header("ce_type") == "ywtb.approval.v1.CaseCompleted" for r in seen[APPROVAL_TOPIC]
        ):
            record = sub.poll(1.0)
            if record is not None and record.key == case_no:
                seen[record.topic].append(record)
    bus.close()
    intake = [r.header("ce_type") for r in seen[INTAKE_TOPIC]]
    approval = [r.header("ce_type") for r in seen[APPROVAL_TOPIC]]
    assert intake == [
        "ywtb.intake.v1.CaseSubmitted",
        "ywtb.intake.v1.CaseCorrectionRequested",
        "ywtb.intake.v1.CaseSubmitted",
        "ywtb.intake.v1.CaseAccepted",
    ], intake
    assert approval == ["ywtb.approval.v1.CaseStepCompleted"] * 3 + [
        "ywtb.approval.v1.CaseApproved",
        "ywtb.approval.v1.CaseStepCompleted",
        "ywtb.approval.v1.CaseCompleted",
    ], approval
    for record in seen[INTAKE_TOPIC] + seen[APPROVAL_TOPIC]:
        event = Event.from_record(record)  # CloudEvents binary mode: ce_* headers, JSON value
        assert (
            record.header("ce_specversion") == "1.0" and record.header("content-type") == "application/json"
        )
        assert event.tenant == "510104" and event.subject == case_no and event.id and event.time
        assert event.json()
    licence_of_case(
        local_gateway, login, case_no
    )  # issued on PostgreSQL from the CaseApproved read from Kafka
