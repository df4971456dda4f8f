"""The payer's page (GET /pay/{notice_no}) and its form (POST): the simulated bank and mobile channels."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ywtb.common.calendar import SHANGHAI
from ywtb.common.money import yuan
from ywtb.payment.nontax.platform import NoticeRequest, NoticeStatus
from ywtb.payment.nontax_simulator.notices import CHANNELS
from ywtb.payment.nontax_simulator.refusals import Refusal
from ywtb.payment.nontax_simulator.simulator import Simulator

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>非税收入缴款（模拟）</title>
<style>body{{font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.4rem;text-align:left}}
.note{{color:#a00}}button{{margin:.3rem;padding:.5rem 1rem}}</style></head>
<body><h1>非税收入统一缴款（模拟平台）</h1>
<p class="note">本页面由模拟器提供，仅用于测试和演示，不会产生真实扣款。</p>
{content}
</body></html>"""

STATE_NAMES = {"unpaid": "待缴款", "paid": "已缴款", "expired": "已过期", "cancelled": "已撤销"}


def _details(status: NoticeStatus, issued: NoticeRequest, refunded_fen: int) -> str:
    items = "".join(f"<tr><td>{escape(name)}</td><td>{yuan(fen)} 元</td></tr>" for name, fen in issued.items)
    expires = issued.expires_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    refunded = f"<tr><th>已退付</th><td>{yuan(refunded_fen)} 元</td></tr>" if refunded_fen else ""
    return (
        "<table>"
        f"<tr><th>收款单位</th><td>{escape(issued.dept)}（区划 {escape(issued.tenant)}）</td></tr>"
        f"<tr><th>缴款人</th><td>{escape(issued.payer_name)}</td></tr>"
        f"<tr><th>缴款通知书编号</th><td>{escape(status.notice_no)}</td></tr>"
        f"<tr><th>金额</th><td>{yuan(status.amount_fen)} 元</td></tr>"
        f"<tr><th>缴款期限</th><td>{expires}</td></tr>"
        f"<tr><th>状态</th><td>{STATE_NAMES[status.state]}</td></tr>"
        f"{refunded}"
        f"</table><h2>收费项目</h2><table>{items}</table>"
    )


def _form(notice_no: str) -> str:
    buttons = "".join(
        f'<button type="submit" name="channel" value="{code}">{name}</button>'
        for code, name in CHANNELS.items()
    )
    return f'<h2>选择缴款渠道</h2><form method="post" action="/pay/{escape(notice_no)}">{buttons}</form>'


def _page(content: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(content=content), status_code=status_code)


def build_pay_page(sim: Simulator) -> APIRouter:
    """The pay page routes (unsigned: a browser uses them)."""
    router = APIRouter(prefix="/pay")

    @router.get("/{notice_no}", response_class=HTMLResponse)
    async def show(notice_no: str) -> HTMLResponse:
        try:
            status, issued = await run_in_threadpool(sim.notices.detail, notice_no)
        except Refusal as refusal:
            return _page(f"<p>{escape(refusal.message)}</p>", refusal.status)
        refunded_fen = await run_in_threadpool(sim.refunds.refunded_fen, notice_no)
        form = _form(notice_no) if status.state == "unpaid" else ""
        return _page(_details(status, issued, refunded_fen) + form)

    @router.post("/{notice_no}", response_class=HTMLResponse)
    async def pay(notice_no: str, request: Request) -> HTMLResponse:
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        channel = (form.get("channel") or [""])[0]
        try:
            payment = await sim.pay(notice_no, channel)
        except Refusal as refusal:
            return _page(f"<p>{escape(refusal.message)}</p>", refusal.status)
        return _page(
            f"<p>缴款成功：{yuan(payment.paid_fen)} 元，渠道 {escape(CHANNELS[payment.channel])}。</p>"
            f"<p>财政电子票据号：{escape(payment.receipt_no)}</p>"
        )

    return router
