"""What an engine call accepts: the case facts a process starts with, and a step's completion."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ywtb.approval.library import ProcessSpec
from ywtb.approval.workflow_state import ReadyTask
from ywtb.common.errors import InvalidArgument

DECISIONS = ("approve", "deny")


def check_case_data(spec: ProcessSpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """Case facts as JSON-safe data, with what the process needs present."""
    fields: dict[str, str] = {}
    if not isinstance(data.get("case_no"), str) or not data["case_no"].strip():
        fields["case_no"] = "缺少办件编号"
    if not isinstance(data.get("dept"), str) or not data["dept"].strip():
        fields["dept"] = "缺少承办部门"
    items = data.get("items")
    if spec.branches_over_items:
        if not isinstance(items, list) or not items:
            fields["items"] = "一件事并联审批至少需要一个部门事项"
        else:
            for n, item in enumerate(items):
                if not isinstance(item, dict) or not item.get("code") or not item.get("dept"):
                    fields[f"items[{n}]"] = "部门事项须包含事项编码 code 和承办部门 dept"
            codes = [item.get("code") for item in items if isinstance(item, dict)]
            if len(set(codes)) != len(codes):
                fields["items"] = "一件事中的部门事项编码不能重复"
    if fields:
        raise InvalidArgument(
            "启动审批流程所需的办件信息不完整：" + "；".join(fields.values()) + "。", fields=fields
        )
    try:
        # Keys sorted: the same facts in another order must start the same workflow.
        return json.loads(json.dumps(dict(data), ensure_ascii=False, sort_keys=True))
    except (TypeError, ValueError) as exc:
        raise InvalidArgument("办件信息须为 JSON 可表示的数据（日期请用 ISO 8601 字符串）。") from exc


def check_command(ready: ReadyTask, actor: str, opinion: str, decision: str | None) -> None:
    """Reject a completion without a handler, a missing or unexpected decision, a denial without reason."""
    if not actor:
        raise InvalidArgument("缺少办理人。", fields={"actor": "必填"})
    if ready.decision_required:
        if decision not in DECISIONS:
            raise InvalidArgument(
                f"“{ready.title}”环节须作出准予（approve）或不予（deny）许可的决定。",
                fields={"decision": "取值为 approve 或 deny"},
            )
        if decision == "deny" and not opinion:
            # 行政许可法第三十八条: a denial states its reasons in writing.
            raise InvalidArgument("作出不予许可决定必须填写理由。", fields={"opinion": "必填"})
    elif decision is not None:
        raise InvalidArgument(
            f"“{ready.title}”环节不作许可决定，请不要提交决定结果。", fields={"decision": "此环节不接受决定"}
        )
