"""What the citizen's 好差评 pages show: a case's stages with their ratings, forms and rectifications (the case
page's 评价 section), and 我的评价."""

from __future__ import annotations

from typing import Any

from ywtb.portal import labels
from ywtb.portal.gateway import GatewayError
from ywtb.portal.routes.rating_forms import STAGES
from ywtb.portal.web import Page

EVALUATION = "/api/v1/evaluation"
MINE_PAGE = 100


def stage_views(ratings: list[dict[str, Any]], rateable: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each stage rated or open to rating: its rating and follow-up, and which of the two forms it shows."""
    open_stages = {s["stage"]: s for s in rateable}
    views = []
    for stage in STAGES:
        own = [r for r in ratings if r.get("stage") == stage]
        if stage not in open_stages and not own:
            continue
        first = next((r for r in own if not r.get("follow_up")), None)
        follow = next((r for r in own if r.get("follow_up")), None)
        reached = open_stages.get(stage)
        views.append(
            {
                "stage": stage,
                "reached": reached,
                "first": first,
                "follow": follow,
                "can_rate": reached is not None and not reached.get("rated") and first is None,
                "can_follow": reached is not None and first is not None and follow is None,
            }
        )
    return views


def my_ratings(page: Page) -> dict[str, Any]:
    """The caller's ratings, their rectifications and the stages still to rate (ListMyRatings)."""
    found: dict[str, Any] = page.get("citizen", f"{EVALUATION}/ratings/mine", page_size=MINE_PAGE)
    return found


def _rectifications(page: Page, ratings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The rectifications of these ratings by id (only 我的评价 carries them); none when it cannot answer."""
    if not any(r.get("rectification_id") for r in ratings):
        return {}
    try:
        mine = my_ratings(page)
    except GatewayError:
        return {}
    return {r["id"]: r for r in mine.get("rectifications", [])}


def rating_context(page: Page, case: dict[str, Any], approval: dict[str, Any] | None) -> dict[str, Any]:
    """The case page's 评价 section: its stages (None when the case is not open to rating) and whether a
    completed case is still being opened to rating."""
    try:
        found = page.get("citizen", f"{EVALUATION}/cases/{case['case_no']}/ratings")
    except GatewayError:
        found = None
    completed = labels.short_code("case_status", (approval or {}).get("status")) == "COMPLETED"
    if not found or not (found.get("ratings") or found.get("rateable")):
        return {"rating_stages": None, "rating_waiting": completed, "rectifications": {}}
    ratings = found.get("ratings", [])
    return {
        "rating_stages": stage_views(ratings, found.get("rateable", [])),
        "rating_waiting": False,
        "rectifications": _rectifications(page, ratings),
    }
