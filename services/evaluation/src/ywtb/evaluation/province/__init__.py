"""省好差评系统: the interface the evaluation service pushes its ratings through, and its HTTP adapter (README.md)."""

from ywtb.evaluation.province.http_platform import HttpProvincialRatingsPlatform
from ywtb.evaluation.province.platform import (
    MAX_BATCH,
    Ack,
    PlatformRefused,
    PlatformUnavailable,
    ProvincialRatingsPlatform,
    RatingReport,
)

__all__ = [
    "MAX_BATCH",
    "Ack",
    "HttpProvincialRatingsPlatform",
    "PlatformRefused",
    "PlatformUnavailable",
    "ProvincialRatingsPlatform",
    "RatingReport",
]
