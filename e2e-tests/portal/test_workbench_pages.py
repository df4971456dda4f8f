"""The staff workbench in a browser on the embedded platform: queue → case detail with materials →
reject refused without a reason → accept → 受理 task claimed and completed by the clerk → 审查 and 决定 by
the approver → a clerk of another county is refused the case."""

from __future__ import annotations

import hashlib
import re

import httpx
from playwright.sync_api import expect

from ywtb.common.testing.demo import submitted_case


def test_clerk_and_approver_work_a_case_through_the_workbench(  # type: ignore[no-untyped-def]
    embedded_gateway, embedded_portal, login, workbench, screenshot
) -> None:
    case_no, files = submitted_case(embedded_gateway, login)
    case_path = f"/workbench/cases/{case_no}"

    # The clerk's queue lists the case with the deemed-acceptance limit as colour and words.
    clerk = workbench.open(embedded_portal, "jinjiang.clerk", "/workbench/queue")
    expect(clerk.get_by_role("heading", name="受理队列")).to_be_visible()
    row = clerk.locator("tbody tr", has_text=case_no)
    expect(row).to_contain_text("个体工商户设立登记")
    expect(row).to_contain_text("510104********")  # the applicant's ID number masked
    badge = row.locator(".badge[class*='deadline-']")
    assert re.search(r"deadline-(green|yellow|red)", badge.get_attribute("class") or "")
    expect(badge).to_contain_text(re.compile(r"受理时限：(剩余 \d+ 个工作日|今日到期|已超期 \d+ 个工作日)"))
    screenshot(clerk, "queue")

    # The case page lists every file with type, size, SHA-256 and a working download.
    row.get_by_role("link", name=case_no).click()
    expect(clerk).to_have_url(re.compile(case_path + "$"))
    materials = clerk.locator("section", has=clerk.get_by_role("heading", name="申请材料"))
    for file_name, content in files.items():
        file_row = materials.locator("tr", has_text=file_name)
        expect(file_row).to_contain_text(hashlib.sha256(content).hexdigest())
        expect(file_row).to_contain_text("PDF 文档")
        href = file_row.get_by_role("link", name=f"下载 {file_name}").get_attribute("href")
        download = clerk.request.get(embedded_portal + href)
        assert download.status == 200 and download.body() == content
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["content-disposition"].startswith("attachment;")
        assert "filename*=UTF-8''" in download.headers["content-disposition"]
    screenshot(clerk, "case")

    # 不予受理 without a real reason: the Chinese field message, status 422, the text kept.
    clerk.locator("summary", has_text=re.compile("^不予受理$")).click()
    clerk.get_by_label("不予受理理由").fill("无")
    with clerk.expect_navigation() as refused:
        clerk.get_by_role("button", name="不予受理", exact=True).click()
    assert refused.value.status == 422
    expect(clerk.locator("#e-reason")).to_have_text("请填写不予受理的理由（至少 2 个字）。")
    expect(clerk.get_by_label("不予受理理由")).to_have_value("无")
    expect(clerk.get_by_label("不予受理理由")).to_have_attribute("aria-invalid", "true")
    screenshot(clerk, "reject-refused")

    # 受理: normal acceptance starts approval.
    clerk.locator("summary", has_text=re.compile("^受理$")).click()
    clerk.get_by_label("受理意见").fill("材料齐全，予以受理")
    clerk.get_by_role("button", name="受理", exact=True).click()
    expect(clerk.locator(".flash-success")).to_contain_text(f"办件 {case_no} 已受理")
    expect(clerk.locator("h1 .badge")).to_have_text("已受理")

    # 我的待办: the 受理 step appears; the clerk claims and completes it from the list.
    clerk.get_by_role("navigation", name="主导航").get_by_role("link", name="我的待办").click()
    card = workbench.task(clerk, case_no, "受理")
    expect(card.locator(".badge[class*='deadline-']")).to_contain_text(re.compile("剩余|今日到期|已超期"))
    screenshot(clerk, "tasks")
    done = workbench.complete(clerk, card, "已受理，转审查")
    assert done.status == 200
    expect(clerk.locator(".flash-success")).to_contain_text("本环节已办理完成")

    # The approver does 审查 from the case page, then the decision from the task list.
    approver = workbench.open(embedded_portal, "jinjiang.approver", case_path)
    review = workbench.task(approver, case_no, "审查")
    assert workbench.complete(approver, review, "经审查，材料真实有效").status == 200
    expect(approver.locator(".flash-success")).to_contain_text("本环节已办理完成")
    approver.goto(embedded_portal + "/workbench/tasks")
    decide = workbench.task(approver, case_no, "决定")
    decide.get_by_role("button", name="认领").click()
    decide = workbench.task(approver, case_no, "决定")
    decide.get_by_label("办理意见").fill("符合设立登记条件")
    with approver.expect_navigation() as missing_decision:
        decide.get_by_role("button", name=re.compile("^完成")).click()
    assert missing_decision.value.status == 422
    decide = workbench.task(approver, case_no, "决定")
    expect(decide.locator(".field-message")).to_have_text("请选择审批决定：准予许可或不予许可。")
    expect(decide.get_by_label("办理意见")).to_have_value("符合设立登记条件")
    screenshot(approver, "decision-refused")
    decide.get_by_label("准予许可").check()
    with approver.expect_navigation():
        decide.get_by_role("button", name=re.compile("^完成")).click()
    expect(approver.locator(".flash-success")).to_contain_text("本环节已办理完成")

    # The case page at phone width: the timeline with the opinions, no horizontal scrolling.
    phone = workbench.open(embedded_portal, "jinjiang.approver", case_path, width=375)
    timeline = phone.locator("ol.timeline")
    expect(timeline).to_contain_text("经审查，材料真实有效")
    expect(timeline).to_contain_text("准予许可")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "case-375")

    # A clerk of another county (青羊区) is refused the case.
    other = workbench.open(embedded_portal, "qingyang.clerk", "/workbench/")
    refused_page = other.goto(embedded_portal + case_path)
    assert refused_page is not None and refused_page.status == 403
    expect(other.locator(".error-panel")).to_contain_text("您无权查看该办件")
    download_path = f"{case_path}/materials/{next(iter(_file_ids(embedded_gateway, login, case_no)))}"
    assert other.request.get(embedded_portal + download_path).status == 403
    screenshot(other, "forbidden")


def _file_ids(gateway: httpx.Client, login, case_no: str) -> list[str]:  # type: ignore[no-untyped-def]
    reply = gateway.get(f"/api/v1/cases/{case_no}", headers=login(gateway, "jinjiang.clerk"))
    return [file_id for m in reply.json()["materials"] for file_id in m["file_ids"]]
