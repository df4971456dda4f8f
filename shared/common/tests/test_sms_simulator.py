"""The SMS gateway simulator as its own process, driven through HttpSmsPlatform (no mocks), and read as the
tests and the demo read it: the signed inbox (ywtb.common.testing.sms) and the 手机短信 page."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from ywtb.common.signed_http.bodies import dumps
from ywtb.common.sms import HttpSmsPlatform, Sms, SmsRefused, SmsUnavailable
from ywtb.common.sms.templates import INQUIRY_ANSWERED, MOBILE_CODE
from ywtb.common.sms.wire import SMS_SIGNING, sms_to_json
from ywtb.common.testing.simulators import SimulatorProcess
from ywtb.common.testing.sms import inbox, last_message

KEY = "sms-sim-test-key-0123456789abcdef"
DAILY_LIMIT = 4


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    data_dir = tmp_path_factory.mktemp("sms-sim")
    settings = {"SMS_KEY": KEY, "DAILY_LIMIT": str(DAILY_LIMIT)}
    with SimulatorProcess("ywtb.common.sms_simulator", "YWTB_SMSSIM_", data_dir, settings) as process:
        yield process


@pytest.fixture(scope="module")
def platform(sim: SimulatorProcess) -> Iterator[HttpSmsPlatform]:
    with HttpSmsPlatform(sim.url, KEY, timeout_s=5) as p:
        yield p


@pytest.fixture(autouse=True)
def no_faults(platform: HttpSmsPlatform) -> Iterator[None]:
    platform.exchange("PUT", "/v1/faults", {"down": False, "fail_next": 0, "lose_next": 0})
    yield
    platform.exchange("PUT", "/v1/faults", {"down": False, "fail_next": 0, "lose_next": 0})


def mobile() -> str:
    """A fresh number (each test's daily count starts at 0)."""
    return f"139{secrets.randbelow(10**8):08d}"


def code_sms(to: str, code: str = "384912") -> Sms:
    return Sms(f"test-{uuid.uuid4().hex}", "510104", to, MOBILE_CODE, {"code": code, "minutes": "5"})


def test_a_sent_code_is_what_the_number_receives(sim: SimulatorProcess, platform: HttpSmsPlatform) -> None:
    to = mobile()
    assert inbox(sim.url, KEY, to) == (0, [])
    message_id = platform.send(code_sms(to, "271828"))
    assert message_id.startswith("SM")
    assert last_message(sim.url, KEY, to) == "【一网通办】您的验证码为271828，5分钟内有效，请勿告知他人。"
    answered = Sms(
        f"test-{uuid.uuid4().hex}",
        "510104",
        to,
        INQUIRY_ANSWERED,
        {"kind": "投诉", "title": "窗口排队", "ref": "Q7K2"},
    )
    platform.send(answered)
    text = last_message(sim.url, KEY, to, after=1)
    assert text == "【一网通办】您的投诉「窗口排队」已答复，查询码 Q7K2，请登录一网通办门户或凭查询码查看。"
    total, messages = inbox(sim.url, KEY, to)
    assert total == 2 and [m.message_id for m in messages][1] == message_id
    with pytest.raises(AssertionError, match="no SMS"):
        last_message(sim.url, KEY, to, after=2, wait_s=0.3)


def test_the_same_message_no_is_sent_once(sim: SimulatorProcess, platform: HttpSmsPlatform) -> None:
    to = mobile()
    sms = code_sms(to)
    assert platform.send(sms) == platform.send(sms) == platform.send(sms)
    assert inbox(sim.url, KEY, to)[0] == 1
    with pytest.raises(SmsRefused) as refused:
        platform.send(replace(sms, params={"code": "000000", "minutes": "5"}))
    assert (refused.value.status, refused.value.code) == (409, "MESSAGE_CONFLICT")
    assert "流水号" in refused.value.message


def test_an_unknown_template_or_missing_parameters_are_refused(
    sim: SimulatorProcess, platform: HttpSmsPlatform
) -> None:
    to = mobile()
    with pytest.raises(SmsRefused) as unknown:
        platform.send(replace(code_sms(to), template="SMS_MARKETING"))
    assert (unknown.value.status, unknown.value.code) == (400, "TEMPLATE_UNKNOWN")
    assert "未报备" in unknown.value.message
    with pytest.raises(SmsRefused) as missing:
        platform.send(replace(code_sms(to), params={"code": "384912"}))
    assert missing.value.code == "PARAMS_MISSING" and "minutes" in missing.value.message
    with pytest.raises(SmsRefused) as bad_number:
        platform.send(code_sms("1380013800"))
    assert bad_number.value.code == "MOBILE_INVALID"
    body = sms_to_json(code_sms(to))
    body["params"]["code"] = 384912
    with pytest.raises(SmsRefused) as malformed:
        platform.exchange("POST", "/v1/messages", body)
    assert malformed.value.code == "BAD_REQUEST"
    assert inbox(sim.url, KEY, to)[0] == 0


def test_a_number_past_its_daily_limit_is_refused(sim: SimulatorProcess, platform: HttpSmsPlatform) -> None:
    to = mobile()
    first = code_sms(to)
    platform.send(first)
    for _ in range(DAILY_LIMIT - 1):
        platform.send(code_sms(to))
    with pytest.raises(SmsRefused) as limited:
        platform.send(code_sms(to))
    assert (limited.value.status, limited.value.code) == (429, "SMS_DAILY_LIMIT")
    assert "当日上限" in limited.value.message
    platform.send(first)  # a retry of one sent already still answers its id
    platform.send(code_sms(mobile()))  # another number is not limited
    assert inbox(sim.url, KEY, to)[0] == DAILY_LIMIT


def test_down_is_unavailable_then_up_again(sim: SimulatorProcess, platform: HttpSmsPlatform) -> None:
    to = mobile()
    assert platform.exchange("PUT", "/v1/faults", {"down": True})["down"] is True
    with pytest.raises(SmsUnavailable, match="503") as down:
        platform.send(code_sms(to))
    assert down.value.message == "短信平台暂时无法访问，请稍后重试。"
    with pytest.raises(SmsUnavailable, match="503"):
        inbox(sim.url, KEY, to)
    platform.exchange("PUT", "/v1/faults", {"down": False})
    platform.send(code_sms(to))
    assert inbox(sim.url, KEY, to)[0] == 1


def test_fail_next_sends_nothing_lose_next_sends_once_whatever_the_retries(
    sim: SimulatorProcess, platform: HttpSmsPlatform
) -> None:
    to = mobile()
    platform.exchange("PUT", "/v1/faults", {"fail_next": 2})
    sms = code_sms(to)
    for _ in range(2):
        with pytest.raises(SmsUnavailable, match="500"):
            platform.send(sms)
    assert inbox(sim.url, KEY, to)[0] == 0
    platform.send(sms)
    assert inbox(sim.url, KEY, to)[0] == 1
    platform.exchange("PUT", "/v1/faults", {"lose_next": 1})
    lost = code_sms(to, "999999")
    with pytest.raises(SmsUnavailable, match="504"):
        platform.send(lost)
    assert "999999" in last_message(sim.url, KEY, to, after=1)  # it went out all the same
    assert platform.send(lost) == inbox(sim.url, KEY, to)[1][0].message_id  # the retry: that one
    assert inbox(sim.url, KEY, to)[0] == 2
    assert platform.exchange("GET", "/v1/faults") == {"down": False, "fail_next": 0, "lose_next": 0}


def test_the_page_shows_each_numbers_messages(sim: SimulatorProcess, platform: HttpSmsPlatform) -> None:
    to = mobile()
    platform.send(code_sms(to, "161803"))
    numbers = httpx.get(f"{sim.url}/")
    assert numbers.status_code == 200 and "手机短信" in numbers.text and f"/?mobile={to}" in numbers.text
    page = httpx.get(f"{sim.url}/", params={"mobile": to})
    assert page.status_code == 200
    assert "您的验证码为161803" in page.text and f"{to} 收到的短信：共 1 条" in page.text
    assert httpx.get(f"{sim.url}/", params={"mobile": "<script>"}).status_code == 400


def test_unsigned_forged_or_replayed_requests_are_refused(sim: SimulatorProcess) -> None:
    content = dumps(sms_to_json(code_sms(mobile())))
    unsigned = httpx.post(f"{sim.url}/v1/messages", content=content)
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "BAD_SIGNATURE"
    assert httpx.get(f"{sim.url}/v1/messages", params={"mobile": mobile()}).status_code == 401
    headers = {"Content-Type": "application/json", **SMS_SIGNING.sign(KEY, "POST", "/v1/messages", content)}
    assert httpx.post(f"{sim.url}/v1/messages", content=content, headers=headers).status_code == 201
    replayed = httpx.post(f"{sim.url}/v1/messages", content=content, headers=headers)
    assert replayed.status_code == 401 and "replay" in replayed.json()["message"]
    forged = httpx.post(
        f"{sim.url}/v1/messages",
        content=content.replace(b"384912", b"000000"),
        headers=SMS_SIGNING.sign(KEY, "POST", "/v1/messages", content),
    )
    assert forged.status_code == 401 and "does not verify" in forged.json()["message"]


def test_a_wrong_key_is_unavailable(sim: SimulatorProcess) -> None:
    stranger = HttpSmsPlatform(sim.url, "another-key-0123456789abcdef")
    with stranger, pytest.raises(SmsUnavailable, match="not signed by the platform"):
        stranger.send(code_sms(mobile()))


def test_a_restart_keeps_the_messages_and_the_days_count(
    sim: SimulatorProcess, platform: HttpSmsPlatform
) -> None:
    to = mobile()
    kept = code_sms(to)
    kept_id = platform.send(kept)
    for _ in range(DAILY_LIMIT - 1):
        platform.send(code_sms(to))
    platform.exchange("PUT", "/v1/faults", {"fail_next": 5})
    sim.stop()
    sim.start()
    assert platform.exchange("GET", "/v1/faults")["fail_next"] == 0  # switches reset
    assert platform.send(kept) == kept_id
    with pytest.raises(SmsRefused, match="SMS_DAILY_LIMIT"):
        platform.send(code_sms(to))
    assert inbox(sim.url, KEY, to)[0] == DAILY_LIMIT
