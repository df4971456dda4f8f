"""The demo page (GET /): the switches, the reports the province holds and the latest deliveries (unsigned)."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ywtb.common.calendar import SHANGHAI
from ywtb.common.clock import utc
from ywtb.common.signed_http.bodies import parse_time
from ywtb.evaluation.province.platform import CHANNELS, LEVELS, STAGES
from ywtb.evaluation.province_simulator.simulator import Simulator
from ywtb.evaluation.province_simulator.tables import DeliveryRow

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>省好差评系统（模拟）</title>
<style>body{{font-family:sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem}}
table{{border-collapse:collapse;width:100%;margin-bottom:2rem}}td,th{{border:1px solid #ccc;padding:.3rem;text-align:left}}
.note{{color:#a00}}.excluded{{color:#888;text-decoration:line-through}}</style></head>
<body><h1>省好差评系统（模拟器）</h1>
<p class="note">本页面由模拟器提供，仅用于测试和演示。</p>
{content}
</body></html>"""
OUTCOMES = {
    "stored": "已入库",
    "stale": "旧版本（已有更新版本）",
    "refused": "拒收",
    "dropped": "已应答但丢失（模拟）",
}


def _time(text: str) -> str:
    return parse_time(text).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _report(r: dict[str, Any]) -> str:
    status = f"已剔除：{escape(r['excluded_reason'])}" if r["excluded"] else "有效"
    cells = [
        r["rating_id"],
        str(r["revision"]),
        r["tenant"],
        r["dept"],
        r["item_name"] or r["item_id"],
        r["case_no"] or f"窗口服务 {r['visit_id']}",
        STAGES.get(r["stage"], r["stage"]),
        f"{r['level']} {LEVELS.get(r['level'], '')}",
        CHANNELS.get(r["channel"], str(r["channel"])),
        _time(r["rated_at"]),
    ]
    row = "".join(f"<td>{escape(cell)}</td>" for cell in cells)
    return f'<tr class="{"excluded" if r["excluded"] else ""}">{row}<td>{status}</td></tr>'


def _delivery(d: DeliveryRow) -> str:
    cells = [
        utc(d.at).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        d.rating_id,
        str(d.revision),
        d.tenant,
        OUTCOMES[d.outcome],
        d.code,
    ]
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"


def build_page(sim: Simulator) -> APIRouter:
    """GET /: what the simulated province received."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    async def show() -> HTMLResponse:
        reports, deliveries = await run_in_threadpool(sim.reports.recent)
        faults = sim.faults.to_dict()
        switches = (
            f"<p>开关：停机 {'是' if faults['down'] else '否'}，"
            f"拒收后续 {faults['refuse_next']} 条，丢失后续 {faults['drop_next']} 条。</p>"
        )
        head = "".join(
            f"<th>{name}</th>"
            for name in (
                "评价编号",
                "版本",
                "区划",
                "部门",
                "事项",
                "办件 / 窗口服务",
                "环节",
                "等级",
                "渠道",
                "评价时间",
                "状态",
            )
        )
        held = "".join(_report(r) for r in reports) or '<tr><td colspan="11">尚未收到评价数据。</td></tr>'
        log_head = "".join(
            f"<th>{name}</th>" for name in ("接收时间", "评价编号", "版本", "区划", "结果", "代码")
        )
        log = "".join(_delivery(d) for d in deliveries)
        content = (
            f"{switches}<h2>已收到的评价（最新 {len(reports)} 条）</h2><table><tr>{head}</tr>{held}</table>"
            f"<h2>接收记录</h2><table><tr>{log_head}</tr>{log}</table>"
        )
        return HTMLResponse(_PAGE.format(content=content))

    return router
