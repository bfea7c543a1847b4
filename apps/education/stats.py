"""Study figures for the statistics dashboard: `contribute(org, as_of) -> dict` from a
fixed number of aggregate queries over the subtree (run on the report replica when one is
configured): hours distribution, share meeting 32/56, rotation coverage of secretaries."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from apps.core.routers import reporting

from . import selectors
from .services import current_rules

BUCKETS = [("0学时", 0, 0), ("1–15学时", 0, 16), ("16–31学时", 16, 32), ("32–55学时", 32, 56), ("56学时以上", 56, None)]


def contribute(org, as_of: datetime.date | None = None) -> dict:
    as_of = as_of or timezone.localdate()
    year = as_of.year
    values = current_rules().all_values()
    with reporting():
        summary = selectors.org_summary(org, year, as_of, values)
        qs = selectors.progress_members(selectors.subtree_members(org), year)
        buckets = {}
        for i, (_label, low, high) in enumerate(BUCKETS):
            if high == 0:
                cond = Q(study_hours=0)
            elif high is None:
                cond = Q(study_hours__gte=low)
            else:
                cond = Q(study_hours__gte=low, study_hours__lt=high) & ~Q(study_hours=0)
            buckets[f"b{i}"] = Count("id", filter=cond)
        dist = qs.aggregate(**buckets)
    return {
        "education": {
            "label": "学习教育",
            "labels": LABELS,
            "year": year,
            "members": summary["members"],
            "met": summary["met"],
            "met_rate": summary["met_rate"],
            "cadres": summary["cadres"],
            "cadres_met": summary["cadres_met"],
            "behind": summary["behind"],
            "average_hours": str(summary["average"]),
            "secretaries": summary["secretaries"],
            "rotated": summary["rotated"],
            "rotation_rate": summary["rotation_rate"],
            "distribution": [[label, dist[f"b{i}"]] for i, (label, _l, _h) in enumerate(BUCKETS)],
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
}


def cards(stats: dict) -> list[tuple]:
    e = stats["education"]
    return [
        (f"{e['year']}年学时达标率", "—" if e["met_rate"] is None else e["met_rate"], "%", None),
        ("人均学时", e["average_hours"], "学时", None),
        ("学时进度落后", e["behind"], "名", None),
        ("书记轮训覆盖率", "—" if e["rotation_rate"] is None else e["rotation_rate"], "%", None),
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
