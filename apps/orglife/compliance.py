"""Compliance with the meeting frequencies (required vs held, per organisation and
period) and the members' months without party life.

A period (month, quarter, year) of a kind is *required* in a window when it ends inside
the window and has begun by the reference date; it is *met* when the organisation held at
least one counted meeting of the kind in it (held, not below quorum); it is *overdue*
when it has ended and is not met. Windows are a month or a calendar year. Every function
here costs a fixed number of queries whatever the number of organisations or meetings."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Subquery

from apps.core import registry
from apps.core.dateparts import MonthOf, QuarterOf, YearOf
from apps.orgs.models import CommitteeMember, Organisation

from . import rules
from .models import Attendance, Meeting, RuleVersion

# a date's period number for each frequency, natively in SQL (apps.core.dateparts)
PERIOD_EXPR = {rules.MONTHLY: MonthOf, rules.QUARTERLY: QuarterOf, rules.YEARLY: YearOf}


def month_end(d: datetime.date) -> datetime.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def window(year: int, month: int | None = None) -> tuple[datetime.date, datetime.date]:
    if month:
        start = datetime.date(year, month, 1)
        return start, month_end(start)
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def period_of(freq: str, d: datetime.date) -> tuple[datetime.date, datetime.date]:
    if freq == rules.MONTHLY:
        start = d.replace(day=1)
    elif freq == rules.QUARTERLY:
        start = datetime.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    else:
        start = datetime.date(d.year, 1, 1)
    last = datetime.date(start.year, start.month + rules.MONTHS_IN[freq] - 1, 1)
    return start, month_end(last)


def periods(freq: str, start: datetime.date, end: datetime.date, as_of: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The periods of `freq` ending inside [start, end] that have begun by as_of."""
    out = []
    d = start
    while d <= end:
        p = period_of(freq, d)
        if start <= p[1] <= end and p[0] <= as_of and p not in out:
            out.append(p)
        d = datetime.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def applicable(kind: rules.Kind, org_type: str, has_committee: bool) -> bool:
    return org_type in kind.applies_to and (has_committee or not kind.needs_committee)


def _has_committee_q(as_of: datetime.date):
    return Exists(CommitteeMember.objects.filter(organisation_id=OuterRef("pk")).filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of)))


@dataclass
class KindRow:
    kind: rules.Kind
    frequency: str
    required: int = 0
    met: int = 0
    overdue: int = 0
    held: int = 0  # counted meetings in the window
    below_quorum: int = 0
    missing: list = field(default_factory=list)  # (start, end) of overdue periods
    current_open: bool = False  # the period in progress has no meeting yet

    @property
    def frequency_label(self) -> str:
        return rules.FREQUENCY_LABEL[self.frequency]

    @property
    def ok(self) -> bool:
        return self.overdue == 0

    @property
    def reason(self) -> str:
        if not self.required:
            return f"{self.kind.label}（{self.frequency_label}）本期无要求"
        text = f"{self.kind.label}{self.frequency_label}一次：应开{self.required}次，已开{self.met}次"
        if self.missing:
            text += "，缺" + "、".join(period_label(self.frequency, p) for p in self.missing)
        return text


def period_label(freq: str, p) -> str:
    start = p[0]
    if freq == rules.MONTHLY:
        return f"{start.year}年{start.month}月"
    if freq == rules.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年"


def org_compliance(orgs, year: int, month: int | None, as_of: datetime.date, version: RuleVersion) -> dict[int, list[KindRow]]:
    """{org id: [KindRow per applicable kind]} for a list of organisations (a page). Two
    queries — the organisations' committees, and their meetings in the window — and one
    per registry.held_records source (records of another domain that count as a kind,
    once per organisation and date)."""
    orgs = list(orgs)
    start, end = window(year, month)
    ids = [o.pk for o in orgs]
    with_committee = set(
        CommitteeMember.objects.filter(organisation_id__in=ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of))
        .values_list("organisation_id", flat=True)
    )
    held: dict[tuple[int, str], list[tuple[datetime.date, bool]]] = {}
    rows = Meeting.objects.filter(organisation_id__in=ids, status=Meeting.Status.HELD, held_on__gte=start, held_on__lte=min(end, as_of))
    for org_id, kind, held_on, counted in rows.values_list("organisation_id", "kind", "held_on", "counted"):
        held.setdefault((org_id, kind), []).append((held_on, counted))
    for org_id, kind, on in held_records(ids, start, min(end, as_of)):
        entries = held.setdefault((org_id, kind), [])
        if (on, True) not in entries:  # the same talk recorded as a meeting too: once
            entries.append((on, True))
    result = {}
    for org in orgs:
        out = []
        for kind in rules.KINDS:
            if not applicable(kind, org.org_type, org.pk in with_committee):
                continue
            freq = version.frequency(kind.code)
            row = KindRow(kind, freq)
            meetings = held.get((org.pk, kind.code), [])
            row.held = sum(1 for _, c in meetings if c)
            row.below_quorum = sum(1 for _, c in meetings if not c)
            for p in periods(freq, start, end, as_of):
                row.required += 1
                if any(c and p[0] <= d <= p[1] for d, c in meetings):
                    row.met += 1
                elif p[1] < as_of:
                    row.overdue += 1
                    row.missing.append(p)
                else:
                    row.current_open = True
            out.append(row)
        result[org.pk] = out
    return result


