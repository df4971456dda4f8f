"""超时默认 worker: decide steps of configured items past their deadline are deemed approved."""

from __future__ import annotations

import logging
import threading

from ywtb.approval.service import ApprovalService

log = logging.getLogger(__name__)


class TimeoutWorker:
    """Runs ApprovalService.apply_timeouts every interval; safe with several replicas (optimistic writes)."""

    def __init__(self, service: ApprovalService, *, interval_s: float = 60.0) -> None:
        self.service = service
        self.interval_s = interval_s

    def run(self, stop: threading.Event) -> None:
        """Until stop is set; a failed round is logged and retried next interval."""
        while not stop.is_set():
            try:
                for case_no in self.service.apply_timeouts():
                    log.info("case %s: decision deemed approved (超时默认)", case_no)
            except Exception:
                log.exception("timeout round failed; retrying in %.0f s", self.interval_s)
            stop.wait(self.interval_s)
