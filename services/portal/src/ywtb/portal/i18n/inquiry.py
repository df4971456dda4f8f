"""Texts of 咨询投诉: the citizen's 我的咨询投诉 and its forms, the public answers and the search page's 问答知识库,
the workbench's queue of consultations and complaints."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.inquiries": ("咨询投诉", "Questions & complaints"),
    "workbench.nav.inquiries": ("咨询投诉", "Questions & complaints"),
    "workbench.deadline.reply": ("答复期限", "Reply by"),
    "inquiry.ask_item": ("咨询", "Ask"),
    "inquiry.complain_case": ("投诉", "Complain"),
    # kinds, statuses, marks
    "inquiry.kind.consultation": ("咨询", "Question"),
    "inquiry.kind.complaint": ("投诉", "Complaint"),
    "inquiry.status.INQUIRY_STATUS_ASKED": ("待答复", "Awaiting the answer"),
    "inquiry.status.INQUIRY_STATUS_ANSWERED": ("已答复", "Answered"),
    "inquiry.status.INQUIRY_STATUS_ESCALATED": ("已升级，待答复", "Escalated, awaiting the answer"),
    "inquiry.status.INQUIRY_STATUS_UNSPECIFIED": ("—", "—"),
    "inquiry.overdue": ("已逾期", "Overdue"),
    "inquiry.answered_late": ("逾期答复", "Answered late"),
    "inquiry.on_time": ("按期答复", "Answered on time"),
    "inquiry.published": ("已公开", "Published"),
    "inquiry.consented": ("提问人同意公开", "May be published"),
    "inquiry.consented_mine": ("您已同意公开", "You agreed to publishing"),
    "inquiry.private": ("不公开", "Not published"),
    # an inquiry as shown
    "inquiry.fact.item": ("事项", "Service"),
    "inquiry.fact.case": ("办件编号", "Case number"),
    "inquiry.fact.dept": ("承办部门", "Department"),
    "inquiry.fact.asked_at": ("提交时间", "Sent at"),
    "inquiry.fact.reply_due": ("答复期限", "Reply by"),
    "inquiry.fact.question": ("内容", "Question"),
    "inquiry.fact.publish": ("是否公开", "Published"),
    "inquiry.fact.escalation": ("升级原因", "Why escalated"),
    "inquiry.fact.reply": ("答复", "Answer"),
    "inquiry.fact.replied_at": ("答复时间", "Answered at"),
    # 我的咨询投诉
    "inquiry.mine.title": ("我的咨询投诉", "My questions and complaints"),
    "inquiry.mine.lead": (
        "就办理的事项咨询，或对您的办件、部门的服务投诉。办理部门在规定的工作日内答复；投诉可升级到政务服务管理部门。",
        "Ask about a service, or complain about one of your cases or a department. The department answers "
        "within the set working days; a complaint can be escalated to the service authority.",
    ),
    "inquiry.replies_link": ("查看公开的咨询答复", "See the published answers"),
    "inquiry.mine.list": ("我的咨询投诉（{n}）", "My questions and complaints ({n})"),
    "inquiry.mine.none": ("您还没有提交咨询或投诉。", "You have not asked or complained yet."),
    "inquiry.mine.unavailable": (
        "暂时无法读取您的咨询投诉，请稍后刷新本页。",
        "Your questions and complaints cannot be read just now; please reload shortly.",
    ),
    "inquiry.waiting": ("{dept}将于 {due} 前答复。", "{dept} will answer by {due}."),
    "inquiry.waiting_escalated": (
        "投诉已升级，政务服务管理部门将于 {due} 前答复。",
        "Escalated: the service authority will answer by {due}.",
    ),
    # the ask form
    "inquiry.form.title": ("我要咨询投诉", "Ask or complain"),
    "inquiry.form.kind": ("类型", "Type"),
    "inquiry.form.kind_hint": (
        "咨询：了解事项怎么办理；投诉：对办件或部门的服务不满意。",
        "A question: how a service works; a complaint: about a case or a department's service.",
    ),
    "inquiry.form.kind_required": ("请选择咨询或投诉。", "Choose a question or a complaint."),
    "inquiry.form.about": ("咨询或投诉的对象", "About"),
    "inquiry.form.about_hint": (
        "咨询某个事项，请在该事项的办事指南页点击“咨询”；投诉办件，可在办件页点击“投诉”或在此选择您的办件；也可以投诉部门。",
        "To ask about a service, use “Ask” on its guide; to complain about a case, use “Complain” on its "
        "page or choose it here; you may also complain about a department.",
    ),
    "inquiry.form.about_choose": ("请选择", "Choose"),
    "inquiry.form.about_item": ("事项", "Service"),
    "inquiry.form.about_cases": ("我的办件", "My applications"),
    "inquiry.form.about_depts": ("部门（投诉）", "Departments (complaints)"),
    "inquiry.form.about_bad": (
        "请从列表中选择咨询或投诉的对象。",
        "Choose what your question or complaint is about from the list.",
    ),
    "inquiry.form.item_option": ("{item}（{dept}）", "{item} ({dept})"),
    "inquiry.form.case_option": ("{item}（办件 {case_no}）", "{item} (case {case_no})"),
    "inquiry.form.subject": ("标题", "Title"),
    "inquiry.form.subject_hint": ("2 至 100 字，概括您的问题。", "2-100 characters summing it up."),
    "inquiry.form.question": ("内容", "Your question or complaint"),
    "inquiry.form.question_hint": (
        "5 至 2000 字；请勿填写身份证号、手机号等个人信息。",
        "5-2000 characters; no ID or phone numbers, please.",
    ),
    "inquiry.form.consent": ("同意公开我的问题及答复", "Publish my question with its answer"),
    "inquiry.form.consent_hint": (
        "同意后，办理部门可将问题和答复公开到问答知识库，供其他办事群众参考；公开时不显示您的姓名等个人信息。",
        "The department may then publish the question and its answer for others; your name and details "
        "are never shown.",
    ),
    "inquiry.form.submit": ("提交", "Send"),
    "inquiry.asked": (
        "已提交。{dept}将于 {due} 前答复，答复将显示在本页。",
        "Sent. {dept} will answer by {due}; the answer will show on this page.",
    ),
    "inquiry.asked_dept": ("办理部门", "The department"),
    # without an account: a mobile verified by a texted code
    "inquiry.anon.title": ("咨询投诉", "Questions and complaints"),
    "inquiry.anon.lead": (
        "无需登录：填写手机号码并获取短信验证码，即可咨询事项或投诉部门。办理部门在规定的工作日内答复，答复后短信通知您。",
        "No account needed: give your mobile number and the code we text to it to ask about a service or "
        "complain about a department. The department answers within the set working days and texts you.",
    ),
    "inquiry.anon.login_lead": (
        "投诉您的办件、查看您的全部咨询投诉，请登录。",
        "To complain about one of your cases or see all your questions, sign in.",
    ),
    "inquiry.anon.login": ("登录后提交", "Sign in to ask"),
    "inquiry.anon.ref_link": ("已有查询码？查看答复", "Have a reference? See the answer"),
    "inquiry.mobile.legend": ("手机验证", "Your mobile"),
    "inquiry.mobile.hint": (
        "手机号码仅用于发送验证码和答复通知，不会公开。",
        "Only used to text you the code and the answer; never published.",
    ),
    "inquiry.mobile.mobile": ("手机号码", "Mobile number"),
    "inquiry.mobile.send": ("获取验证码", "Text me a code"),
    "inquiry.mobile.code": ("短信验证码", "Code from the text"),
    "inquiry.mobile.code_hint": (
        "短信中的 6 位数字；请先点击“获取验证码”。",
        "The six digits of the text; use “Text me a code” first.",
    ),
    "inquiry.mobile.sent": (
        "验证码已发送到 {to}，请填写短信中的 6 位验证码后提交。",
        "A code was texted to {to}: enter its six digits, then send.",
    ),
    "inquiry.mobile.again": ("如未收到，可于 {time} 后重新获取。", "Not received? Ask again after {time}."),
    "inquiry.mobile.mobile_bad": (
        "请填写 11 位中国大陆手机号码。",
        "Enter an 11-digit mainland China mobile number.",
    ),
    "inquiry.mobile.code_bad": (
        "请填写短信中的 6 位验证码；还没有验证码的，请先点击“获取验证码”。",
        "Enter the six digits of the text; no code yet? Use “Text me a code” first.",
    ),
    "inquiry.mobile.case_login": (
        "投诉办件请登录办件申请人的账号；未登录时可咨询事项或投诉部门。",
        "To complain about a case, sign in as its applicant; without signing in you may ask about a "
        "service or complain about a department.",
    ),
    # asked without an account: the 查询码, shown once
    "inquiry.asked_anon.consultation": ("已提交咨询", "Question sent"),
    "inquiry.asked_anon.complaint": ("已提交投诉", "Complaint sent"),
    "inquiry.asked_anon.ref": ("您的查询码", "Your reference"),
    "inquiry.asked_anon.keep": (
        "请记下或截图保存查询码，凭查询码查看进度和答复。查询码只在本页显示这一次。",
        "Write the reference down or take a screenshot: it opens the progress and the answer. It is shown "
        "only this once.",
    ),
    "inquiry.asked_anon.due": (
        "{dept}将于 {due} 前答复；答复后将以短信通知 {mobile}，短信中也附有查询码。",
        "{dept} will answer by {due}; {mobile} will then get a text with the reference.",
    ),
    "inquiry.asked_anon.open": ("查看进度和答复", "See the progress and the answer"),
    # the 查询码 pages
    "inquiry.ref.title": ("凭查询码查看答复", "See an answer by its reference"),
    "inquiry.ref.lead": (
        "未登录提交的咨询投诉，凭提交时页面显示的查询码（答复短信中也有）查看进度和答复。",
        "A question asked without signing in: its reference, shown when it was sent and in the text of the "
        "answer, opens its progress and answer.",
    ),
    "inquiry.ref.ref": ("查询码", "Reference"),
    "inquiry.ref.hint": ("区分大小写，可直接粘贴。", "Case-sensitive; you may paste it."),
    "inquiry.ref.submit": ("查询", "Look up"),
    "inquiry.ref.bad": (
        "请填写完整的查询码（至少 8 位字母、数字）。",
        "Enter the whole reference (at least 8 letters and digits).",
    ),
    "inquiry.ref.unknown": (
        "未找到该查询码对应的咨询投诉，请核对短信中的查询码。",
        "No question has this reference; check it against the text.",
    ),
    "inquiry.ref.found": ("咨询投诉进度和答复", "Progress and answer"),
    "inquiry.ref.another": ("查询其他查询码", "Look up another reference"),
    # escalation
    "inquiry.escalate": ("升级投诉", "Escalate"),
    "inquiry.escalate_reason": ("升级原因", "Why"),
    "inquiry.escalate_hint": (
        "对答复不满意或未按期答复的，可升级到本级政务服务管理部门处理（2 至 500 字）。",
        "Not answered in time, or not resolved? The service authority takes it up (2-500 characters).",
    ),
    "inquiry.escalate_submit": ("提交升级", "Escalate"),
    "inquiry.escalated": (
        "已将投诉升级到政务服务管理部门，将于 {due} 前答复。",
        "Escalated to the service authority; it will answer by {due}.",
    ),
    # the published answers
    "inquiry.replies.title": ("咨询投诉公开答复", "Published answers"),
    "inquiry.replies.lead": (
        "经提问人同意公开的咨询投诉及答复，供办事参考；不显示提问人的信息。",
        "Questions and complaints published with their answers, with the askers' consent; the askers are "
        "never shown.",
    ),
    "inquiry.replies.query": ("关键词", "Words"),
    "inquiry.replies.query_long": ("关键词不能超过 {n} 个字。", "At most {n} characters, please."),
    "inquiry.replies.count": ("共 {n} 条公开答复", "{n} published answers"),
    "inquiry.replies.count_q": ("与“{q}”相关的公开答复 {n} 条", "{n} published answers match “{q}”"),
    "inquiry.replies.none": ("没有找到公开答复。", "No published answer found."),
    "inquiry.replies.unavailable": (
        "公开答复暂时无法检索，请稍后再试。",
        "The published answers cannot be searched just now; please retry shortly.",
    ),
    "inquiry.reply.asked": ("问", "Question"),
    "inquiry.reply.asked_at": ("提问时间", "Asked on"),
    "inquiry.reply.answered": ("答", "Answer"),
    "inquiry.reply.unit": ("答复单位", "Answered by"),
    "inquiry.reply.answered_at": ("答复时间", "Answered on"),
    # the search page's 问答知识库
    "inquiry.kb.title": ("问答知识库", "Questions and answers"),
    "inquiry.kb.lead": (
        "办事指南中的常见问题和公开的咨询答复里与“{q}”相关的内容。",
        "The guides' FAQs and the published answers that match “{q}”.",
    ),
    "inquiry.kb.faqs": ("常见问题", "FAQs"),
    "inquiry.kb.replies": ("公开答复", "Published answers"),
    "inquiry.kb.from_guide": ("出自办事指南：", "From the guide: "),
    "inquiry.kb.none": (
        "问答知识库中没有与“{q}”相关的内容。",
        "Nothing in the questions and answers matches “{q}”.",
    ),
    "inquiry.kb.replies_unavailable": (
        "公开答复暂时无法检索，以上仅为常见问题。",
        "The published answers cannot be searched just now; only FAQs are shown.",
    ),
    "inquiry.kb.more": ("更多公开答复", "More published answers"),
    "inquiry.kb.ask": ("没有找到答案？我要咨询", "No answer? Ask us"),
    # the workbench's queue
    "workbench.inquiries.title": ("咨询投诉", "Questions and complaints"),
    "workbench.inquiries.lead_dept": (
        "本部门收到的咨询和投诉，答复期限近的在前；期限按工作日计算。提问人同意公开的，可将答复公开到问答知识库。",
        "Your department's questions and complaints, the nearest reply deadline first (working days). "
        "Where the asker consented, the answer can be published.",
    ),
    "workbench.inquiries.lead_tenant": (
        "升级到本级政务服务管理部门的投诉，答复期限近的在前；期限按工作日计算。",
        "The complaints escalated to the service authority, the nearest reply deadline first (working days).",
    ),
    "workbench.inquiries.waiting": ("待答复（{n}）", "Awaiting an answer ({n})"),
    "workbench.inquiries.answered": ("已答复（{n}）", "Answered ({n})"),
    "workbench.inquiries.none_waiting": ("暂无待答复的咨询投诉。", "Nothing awaits an answer."),
    "workbench.inquiries.none_answered": ("暂无已答复的咨询投诉。", "Nothing answered yet."),
    "workbench.inquiries.heading": ("{kind}：{title}", "{kind}: {title}"),
    "workbench.inquiries.answer": ("答复", "Answer"),
    "workbench.inquiries.reply": ("答复内容", "Answer"),
    "workbench.inquiries.reply_hint": (
        "2 至 2000 字，一次性答复清楚；提问人在“我的咨询投诉”中查看。",
        "2-2000 characters, complete at once; the asker reads it on their page.",
    ),
    "workbench.inquiries.publish": ("公开答复", "Publish the answer"),
    "workbench.inquiries.publish_hint": (
        "提问人已同意公开。公开后问题和答复显示在问答知识库，不显示提问人。",
        "The asker consented. Published, the question and answer show in the public answers, without the "
        "asker.",
    ),
    "workbench.inquiries.no_consent": (
        "提问人未同意公开，答复仅提问人可见。",
        "The asker did not consent to publishing; only they see the answer.",
    ),
    "workbench.inquiries.submit": ("提交答复", "Send the answer"),
    "workbench.inquiries.done": ("已答复“{title}”。", "Answered “{title}”."),
    "workbench.inquiries.done_published": (
        "已答复“{title}”，并公开到问答知识库。",
        "Answered “{title}” and published it.",
    ),
    "workbench.inquiries.escalated_note": (
        "投诉人已升级该投诉，由政务服务管理部门答复。",
        "Escalated by the complainant: the service authority answers it.",
    ),
    "workbench.inquiries.forbidden": (
        "咨询投诉仅供部门工作人员和租户管理员查看。",
        "Questions and complaints are for department staff and tenant admins.",
    ),
}