def share(rows: list[KindRow]) -> tuple[float, str]:
    """(share of required periods met, the reason in words) for org_metrics."""
    required = sum(r.required - (1 if r.current_open else 0) for r in rows)
    met = sum(r.met for r in rows)
    if required <= 0:
        return 1.0, "本期没有到期的组织生活要求"
    lacking = [r.reason for r in rows if r.overdue]
    text = f"应开{required}次，已按要求召开{min(met, required)}次"
    if lacking:
        text += "；" + "；".join(lacking)
    return min(met, required) / required, text


def lagging_figures(orgs, year: int, month: int | None, as_of: datetime.date, version: RuleVersion) -> list[tuple[int, str, int, int]]:
    """(id, path, due, missing) of the organisations of the queryset `orgs` that hold
    organisational life: `due` counts the ended periods required in the window, `missing`
    those without a counted meeting (or a registered record) of the kind. Grouped
    queries, not a count per organisation and kind: the organisations (one query), per
    frequency the meetings counted by (organisation, kind) — distinct periods — and, for
    the kinds another domain also keeps (registry.held_records), their distinct periods
    with the records' (one query per source). At most 7 + sources queries, whatever the
    number of organisations."""
    start, end = window(year, month)
    orgs = orgs.filter(org_type__in=rules.COMPLIANCE_TYPES)
    rows = list(orgs.annotate(has_committee=_has_committee_q(as_of)).values_list("id", "path", "org_type", "has_committee"))
    by_freq: dict[str, tuple[list[str], list]] = {}
    for kind in rules.KINDS:
        freq = version.frequency(kind.code)
        ended = [p for p in periods(freq, start, end, as_of) if p[1] < as_of]
        if ended:
            by_freq.setdefault(freq, ([], ended))[0].append(kind.code)
    if not rows or not by_freq:
        return [(pk, path, 0, 0) for pk, path, _t, _c in rows]
    ids = orgs.values("pk")
    sourced = {s.kind for s in registry.held_records}
    met: dict[tuple[int, str], int] = {}
    seen: dict[tuple[int, str], set] = {}
    held = Meeting.objects.filter(organisation_id__in=ids, counted=True, status=Meeting.Status.HELD)
    for freq, (codes, ended) in by_freq.items():
        lo, hi = ended[0][0], ended[-1][1]
        in_range = held.filter(held_on__gte=lo, held_on__lte=hi)
        plain = [c for c in codes if c not in sourced]
        if plain:
            # periods met = the distinct periods of the meetings in the ended periods (they
            # are contiguous, from the window's start)
            counted = (
                in_range.filter(kind__in=plain)
                .values("organisation_id", "kind")
                .annotate(n=Count(PERIOD_EXPR[freq]("held_on"), distinct=True))
                .values_list("organisation_id", "kind", "n")
            )
            for org_id, code, n in counted:
                met[(org_id, code)] = n
        shared = [c for c in codes if c in sourced]
        if shared:
            dates = in_range.filter(kind__in=shared).values_list("organisation_id", "kind", "held_on").distinct()
            for org_id, code, on in dates:
                seen.setdefault((org_id, code), set()).add(period_number(freq, on))
            for org_id, code, on in held_records(ids, lo, hi, kinds=shared):
                seen.setdefault((org_id, code), set()).add(period_number(freq, on))
    for key, found in seen.items():
        met[key] = len(found)
    kinds = [(rules.KIND_BY_CODE[code], len(ended)) for codes, ended in by_freq.values() for code in codes]
    out = []
    for pk, path, org_type, has_committee in rows:
        due = missing = 0
        for kind, n in kinds:
            if applicable(kind, org_type, has_committee):
                due += n
                missing += n - min(n, met.get((pk, kind.code), 0))
        out.append((pk, path, due, missing))
    return out


