"""Org metrics and monthly-report sections for the domains that had not registered their
own on main when this app was written: dues (collected), recruitment (steps on time) and
the organisation tree (terms on time). They read those apps' models only; each is
registered under its domain's name and only when that name is still free, so the day a
domain registers its own, this one steps aside (apps.supervision.apps).

measure(org_ids, year, quarter) → {org_id: (share 0..1, reason)}: the organisation's whole
subtree, the period up to today; an organisation with nothing to measure is left out."""

import datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.dues import months as mo
from apps.dues.models import DuesTally
from apps.orgs.models import Organisation
from apps.orgs.rules import GRASSROOTS_TYPES
from apps.recruitment.models import DevelopmentFile

from .periods import month_end, period_range
from .subtree import subtree_sums


def _orgs(org_ids) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=list(org_ids)).only("id", "path", "depth", "term_end", "org_type"))


def _until(end: datetime.date) -> datetime.date:
    return min(end, timezone.localdate())


def dues_collected(org_ids, year: int, quarter: int | None) -> dict[int, tuple[float, str]]:
    start, end = period_range(year, quarter)
    # The current month is still payable: count the months completed by today.
    last = min(mo.month_start(end), mo.shift(mo.month_start(timezone.localdate()), -1))
    orgs = _orgs(org_ids)
    if last < start:
        return {}
    sums = subtree_sums(
        orgs, DuesTally.objects.filter(month__gte=start, month__lte=last), "org_path", due=Sum("lines"), settled=Sum("settled")
    )
    out = {}
    for pk, s in sums.items():
        if s["due"]:
            unpaid = s["due"] - s["settled"]
            out[pk] = (s["settled"] / s["due"], f"应交{s['due']}人次，已交{s['settled']}人次" + (f"，未交{unpaid}人次" if unpaid else ""))
    return out


def steps_on_time(org_ids, year: int, quarter: int | None) -> dict[int, tuple[float, str]]:
    _start, end = period_range(year, quarter)
    ref = _until(end)
    sums = subtree_sums(
        _orgs(org_ids),
        DevelopmentFile.objects.filter(status=DevelopmentFile.Status.ACTIVE),
        "org_path",
        files=Count("id"),
        overdue=Count("id", filter=Q(next_deadline__lt=ref)),
    )
    out = {}
    for pk, s in sums.items():
        if s["files"]:
            text = f"在培养{s['files']}人，" + (f"{s['overdue']}人的步骤已超期" if s["overdue"] else "步骤均未超期")
            out[pk] = (1 - s["overdue"] / s["files"], text)
    return out


def terms_on_time(org_ids, year: int, quarter: int | None) -> dict[int, tuple[float, str]]:
    _start, end = period_range(year, quarter)
    ref = _until(end)
    sums = subtree_sums(
        _orgs(org_ids),
        Organisation.objects.filter(status=Organisation.Status.ACTIVE, org_type__in=GRASSROOTS_TYPES),
        "path",
        units=Count("id"),
        overdue=Count("id", filter=Q(term_end__lt=ref)),
        unknown=Count("id", filter=Q(term_end__isnull=True)),
    )
    out = {}
    for pk, s in sums.items():
        if s["units"]:
            bad = s["overdue"] + s["unknown"]
            parts = [f"基层组织{s['units']}个"]
            parts.append(f"{s['overdue']}个任期已到期未换届" if s["overdue"] else "无到期未换届")
            if s["unknown"]:
                parts.append(f"{s['unknown']}个未登记任期")
            out[pk] = (1 - bad / s["units"], "，".join(parts))
    return out


# ── monthly report sections: figures(org, year, month) → [(label, value)] ─────────────
def dues_section(org, year: int, month: int) -> list[tuple]:
    first = datetime.date(year, month, 1)
    # the month's tallies: its lines and the payments received in it (apps.dues.tally)
    lines = DuesTally.objects.filter(org_path__startswith=org.path, month=first).aggregate(
        due=Sum("lines"), settled=Sum("settled"), paid=Sum("collected")
    )
    paid = lines["paid"]
    lines = {"due": lines["due"] or 0, "settled": lines["settled"] or 0}
    rate = f"{lines['settled'] * 100 / lines['due']:.1f}%" if lines["due"] else "—"
    return [("本月应交人次", lines["due"]), ("已交人次", lines["settled"]), ("交纳率", rate), ("本月收缴（元）", f"{paid or 0:.2f}")]


_DEV_COLUMNS = (
    ("申请入党", "application_date"),
    ("确定积极分子", "activist_date"),
    ("确定发展对象", "target_date"),
    ("发展党员", "admission_date"),
    ("按期转正", "conversion_date"),
)


def development_section(org, year: int, month: int) -> list[tuple]:
    first, last = datetime.date(year, month, 1), month_end(year, month)
    agg = DevelopmentFile.objects.filter(org_path__startswith=org.path).aggregate(
        **{f"c{i}": Count("id", filter=Q(**{f"{f}__gte": first, f"{f}__lte": last})) for i, (_l, f) in enumerate(_DEV_COLUMNS)}
    )
    return [(label, agg[f"c{i}"]) for i, (label, _f) in enumerate(_DEV_COLUMNS)]


def organisation_section(org, year: int, month: int) -> list[tuple]:
    last = month_end(year, month)
    agg = Organisation.objects.filter(path__startswith=org.path, status=Organisation.Status.ACTIVE).aggregate(
        members=Sum("direct_member_count"),
        orgs=Count("id", filter=Q(org_type__in=GRASSROOTS_TYPES)),
        overdue=Count("id", filter=Q(org_type__in=GRASSROOTS_TYPES, term_end__lt=last)),
    )
    return [("党员人数", agg["members"] or 0), ("基层党组织", agg["orgs"]), ("任期到期未换届", agg["overdue"])]


METRICS = (
    ("orgs.terms_on_time", "按期换届", terms_on_time, 10),
    ("recruitment.steps_on_time", "发展党员步骤按期", steps_on_time, 30),
    ("dues.collected", "党费按月收缴", dues_collected, 60),
)
REPORT_SECTIONS = (
    ("orgs", "组织与党员", organisation_section, 10),
    ("recruitment", "发展党员", development_section, 20),
    ("dues", "党费收缴", dues_section, 60),
)


def register() -> list[str]:
    """Register what is still free; returns the names registered here."""
    from apps.core import registry

    done = []
    for name, title, fn, order in METRICS:
        if name not in registry.org_metrics:
            registry.org_metrics.register(registry.OrgMetric(name, title, fn, order=order))
            done.append(name)
    for name, title, fn, order in REPORT_SECTIONS:
        if name not in registry.report_sections:
            registry.report_sections.register(registry.ReportSection(name, title, fn, order=order))
            done.append(f"report:{name}")
    return done
