"""The demo page (GET /, unsigned): 手机短信, the numbers that received messages and each number's inbox."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from ywtb.common.calendar import SHANGHAI
from ywtb.common.sms.wire import ReceivedSms
from ywtb.common.sms_simulator.messages import MOBILE
from ywtb.common.sms_simulator.simulator import Simulator

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}<title>手机短信（模拟）</title>
<style>body{{font-family:sans-serif;margin:2rem auto;max-width:40rem;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.3rem;text-align:left}}
.note{{color:#a00}}.sms{{background:#eef3f8;border-radius:.8rem;padding:.6rem .9rem;margin:.6rem 0}}
.time{{color:#666;font-size:.85rem}}</style></head>
<body><h1>手机短信（模拟器）</h1>
<p class="note">本页面由短信平台模拟器提供，仅用于测试和演示：发往各号码的短信都显示在这里。</p>
<form method="get" action="/"><label>手机号码 <input name="mobile" value="{mobile}" inputmode="numeric"
 maxlength="11"></label> <button type="submit">查看短信</button></form>
{content}
</body></html>"""


def _time(message: ReceivedSms) -> str:
    return message.sent_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _page(content: str, mobile: str = "", status_code: int = 200, refresh: bool = False) -> HTMLResponse:
    meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
    return HTMLResponse(
        _PAGE.format(refresh=meta, mobile=escape(mobile), content=content), status_code=status_code
    )


def _inbox(mobile: str, total: int, messages: list[ReceivedSms]) -> str:
    bubbles = "".join(
        f'<div class="sms"><div>{escape(m.text)}</div><div class="time">{_time(m)}</div></div>'
        for m in messages
    )
    shown = f"（显示最新 {len(messages)} 条）" if len(messages) < total else ""
    empty = "<p>该号码尚未收到短信。</p>"
    return (
        f"<h2>{escape(mobile)} 收到的短信：共 {total} 条{shown}</h2>"
        f'{bubbles or empty}<p><a href="/">返回号码列表</a></p>'
    )


def _numbers(numbers: list[tuple[str, int, ReceivedSms]], switches: str) -> str:
    rows = "".join(
        f'<tr><td><a href="/?mobile={quote(mobile)}">{escape(mobile)}</a></td><td>{n}</td>'
        f"<td>{_time(last)}</td><td>{escape(last.text)}</td></tr>"
        for mobile, n, last in numbers
    )
    head = "<tr><th>手机号码</th><th>短信条数</th><th>最近一条</th><th>内容</th></tr>"
    empty = '<tr><td colspan="4">尚未发送短信。</td></tr>'
    return f"{switches}<h2>收到短信的号码</h2><table>{head}{rows or empty}</table>"


def build_page(sim: Simulator) -> APIRouter:
    """GET /: the numbers; GET /?mobile=…: that number's inbox, newest first (reloads every 5 s)."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse)
    async def show(request: Request) -> HTMLResponse:
        mobile = request.query_params.get("mobile", "").strip()
        if mobile:
            if not MOBILE.fullmatch(mobile):
                return _page("<p>请输入 11 位中国大陆手机号码。</p>", mobile, status_code=400)
            total, messages = await run_in_threadpool(sim.messages.inbox, mobile)
            return _page(_inbox(mobile, total, messages), mobile, refresh=True)
        faults = sim.faults.to_dict()
        switches = (
            f"<p>开关：停机 {'是' if faults['down'] else '否'}，失败后续 {faults['fail_next']} 条，"
            f"丢失应答后续 {faults['lose_next']} 条；每个号码每日上限 {sim.messages.daily_limit} 条。</p>"
        )
        numbers = await run_in_threadpool(sim.messages.numbers)
        return _page(_numbers(numbers, switches))

    return router
