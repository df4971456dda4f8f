"""统一支付: the payment service."""
