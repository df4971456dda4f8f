"""Browser steps the portal tests share: signing in at a page, finding and doing approval tasks; the audit of a
page's accessibility (axe-core's WCAG 2.x A/AA rules and the page checks), at desktop and phone width."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, Response, expect


@dataclass
class Workbench:
    """Steps of the staff workbench in a browser."""

    new_page: Any
    issuer_login: Any

    def open(self, portal: str, username: str, path: str, width: int = 1280) -> Page:
        """A fresh browser signed in as `username` on `path` (confirmation dialogs accepted)."""
        page = self.new_page(width=width)
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm forms ask before submitting
        page.goto(portal + path)
        self.issuer_login(page, username)
        return page

    @staticmethod
    def task(page: Page, case_no: str, title: str) -> Locator:
        """The task card of `title` for the case, reloading until approval has created it (events are async)."""
        card = page.locator("li.wb-task").filter(
            has=page.get_by_role("heading", name=re.compile(f"^{title}"))
        )
        if "/workbench/tasks" in page.url:  # the task list mixes cases; the case page shows only its own
            card = card.filter(has_text=case_no)
        deadline = time.monotonic() + 60
        while not card.count():
            assert time.monotonic() < deadline, f"no {title} task for {case_no} within 60 s"
            time.sleep(1)
            page.reload()
        return card

    @staticmethod
    def complete(page: Page, card: Locator, opinion: str, decision: str = "") -> Response:
        """Claim the task, then complete it with the opinion (and decision); the completion's response."""
        card.get_by_role("button", name="认领").click()
        expect(page.locator(".flash-success")).to_contain_text("已认领")
        card.get_by_label("办理意见").fill(opinion)
        if decision:
            card.get_by_label(decision).check()
        with page.expect_navigation() as done:
            card.get_by_role("button", name=re.compile("^完成")).click()
        return done.value


@pytest.fixture
def workbench(new_page, issuer_login) -> Workbench:  # type: ignore[no-untyped-def]
    """Workbench steps in fresh browser contexts."""
    return Workbench(new_page, issuer_login)


WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Page structure (best-practice rules): these fail at any impact, the others when serious or critical.
STRUCTURE = {
    "heading-order",
    "empty-heading",
    "page-has-heading-one",
    "landmark-one-main",
    "landmark-unique",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "region",
}
BLOCKING = {"serious", "critical"}
PHONE = {"width": 375, "height": 812}
DUPLICATE_IDS = """() => {
  const seen = {};
  for (const e of document.querySelectorAll('[id]')) seen[e.id] = (seen[e.id] || 0) + 1;
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""
BROKEN_SUMMARY_LINKS = """() => [...document.querySelectorAll('#form-errors a[href^="#"]')]
  .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))"""


class Audit:
    """Collects what axe and the page checks find on every page audited, to report all at once (`done`)."""

    axe = Axe()

    def __init__(self, screenshot: Any) -> None:
        self.screenshot = screenshot
        self.problems: list[str] = []
        self.pages = 0

    @staticmethod
    def report(violations: list[dict[str, Any]]) -> str:
        """Rule, impact, help and the failing nodes of each violation."""
        lines = []
        for v in violations:
            lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"][:8]:
                summary = " ".join((node.get("failureSummary") or "").split())
                lines.append(f"      {', '.join(map(str, node['target']))}: {summary[:300]}")
            if len(v["nodes"]) > 8:
                lines.append(f"      … and {len(v['nodes']) - 8} more")
        return "\n".join(lines)

    def _once(self, page: Page, what: str) -> None:
        result = self.axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": [*WCAG, "best-practice"]},
                "resultTypes": ["violations", "incomplete"],
            },
        ).response
        failing = [v for v in result["violations"] if v["impact"] in BLOCKING or v["id"] in STRUCTURE]
        # axe leaves a duplicate id that ARIA refers to for review ("incomplete"): it is a failure here
        failing += [v for v in result["incomplete"] if v["id"] == "duplicate-id-aria"]
        found = [self.report(failing)] if failing else []
        if duplicates := page.evaluate(DUPLICATE_IDS):
            found.append(f"  duplicate ids: {duplicates}")
        if broken := page.evaluate(BROKEN_SUMMARY_LINKS):
            found.append(f"  error summary links to missing fields: {broken}")
        if (
            page.viewport_size == PHONE
            and page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]
        ):
            found.append("  the page scrolls sideways at 375 px (WCAG 1.4.10 reflow)")
        if found:
            self.problems.append(f"{what} ({page.url}):\n" + "\n".join(found))
            self.screenshot(page, re.sub(r"\W+", "-", what))
        self.pages += 1

    def __call__(self, page: Page, what: str, phone: bool = True) -> None:
        """Audit the page as it is and, unless phone=False (or it is already), again at 375 px wide."""
        expect(page.locator("h1").first).to_be_visible()
        self._once(page, what)
        size = page.viewport_size
        if phone and size != PHONE:
            page.set_viewport_size(PHONE)
            self._once(page, f"{what} at 375 px")
            if size:
                page.set_viewport_size(size)

    def done(self) -> None:
        """Fail with every problem found, if any."""
        assert not self.problems, (
            f"{len(self.problems)} of {self.pages} page audits failed:\n\n" + "\n\n".join(self.problems)
        )


@pytest.fixture
def audit(screenshot) -> Audit:  # type: ignore[no-untyped-def]
    """`audit(page, "what", phone=True)` audits a page (also at 375 px); `audit.done()` at the test's end fails
    with all that was found; `audit.axe` and `audit.report` for a test's own axe run."""
    return Audit(screenshot)
