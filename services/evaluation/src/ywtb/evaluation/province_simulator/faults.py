"""The fault switches, set at run time (PUT /v1/faults): down, refuse the next N reports, drop the next N."""

from __future__ import annotations

import threading
from typing import Any, Literal

from ywtb.common.signed_http.refusals import Refusal, bad_request

Fate = Literal["normal", "refuse", "drop"]
MAX_COUNT = 10_000
REFUSED_CODE = "DATA_REJECTED"
REFUSED_MESSAGE = "省好差评系统拒收该评价数据（模拟器的拒收开关）。"


class Faults:
    """How the next calls and reports fare; all off at start, lost at a restart."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down = False
        self._refuse_next = 0
        self._drop_next = 0

    def check_up(self) -> None:
        """503 while down (the fault switches themselves still answer)."""
        with self._lock:
            down = self._down
        if down:
            raise Refusal(503, "UNAVAILABLE", "省好差评系统维护中，请稍后重试（模拟器的停机开关）。")

    def fate(self) -> Fate:
        """What becomes of the next report: refused, acked but dropped, or handled normally."""
        with self._lock:
            if self._refuse_next > 0:
                self._refuse_next -= 1
                return "refuse"
            if self._drop_next > 0:
                self._drop_next -= 1
                return "drop"
        return "normal"

    def to_dict(self) -> dict[str, Any]:
        """The switches as GET and PUT /v1/faults answer them."""
        with self._lock:
            return {"down": self._down, "refuse_next": self._refuse_next, "drop_next": self._drop_next}

    def update(self, body: dict[str, Any]) -> None:
        """Apply PUT /v1/faults: any of down (bool), refuse_next and drop_next (counts of reports)."""
        with self._lock:
            down = body.get("down", self._down)
            refuse = body.get("refuse_next", self._refuse_next)
            drop = body.get("drop_next", self._drop_next)
        if not isinstance(down, bool):
            raise bad_request("down 须为 true 或 false。")
        for name, value in (("refuse_next", refuse), ("drop_next", drop)):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
                raise bad_request(f"{name} 须为 0 至 {MAX_COUNT} 之间的整数。")
        with self._lock:
            self._down, self._refuse_next, self._drop_next = down, refuse, drop
