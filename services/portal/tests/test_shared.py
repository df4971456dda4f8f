"""The helpers every area's pages share: ids in paths, page numbers, times, the gateway's field messages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.exceptions import HTTPException

from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.shared import local_time, page_number, path_id, refusal_errors


def test_ids_in_paths_are_checked() -> None:
    assert path_id("510104-2026:1") == "510104-2026%3A1"
    for bad in ("..", "a/b", "", "x" * 65, "中文"):
        with pytest.raises(HTTPException):
            path_id(bad)


@pytest.mark.parametrize(
    ("text", "number"), [("", 1), (None, 1), ("0", 1), ("x", 1), ("-2", 1), ("7", 7), ("900", 500)]
)
def test_page_numbers(text: str | None, number: int) -> None:
    assert page_number(text, 500) == number


def test_times_are_shown_in_china_time() -> None:
    assert local_time("2026-10-08T01:30:00Z") == "2026-10-08 09:30"
    assert local_time("2026-10-08T17:30:00Z", with_time=False) == "2026-10-09"
    assert local_time("") == "" and local_time("soon") == "soon"


def test_the_gateway_field_messages_land_on_the_form_inputs() -> None:
    page = SimpleNamespace(message=lambda error: error.message)
    named = GatewayError(422, "INVALID_ARGUMENT", "请检查", fields={"body.opinion": "请填写意见"})
    assert refusal_errors(page, named, {"opinion": "accept_opinion"}) == {"accept_opinion": "请填写意见"}
    assert refusal_errors(page, named, lambda key: f"{key}-t1") == {"opinion-t1": "请填写意见"}
    plain = GatewayError(409, "CONFLICT", "办件状态已变化")
    assert refusal_errors(page, plain) == {"_form": "办件状态已变化"}
