"""The education list screens that offer “导出Excel” (imported in registrations.register())."""

from apps.core.columns import date, display, money
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


def _option(i: int):
    return lambda q: q.options[i] if i < len(q.options) else ""


lists.register(
    ListExport(
        "education_questions",
        "考学题库",
        selectors.question_list,
        [
            ("题型", display("kind"), 8),
            ("分类", "category", 14),
            ("难度", display("difficulty"), 8),
            ("题干", "text", 40),
            *[(f"选项{letter}", _option(i), 16) for i, letter in enumerate("ABCDEF")],
            ("正确答案", "answer", 8),
            ("解析", "explanation", 30),
            ("题库", "organisation.name", 24),
            ("状态", lambda q: "启用" if q.active else "停用", 8),
        ],
        page="education:questions",
    )
)
lists.register(
    ListExport(
        "education_quizzes",
        "考学",
        selectors.quiz_list,
        [
            ("考学", "title", 30),
            ("举办组织", "organisation.name", 30),
            ("开始日期", lambda q: date(q.opens_on), 12),
            ("截止日期", lambda q: date(q.closes_on), 12),
            ("每份题数", "question_count", 10),
            ("合格分数", "pass_score", 10),
            ("参加人数", "takers", 10),
            ("合格人数", "passed", 10),
        ],
        page="education:quizzes",
    )
)
lists.register(
    ListExport(
        "education_quiz_ranking",
        "考学成绩排名",
        selectors.quiz_ranking,
        [
            ("考学", "quiz.title", 30),
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("成绩", "score", 8),
            ("答对题数", "correct", 10),
            ("结果", lambda a: "合格" if a.passed else "未合格", 8),
            ("第几次作答", "number", 10),
            ("交卷时间", lambda a: a.submitted_at.strftime("%Y-%m-%d %H:%M") if a.submitted_at else "", 18),
        ],
        page="education:quizzes",
    )
)
lists.register(
    ListExport(
        "education_plans",
        "教育培训计划",
        selectors.plan_list,
        [
            ("计划", "title", 30),
            ("类型", display("kind"), 10),
            ("组织", "organisation.name", 30),
            ("起始年度", "start_year", 10),
            ("截止年度", "end_year", 10),
            ("项目数", "item_count", 8),
            ("计划学时", lambda p: p.planned_hours or 0, 10),
        ],
        page="education:plans",
    )
)
lists.register(
    ListExport(
        "education_plan_items",
        "教育培训计划项目",
        selectors.plan_item_list,
        [
            ("计划", "plan.title", 30),
            ("组织", "plan.organisation.name", 30),
            ("年度", "year", 8),
            ("月份", "month", 6),
            ("主题", "topic", 30),
            ("对象", display("audience"), 14),
            ("层级", display("level"), 14),
            ("学习形式", display("form"), 12),
            ("计划学时", "hours", 10),
            ("培训班", lambda i: i.training_class.title if i.training_class else "", 24),
            ("执行", "state_label", 10),
        ],
        prepare=selectors.plan_item_prepare,
        page="education:plans",
    )
)
lists.register(
    ListExport(
        "education_venues",
        "学习阵地",
        selectors.venue_list,
        [
            ("名称", "name", 24),
            ("类型", display("kind"), 12),
            ("所属组织", "organisation.name", 30),
            ("地址", "address", 24),
            ("面积（平方米）", "area", 10),
            ("座位数", "seats", 8),
            ("设备", "equipment", 24),
            ("投入（万元）", money("investment"), 10),
            ("启用日期", lambda v: date(v.opened_on) if v.opened_on else "", 12),
        ],
        page="education:venues",
    )
)
lists.register(
    ListExport(
        "education_courseware",
        "课件库",
        selectors.courseware_list,
        [
            ("课件名称", "title", 30),
            ("分类", "category", 12),
            ("时长（分钟）", "minutes", 10),
            ("主讲人", "speaker", 12),
            ("内网地址", "link", 40),
            ("课件文件", "file_name", 30),
            ("所属组织", "organisation.name", 30),
        ],
        page="education:courseware",
    )
)
lists.register(
    ListExport(
        "education_joint_meetings",
        "教育联席会议",
        selectors.joint_meeting_list,
        [
            ("日期", lambda m: date(m.date), 12),
            ("议题", "topic", 30),
            ("召集组织", "organisation.name", 30),
            ("参加单位和人员", "attendees", 30),
            ("议定事项", "decisions", 40),
        ],
        page="education:joint_meetings",
    )
)
