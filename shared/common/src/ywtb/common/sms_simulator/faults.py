"""The fault switches, set at run time (PUT /v1/faults): down, fail the next N sends, lose the next N answers."""

from __future__ import annotations

import threading
from typing import Any, Literal

from ywtb.common.signed_http.refusals import Refusal, bad_request

Fate = Literal["normal", "fail", "lose"]
MAX_COUNT = 10_000


class Faults:
    """How the next calls and sends fare; all off at start, lost at a restart."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down = False
        self._fail_next = 0
        self._lose_next = 0

    def check_up(self) -> None:
        """503 while down (the fault switches themselves still answer)."""
        with self._lock:
            down = self._down
        if down:
            raise Refusal(503, "UNAVAILABLE", "短信平台维护中，请稍后重试（模拟器的停机开关）。")

    def fate(self) -> Fate:
        """What becomes of the next send: failed (nothing sent), sent but its answer lost, or normal."""
        with self._lock:
            if self._fail_next > 0:
                self._fail_next -= 1
                return "fail"
            if self._lose_next > 0:
                self._lose_next -= 1
                return "lose"
        return "normal"

    def to_dict(self) -> dict[str, Any]:
        """The switches as GET and PUT /v1/faults answer them."""
        with self._lock:
            return {"down": self._down, "fail_next": self._fail_next, "lose_next": self._lose_next}

    def update(self, body: dict[str, Any]) -> None:
        """Apply PUT /v1/faults: any of down (bool), fail_next and lose_next (counts of sends)."""
        with self._lock:
            down = body.get("down", self._down)
            fail = body.get("fail_next", self._fail_next)
            lose = body.get("lose_next", self._lose_next)
        if not isinstance(down, bool):
            raise bad_request("down 须为 true 或 false。")
        for name, value in (("fail_next", fail), ("lose_next", lose)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
                raise bad_request(f"{name} 须为 0 至 {MAX_COUNT} 之间的整数。")
        with self._lock:
            self._down, self._fail_next, self._lose_next = down, fail, lose
