"""The SMS gateway (短信平台): the interface services send through, its templates and its HTTP adapter
(README.md here)."""

from ywtb.common.sms.http_platform import HttpSmsPlatform
from ywtb.common.sms.platform import Sms, SmsPlatform, SmsRefused, SmsUnavailable

__all__ = ["HttpSmsPlatform", "Sms", "SmsPlatform", "SmsRefused", "SmsUnavailable"]