def period_number(freq: str, d: datetime.date) -> int:
    """What PERIOD_EXPR extracts for the date: the month, the quarter or the year."""
    if freq == rules.MONTHLY:
        return d.month
    if freq == rules.QUARTERLY:
        return (d.month - 1) // 3 + 1
    return d.year


def annotate_lagging(orgs, year: int, month: int | None, as_of: datetime.date, version: RuleVersion, *, lagging_only: bool = False) -> list:
    """The organisations of the queryset `orgs` that hold organisational life, as a list
    of Organisation objects with `due` and `missing` (lagging_figures); lagging_only: only
    those missing a period (their objects alone are loaded). One query more than
    lagging_figures."""
    figures = {pk: (due, missing) for pk, _path, due, missing in lagging_figures(orgs, year, month, as_of, version)}
    wanted = [pk for pk, (_d, missing) in figures.items() if missing or not lagging_only]
    objects = list(Organisation.objects.filter(pk__in=wanted)) if wanted else []
    for o in objects:
        o.due, o.missing = figures[o.pk]
    return objects


def held_records(org_ids, start: datetime.date, end: datetime.date, kinds=None):
    """(organisation_id, kind, date) of the records other domains keep as organisational
    life (registry.held_records: the 谈心谈话 among the supervision records), of `kinds`
    (all when None). One query per source."""
    for source in registry.held_records:
        if kinds is not None and source.kind not in kinds:
            continue
        for org_id, on in source.held(org_ids, start, end):
            yield org_id, source.kind, on


def township_summary(root: Organisation, year: int, month: int | None, as_of: datetime.date, version: RuleVersion) -> list[dict]:
    """Per child organisation of `root` (a township 党委 under the county): how many of its
    organisations owe meetings and how many periods are missing. A fixed number of
    queries (the children, then lagging_figures')."""
    children = list(
        Organisation.objects.filter(path__startswith=root.path, depth=root.depth + 1).exclude(org_type="party_group").order_by("path")
    )
    if not children:
        return []
    width = Organisation.steplen * (root.depth + 1)
    counts: dict[str, list[int]] = {}
    subtree = Organisation.objects.filter(path__startswith=root.path, depth__gt=root.depth)
    for _pk, path, _due, missing in lagging_figures(subtree, year, month, as_of, version):
        c = counts.setdefault(path[:width], [0, 0])
        c[0] += 1
        c[1] += missing > 0
    out = []
    for child in children:
        total, lagging = counts.get(child.path, (0, 0))
        share = round(100 * (total - lagging) / total, 1) if total else None
        out.append({"org": child, "total": total, "lagging": lagging, "ok": total - lagging, "share": share})
    return out


# ── months without party life ───────────────────────────────────────────────────────────
def cutoff_month(as_of: datetime.date) -> datetime.date:
    """The last month counted: the current month's meetings may still be held."""
    first = as_of.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def absence_queryset(attendance, as_of: datetime.date, minimum: int):
    """Members whose recorded months since their last month with party life (attended,
    attended elsewhere, on leave or excluded: a good reason) are all months of unexcused
    absence, at least `minimum` of them, up to the cutoff. Months in which the member was
    called to no meeting neither count nor break the run. Rows: member_id, months,
    first_month, last_month, organisation_id, org_path. One query."""
    cutoff = cutoff_month(as_of)
    last_ok = (
        Attendance.objects.filter(member_id=OuterRef("member_id"), month__lte=cutoff, status__in=rules.GOOD_REASON)
        .order_by("-month")
        .values("month")[:1]
    )
    return (
        attendance.filter(status=rules.ABSENT, month__lte=cutoff, member__status__in=rules.CALLED_STATUSES)
        .annotate(last_ok=Subquery(last_ok))
        .filter(Q(last_ok__isnull=True) | Q(month__gt=F("last_ok")))
        .values("member_id")
        .annotate(
            months=Count("month", distinct=True),
            first_month=Min("month"),
            last_month=Max("month"),
            organisation_id=Max("member__organisation_id"),
            org_path=Max("member__org_path"),
        )
        .filter(months__gte=minimum)
        .order_by("-months", "member_id")
    )


def level(months: int, version: RuleVersion) -> tuple[str, str]:
    if months >= version.general("exit_months"):
        return "case", f"连续{months}个月无正当理由不参加组织生活，应按自行脱党处置"
    if months >= version.general("escalate_months"):
        return "escalation", f"连续{months}个月未参加组织生活，请上报预警"
    return "warning", f"连续{months}个月未参加组织生活，请谈话提醒"
