"""The callback mode, switchable at run time (PUT /v1/faults): normal, duplicate, late or lost."""

from __future__ import annotations

import threading
from typing import Any, cast, get_args

from ywtb.payment.nontax_simulator.config import CallbackMode
from ywtb.payment.nontax_simulator.refusals import bad_request

MODES: tuple[str, ...] = get_args(CallbackMode)
MAX_DELAY_S = 3600.0


class Faults:
    """How the next payments are reported; starts from the settings, lost at a restart."""

    def __init__(self, mode: CallbackMode, delay_s: float, callbacks_configured: bool) -> None:
        self._lock = threading.Lock()
        self._mode: CallbackMode = mode
        self._delay_s = delay_s
        self._callbacks_configured = callbacks_configured

    def callback_delays(self) -> list[float]:
        """When (seconds after the payment) each callback of a payment goes out; [] for none."""
        if not self._callbacks_configured:
            return []
        with self._lock:
            mode, delay = self._mode, self._delay_s
        return {"normal": [0.0], "duplicate": [0.0, 0.0], "late": [delay], "lost": []}[mode]

    def to_dict(self) -> dict[str, Any]:
        """The switches as GET and PUT /v1/faults answer them."""
        with self._lock:
            return {"callback_mode": self._mode, "callback_delay_s": self._delay_s}

    def update(self, body: dict[str, Any]) -> None:
        """Apply PUT /v1/faults: callback_mode and/or callback_delay_s."""
        mode = body.get("callback_mode", self._mode)
        delay = body.get("callback_delay_s", self._delay_s)
        if mode not in MODES:
            raise bad_request(f"callback_mode 须为 {' | '.join(MODES)} 之一。")
        if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= MAX_DELAY_S:
            raise bad_request(f"callback_delay_s 须为 0 至 {MAX_DELAY_S:g} 之间的秒数。")
        with self._lock:
            self._mode, self._delay_s = cast(CallbackMode, mode), float(delay)
