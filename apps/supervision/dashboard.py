"""The leaders' dashboard (drill-down county → township → branch) and the 大屏 display:
what the statistics registry knows about an organisation's subtree, its units one level
below compared (members, grassroots organisations, health score, monthly report), and the
way back up the tree within the user's scope. A fixed number of queries whatever the size:
the statistics (their own fixed cost), two for the units, one per health metric, one for
the reports, one for the breadcrumb.

The organisation's figures (statistics and units) are the same for every user allowed to
see them and change slowly, while computing them reads every domain's year for the
subtree (≈ 0.3 s of CPU for the demo county on SQLite, docs/performance.md): they are
cached for CACHE_SECONDS per organisation and day (the page says so), so the 大屏's
refresh and a leader's clicks up and down the tree are answered from the cache. Only what
the page charts is computed (party_statistics(charted=True)). Scope is checked before the
cache is read; the breadcrumb is per user and never cached."""

import datetime
import re
from collections import Counter

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.core import registry
from apps.core.memo import shared_reads
from apps.core.scoping import user_scope
from apps.orgs.models import Organisation
from apps.stats.selectors import child_rows, party_statistics, section_rows

from . import rules, selectors
from .models import MonthlyReport
from .periods import quarter_of

# the member breakdowns the dashboard shows (figures and the age and education charts);
# the others are on the statistics page, and each costs the single pass ≈ 0.6 ms per
# condition over a county's members (docs/performance.md)
MEMBER_BREAKDOWNS = ("age_bands", "education")
CHART_MAX_ITEMS = 12
CACHE_SECONDS = 600


def breadcrumb(user, org: Organisation) -> list[Organisation]:
    """org's ancestors the user may view, top first, then org itself: the way back up."""
    step = Organisation.steplen
    paths = [org.path[: n * step] for n in range(1, org.depth)]
    scope = user_scope(user, "view")
    ancestors = [a for a in Organisation.objects.filter(path__in=paths).order_by("depth") if scope.covers_path(a.path)]
    return [*ancestors, org]


def domain_charts(stats: dict) -> list[dict]:
    """Bar charts of the statistics: the members' age and education, the grassroots
    organisations by level, then every registered section's own charts
    (StatsSection.charts) or, for a section that declares none, one chart per sub-section
    of its rows. A chart compares like with like: totals, rates, averages and figures in
    another unit than the sub-section's commonest are left to the table (a 合计 bar beside
    its parts, or an attendance rate beside meeting counts, reads as nonsense)."""
    m, o = stats["members"], stats["organisations"]
    charts = [
        _chart("基层党组织", [(i["label"], i["count"]) for i in o["by_level"]]),
        _chart("党员·年龄", [(i["label"], i["count"]) for i in m["age_bands"]]),
        _chart("党员·学历", [(i["label"], i["count"]) for i in m["education"]]),
    ]
    for section in registry.stats:
        if section.name not in stats:
            continue
        if section.charts is not None:
            charts += [_chart(c["title"], list(zip(c["labels"], c["values"], strict=True))) for c in section.charts(stats).values()]
            continue
        groups: dict[str, list] = {}
        for title, label, count, _pct in section_rows(section.name, stats):
            groups.setdefault(title, []).append((str(label), count))
        charts += [_chart(title, _comparable(rows)) for title, rows in groups.items()]
    return [c for c in charts if c is not None]


UNIT = re.compile(r"（([^（）]*)）$")
NOT_COMPARABLE = ("合计", "率", "平均", "%")


def _comparable(rows: list[tuple]) -> list[tuple]:
    """The counts of a sub-section in its commonest unit (the trailing （次）/（人）)."""
    counts = [
        (label, v) for label, v in rows if isinstance(v, int) and not isinstance(v, bool) and not any(w in label for w in NOT_COMPARABLE)
    ]
    units = Counter((UNIT.search(label) or [None, ""])[1] for label, _v in counts)
    if not units:
        return []
    unit = units.most_common(1)[0][0]
    return [(label, v) for label, v in counts if (UNIT.search(label) or [None, ""])[1] == unit]


