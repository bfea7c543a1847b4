"""Study figures for the statistics dashboard: `contribute(org, as_of) -> dict` from a
fixed number of aggregate queries over the subtree (run on the report replica when one is
configured): hours distribution, share meeting 32/56, rotation coverage of secretaries."""

import datetime

from django.utils import timezone

from apps.core.routers import reporting

from . import selectors
from .services import current_rules

NO_QUIZZES = {"quiz_takers": None, "quiz_papers": None, "quiz_average": None}
NO_PLANS = {"plan_items": None, "plan_due": None, "plan_done": None, "plan_rate": None}


def aggregates(org, as_of: datetime.date, *, charted_only: bool = False) -> dict:
    """StatsSection.aggregates: the quiz figures (not charted)."""
    return {} if charted_only else {"quiz": selectors.quiz_aggregate(org, as_of.year)}


def contribute(org, as_of: datetime.date | None = None, *, charted_only: bool = False, figures: dict | None = None) -> dict:
    """Four grouped queries whatever the subtree's size (selectors.org_summary: two;
    quiz_figures and plan_figures: one each), three when party_statistics sent
    aggregates() with the other sections' (`figures`); charted_only (the dashboard, whose
    chart is the hours distribution): org_summary's two, the quiz and plan figures None."""
    as_of = as_of or timezone.localdate()
    year = as_of.year
    values = current_rules().all_values()
    with reporting():
        summary = selectors.org_summary(org, year, as_of, values)
        quizzes = NO_QUIZZES if charted_only else selectors.quiz_figures(org, year, None if figures is None else figures["quiz"])
        plans = NO_PLANS if charted_only else selectors.plan_figures(org, year, as_of)
    members = summary["members"]
    return {
        "education": {
            "label": "学习教育",
            "labels": LABELS,
            "year": year,
            "members": members,
            "met": summary["met"],
            "met_rate": summary["met_rate"],
            "cadres": summary["cadres"],
            "cadres_met": summary["cadres_met"],
            "behind": summary["behind"],
            "average_hours": str(summary["average"]),
            "secretaries": summary["secretaries"],
            "rotated": summary["rotated"],
            "rotation_rate": summary["rotation_rate"],
            "distribution": summary["distribution"],
            "quiz_takers": quizzes["quiz_takers"],
            "quiz_rate": round(100 * quizzes["quiz_takers"] / members, 1) if members and quizzes["quiz_takers"] is not None else None,
            "quiz_average": None if quizzes["quiz_average"] is None else str(quizzes["quiz_average"]),
            "plan_items": plans["plan_items"],
            "plan_due": plans["plan_due"],
            "plan_done": plans["plan_done"],
            "plan_rate": plans["plan_rate"],
        }
    }


LABELS = {
    "year": "年度",
    "members": "党员（人）",
    "met": "达到学时要求（人）",
    "met_rate": "学时达标率（%）",
    "cadres": "书记和班子成员（人）",
    "cadres_met": "书记和班子成员达到56学时（人）",
    "behind": "学时进度落后（人）",
    "average_hours": "人均学时",
    "secretaries": "基层党组织书记（人）",
    "rotated": "参加县级轮训的书记（人）",
    "rotation_rate": "书记轮训覆盖率（%）",
    "quiz_takers": "参加考学（人）",
    "quiz_rate": "考学参与率（%）",
    "quiz_average": "考学平均成绩（分）",
    "plan_items": "教育计划项目（个）",
    "plan_due": "已到期计划项目（个）",
    "plan_done": "已执行计划项目（个）",
    "plan_rate": "教育计划执行率（%）",
}


def cards(stats: dict) -> list[tuple]:
    e = stats["education"]
    return [
        (f"{e['year']}年学时达标率", "—" if e["met_rate"] is None else e["met_rate"], "%", None),
        ("人均学时", e["average_hours"], "学时", None),
        ("学时进度落后", e["behind"], "名", None),
        ("书记轮训覆盖率", "—" if e["rotation_rate"] is None else e["rotation_rate"], "%", None),
        ("考学参与率", "—" if e.get("quiz_rate") is None else e["quiz_rate"], "%", None),
        ("考学平均成绩", "—" if e.get("quiz_average") is None else e["quiz_average"], "分", None),
        ("教育计划执行率", "—" if e.get("plan_rate") is None else e["plan_rate"], "%", None),
    ]


def rows(stats: dict) -> list[tuple]:
    e = stats["education"]
    members = e["members"] or 0
    out = []
    for key in ("members", "met", "cadres", "cadres_met", "behind", "secretaries", "rotated"):
        share = round(100 * e[key] / members, 1) if members and key != "members" else None
        out.append(("学习教育", LABELS[key], e[key], share))
    for label, n in e["distribution"]:
        out.append(("学时分布", label, n, round(100 * n / members, 1) if members else None))
    if "quiz_takers" in e:
        out.append(("考学", LABELS["quiz_takers"], e["quiz_takers"], e["quiz_rate"]))
        out.append(("考学", LABELS["quiz_average"], e["quiz_average"] if e["quiz_average"] is not None else "", None))
        out.append(("教育培训计划", LABELS["plan_items"], e["plan_items"], None))
        out.append(("教育培训计划", LABELS["plan_due"], e["plan_due"], None))
        out.append(("教育培训计划", LABELS["plan_done"], e["plan_done"], e["plan_rate"]))
    return out


def charts(stats: dict) -> dict:
    e = stats["education"]
    return {
        "education_hours": {
            "title": f"{e['year']}年党员学时分布",
            "labels": [label for label, _n in e["distribution"]],
            "values": [n for _label, n in e["distribution"]],
        }
    }
