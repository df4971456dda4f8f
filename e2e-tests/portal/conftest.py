"""Browser steps the portal tests share: signing in at a page, finding and doing approval tasks."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
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
