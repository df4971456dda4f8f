"""What the evaluation service needs of the province's 好差评系统 (政务服务好差评), whatever adapter talks to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from ywtb.common.signed_http.errors import PartnerRefused, PartnerUnavailable

# What the province's interfaces call the stages and channels (DOMAIN.md §5).
STAGES = {"receipt": "收件", "acceptance": "受理", "completion": "办结", "visit": "窗口服务"}
CHANNELS = {
    1: "PC 端",
    2: "移动端",
    3: "二维码",
    4: "窗口评价器（平板）",
    5: "其他大厅终端",
    6: "短信",
    7: "系统默认评价",
}
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
MAX_BATCH = 100  # reports in one call


@dataclass(frozen=True)
class RatingReport:
    """一条评价数据: one rating as the province receives it, at one revision (a later revision replaces it)."""

    rating_id: str
    revision: int  # 1 for the first report; an exclusion by an appeal is re-reported as the next revision
    tenant: str  # 6-digit region code (行政区划代码)
    dept: str  # the rated department's 统一社会信用代码
    item_id: str
    item_name: str
    case_no: str  # "" for a window visit about no case
    visit_id: str  # "" for a case rated online (一事一评); the window visit of 一次一评
    stage: str  # a key of STAGES
    level: int  # a key of LEVELS
    indicators: dict[str, int]  # sub-indicator → level 1-5
    channel: int  # a key of CHANNELS
    follow_up: bool  # 追评
    system_default: bool  # 默认评价 (channel 7)
    real_name: bool  # 实名评价
    staff: str  # the clerk who served or accepted, "" when unknown
    rated_at: datetime
    excluded: bool = False  # excluded from the indicators by an approved appeal (never deleted)
    excluded_reason: str = ""

    @property
    def key(self) -> tuple[str, int]:
        """What the report is idempotent by: the rating and its revision."""
        return self.rating_id, self.revision


@dataclass(frozen=True)
class Ack:
    """The province's answer for one report: accepted, or refused with its code and Chinese message."""

    rating_id: str
    revision: int
    accepted: bool
    code: str = ""  # "" when accepted
    message: str = ""

    @property
    def key(self) -> tuple[str, int]:
        """The report it answers."""
        return self.rating_id, self.revision


class PlatformUnavailable(PartnerUnavailable):
    """The province could not be asked: network error, timeout, 5xx, refused signature, unverifiable answer."""

    default_message = "省好差评系统暂时无法访问，评价数据将稍后自动补报。"


class PlatformRefused(PartnerRefused):
    """The province answered 4xx to a whole call: the request is wrong for it (its code and message are kept)."""


class ProvincialRatingsPlatform(Protocol):
    """The province's 好差评系统 as the evaluation service uses it; HttpProvincialRatingsPlatform is the adapter."""

    def report(self, batch: Sequence[RatingReport]) -> list[Ack]:
        """Report up to MAX_BATCH ratings; one Ack each, in the batch's order. Idempotent by (rating_id,
        revision); a higher revision replaces what the province holds of the rating, a lower one changes nothing."""
        ...

    def received(self, tenant: str, day: date) -> set[tuple[str, int]]:
        """对账: (rating_id, revision) of what the province holds of the tenant's ratings rated that Beijing day."""
        ...
