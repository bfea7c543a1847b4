"""The organisational-life list screens that offer “导出Excel” (registered on import from
OrgLifeConfig.ready())."""

from apps.core.columns import date, display
from apps.core.registry import ListExport, lists

from . import selectors

lists.register(
    ListExport(
        "orglife_meetings",
        "会议记录",
        selectors.meeting_list,
        [
            ("日期", lambda m: date(m.held_on), 12),
            ("党组织", "organisation.name", 30),
            ("会议类型", display("kind"), 14),
            ("议题", "topic", 30),
            ("状态", display("status"), 8),
            ("应到", "should_attend", 6),
            ("实到", "present", 6),
            ("流入地参加", "elsewhere", 8),
            ("请假", "on_leave", 6),
            ("缺席", "absent", 6),
            ("达到法定人数", lambda m: {True: "是", False: "否（不计入）", None: "不要求"}[m.quorum_met], 12),
            ("时长（小时）", lambda m: str(m.hours), 10),
        ],
        page="orglife:meetings",
        order=30,
    )
)
lists.register(
    ListExport(
        "orglife_lagging",
        "组织生活未按要求开展的党组织",
        selectors.lagging_list,
        [
            ("党组织", "name", 30),
            ("组织代码", "code", 16),
            ("应开（期）", "due", 10),
            ("缺（期）", "missing", 10),
            ("缺少的会议", "lacking", 60),
        ],
        prepare=lambda rows: selectors.lagging_details(rows),
        page="orglife:compliance",
        order=31,
    )
)
lists.register(
    ListExport(
        "orglife_absences",
        "未参加组织生活提醒",
        selectors.absence_page,
        [
            ("党员", "member.name", 12),
            ("党组织", "member.organisation.name", 30),
            ("连续月数", "months", 10),
            ("起始月份", lambda r: f"{r['first_month']:%Y-%m}", 12),
            ("截至月份", lambda r: f"{r['last_month']:%Y-%m}", 12),
            ("提醒", "level_text", 40),
        ],
        prepare=selectors.absence_details,
        page="orglife:absences",
        order=32,
    )
)
lists.register(
    ListExport(
        "orglife_exclusions",
        "不列入应到人员",
        selectors.exclusion_list,
        [
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("情形", display("reason"), 24),
            ("起始日期", lambda e: date(e.starts_on), 12),
            ("截止日期", lambda e: date(e.ends_on), 12),
            ("批准组织", "approved_by", 24),
            ("批准日期", lambda e: date(e.approved_on), 12),
        ],
        page="orglife:exclusions",
        order=33,
    )
)
lists.register(
    ListExport(
        "orglife_cases",
        "不参加组织生活处置",
        selectors.case_list,
        [
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("未参加起始月份", lambda c: f"{c.first_month:%Y-%m}", 14),
            ("立案时连续月数", "months", 12),
            ("立案日期", lambda c: date(c.opened_on), 12),
            ("状态", display("status"), 14),
            ("支部大会决定", display("decision"), 30),
            ("支部大会日期", lambda c: date(c.meeting_date), 12),
        ],
        page="orglife:cases",
        order=34,
    )
)
