"""HttpProvincialRatingsPlatform: the province's 好差评系统 over its signed JSON-over-HTTP wire (README.md here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ywtb.common.signed_http.client import SignedClient, segment
from ywtb.evaluation.province.platform import (
    MAX_BATCH,
    Ack,
    PlatformRefused,
    PlatformUnavailable,
    RatingReport,
)
from ywtb.evaluation.province.wire import (
    HAOCP,
    acks_from_json,
    batch_to_json,
    checked_key,
    received_from_json,
)


class HttpProvincialRatingsPlatform:
    """The ProvincialRatingsPlatform at base_url: every request signed, every answer's signature verified."""

    def __init__(self, base_url: str, key: str, *, timeout_s: float = 10.0) -> None:
        self._client = SignedClient(
            base_url,
            checked_key(key),
            HAOCP,
            unavailable=PlatformUnavailable,
            refused=PlatformRefused,
            timeout_s=timeout_s,
            refusal_message="省好差评系统拒绝了请求",
        )
        self.base_url = self._client.base_url

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def __enter__(self) -> HttpProvincialRatingsPlatform:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def report(self, batch: Sequence[RatingReport]) -> list[Ack]:
        """Report up to MAX_BATCH ratings; one Ack each, in the batch's order."""
        reports = list(batch)
        if not reports:
            return []
        if len(reports) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} reports a call, not {len(reports)}")
        return self._client.answer(
            lambda body: acks_from_json(body, reports), "POST", "/v1/reports", batch_to_json(reports)
        )

    def received(self, tenant: str, day: date) -> set[tuple[str, int]]:
        """对账: (rating_id, revision) of what the province holds of the tenant's ratings rated that day."""
        path = f"/v1/received/{segment(tenant)}/{day.isoformat()}"
        return self._client.answer(lambda body: received_from_json(body, tenant, day), "GET", path)

    def exchange(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One signed exchange; the verified JSON answer (the simulator's fault switches use it)."""
        return self._client.exchange(method, path, body)