def _chart(title: str, rows: list[tuple]) -> dict | None:
    rows = rows[:CHART_MAX_ITEMS]
    if len(rows) < 2 or not any(v for _l, v in rows):
        return None  # one bar, or only zeros, says nothing a chart should
    return {"title": title, "labels": [r[0] for r in rows], "values": [r[1] for r in rows]}


def units(org: Organisation, today: datetime.date) -> list[dict]:
    """The units one level below org with members, grassroots organisations, this
    quarter's health score and last month's report."""
    rows = child_rows(org)
    if not rows:
        return []
    orgs = [r["org"] for r in rows]
    year, quarter = today.year, quarter_of(today)
    health = selectors.health(orgs, year, quarter)
    last = today.replace(day=1) - datetime.timedelta(days=1)
    reports = {
        r.organisation_id: r
        for r in MonthlyReport.objects.filter(organisation__in=orgs, year=last.year, month=last.month).only(
            "organisation_id", "status", "on_time"
        )
    }
    out = []
    for r in rows:
        o = r["org"]
        report = reports.get(o.pk)
        out.append(
            {
                "org": o,
                "members": r["members"],
                "grassroots": r["grassroots"],
                "health": health[o.pk]["score"],
                "report": "按时提交"
                if report and report.status == "submitted" and report.on_time
                else ("逾期提交" if report and report.status == "submitted" else "未提交"),
                "lagging": health[o.pk]["score"] is not None and health[o.pk]["score"] < rules.HEALTH_LAGGING_BELOW,
            }
        )
    return out


def figures_of(org: Organisation, today: datetime.date) -> tuple[dict, list[dict]]:
    """(statistics, units) of org on today, from the cache when computed in the last
    CACHE_SECONDS."""
    key = f"supervision:dashboard:{org.pk}:{org.path}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is None:
        with shared_reads():  # the sections and the units' metrics read common rows once
            # the breakdowns and section figures the page charts, not the whole 党内统计
            cached = (party_statistics(org, today, breakdowns=MEMBER_BREAKDOWNS, charted=True), units(org, today))
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def dashboard(user, org: Organisation, *, url_name: str = "supervision:dashboard") -> dict:
    today = timezone.localdate()
    stats, rows = figures_of(org, today)
    link = reverse(url_name)
    s = stats.get("supervision", {})
    m = stats["members"]
    figures = [
        ("党员总数", m["total"], "名"),
        ("基层党组织", stats["organisations"]["total"], "个"),
        ("35岁及以下", m["aged_35_or_under"]["count"], "名"),
        ("大专及以上", m["college_or_above"]["count"], "名"),
        (f"{today.year}年联系点走访", s.get("visits", 0), "次"),
        ("整改超期", s.get("rect_overdue", 0), "项"),
        ("年终考评平均分", s.get("year_end_avg") if s.get("year_end_avg") is not None else "—", "分"),
        ("示范点（已命名）", s.get("points_accepted", 0), "个"),
    ]
    drill = [r for r in rows if r["org"].pk != org.pk]
    chart_data = {
        "units": {
            "labels": [r["org"].short_name or r["org"].name for r in drill],
            "members": [r["members"] for r in drill],
            "health": [r["health"] for r in drill],
            "urls": [f"{link}?org={r['org'].pk}" for r in drill],
        },
        "sections": domain_charts(stats),
    }
    return {
        "org": org,
        "today": today,
        "figures": figures,
        "units": drill,
        "breadcrumb": breadcrumb(user, org),
        "charts": chart_data,
        "lagging": [r for r in drill if r["lagging"] or r["report"] == "未提交"],
        "cache_minutes": CACHE_SECONDS // 60,
    }
