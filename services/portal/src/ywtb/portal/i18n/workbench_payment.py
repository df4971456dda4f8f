"""Texts of the workbench's payment pages: 缴费订单 (reductions, refunds, late payments) and 对账差异."""

MESSAGES: dict[str, tuple[str, str]] = {
    "workbench.nav.payments": ("缴费订单", "Payment orders"),
    "workbench.nav.reconciliation": ("对账差异", "Reconciliation"),
    # 缴费订单
    "workbench.payments.title": ("缴费订单", "Payment orders"),
    "workbench.payments.lead": (
        "本部门办件的缴费订单，最新开具的在前。未缴费的订单可按减免依据减免后重新开具；部门管理员可对已缴费订单"
        "办理退款，对已过期但平台显示已缴款的订单认可逾期缴款。",
        "Your department's payment orders, newest first. An unpaid order can be re-issued with reductions; "
        "department admins refund paid orders and accept late payments of expired ones.",
    ),
    "workbench.payments.forbidden": (
        "缴费订单仅供部门的窗口人员、审批人员和部门管理员使用。",
        "Payment orders are for the department's window clerks, approvers and department admins.",
    ),
    "workbench.payments.finance_forbidden": (
        "退款和认可逾期缴款须由本部门的部门管理员办理。",
        "Refunds and late payments are for the department's admins.",
    ),
    "workbench.payments.search": ("查找缴费订单", "Find payment orders"),
    "workbench.payments.status": ("状态", "Status"),
    "workbench.payments.status_all": ("全部", "All"),
    "workbench.payments.case_no": ("办件编号", "Case number"),
    "workbench.payments.case_no_hint": ("请输入完整的办件编号。", "The whole case number."),
    "workbench.payments.find": ("查找", "Find"),
    "workbench.payments.shown": ("共显示 {n} 个订单。", "{n} orders shown."),
    "workbench.payments.none": ("本部门暂无缴费订单。", "Your department has no payment orders yet."),
    "workbench.payments.empty": (
        "没有符合条件的缴费订单，请核对办件编号和状态。",
        "No order matches; check the case number and status.",
    ),
    "workbench.payments.heading": ("办件 {case_no}", "Case {case_no}"),
    "workbench.payments.payer": ("缴款人", "Payer"),
    "workbench.payments.created_at": ("开具时间", "Issued at"),
    "workbench.payments.expires_at": ("缴款期限", "Pay by"),
    "workbench.payments.refunded": ("已退款", "Refunded"),
    "workbench.payments.refundable": ("可退金额", "Refundable"),
    "workbench.payments.exempted": ("全额减免", "Fully exempted"),
    "workbench.payments.cancelled_hint": (
        "该订单已作废（已重新开具或已撤销）。",
        "This order was replaced or cancelled.",
    ),
    "workbench.payments.lines": ("收费明细", "Fees"),
    "workbench.payments.line.name": ("收费项目", "Fee"),
    "workbench.payments.line.standard": ("收费标准", "Standard"),
    "workbench.payments.line.amount": ("金额", "Amount"),
    "workbench.payments.line.reduction": ("减免", "Reduction"),
    "workbench.payments.line.times": ("{amount} 元 × {quantity}", "CNY {amount} × {quantity}"),
    "workbench.payments.refunds": ("退款记录", "Refunds"),
    "workbench.payments.refund.no": ("退款编号", "Refund"),
    "workbench.payments.refund.amount": ("退款金额", "Amount"),
    "workbench.payments.refund.reason": ("退款原因", "Reason"),
    "workbench.payments.refund.status": ("状态", "Status"),
    "workbench.payments.refund.at": ("申请时间", "Asked at"),
    "workbench.payments.refund.refunded_at": ("退付时间：{at}", "Refunded at {at}"),
    "workbench.payments.refund_status.REFUND_STATUS_CREATED": ("已申请", "Asked"),
    "workbench.payments.refund_status.REFUND_STATUS_SUBMITTED": ("退款中", "In progress"),
    "workbench.payments.refund_status.REFUND_STATUS_REFUNDED": ("已退款", "Refunded"),
    "workbench.payments.refund_status.REFUND_STATUS_FAILED": ("退款失败", "Failed"),
    # 减免重开
    "workbench.payments.reduce": ("减免重开", "Reduce and re-issue"),
    "workbench.payments.reduce_hint": (
        "填写各收费项目的减免金额和减免依据（不减免的留空），重新开具订单；原订单及其缴款通知书作废。"
        "减免后应缴为零的，订单直接按全额减免办结。",
        "Give each fee's reduction and its basis (blank: none); the order is re-issued and the old one "
        "cancelled. An order reduced to nothing is settled as fully exempted.",
    ),
    "workbench.payments.line_due": ("{name}（应缴 {amount} 元）", "{name} (CNY {amount} due)"),
    "workbench.payments.reduction": ("减免金额（元）", "Reduction (CNY)"),
    "workbench.payments.reduction_hint": (
        "如 5.00，最多两位小数；全额减免填写应缴金额。",
        "E.g. 5.00, at most two decimals; the whole amount exempts the fee.",
    ),
    "workbench.payments.basis": ("减免依据", "Basis of the reduction"),
    "workbench.payments.basis_hint": (
        "文件名称和文号，如《行政事业性收费减免管理办法》第五条。",
        "The document and its article.",
    ),
    "workbench.payments.reduce_reason": ("重新开具原因", "Why it is re-issued"),
    "workbench.payments.reduce_reason_hint": (
        "2 至 200 字，如“申请人为低保对象，依申请减免”。",
        "2 to 200 characters.",
    ),
    "workbench.payments.reduce_submit": ("重新开具订单", "Re-issue the order"),
    "workbench.payments.reduce_confirm": (
        "确认重新开具办件 {case_no} 的缴费订单？原订单及其缴款通知书将作废。",
        "Re-issue the order of case {case_no}? The current order and its notice are cancelled.",
    ),
    "workbench.payments.reduction_too_large": (
        "减免金额不能超过该项应缴的 {amount} 元。",
        "The reduction cannot exceed the CNY {amount} due.",
    ),
    "workbench.payments.basis_required": (
        "请填写减免依据（2 至 200 字），例如文件名称和文号。",
        "Give the basis of the reduction (2 to 200 characters).",
    ),
    "workbench.payments.order_gone": (
        "未找到该缴费订单，可能已重新开具；请刷新后重试。",
        "The order is no longer there; refresh and try again.",
    ),
    "workbench.payments.reissued": (
        "已重新开具办件 {case_no} 的缴费订单 {order_no}，应缴 {amount} 元；原订单已作废。",
        "Order {order_no} of case {case_no} issued: CNY {amount} due; the old order is cancelled.",
    ),
    "workbench.payments.exempted_done": (
        "办件 {case_no} 已全额减免：新订单 {order_no} 无需缴款，已按缴费办结。",
        "Case {case_no} fully exempted: order {order_no} needs no payment and counts as paid.",
    ),
    # 退款
    "workbench.payments.refund": ("退款", "Refund"),
    "workbench.payments.refund_hint": (
        "可退金额 {amount} 元。退款经非税收入统一缴款平台原路退回缴款人，提交后不能撤回。",
        "CNY {amount} can be refunded, back to the payer through the payment platform; it cannot be undone.",
    ),
    "workbench.payments.refund_amount": ("退款金额（元）", "Amount to refund (CNY)"),
    "workbench.payments.refund_amount_hint": ("如 3.00，最多两位小数。", "E.g. 3.00, at most two decimals."),
    "workbench.payments.refund_reason": ("退款原因", "Reason"),
    "workbench.payments.refund_reason_hint": (
        "2 至 200 字，如“申请人撤回申请，退还工本费”。",
        "2 to 200 characters.",
    ),
    "workbench.payments.refund_submit": ("申请退款", "Refund"),
    "workbench.payments.refund_confirm": (
        "确认从订单 {order_no} 退款？退款提交后不能撤回。",
        "Refund from order {order_no}? It cannot be undone.",
    ),
    "workbench.payments.refund_required": ("请填写退款金额。", "Give the amount to refund."),
    "workbench.payments.refund_positive": ("退款金额须大于零。", "The refund must be more than zero."),
    "workbench.payments.refund_done": (
        "已申请退款 {amount} 元（退款编号 {refund_no}），{status}。",
        "Refund of CNY {amount} asked ({refund_no}): {status}.",
    ),
    # 认可逾期缴款
    "workbench.payments.late": ("认可逾期缴款", "Accept the late payment"),
    "workbench.payments.late_hint": (
        "缴款人在缴款期限后缴款的，经核实后可认可该笔缴款，订单按已缴费办结；须缴款平台显示已足额缴款。",
        "A payment made after the notice closed can be accepted once checked; the platform must show it paid "
        "in full.",
    ),
    "workbench.payments.late_reason": ("认可理由", "Why it is accepted"),
    "workbench.payments.late_reason_hint": (
        "2 至 200 字，如“已核实缴款人在期限内到银行柜台缴款”。",
        "2 to 200 characters.",
    ),
    "workbench.payments.late_submit": ("认可逾期缴款", "Accept the payment"),
    "workbench.payments.late_done": (
        "已认可订单 {order_no} 的逾期缴款，订单已缴费。",
        "The late payment of order {order_no} is accepted; the order is paid.",
    ),
    # 元 typed into a form
    "workbench.payments.amount_format": (
        "金额格式不正确，请填写元数，最多两位小数，如 5.00。",
        "Give an amount in CNY with at most two decimals, e.g. 5.00.",
    ),
    "workbench.payments.amount_too_large": ("金额过大，请核对。", "That amount is too large."),
    # 对账差异
    "workbench.reconciliation.title": ("对账差异", "Reconciliation"),
    "workbench.reconciliation.lead": (
        "本平台缴费订单与非税收入统一缴款平台对账单不一致之处，待处理的在前；每条差异须写明处理说明，处理记录永久保存。",
        "Where the orders and the payment platform's statements disagree, open ones first; each is resolved "
        "with a written reason, kept for good.",
    ),
    "workbench.reconciliation.forbidden": (
        "对账差异仅供部门管理员、租户管理员和平台管理员使用。",
        "Reconciliation is for department, tenant and platform admins.",
    ),
    "workbench.reconciliation.day_forbidden": (
        "按日对账须由租户管理员或平台管理员发起。",
        "Only tenant and platform admins reconcile a day.",
    ),
    "workbench.reconciliation.open": ("待处理", "Open"),
    "workbench.reconciliation.resolved": ("已处理", "Resolved"),
    "workbench.reconciliation.open_n": ("待处理（{n}）", "Open ({n})"),
    "workbench.reconciliation.resolved_n": ("已处理（{n}）", "Resolved ({n})"),
    "workbench.reconciliation.none_open": ("暂无待处理的对账差异。", "No open mismatch."),
    "workbench.reconciliation.none_resolved": (
        "近 31 天没有已处理的对账差异。",
        "No mismatch resolved in the last 31 days.",
    ),
    "workbench.reconciliation.heading": ("{kind} · 缴款通知书 {notice_no}", "{kind} · notice {notice_no}"),
    "workbench.reconciliation.kind.amount": ("金额不符", "Amount differs"),
    "workbench.reconciliation.kind.late": ("逾期缴款", "Paid late"),
    "workbench.reconciliation.kind.missing": ("平台缺失", "Missing on the platform"),
    "workbench.reconciliation.kind.extra": ("平台多出", "Extra on the platform"),
    "workbench.reconciliation.kind_hint.amount": (
        "平台收款金额与订单应缴金额不一致，订单未按已缴费处理。",
        "The platform took another amount than the order's; the order is not paid.",
    ),
    "workbench.reconciliation.kind_hint.late": (
        "缴款人在缴款期限后缴款；可在缴费订单中认可逾期缴款，或办理退款。",
        "Paid after the notice closed; accept it on the order, or refund it.",
    ),
    "workbench.reconciliation.kind_hint.missing": (
        "本平台已按缴费处理，但当日对账单中没有该笔缴款。",
        "Paid here, but not on the day's statement.",
    ),
    "workbench.reconciliation.kind_hint.extra": (
        "对账单中有该笔缴款，但本平台没有对应订单。",
        "On the statement, but no order here.",
    ),
    "workbench.reconciliation.day": ("对账日期", "Day"),
    "workbench.reconciliation.order_no": ("订单号", "Order"),
    "workbench.reconciliation.dept": ("收款部门", "Department"),
    "workbench.reconciliation.expected": ("应缴金额", "Owed"),
    "workbench.reconciliation.platform": ("平台收款", "Paid on the platform"),
    "workbench.reconciliation.found_at": ("发现时间", "Found at"),
    "workbench.reconciliation.resolution": ("处理说明", "Resolution"),
    "workbench.reconciliation.resolved_by": ("处理人", "Resolved by"),
    "workbench.reconciliation.by_you": ("本人", "You"),
    "workbench.reconciliation.resolve": ("处理", "Resolve"),
    "workbench.reconciliation.reason": ("处理说明", "Resolution"),
    "workbench.reconciliation.reason_hint": (
        "2 至 200 字，如“已核实，多收款项已退付缴款人”。",
        "2 to 200 characters.",
    ),
    "workbench.reconciliation.resolve_submit": ("标记为已处理", "Mark as resolved"),
    "workbench.reconciliation.resolved_done": (
        "已处理对账差异（{kind}，缴款通知书 {notice_no}）。",
        "Mismatch resolved ({kind}, notice {notice_no}).",
    ),
    "workbench.reconciliation.reconcile": ("按日对账", "Reconcile a day"),
    "workbench.reconciliation.reconcile_hint": (
        "取平台某日（北京时间，今天以前）的对账单重新对账，新发现的差异列入上方。",
        "Compare a past day's statement (Beijing time) again; new mismatches are listed above.",
    ),
    "workbench.reconciliation.reconcile_day": ("对账日期", "Day"),
    "workbench.reconciliation.reconcile_submit": ("对账", "Reconcile"),
    "workbench.reconciliation.reconciled": (
        "已完成 {day} 的对账：对账单 {lines} 笔，一致 {matched} 笔，差异 {mismatched} 笔。",
        "{day} reconciled: {lines} lines, {matched} matched, {mismatched} mismatched.",
    ),
}
