"""Approval's special procedures through the gateway of the embedded platform: status, suspension,
resumption, extension and AB 角 backups, each refused to another tenant and to the wrong department."""

from __future__ import annotations

import time

import httpx

from ywtb.common.testing.demo import submitted_case


def _ok(reply: httpx.Response, status: int = 200) -> dict:
    assert reply.status_code == status, reply.text
    return reply.json()


def _refused(reply: httpx.Response, status: int = 403) -> None:
    assert reply.status_code == status, reply.text
    if status == 403:
        assert reply.json()["error"]["code"] == "PERMISSION_DENIED", reply.text


def _approval(gateway: httpx.Client, headers: dict[str, str], case_no: str) -> dict:
    """The case's approval status once the CaseAccepted event has started its workflow."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        reply = gateway.get(f"/api/v1/cases/{case_no}/approval", headers=headers)
        if reply.status_code != 404:
            return _ok(reply)
        time.sleep(0.5)
    raise AssertionError(f"approval never started for {case_no}")


def _task(gateway: httpx.Client, headers: dict[str, str], case_no: str, step: str) -> dict | None:
    tasks = _ok(gateway.get("/api/v1/tasks", headers=headers, params={"case_no": case_no}))
    return next((t for t in tasks if t["step"] == step), None)


def test_special_procedures_and_backups_through_the_gateway(embedded_gateway, login) -> None:  # type: ignore[no-untyped-def]
    gateway = embedded_gateway
    case_no, _ = submitted_case(gateway, login)
    clerk, approver = login(gateway, "jinjiang.clerk"), login(gateway, "jinjiang.approver")
    other_dept, dept_admin = login(gateway, "jinjiang.approver2"), login(gateway, "jinjiang.deptadmin")
    other_tenant = login(gateway, "qingyang.clerk")
    accept = {"mode": "ACCEPTANCE_MODE_NORMAL", "opinion": "材料齐全，予以受理"}
    _ok(gateway.post(f"/api/v1/cases/{case_no}/accept", headers=clerk, json=accept))

    # Status: the handling department reads it; another tenant's staff may not.
    case = _approval(gateway, clerk, case_no)
    assert case["status"] == "CASE_STATUS_RUNNING" and case["deadline"]["case_deadline"]
    promised = case["deadline"]["case_deadline"]
    _refused(gateway.get(f"/api/v1/cases/{case_no}/approval", headers=other_tenant))

    # Suspension (特别程序): the handling department's approver only.
    suspension = {"kind": "检验检测", "reason": "需对经营场所进行消防检验"}
    for stranger in (other_tenant, other_dept, clerk):
        _refused(gateway.post(f"/api/v1/cases/{case_no}/suspension", headers=stranger, json=suspension))
    assert _approval(gateway, clerk, case_no)["status"] == "CASE_STATUS_RUNNING"
    suspended = _ok(gateway.post(f"/api/v1/cases/{case_no}/suspension", headers=approver, json=suspension))
    assert suspended["status"] == "CASE_STATUS_SUSPENDED"
    assert [s["kind"] for s in suspended["deadline"]["clock_stops"]] == ["检验检测"]
    _refused(gateway.post(f"/api/v1/cases/{case_no}/suspension", headers=approver, json=suspension), 409)

    # Resumption: the same rule; the clock runs again.
    resumption = {"result": "检验合格"}
    for stranger in (other_tenant, other_dept, clerk):
        _refused(gateway.post(f"/api/v1/cases/{case_no}/resumption", headers=stranger, json=resumption))
    assert _approval(gateway, clerk, case_no)["status"] == "CASE_STATUS_SUSPENDED"
    resumed = _ok(gateway.post(f"/api/v1/cases/{case_no}/resumption", headers=approver, json=resumption))
    assert resumed["status"] == "CASE_STATUS_RUNNING"
    _refused(gateway.post(f"/api/v1/cases/{case_no}/resumption", headers=approver, json=resumption), 409)

    # Extension: once, by the handling department; the deadline moves and the reason is kept.
    extension = {"reason": "案情复杂，需补充现场核查"}
    for stranger in (other_tenant, other_dept, clerk):
        _refused(gateway.post(f"/api/v1/cases/{case_no}/extension", headers=stranger, json=extension))
    assert _approval(gateway, clerk, case_no)["deadline"].get("extension_days", 0) == 0
    extended = _ok(gateway.post(f"/api/v1/cases/{case_no}/extension", headers=approver, json=extension))
    assert extended["deadline"]["extension_days"] > 0 and extended["extension_reason"] == extension["reason"]
    assert extended["deadline"]["case_deadline"] > promised
    _refused(gateway.post(f"/api/v1/cases/{case_no}/extension", headers=dept_admin, json=extension), 409)

    # AB 角: the approver claims the review and is absent; only their department's admin names the backup.
    accept_task = _task(gateway, clerk, case_no, "accept")
    assert accept_task is not None
    _ok(gateway.post(f"/api/v1/cases/{case_no}/tasks/{accept_task['task_id']}/claim", headers=clerk))
    done = {"opinion": "已受理"}
    _ok(
        gateway.post(
            f"/api/v1/cases/{case_no}/tasks/{accept_task['task_id']}/complete", headers=clerk, json=done
        )
    )
    review = _task(gateway, approver, case_no, "review")
    assert review is not None
    claim = f"/api/v1/cases/{case_no}/tasks/{review['task_id']}"
    _ok(gateway.post(f"{claim}/claim", headers=approver))
    absent, backup = (_ok(gateway.get("/api/v1/me", headers=h))["subject"] for h in (approver, other_dept))
    dept = _ok(gateway.get("/api/v1/me", headers=dept_admin))["dept"]
    opinion = {"opinion": "审查通过（B 角代办）"}
    _refused(gateway.post(f"{claim}/complete", headers=other_dept, json=opinion), 409)
    assert _task(gateway, other_dept, case_no, "review") is None
    naming = {"absent_subject": absent, "backup_subject": backup, "dept": dept}
    for stranger in (other_tenant, clerk, approver):
        _refused(gateway.post("/api/v1/approval/backup-handlers", headers=stranger, json=naming))
    other_dept_code = _ok(gateway.get("/api/v1/me", headers=other_dept))["dept"]
    elsewhere = {**naming, "dept": other_dept_code}
    _refused(gateway.post("/api/v1/approval/backup-handlers", headers=dept_admin, json=elsewhere))
    named = _ok(gateway.post("/api/v1/approval/backup-handlers", headers=dept_admin, json=naming))
    assert (named["absent_subject"], named["backup_subject"]) == (absent, backup)
    assert _task(gateway, other_dept, case_no, "review") is not None  # the backup sees the absent's task
    reviewed = _ok(gateway.post(f"{claim}/complete", headers=other_dept, json=opinion))
    assert (
        _task(gateway, approver, case_no, "decide") is not None
        and reviewed["status"] == "CASE_STATUS_RUNNING"
    )
