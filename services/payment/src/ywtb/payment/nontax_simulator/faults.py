"""The fault switches, set at run time (PUT /v1/faults): the callback mode and the refund mode."""

from __future__ import annotations

import threading
from typing import Any, cast, get_args

from ywtb.payment.nontax_simulator.config import CallbackMode, RefundMode
from ywtb.payment.nontax_simulator.refusals import bad_request

MODES: tuple[str, ...] = get_args(CallbackMode)
REFUND_MODES: tuple[str, ...] = get_args(RefundMode)
MAX_DELAY_S = 3600.0


class Faults:
    """How the next payments are reported and the next refunds end; starts from the settings, lost at a restart."""

    def __init__(
        self,
        mode: CallbackMode,
        delay_s: float,
        callbacks_configured: bool,
        refund_mode: RefundMode = "normal",
        refund_delay_s: float = 2.0,
    ) -> None:
        self._lock = threading.Lock()
        self._mode: CallbackMode = mode
        self._delay_s = delay_s
        self._callbacks_configured = callbacks_configured
        self._refund_mode: RefundMode = refund_mode
        self._refund_delay_s = refund_delay_s

    def callback_delays(self) -> list[float]:
        """When (seconds after the payment) each callback of a payment goes out; [] for none."""
        if not self._callbacks_configured:
            return []
        with self._lock:
            mode, delay = self._mode, self._delay_s
        return {"normal": [0.0], "duplicate": [0.0, 0.0], "late": [delay], "lost": []}[mode]

    def refund_outcome(self) -> tuple[RefundMode, float]:
        """How a new refund ends: the refund mode and the processing mode's delay (seconds)."""
        with self._lock:
            return self._refund_mode, self._refund_delay_s

    def to_dict(self) -> dict[str, Any]:
        """The switches as GET and PUT /v1/faults answer them."""
        with self._lock:
            return {
                "callback_mode": self._mode,
                "callback_delay_s": self._delay_s,
                "refund_mode": self._refund_mode,
                "refund_delay_s": self._refund_delay_s,
            }

    def update(self, body: dict[str, Any]) -> None:
        """Apply PUT /v1/faults: any of callback_mode, callback_delay_s, refund_mode, refund_delay_s."""
        with self._lock:
            mode = body.get("callback_mode", self._mode)
            delay = body.get("callback_delay_s", self._delay_s)
            refund_mode = body.get("refund_mode", self._refund_mode)
            refund_delay = body.get("refund_delay_s", self._refund_delay_s)
        if mode not in MODES:
            raise bad_request(f"callback_mode 须为 {' | '.join(MODES)} 之一。")
        if not _is_delay(delay):
            raise bad_request(f"callback_delay_s 须为 0 至 {MAX_DELAY_S:g} 之间的秒数。")
        if refund_mode not in REFUND_MODES:
            raise bad_request(f"refund_mode 须为 {' | '.join(REFUND_MODES)} 之一。")
        if not _is_delay(refund_delay):
            raise bad_request(f"refund_delay_s 须为 0 至 {MAX_DELAY_S:g} 之间的秒数。")
        with self._lock:
            self._mode, self._delay_s = cast(CallbackMode, mode), float(delay)
            self._refund_mode, self._refund_delay_s = cast(RefundMode, refund_mode), float(refund_delay)


def _is_delay(value: Any) -> bool:
    """A number of seconds from 0 to MAX_DELAY_S (a bool is no number here)."""
    return not isinstance(value, bool) and isinstance(value, int | float) and 0 <= value <= MAX_DELAY_S
