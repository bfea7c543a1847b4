"""The education list screens that offer “导出Excel” (imported in registrations.register())."""

from apps.core.columns import date, display
from apps.core.registry import ListExport, lists

from . import selectors


def _checks(row) -> str:
    return "；".join(f"{c.label}{'✓' if c.ok else ('…' if c.ok is None else '✗')}" for c in row.checks)


lists.register(
    ListExport(
        "education_progress",
        "学时进度",
        selectors.progress_queryset,
        [
            ("党员", "member.name", 12),
            ("党组织", "member.organisation.name", 30),
            ("身份", "role", 10),
            ("已学学时", "progress.hours", 10),
            ("要求学时", "progress.required", 10),
            ("尚差学时", "progress.shortfall", 10),
            ("预计年底尚差", "progress.projected_shortfall", 12),
            ("各项要求", _checks, 40),
        ],
        prepare=selectors.progress_prepare,
        page="education:progress",
    )
)
lists.register(
    ListExport(
        "education_entries",
        "学习档案",
        selectors.entry_list,
        [
            ("日期", lambda e: date(e.date), 12),
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("学习形式", display("form"), 12),
            ("学习内容", "content", 30),
            ("学时", "hours", 8),
            ("组织者", "organiser", 20),
            ("参加人员", "participants", 16),
            ("测试成绩", lambda e: "" if e.score is None else e.score, 10),
            ("来源", display("origin"), 12),
            ("状态", display("status"), 10),
        ],
        page="education:entries",
    )
)
lists.register(
    ListExport(
        "education_classes",
        "培训班",
        selectors.class_list,
        [
            ("班次", "title", 30),
            ("层级", display("level"), 14),
            ("类别", display("kind"), 16),
            ("举办组织", "organisation.name", 30),
            ("开班日期", lambda c: date(c.start_date), 12),
            ("结业日期", lambda c: date(c.end_date), 12),
            ("课程数", "session_count", 8),
            ("状态", display("status"), 10),
        ],
        page="education:classes",
    )
)
lists.register(
    ListExport(
        "education_certificates",
        "培训结业证书名单",
        selectors.certificate_list,
        [
            ("班次", "training_class.title", 30),
            ("学员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("出勤学时", "attended_hours", 10),
            ("证书编号", "certificate_no", 18),
        ],
        page="education:class_detail",
    )
)
lists.register(
    ListExport(
        "education_reports",
        "述学述评",
        selectors.report_list,
        [
            ("年度", "year", 8),
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("书记/班子成员", lambda r: "是" if r.is_cadre else "", 12),
            ("状态", display("status"), 10),
            ("评议等次", display("grade"), 10),
            ("评议意见", "comment", 40),
            ("评议层级", display("reviewer_level"), 14),
        ],
        page="education:reports",
    )
)
