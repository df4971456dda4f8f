"""好差评 deadlines end to end through the gateway on the embedded platform, the evaluation service's clock moved
(embedded only, `evaluation_clock`): a completed case left unrated is rated by the system (channel 7, the
tenant's level) after the tenant's days; a consultation asked the day before 国庆节 2026 and answered after
six working days is overdue in the department's queue and counted as answered late.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from ywtb.common.calendar import SHANGHAI, national_calendar
from ywtb.common.testing.case_flow import completed_case, ok, rateable_case
from ywtb.common.testing.demo import CITIZEN

DAY_S = 86400


def _moved_to(moment: datetime) -> float:
    """The clock shift that puts the service's now at `moment`."""
    return (moment - datetime.now(UTC)).total_seconds()


def test_a_case_left_unrated_is_rated_by_default_after_the_tenants_days(
    embedded_gateway, login, evaluation_clock
) -> None:  # type: ignore[no-untyped-def]
    gateway = embedded_gateway
    citizen, tenant_admin = login(gateway, CITIZEN), login(gateway, "jinjiang.admin")
    rules = ok(gateway.get("/api/v1/evaluation/settings", headers=tenant_admin))
    case_no = completed_case(gateway, login)
    stage = rateable_case(gateway, citizen, case_no)["rateable"][0]
    assert not stage["rated"] and stage["default_at"]
    evaluation_clock(rules["default_after_days"] * DAY_S - 3600)  # an hour before: nothing yet
    time.sleep(7)  # more than a round (SWEEP_INTERVAL_S=5 under make run)
    assert ok(gateway.get(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen))["ratings"] == []
    evaluation_clock(rules["default_after_days"] * DAY_S + 3600)
    deadline = time.monotonic() + 30
    while not (
        ratings := ok(gateway.get(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen))["ratings"]
    ):
        assert time.monotonic() < deadline, "no default rating within 30 s"
        time.sleep(1)
    (rating,) = ratings
    assert (rating["channel"], rating["system_default"], rating["level"]) == (7, True, rules["default_level"])
    refused = gateway.post(
        f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen, json={"level": 5, "channel": 1}
    )
    assert refused.status_code == 409  # rated by default; a follow-up is still open
    follow_up = {"level": 5, "channel": 1, "follow_up": True, "comment": "补评：办得很快"}
    ok(gateway.post(f"/api/v1/evaluation/cases/{case_no}/ratings", headers=citizen, json=follow_up), 201)


def test_a_consultation_answered_after_six_working_days_across_the_holiday_is_late(
    embedded_gateway, login, evaluation_clock
) -> None:  # type: ignore[no-untyped-def]
    gateway = embedded_gateway
    citizen, clerk = login(gateway, CITIZEN), login(gateway, "jinjiang.clerk")
    item_id = ok(gateway.get(f"/api/v1/cases/{completed_case(gateway, login)}", headers=citizen))["item_id"]
    before_the_holiday = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # 国庆节: 10-01 … 10-07 off
    evaluation_clock(_moved_to(before_the_holiday))
    question = {
        "kind": "consultation",
        "title": "节后办理时间",
        "question": "请问国庆节后个体工商户设立登记窗口几号恢复办理？",
        "item_id": item_id,
    }
    asked = ok(gateway.post("/api/v1/evaluation/inquiries", headers=citizen, json=question), 201)
    calendar = national_calendar()
    asked_at = datetime.fromisoformat(asked["created_at"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(asked["reply_due"].replace("Z", "+00:00"))
    assert due == calendar.deadline(asked_at, 5).astimezone(UTC)  # five working days, the holiday skipped
    assert due.astimezone(SHANGHAI).date() > datetime(2026, 10, 8).date()

    evaluation_clock(_moved_to(calendar.deadline(asked_at, 6) - timedelta(hours=8)))  # the sixth working day
    queue = ok(gateway.get("/api/v1/evaluation/inquiries?open_only=true", headers=clerk))
    (waiting,) = [i for i in queue if i["id"] == asked["id"]]
    assert waiting["overdue"]
    answer = {"reply": "10 月 8 日起恢复正常办理。", "publish": False}
    answered = ok(
        gateway.post(f"/api/v1/evaluation/inquiries/{asked['id']}/reply", headers=clerk, json=answer)
    )
    assert (answered["status"], answered["answered_late"]) == ("INQUIRY_STATUS_ANSWERED", True)
