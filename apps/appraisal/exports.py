"""The appraisal list screens that offer “导出Excel” (registered in AppraisalConfig.ready())."""

from apps.core.columns import date, display
from apps.core.registry import ListExport, lists

from . import selectors

lists.register(
    ListExport(
        "appraisal_cases",
        "组织处置",
        selectors.case_list,
        [
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("处置方式", display("kind"), 14),
            ("案由", "source_note", 40),
            ("立案日期", lambda c: date(c.opened_on), 12),
            ("状态", display("status"), 10),
            ("决定日期", lambda c: date(c.decided_on), 12),
            ("决定文号", "letter_no", 20),
            ("改正期限", lambda c: date(c.deadline), 12),
            ("不得重新入党至", lambda c: date(c.rejoin_blocked_until), 14),
        ],
        page="appraisal:cases",
    )
)

lists.register(
    ListExport(
        "appraisal_posts",
        "设岗定责",
        selectors.post_list,
        [
            ("名称", "title", 20),
            ("类别", display("kind"), 12),
            ("岗位类型", display("post_type"), 12),
            ("党支部", "organisation.name", 30),
            ("在岗党员", selectors.holders_text, 24),
            ("岗位职责", "duties", 40),
            ("覆盖区域或联系农户", "coverage", 30),
            ("联系户数", lambda p: p.households or "", 10),
            ("设立日期", lambda p: date(p.set_up_on), 12),
            ("撤销日期", lambda p: date(p.ended_on), 12),
        ],
        page="appraisal:posts",
    )
)

lists.register(
    ListExport(
        "appraisal_supervision",
        "监督管理记录",
        selectors.supervision_list,
        [
            ("日期", lambda r: date(r.on), 12),
            ("类别", display("kind"), 14),
            ("党员", "member.name", 12),
            ("谈话人", lambda r: r.counterpart.name if r.counterpart else "", 12),
            ("党组织", "organisation.name", 30),
            ("事项类别/意见来源", "matter_label", 20),
            ("内容", "content", 50),
            ("核实结果", display("verification"), 10),
            ("跟进/处理", "follow_up", 40),
            ("状态", display("status"), 10),
            ("办结日期", lambda r: date(r.closed_on), 12),
        ],
        page="appraisal:supervision",
    )
)

lists.register(
    ListExport(
        "appraisal_goals",
        "党员年度目标",
        selectors.goal_list,
        [
            ("年度", "year", 8),
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("年度目标", lambda g: "；".join(g.goals), 60),
            ("本人补充", "own_goals", 30),
            ("完成情况", display("check_grade"), 10),
            ("年终自查", "self_check", 50),
            ("自查日期", lambda g: date(g.checked_on), 12),
        ],
        page="appraisal:goals",
    )
)

lists.register(
    ListExport(
        "appraisal_talents",
        "三培养人才库",
        selectors.talent_list,
        [
            ("姓名", "name", 12),
            ("培养方向", display("track"), 22),
            ("培养阶段", "stage_label", 18),
            ("培养联系人", "mentor.name", 12),
            ("党支部", "organisation.name", 30),
            ("身份", lambda e: "党员" if e.member_id else "非党员骨干", 10),
            ("特长或从事行业", "strengths", 20),
            ("列入日期", lambda e: date(e.start_on), 12),
            ("培养措施", "plan", 40),
            ("状态", display("status"), 8),
            ("结束日期", lambda e: date(e.closed_on), 12),
            ("培养结果", "outcome_label", 18),
            ("结果说明", "outcome_note", 30),
        ],
        page="appraisal:talents",
    )
)
