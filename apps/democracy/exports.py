from apps.core.columns import date, display
from apps.core.registry import ListExport, lists

from . import selectors

lists.register(
    ListExport(
        "democracy_feedback",
        "意见反馈",
        selectors.feedback_list,
        [
            ("提出日期", lambda f: date(f.raised_on), 12),
            ("提出人", "raiser_name", 14),
            ("提出组织", "origin.name", 30),
            ("负责答复", "organisation.name", 30),
            ("类别", "category.name", 14),
            ("标题", "subject", 30),
            ("答复期限", lambda f: date(f.due_on), 12),
            ("上交次数", "level", 8),
            ("状态", display("status"), 8),
            ("答复日期", lambda f: date(f.answered_on), 12),
            ("按期", lambda f: {True: "是", False: "否"}.get(f.answered_in_time, ""), 6),
        ],
        page="democracy:feedback_list",
    )
)
lists.register(
    ListExport(
        "democracy_notices",
        "党务公开",
        selectors.notice_list,
        [
            ("公开日期", lambda n: date(n.publish_on), 12),
            ("发布组织", "organisation.name", 30),
            ("类别", "category.name", 12),
            ("标题", "title", 30),
            ("公开范围", display("audience"), 16),
            ("撤下日期", lambda n: date(n.withdraw_on), 12),
            ("已读人数", "read_count", 10),
        ],
        page="democracy:notices",
    )
)
lists.register(
    ListExport(
        "democracy_consultations",
        "征求意见",
        selectors.consultation_list,
        [
            ("开始日期", lambda c: date(c.opens_on), 12),
            ("截止日期", lambda c: date(c.deadline), 12),
            ("发起组织", "organisation.name", 30),
            ("事项", "title", 30),
            ("征求范围", display("audience"), 16),
            ("意见数", "opinion_count", 8),
            ("同意", "agree_count", 8),
            ("不同意", "disagree_count", 8),
            ("有修改意见", "suggest_count", 10),
            ("状态", display("status"), 8),
            ("决定日期", lambda c: date(c.decided_on), 12),
            ("决定结果", "decision", 40),
        ],
        page="democracy:consultations",
    )
)
lists.register(
    ListExport(
        "democracy_opinions",
        "征求意见的党员意见",
        selectors.opinion_rows,
        [
            ("党员", lambda o: "匿名" if o.anonymous else o.member.name, 14),
            ("态度", display("stance"), 10),
            ("意见建议", "text", 50),
            ("提交时间", lambda o: o.submitted_at.strftime("%Y-%m-%d %H:%M"), 18),
        ],
        page="democracy:consultations",
    )
)
lists.register(
    ListExport(
        "democracy_decisions",
        "集体决策记录",
        selectors.decision_list,
        [
            ("会议日期", lambda d: date(d.decided_on), 12),
            ("组织", "organisation.name", 30),
            ("议题", "topic", 30),
            ("事项类别", display("category"), 14),
            ("提议人", "proposed_by", 12),
            ("个别酝酿", "consulted", 30),
            ("应到委员", "members_total", 8),
            ("实到委员", "members_present", 8),
            ("赞成", "votes_for", 6),
            ("反对", "votes_against", 6),
            ("弃权", "votes_abstain", 6),
            ("结果", display("result"), 8),
            ("公示开始", lambda d: date(d.notice_start), 12),
            ("公示结束", lambda d: date(d.notice_end), 12),
        ],
        page="democracy:decisions",
    )
)
lists.register(
    ListExport(
        "democracy_rectifications",
        "生活会整改事项",
        selectors.rectification_list,
        [
            ("生活会", lambda r: str(r.meeting), 36),
            ("组织", "organisation.name", 30),
            ("查摆问题/批评意见", "problem", 40),
            ("责任人", "responsible", 12),
            ("整改措施", "measure", 40),
            ("整改时限", lambda r: date(r.deadline), 12),
            ("状态", display("status"), 8),
            ("完成日期", lambda r: date(r.done_on), 12),
            ("整改情况", "done_note", 30),
        ],
        page="democracy:life_meetings",
    )
)
