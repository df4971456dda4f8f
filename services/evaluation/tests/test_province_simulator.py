"""The provincial 好差评 simulator as its own process, driven through HttpProvincialRatingsPlatform (no mocks);
and the isolation of the adapter from the simulator and from web frameworks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from ywtb.common.signed_http.bodies import dumps
from ywtb.common.testing.conformance import free_port
from ywtb.common.testing.imports import SIMULATOR_SIDE, WEB_FRAMEWORKS, assert_not_imported
from ywtb.common.testing.simulators import SimulatorProcess
from ywtb.evaluation.province import (
    HttpProvincialRatingsPlatform,
    PlatformRefused,
    PlatformUnavailable,
    RatingReport,
)
from ywtb.evaluation.province.wire import HAOCP, batch_to_json

KEY = "haocp-sim-test-key-0123456789abcdef"
TENANT = "510104"
DEPT = "11510104MB3234567X"
RATED_AT = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 Beijing
DAY = date(2026, 9, 30)
PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ywtb" / "evaluation"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    data_dir = tmp_path_factory.mktemp("haocp-sim")
    settings = {"PROVINCE_KEY": KEY}
    with SimulatorProcess(
        "ywtb.evaluation.province_simulator", "YWTB_HAOCPSIM_", data_dir, settings
    ) as process:
        yield process


@pytest.fixture(scope="module")
def platform(sim: SimulatorProcess) -> Iterator[HttpProvincialRatingsPlatform]:
    with HttpProvincialRatingsPlatform(sim.url, KEY, timeout_s=5) as p:
        yield p


@pytest.fixture(autouse=True)
def no_faults(platform: HttpProvincialRatingsPlatform) -> Iterator[None]:
    platform.exchange("PUT", "/v1/faults", {"down": False, "refuse_next": 0, "drop_next": 0})
    yield
    platform.exchange("PUT", "/v1/faults", {"down": False, "refuse_next": 0, "drop_next": 0})


def rating(tenant: str = TENANT, **changes: object) -> RatingReport:
    """A fresh rating of a completed case, first revision."""
    report = RatingReport(
        rating_id=uuid.uuid4().hex,
        revision=1,
        tenant=tenant,
        dept=DEPT,
        item_id="item-1",
        item_name="个体工商户设立登记",
        case_no=f"C-{uuid.uuid4().hex[:8]}",
        visit_id="",
        stage="completion",
        level=5,
        indicators={"efficiency": 5, "convenience": 4},
        channel=1,
        follow_up=False,
        system_default=False,
        real_name=True,
        staff="clerk-1",
        rated_at=RATED_AT,
    )
    return replace(report, **changes)  # type: ignore[arg-type]


def test_reports_are_acked_in_order_and_held_for_the_day(platform: HttpProvincialRatingsPlatform) -> None:
    batch = [rating(), rating(stage="visit", case_no="", visit_id="v-1", channel=3), rating()]
    acks = platform.report(batch)
    assert [ack.key for ack in acks] == [report.key for report in batch]
    assert all(ack.accepted and ack.code == "" for ack in acks)
    held = platform.received(TENANT, DAY)
    assert {report.key for report in batch} <= held
    assert not {report.key for report in batch} & platform.received(TENANT, date(2026, 9, 29))
    assert not {report.key for report in batch} & platform.received("510105", DAY)
    assert platform.report(batch) == acks  # idempotent by rating and revision
    assert platform.report([]) == []


def test_a_later_revision_replaces_the_held_one_an_earlier_one_does_not(
    platform: HttpProvincialRatingsPlatform,
) -> None:
    first = rating()
    platform.report([first])
    excluded = replace(first, revision=2, excluded=True, excluded_reason="恶意差评，申诉成立")
    assert platform.report([excluded])[0].accepted
    assert platform.report([first])[0].accepted  # late and stale: accepted, changes nothing
    held = {key for key in platform.received(TENANT, DAY) if key[0] == first.rating_id}
    assert held == {(first.rating_id, 2)}
    page = httpx.get(f"{platform.base_url}/").text
    assert first.rating_id in page and "已剔除：恶意差评，申诉成立" in page and "旧版本" in page


def test_a_report_breaking_the_provinces_rules_is_refused_with_its_code(
    platform: HttpProvincialRatingsPlatform,
) -> None:
    good, bad_level, no_subject = rating(), rating(level=6), rating(case_no="", visit_id="")
    acks = platform.report([good, bad_level, no_subject])
    assert [(a.accepted, a.code) for a in acks] == [
        (True, ""),
        (False, "LEVEL_INVALID"),
        (False, "SUBJECT_MISSING"),
    ]
    assert "1 至 5" in acks[1].message
    assert bad_level.key not in platform.received(TENANT, DAY)


def test_a_malformed_batch_is_refused_whole(platform: HttpProvincialRatingsPlatform) -> None:
    body = batch_to_json([rating()])
    body["reports"][0]["level"] = "5"
    with pytest.raises(PlatformRefused) as refused:
        platform.exchange("POST", "/v1/reports", body)
    assert (refused.value.status, refused.value.code) == (400, "BAD_REQUEST")
    with pytest.raises(ValueError, match="最多"):
        platform.exchange("POST", "/v1/reports", batch_to_json([rating() for _ in range(101)]))


def test_down_is_unavailable_then_up_again(platform: HttpProvincialRatingsPlatform) -> None:
    assert platform.exchange("PUT", "/v1/faults", {"down": True})["down"] is True
    with pytest.raises(PlatformUnavailable, match="503"):
        platform.report([rating()])
    with pytest.raises(PlatformUnavailable, match="503"):
        platform.received(TENANT, DAY)
    platform.exchange("PUT", "/v1/faults", {"down": False})
    assert platform.report([rating()])[0].accepted


def test_refuse_next_refuses_that_many_reports(platform: HttpProvincialRatingsPlatform) -> None:
    platform.exchange("PUT", "/v1/faults", {"refuse_next": 2})
    acks = platform.report([rating(), rating(), rating()])
    assert [(a.accepted, a.code) for a in acks] == [
        (False, "DATA_REJECTED"),
        (False, "DATA_REJECTED"),
        (True, ""),
    ]
    assert platform.exchange("GET", "/v1/faults")["refuse_next"] == 0


def test_drop_acks_but_loses_the_report_so_reconciliation_sees_it_missing(
    platform: HttpProvincialRatingsPlatform,
) -> None:
    platform.exchange("PUT", "/v1/faults", {"drop_next": 1})
    dropped, kept = rating(), rating()
    assert all(ack.accepted for ack in platform.report([dropped, kept]))
    held = platform.received(TENANT, DAY)
    assert kept.key in held and dropped.key not in held
    assert platform.report([dropped])[0].accepted  # the re-push
    assert dropped.key in platform.received(TENANT, DAY)


def test_fault_switches_are_checked(platform: HttpProvincialRatingsPlatform) -> None:
    for wrong in ({"down": "yes"}, {"refuse_next": -1}, {"drop_next": True}):
        with pytest.raises(PlatformRefused) as refused:
            platform.exchange("PUT", "/v1/faults", wrong)
        assert refused.value.code == "BAD_REQUEST"


def test_unsigned_forged_or_replayed_requests_are_refused(sim: SimulatorProcess) -> None:
    content = dumps(batch_to_json([rating()]))
    unsigned = httpx.post(f"{sim.url}/v1/reports", content=content)
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "BAD_SIGNATURE"
    headers = {"Content-Type": "application/json", **HAOCP.sign(KEY, "POST", "/v1/reports", content)}
    assert httpx.post(f"{sim.url}/v1/reports", content=content, headers=headers).status_code == 200
    replayed = httpx.post(f"{sim.url}/v1/reports", content=content, headers=headers)
    assert replayed.status_code == 401 and "replay" in replayed.json()["message"]
    forged_headers = {**HAOCP.sign(KEY, "POST", "/v1/reports", content)}
    forged = httpx.post(
        f"{sim.url}/v1/reports", content=content.replace(b'"level":5', b'"level":1'), headers=forged_headers
    )
    assert forged.status_code == 401 and "does not verify" in forged.json()["message"]
    # Its answers are signed with the request's path.
    answer = httpx.get(f"{sim.url}/v1/faults", headers=HAOCP.sign(KEY, "GET", "/v1/faults", b""))
    HAOCP.verify(KEY, "RESPONSE", "/v1/faults", answer.content, answer.headers)


def test_a_wrong_key_or_no_platform_is_unavailable(sim: SimulatorProcess) -> None:
    stranger = HttpProvincialRatingsPlatform(sim.url, "another-key-0123456789abcdef")
    with stranger, pytest.raises(PlatformUnavailable, match="not signed by the platform"):
        stranger.report([rating()])
    nobody = HttpProvincialRatingsPlatform(f"http://127.0.0.1:{free_port()}", KEY, timeout_s=1)
    with nobody, pytest.raises(PlatformUnavailable, match="ConnectError"):
        nobody.received(TENANT, DAY)
    with pytest.raises(ValueError, match="16 bytes"):
        HttpProvincialRatingsPlatform(sim.url, "short")


def test_a_restart_keeps_what_was_received(
    platform: HttpProvincialRatingsPlatform, sim: SimulatorProcess
) -> None:
    kept = rating()
    platform.report([kept])
    platform.exchange("PUT", "/v1/faults", {"drop_next": 5})
    sim.stop()
    sim.start()
    assert kept.key in platform.received(TENANT, DAY)
    assert platform.exchange("GET", "/v1/faults")["drop_next"] == 0  # switches reset


def test_the_service_never_imports_the_simulator_nor_the_adapter_a_web_framework() -> None:
    service_files = [p for p in PACKAGE.rglob("*.py") if "province_simulator" not in p.parts]
    assert assert_not_imported(service_files, {"ywtb.evaluation.province_simulator"}) > 10
    assert_not_imported((PACKAGE / "province").rglob("*.py"), WEB_FRAMEWORKS | SIMULATOR_SIDE)
