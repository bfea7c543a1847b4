"""The recruitment list screens that offer “导出Excel” (registered in RecruitmentConfig.ready())."""

from apps.core.columns import date, display, month  # noqa: F401
from apps.core.registry import ListExport, lists

from . import selectors as recruitment

register = lists.register

# -- 发展党员 -----------------------------------------------------------------------


def with_responsibility(files):
    resp = recruitment.responsibility(files)
    for f in files:
        f.resp = resp[f.pk]
    return files


def next_step(f):
    rule = f.resp["rule"]
    if rule:
        return f"{rule.number}. {rule.name}"
    return "半年考察测评" if f.next_step == "assessment" else ""


register(
    ListExport(
        "recruitment_files",
        "发展档案",
        recruitment.file_list,
        [
            ("姓名", "name", 12),
            ("性别", display("sex"), 6),
            ("身份证号", "id_number_masked", 20),
            ("负责组织", "organisation.display_name", 30),
            ("阶段", display("stage"), 12),
            ("状态", display("status"), 8),
            ("下一步", next_step, 24),
            ("期限", lambda f: date(f.next_deadline), 12),
            ("责任组织", lambda f: f.resp["org"].display_name, 30),
            ("责任人", lambda f: f.resp["person"], 14),
        ],
        prepare=with_responsibility,
        page="recruitment:file_list",
    )
)
register(
    ListExport(
        "recruitment_activists",
        "入党积极分子名册",
        recruitment.activist_list,
        [
            ("姓名", "name", 12),
            ("性别", display("sex"), 6),
            ("来源", display("source"), 16),
            ("组织", "organisation.display_name", 30),
            ("确定积极分子", lambda f: date(f.activist_date), 14),
            ("下次考察/期限", lambda f: date(f.next_deadline), 14),
        ],
        page="recruitment:activists",
    )
)
register(
    ListExport(
        "recruitment_training",
        "积极分子和发展对象培训班",
        recruitment.training_class_list,
        [
            ("班次", "title", 30),
            ("类别", display("kind"), 16),
            ("举办组织", "organisation.display_name", 30),
            ("开始日期", lambda c: date(c.start_date), 12),
            ("结束日期", lambda c: date(c.end_date), 12),
            ("天数", "days", 8),
            ("学时", "hours", 8),
            ("参训人数", "n", 10),
            ("状态", display("status"), 8),
        ],
        page="recruitment:training",
    )
)


def plan_columns():
    cols = [
        ("组织", lambda p: p["plan"].organisation.name, 30),
        ("类型", lambda p: p["plan"].get_kind_display(), 12),
        ("起始年度", lambda p: p["plan"].start_year, 10),
        ("终止年度", lambda p: p["plan"].end_year, 10),
    ]
    for i, (_key, label) in enumerate(recruitment.TARGET_LABELS):
        cols += [
            (f"{label}（计划）", lambda p, i=i: p["items"][i]["target"], 12),
            (f"{label}（完成）", lambda p, i=i: p["items"][i]["actual"], 12),
        ]
    cols.append(("总数完成率（%）", lambda p: p["items"][0]["pct"], 14))
    return cols


register(
    ListExport(
        "recruitment_plans",
        "发展党员规划与计划",
        recruitment.plan_list,
        plan_columns(),
        prepare=recruitment.plan_progress,
        page="recruitment:plans",
    )
)
