"""The platform's callbacks: verified (signature, notice, order, amount), then confirmed by asking the
platform — a forged, replayed or mistaken callback changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ywtb.common.errors import PermissionDenied
from ywtb.payment.models import PaymentOrder
from ywtb.payment.nontax.platform import CallbackRejected, NonTaxPlatform
from ywtb.payment.orders import Orders

log = logging.getLogger(__name__)


class Callbacks:
    """Callbacks of the non-tax payment platform."""

    def __init__(self, orders: Orders, platform: NonTaxPlatform) -> None:
        self.orders = orders
        self.platform = platform

    def handle(self, body: bytes, headers: Mapping[str, str]) -> PaymentOrder:
        """The order after the callback: paid once the platform confirms it."""
        try:
            payment = self.platform.parse_callback(body, headers)
        except CallbackRejected as error:
            log.warning("callback refused: %s", error)
            raise PermissionDenied(
                "回调签名或内容校验失败，已拒绝。", code="PAYMENT_CALLBACK_REJECTED", message_en=str(error)
            ) from error
        return self.orders.confirm(payment.notice_no, "回调")
