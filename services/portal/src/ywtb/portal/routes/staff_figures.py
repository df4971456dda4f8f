"""Each staff member's 好差评 figures (the cases they accepted and the window visits they served), with their
names: the table of the tenant admin's 好差评设置 and of the department admin's 评价与差评整改."""

from __future__ import annotations

from typing import Any

from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.workbench_common import optional
from ywtb.portal.web import Page

STAFF_INDICATORS = "/api/v1/evaluation/indicators/staff"
# the columns, in order: each figure, and for a rate the count it is a share of (shown "—" when that is 0)
COLUMNS = (
    ("rateable", ""),
    ("rated", ""),
    ("active_rate", "rateable"),
    ("ratings", ""),
    ("good_rate", "ratings"),
    ("bad", ""),
    ("rectification_rate", "bad"),
    ("satisfaction", "ratings"),
)


def staff_figures(page: Page, user: dict[str, Any], dept: str = "") -> list[dict[str, Any]] | None:
    """The figures of each staff member in the caller's scope (the department's for its staff), most ratings
    first, each with the member's name when the staff list can be read; None when the figures cannot."""
    try:
        rows: list[dict[str, Any]] = page.get("staff", STAFF_INDICATORS)
    except GatewayError:
        return None
    if not rows:
        return []
    staff = optional(page, "/api/v1/staff", tenant=user.get("tenant", ""), dept=dept) or []
    names = {member["id"]: member.get("name") or member.get("username", "") for member in staff}
    return [
        {"staff": row["staff"], "name": names.get(row["staff"], ""), "figures": row.get("indicators") or {}}
        for row in rows
    ]
