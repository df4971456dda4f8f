"""Asking without an account on SQLite: a code texted to the number, checked once (five tries, five minutes),
one a minute and ten a day; the question recorded with the number masked and sealed; the answer texted back
with the reference, through the notices round that waits while the SMS platform is down."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ywtb.common.errors import InvalidArgument, ResourceExhausted, Unauthenticated, Unavailable
from ywtb.common.pii import PiiKeys
from ywtb.common.sms import Sms, SmsUnavailable
from ywtb.evaluation.inquiries import Inquiries, Question
from ywtb.evaluation.mobile_codes import DAILY, TRIES, MobileCodes
from ywtb.evaluation.models import Inquiry, SmsNotice
from ywtb.evaluation.sms_notices import SmsNotices

from .conftest import CLERK, World

MOBILE = "13912345678"
KEYS = PiiKeys.from_secret("unit-test-pii-secret-0123456789", "evaluation")


class Phone:
    """The SMS platform as the test sees it: what reached each number; down when asked to be."""

    def __init__(self) -> None:
        self.sent: dict[str, Sms] = {}
        self.down = False

    def send(self, sms: Sms) -> str:
        if self.down:
            raise SmsUnavailable("短信平台不可用", message_en="down")
        self.sent[sms.message_no] = sms  # the same message_no twice is one message
        return f"SMS{len(self.sent)}"

    def last_code(self) -> str:
        return [s for s in self.sent.values() if s.template == "YWTB_MOBILE_CODE"][-1].params["code"]


@pytest.fixture
def phone() -> Phone:
    return Phone()


@pytest.fixture
def inquiries(world: World, phone: Phone) -> Inquiries:
    codes = MobileCodes(world.db, KEYS, phone, clock=world.clock)
    notices = SmsNotices(world.db, KEYS, phone, clock=world.clock)
    return Inquiries(world.db, world.facts, clock=world.clock, codes=codes, notices=notices)


def _question(code: str, **given: str) -> Question:
    fields = {
        "kind": "consultation",
        "title": "营业执照遗失",
        "question": "营业执照遗失后如何补领？",
        "item_id": "item-1",
        "mobile": MOBILE,
        "mobile_code": code,
        **given,
    }
    return Question(**fields)  # type: ignore[arg-type]


def test_a_verified_mobile_asks_and_is_texted_the_answer(
    world: World, phone: Phone, inquiries: Inquiries
) -> None:
    assert inquiries.codes is not None and inquiries.notices is not None
    inquiries.codes.send(MOBILE, "510104")
    inquiry, ref = inquiries.ask_by_mobile(_question(phone.last_code()))
    assert (inquiry.asker_name, inquiry.dept) == ("139****5678", world.facts.item("item-1").dept)
    with world.db.transaction() as session:
        stored = session.get(Inquiry, inquiry.id)
        assert stored is not None and MOBILE not in stored.asker + stored.asker_mobile + stored.ref_sealed
    assert inquiries.by_ref(ref).id == inquiry.id
    with pytest.raises(InvalidArgument):  # a code serves once
        inquiries.ask_by_mobile(_question(phone.last_code()))

    phone.down = True
    inquiries.answer(CLERK, inquiry.id, "携带身份证到窗口补领，或网上申请补照。", publish=False)
    assert inquiries.notices.send_round() == 0  # waits while the platform is down
    phone.down = False
    world.clock.now += timedelta(minutes=5)
    assert inquiries.notices.send_round() == 1
    answered = [s for s in phone.sent.values() if s.template == "YWTB_INQUIRY_ANSWERED"]
    assert [(s.mobile, s.params["ref"], s.params["kind"]) for s in answered] == [(MOBILE, ref, "咨询")]
    assert inquiries.notices.send_round() == 0  # sent once
    with world.db.transaction() as session:
        assert [n.status for n in session.scalars(select(SmsNotice))] == ["sent"]


def test_a_wrong_code_counts_and_five_tries_use_it_up(phone: Phone, inquiries: Inquiries) -> None:
    assert inquiries.codes is not None
    inquiries.codes.send(MOBILE, "510104")
    right = phone.last_code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(TRIES):
        with pytest.raises(InvalidArgument) as refused:
            inquiries.ask_by_mobile(_question(wrong))
    assert refused.value.code == "EVALUATION_MOBILE_CODE"
    with pytest.raises(InvalidArgument):
        inquiries.ask_by_mobile(_question(right))  # too many tries: the right code no longer serves


def test_a_code_lapses_and_a_question_refused_keeps_it(
    world: World, phone: Phone, inquiries: Inquiries
) -> None:
    assert inquiries.codes is not None
    inquiries.codes.send(MOBILE, "510104")
    with pytest.raises(InvalidArgument):
        inquiries.ask_by_mobile(_question(phone.last_code(), title="短"))  # the title, not the code
    with pytest.raises(InvalidArgument) as by_case:
        inquiries.ask_by_mobile(_question(phone.last_code(), case_no="C-1"))
    assert "case_no" in by_case.value.fields
    world.clock.now += timedelta(minutes=6)
    with pytest.raises(InvalidArgument):
        inquiries.ask_by_mobile(_question(phone.last_code()))


def test_codes_are_limited_per_number(world: World, phone: Phone, inquiries: Inquiries) -> None:
    assert inquiries.codes is not None
    with pytest.raises(InvalidArgument):
        inquiries.codes.send("1234", "510104")
    with pytest.raises(InvalidArgument) as no_tenant:
        inquiries.codes.send(MOBILE, "")  # the item's or the department's region names the sender
    assert "tenant" in no_tenant.value.fields
    inquiries.codes.send(MOBILE, "510104")
    with pytest.raises(ResourceExhausted) as soon:
        inquiries.codes.send(MOBILE, "510104")
    assert soon.value.code == "EVALUATION_CODE_TOO_SOON"
    for _ in range(DAILY - 1):
        world.clock.now += timedelta(seconds=61)
        inquiries.codes.send(MOBILE, "510104")
    world.clock.now += timedelta(seconds=61)
    with pytest.raises(ResourceExhausted) as daily:
        inquiries.codes.send(MOBILE, "510104")
    assert daily.value.code == "EVALUATION_CODE_DAILY_LIMIT"
    assert all(re.fullmatch(r"\d{6}", s.params["code"]) for s in phone.sent.values())


def test_without_an_sms_platform_or_an_account_nothing_is_asked(world: World, phone: Phone) -> None:
    silent = MobileCodes(world.db, KEYS, None, clock=world.clock)
    with pytest.raises(Unavailable):
        silent.send(MOBILE, "510104")
    phone.down = True
    with pytest.raises(Unavailable):
        MobileCodes(world.db, KEYS, phone, clock=world.clock).send(MOBILE, "510104")
    with pytest.raises(Unauthenticated):
        world.inquiries.ask_by_mobile(_question("123456"))  # the world's inquiries have no codes
