"""The supervision list screens that offer “导出Excel” (registered on import, from ready())."""

from apps.core.columns import date, display
from apps.core.registry import ListExport, lists

from . import rules, selectors

lists.register(
    ListExport(
        "supervision_contacts",
        "挂钩联系",
        selectors.assignments_for,
        [
            ("联系领导", lambda a: str(a.leader), 12),
            ("联系类型", display("kind"), 18),
            ("联系的党组织", "organisation.name", 30),
            ("年度", "year", 8),
            ("本季度走访（次）", "visits_quarter", 14),
            ("最近走访", lambda a: date(a.last_visit), 12),
            ("结束日期", lambda a: date(a.ended_on), 12),
        ],
        page="supervision:contacts",
    )
)
lists.register(
    ListExport(
        "supervision_inspections",
        "十规范检查",
        selectors.inspection_list,
        [
            ("组织", "organisation.name", 30),
            ("类型", display("kind"), 10),
            ("年度", "year", 8),
            ("季度", lambda i: i.quarter or "", 6),
            ("检查表版本", lambda i: i.version.number, 10),
            ("得分", lambda i: float(i.total), 8),
            ("满分", lambda i: float(i.max_total), 8),
            ("等次", lambda i: i.grade if i.status == "submitted" else "", 8),
            ("状态", display("status"), 8),
        ],
        page="supervision:inspections",
    )
)
lists.register(
    ListExport(
        "supervision_rectifications",
        "整改事项",
        selectors.rectifications_for,
        [
            ("组织", "organisation.name", 30),
            ("存在问题", "problem", 40),
            ("整改措施", "measure", 30),
            ("整改期限", lambda r: date(r.deadline), 12),
            ("状态", display("status"), 8),
            ("完成日期", lambda r: date(r.done_on), 12),
            ("整改情况", "done_note", 30),
        ],
        page="supervision:rectifications",
    )
)
lists.register(
    ListExport(
        "supervision_reports",
        "月报告",
        selectors.reports_for,
        [
            ("组织", "organisation.name", 30),
            ("年度", "year", 8),
            ("月份", "month", 6),
            ("状态", display("status"), 8),
            ("按时", lambda r: "是" if r.on_time else ("否" if r.status == "submitted" else ""), 6),
            ("提交人", "submitted_by", 12),
        ],
        page="supervision:reports",
    )
)
lists.register(
    ListExport(
        "supervision_trainings",
        "四训记录",
        selectors.trainings_for,
        [
            ("日期", lambda t: date(t.date), 12),
            ("举办组织", "organisation.name", 30),
            ("类别", display("kind"), 10),
            ("会议", "occasion", 10),
            ("培训内容", "title", 36),
            ("地点（党校）", "venue", 20),
            ("学时", lambda t: float(t.hours), 8),
            ("参训人数", "attendee_count", 10),
            ("登记人", "recorded_by", 12),
        ],
        page="supervision:trainings",
    )
)
lists.register(
    ListExport(
        "supervision_training_units",
        "四训情况（按单位）",
        selectors.training_units,
        [
            ("单位", lambda r: ("本级 · " if r["own"] else "") + r["org"].name, 30),
            ("年度", lambda r: r["year"], 8),
            *[(f"{k.label}（次）", (lambda code: lambda r: r["held"][code])(k.code), 12) for k in rules.CADRE_TRAINING_KINDS],
            ("合计（次）", lambda r: r["total"], 10),
            ("参训（人次）", lambda r: r["people"], 12),
            ("记入学时", lambda r: float(r["hours"]), 10),
            ("未达每年应开展", lambda r: "、".join(r["short"]), 24),
        ],
        page="supervision:trainings",
    )
)
