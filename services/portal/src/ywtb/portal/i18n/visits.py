"""Texts of 一次一评: the visitor's rating page of a window visit (QR code and hall tablet), the workbench's
窗口评价, and each staff member's 好差评 figures."""

MESSAGES: dict[str, tuple[str, str]] = {
    "evaluation.stage.STAGE_VISIT": ("窗口服务", "Window service"),
    # the visitor's rating page
    "visit.title": ("窗口服务评价", "Rate the window service"),
    "visit.lead": (
        "请对本次窗口服务进行评价（一次一评）。评价自愿，不影响办理；差评将由服务部门回访并整改。",
        "Rate the service you just had at the window (one rating per visit). Rating is voluntary and does "
        "not affect your application; a bad review is followed up and rectified by the department.",
    ),
    "visit.facts": ("本次服务", "This visit"),
    "visit.window": ("服务窗口", "Window"),
    "visit.dept": ("服务部门", "Department"),
    "visit.staff": ("服务人员", "Served by"),
    "visit.item": ("办理事项", "Service"),
    "visit.expires": ("评价码有效期至", "The code is valid until"),
    "visit.real_name": (
        "您已登录（{name}），本次评价为实名评价，可在“我的评价”中查看；差评的整改结果将告知您。",
        "You are signed in ({name}): this rating is in your name; see it in My ratings, where you are also "
        "told how a bad review was rectified.",
    ),
    "visit.anonymous": (
        "未登录评价时不记录您的账号（窗口已核验您身份的，评价记为实名）。登录后评价为实名评价，差评的整改结果将告知您。",
        "Without signing in your account is not recorded (unless the window verified who you are). Sign "
        "in to rate in your name and be told how a bad review was rectified.",
    ),
    "visit.protected": (
        "您的身份受到保护：窗口工作人员看不到评价人的完整姓名。",
        "Your identity is protected: window staff do not see the rater's full name.",
    ),
    "visit.form": ("您的评价", "Your rating"),
    "visit.indicators": ("分项评价（可选）", "Details (optional)"),
    "visit.rated": (
        "本次窗口服务已评价。如需补充，可追评一次。",
        "This visit has been rated. You may add one follow-up.",
    ),
    "visit.follow_up": ("追评", "Follow-up"),
    "visit.follow_up_hint": (
        "对本次窗口服务的评价补充说明，仅可追评一次。",
        "Add to the rating of this visit; one follow-up only.",
    ),
    "visit.followed": (
        "本次窗口服务已追评，不能再次评价。感谢您的反馈。",
        "This visit has been followed up already; it cannot be rated again. Thank you.",
    ),
    "visit.not_rated": ("本次窗口服务尚未评价，请先评价。", "This visit is not rated yet: rate it first."),
    "visit.lapsed_title": ("评价码已过期", "The rating code has lapsed"),
    "visit.lapsed": (
        "该窗口服务的评价码已过期（自办理起 7 天内有效），不能再评价。",
        "The rating code of this visit has lapsed (it is valid for 7 days), so it can no longer be rated.",
    ),
    "visit.unknown_title": ("未找到该评价码", "Unknown rating code"),
    "visit.unknown": (
        "未找到该窗口服务。请重新扫描窗口提供的二维码，或请窗口工作人员重新生成评价码。",
        "No window visit has this code. Scan the QR code the window gave you again, or ask the staff for "
        "a new code.",
    ),
    "visit.complain": (
        "如对本次服务有意见或要投诉，可在网上提交投诉（需登录），或拨打政务服务便民热线 12345。",
        "To complain about this service, file a complaint online (sign-in needed) or call the government "
        "service hotline 12345.",
    ),
    "visit.complain_tablet": (
        "如对本次服务有意见或要投诉，请拨打政务服务便民热线 12345，或在政务服务网提交投诉。",
        "To complain about this service, call the government service hotline 12345 or file a complaint on "
        "the government service website.",
    ),
    "visit.complain_link": ("提交投诉", "File a complaint"),
    "visit.home": ("返回首页", "Back to the home page"),
    "visit.done_title": ("评价已提交", "Rating sent"),
    "visit.done": ("感谢您的评价！", "Thank you for your rating!"),
    "visit.done_bad": (
        "感谢您的评价！服务部门将核实并整改。",
        "Thank you! The department will look into it and rectify.",
    ),
    "visit.done_bad_real": (
        "感谢您的评价！服务部门将回访您并整改，结果将在“我的评价”中告知您。",
        "Thank you! The department will call you back and rectify; you will see the result in My ratings.",
    ),
    "visit.done_lead": (
        "您的评价帮助我们改进窗口服务。",
        "Your rating helps us improve the service at our windows.",
    ),
    "visit.mine": ("查看我的评价", "See my ratings"),
    # the window's tablet
    "visit.tablet.brand": ("窗口评价器", "Window rating tablet"),
    "visit.tablet.title": ("窗口评价器", "Window rating tablet"),
    "visit.tablet.waiting": (
        "欢迎评价窗口服务。办理完成后，工作人员将在本屏为您开启本次服务的评价。",
        "Welcome. When your business is done, the staff open the rating of your visit on this screen.",
    ),
    "visit.tablet.next": ("等待下一位办事人", "Waiting for the next visitor"),
    # 窗口评价 in the workbench
    "workbench.nav.visits": ("窗口评价", "Window ratings"),
    "workbench.visits.title": ("窗口评价", "Window ratings"),
    "workbench.visits.lead": (
        "登记刚为办事人办理的窗口服务，生成评价码，请办事人扫码或在窗口评价器上评价（一次一评）。"
        "评价自愿，不得强制或诱导办事人评价。",
        "Record the visit you just served and show its rating code: the visitor rates it by scanning the "
        "QR code or on the window's tablet (one rating per visit). Rating is voluntary: never press or "
        "steer a visitor to rate.",
    ),
    "workbench.visits.forbidden": (
        "窗口评价仅供窗口工作人员、审批人员和部门管理员使用。",
        "Window ratings are for window clerks, approvers and department admins.",
    ),
    "workbench.visits.new": ("登记窗口服务", "Record a visit"),
    "workbench.visits.window": ("窗口名称或编号", "Window name or number"),
    "workbench.visits.window_hint": ("如“3号综合窗口”，1 至 40 字。", "Such as “Window 3”, 1-40 characters."),
    "workbench.visits.window_required": (
        "请填写窗口名称或编号（1 至 40 字）。",
        "Enter the window's name or number (1-40 characters).",
    ),
    "workbench.visits.item": ("办理事项（可选）", "Service (optional)"),
    "workbench.visits.item_none": ("不选择", "None"),
    "workbench.visits.item_id": ("事项编码（可选）", "Item id (optional)"),
    "workbench.visits.item_bad": ("请从列表中选择办理事项。", "Choose a service from the list."),
    "workbench.visits.case_no": ("办件编号（可选）", "Case number (optional)"),
    "workbench.visits.case_no_hint": (
        "本部门的办件；填写后评价关联到该办件。",
        "A case of your department; the rating is then linked to it.",
    ),
    "workbench.visits.case_no_bad": (
        "办件编号只能包含字母、数字和连字符（6 至 64 位）。",
        "A case number has 6-64 letters, digits and hyphens.",
    ),
    "workbench.visits.visitor": ("办事人姓名（可选）", "Visitor's name (optional)"),
    "workbench.visits.visitor_hint": (
        "仅在窗口已核验办事人身份时填写，其评价将记为实名评价。",
        "Only when the window verified who they are: their rating is then in their name.",
    ),
    "workbench.visits.visitor_long": ("姓名不能超过 200 字。", "The name is at most 200 characters."),
    "workbench.visits.submit": ("生成评价码", "Make the rating code"),
    "workbench.visits.code": ("评价码", "Rating code"),
    "workbench.visits.recorded": (
        "已登记{window}的窗口服务，请办事人扫码评价或在窗口评价器上评价。",
        "Visit at {window} recorded: the visitor scans the code or rates on the window's tablet.",
    ),
    "workbench.visits.qr": ("窗口服务评价二维码", "QR code to rate the visit"),
    "workbench.visits.tablet": ("在窗口评价器打开", "Open on the window's tablet"),
    "workbench.visits.new_window": ("（在新窗口打开）", " (opens a new window)"),
    "workbench.visits.once": (
        "评价码仅显示这一次，请勿拍照外传；有效期至 {at}。",
        "The code is shown only this once; do not copy it. Valid until {at}.",
    ),
    "workbench.visits.mine": ("我的窗口服务记录", "Visits I served"),
    "workbench.visits.caption": (
        "我登记的窗口服务及其评价状态（最近 {n} 条）",
        "The visits I recorded and whether they were rated (latest {n})",
    ),
    "workbench.visits.created_at": ("登记时间", "Recorded"),
    "workbench.visits.about": ("事项或办件", "Service or case"),
    "workbench.visits.status": ("评价状态", "Status"),
    "workbench.visits.expires_at": ("评价码有效期至", "Code valid until"),
    "workbench.visits.status.open": ("待评价", "Not rated yet"),
    "workbench.visits.status.rated": ("已评价", "Rated"),
    "workbench.visits.status.expired": ("已过期（未评价）", "Lapsed (not rated)"),
    "workbench.visits.none": ("暂无窗口服务记录。", "No visits recorded yet."),
    "workbench.ratings.visit_heading": ("窗口服务 · {level}", "Window service · {level}"),
    # each staff member's figures
    "evaluation.staff.title": ("工作人员指标（近 30 日）", "Staff figures (the last 30 days)"),
    "evaluation.staff.hint": (
        "每名工作人员受理的办件和服务的窗口所收到的评价，评价多的在前；申诉成立的评价不计入。",
        "The ratings of the cases each staff member accepted and the visits they served, most ratings "
        "first; ratings excluded by appeals are not counted.",
    ),
    "evaluation.staff.caption": (
        "各工作人员近 30 日的好差评指标",
        "Each staff member's rating figures of the last 30 days",
    ),
    "evaluation.staff.member": ("工作人员", "Staff member"),
    "evaluation.staff.none": ("近 30 日暂无工作人员的评价数据。", "No staff figures in the last 30 days."),
    "evaluation.staff.unavailable": (
        "暂时无法读取工作人员指标，请稍后刷新。",
        "The staff figures cannot be read now; reload later.",
    ),
}
