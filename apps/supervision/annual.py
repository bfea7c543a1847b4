"""党内统计 annual tables (党内统计年报) on the 31 December basis of a chosen year, with
the year before for the year-on-year change, reproducible for any past year from history.

A member's state on the basis date D is reconstructed, not read from today's record:
  - membership: joined (join_date) on or before D;
  - 党籍状态 on D: the `from_status` of the first status change dated after D, else today's
    status (an imported record whose status_since is after D and whose status is no longer
    counted was counted on D);
  - organisation on D: the `from_org` of the first transfer dated after D, else today's;
  - 正式/预备 on D: full when converted (conversion_date) on or before D.
Personal attributes that have no dated history (sex, ethnicity, birth date, education,
occupation) are today's values. Organisations on D: founded on or before D (or no date)
and not dissolved by D.

Members without any change after D (nearly all) are counted by ONE conditional aggregate
in the database; the few with a change after D are fetched and counted in Python with the
same definitions (the BREAKDOWNS below, each both a Q and a predicate). A fixed number of
queries per year, whatever the size."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from apps.core.dates import add_years
from apps.core.routers import reporting
from apps.members import codes
from apps.members.models import Member, MemberStatusChange, MemberTransferHistory
from apps.orgs import rules as org_rules
from apps.orgs.models import Organisation

EARLIEST_YEAR = 1949
EXIT_STATUSES = list(codes.ENDED_STATUSES)
STATUS_LABELS = dict(codes.STATUS_CHOICES)


def basis_date(year: int) -> datetime.date:
    """31 December of the year; today for the current year (the tables so far)."""
    return min(datetime.date(year, 12, 31), timezone.localdate())


def parse_year(value) -> int:
    """The statistics year: EARLIEST_YEAR up to this year (a Chinese message otherwise)."""
    today = timezone.localdate()
    raw = str(value if value not in (None, "") else today.year - 1).strip()
    if not raw.isdigit() or not EARLIEST_YEAR <= int(raw) <= today.year:
        raise ValidationError({"year": [f"统计年度须为 {EARLIEST_YEAR} 至 {today.year} 之间的年份"]})
    return int(raw)


@dataclass(frozen=True)
class Breakdown:
    table: str
    label: str
    q: Q
    test: Callable  # member-like → bool (same definition as q)


def _age_bounds(d: datetime.date, lo: int | None, hi: int | None):
    """(born on or before, born after) for ages lo..hi on d (age_on semantics)."""
    latest = add_years(d, -lo) if lo else None
    earliest = add_years(d, -(hi + 1)) if hi is not None else None
    return latest, earliest


def _age(d, lo, hi) -> tuple[Q, Callable]:
    latest, earliest = _age_bounds(d, lo, hi)
    q = Q()
    if latest:
        q &= Q(birth_date__lte=latest)
    if earliest:
        q &= Q(birth_date__gt=earliest)
    return q, lambda m: (latest is None or m.birth_date <= latest) and (earliest is None or m.birth_date > earliest)


def member_breakdowns(d: datetime.date) -> list[Breakdown]:
    """Table 1 (党员基本情况) rows as (Q, predicate) pairs on the basis date d."""
    rows = [Breakdown("党员", "女党员", Q(sex="F"), lambda m: m.sex == "F")]
    rows.append(Breakdown("党员", "少数民族党员", ~Q(ethnicity=codes.HAN), lambda m: m.ethnicity != codes.HAN))
    rows.append(
        Breakdown(
            "党员",
            "预备党员",
            Q(conversion_date__isnull=True) | Q(conversion_date__gt=d),
            lambda m: m.conversion_date is None or m.conversion_date > d,
        )
    )
    for label, lo, hi in codes.AGE_BANDS:
        q, test = _age(d, lo, hi if hi < 200 else None)
        rows.append(Breakdown("党员·年龄", label, q, test))
    q, test = _age(d, None, codes.YOUTH_AGE)
    rows.append(Breakdown("党员·年龄", f"{codes.YOUTH_AGE}岁及以下", q, test))
    for code, label in codes.EDUCATION_CHOICES:
        rows.append(Breakdown("党员·学历", label, Q(education=code), lambda m, c=code: m.education == c))
    rows.append(
        Breakdown("党员·学历", "大专及以上", Q(education__in=codes.COLLEGE_OR_ABOVE), lambda m: m.education in codes.COLLEGE_OR_ABOVE)
    )
    for code, label in codes.OCCUPATION_CHOICES:
        rows.append(Breakdown("党员·职业", label, Q(occupation=code), lambda m, c=code: m.occupation == c))
    return rows


def development_breakdowns(year: int) -> list[Breakdown]:
    """Table 3 (发展党员): members admitted (join_date) during the year, any status now."""
    start, end = datetime.date(year, 1, 1), basis_date(year)
    joined = Q(join_date__gte=start, join_date__lte=end)

    def j(m):
        return start <= m.join_date <= end

    q35, t35 = _age(end, None, codes.YOUTH_AGE)
    return [
        Breakdown("发展党员", "发展党员", joined, j),
        Breakdown("发展党员", "其中：女", joined & Q(sex="F"), lambda m: j(m) and m.sex == "F"),
        Breakdown("发展党员", "其中：少数民族", joined & ~Q(ethnicity=codes.HAN), lambda m: j(m) and m.ethnicity != codes.HAN),
        Breakdown("发展党员", f"其中：{codes.YOUTH_AGE}岁及以下", joined & q35, lambda m: j(m) and t35(m)),
        Breakdown(
            "发展党员",
            "其中：大专及以上",
            joined & Q(education__in=codes.COLLEGE_OR_ABOVE),
            lambda m: j(m) and m.education in codes.COLLEGE_OR_ABOVE,
        ),
        Breakdown(
            "发展党员",
            "预备党员转正",
            Q(conversion_date__gte=start, conversion_date__lte=end),
            lambda m: m.conversion_date is not None and start <= m.conversion_date <= end,
        ),
    ]


@dataclass
class _State:
    """A member's fields on the basis date (for the few with a change after it)."""

    sex: str
    ethnicity: str
    birth_date: datetime.date
    education: str
    occupation: str
    join_date: datetime.date
    conversion_date: datetime.date | None
    status: str
    org_path: str


def _changed_states(org: Organisation, d: datetime.date) -> dict[int, _State]:
    """Members that may have been in org's subtree on d and whose status or organisation
    changed after d (or whose status_since is after d): their state on d. Three queries."""
    status_after = MemberStatusChange.objects.filter(date__gt=d).values("member_id")
    moved_after = MemberTransferHistory.objects.filter(date__gt=d).values("member_id")
    moved_out_of_subtree = MemberTransferHistory.objects.filter(date__gt=d, from_org__path__startswith=org.path).values("member_id")
    candidates = Member.objects.filter(join_date__lte=d).filter(
        Q(org_path__startswith=org.path) & (Q(id__in=status_after) | Q(id__in=moved_after) | Q(status_since__gt=d))
        | Q(id__in=moved_out_of_subtree)
    )
    rows = list(
        candidates.order_by().values_list(
            "id",
            "sex",
            "ethnicity",
            "birth_date",
            "education",
            "occupation",
            "join_date",
            "conversion_date",
            "status",
            "status_since",
            "org_path",
        )
    )
    if not rows:
        return {}
    ids = candidates.values("id")
    first_status: dict[int, str] = {}
    for member_id, from_status in (
        MemberStatusChange.objects.filter(member_id__in=ids, date__gt=d)
        .order_by("member_id", "date", "id")
        .values_list("member_id", "from_status")
    ):
        first_status.setdefault(member_id, from_status)
    first_org: dict[int, str] = {}
    for member_id, path in (
        MemberTransferHistory.objects.filter(member_id__in=ids, date__gt=d)
        .order_by("member_id", "date", "id")
        .values_list("member_id", "from_org__path")
    ):
        first_org.setdefault(member_id, path)
    out = {}
    for pk, sex, eth, birth, edu, occ, join, conv, status, since, path in rows:
        if pk in first_status:
            status = first_status[pk] or ""  # "" : the record did not exist yet
        elif since and since > d and status not in codes.COUNTED_STATUSES:
            status = "normal"  # left after d, without a dated history row
        out[pk] = _State(sex, eth, birth, edu, occ, join, conv, status, first_org.get(pk, path))
    return out


def _changed_filter(d: datetime.date) -> Q:
    """The members _changed_states handles (excluded from the database aggregate)."""
    status_after = MemberStatusChange.objects.filter(date__gt=d).values("member_id")
    moved_after = MemberTransferHistory.objects.filter(date__gt=d).values("member_id")
    return Q(id__in=status_after) | Q(id__in=moved_after) | Q(status_since__gt=d)


def _member_tables(org: Organisation, year: int) -> dict:
    d = basis_date(year)
    counted = member_breakdowns(d)
    developed = development_breakdowns(year)
    stable = Member.objects.filter(org_path__startswith=org.path, join_date__lte=d).exclude(_changed_filter(d)).order_by()
    is_counted = Q(status__in=codes.COUNTED_STATUSES)
    # the counted members: the status condition once, in WHERE (not in every FILTER)
    agg = {"total": Count("id")}
    agg.update({f"c{i}": Count("id", filter=b.q) for i, b in enumerate(counted)})
    totals = {k: v or 0 for k, v in stable.filter(is_counted).aggregate(**agg).items()}
    # admitted or converted during the year: a conversion follows admission by one to
    # three years (probation and its extension), so the join_date index narrows the rows
    recent = stable.filter(join_date__gte=datetime.date(year - 3, 1, 1))
    dev = recent.aggregate(**{f"d{i}": Count("id", filter=b.q) for i, b in enumerate(developed)})
    totals.update({k: v or 0 for k, v in dev.items()})
    ethnic = dict(
        stable.filter(is_counted).exclude(ethnicity=codes.HAN).values("ethnicity").annotate(n=Count("id")).values_list("ethnicity", "n")
    )
    for s in _changed_states(org, d).values():
        if not s.org_path.startswith(org.path):
            continue
        for i, b in enumerate(developed):
            if b.test(s):
                totals[f"d{i}"] += 1
        if s.status not in codes.COUNTED_STATUSES:
            continue
        totals["total"] += 1
        for i, b in enumerate(counted):
            if b.test(s):
                totals[f"c{i}"] += 1
        if s.ethnicity != codes.HAN:
            ethnic[s.ethnicity] = ethnic.get(s.ethnicity, 0) + 1
    rows = [("党员", "党员总数", totals["total"])]
    rows += [(b.table, b.label, totals[f"c{i}"]) for i, b in enumerate(counted)]
    rows += [("党员·民族", e, ethnic[e]) for e in sorted(ethnic, key=lambda e: (-ethnic[e], e))]
    rows += [(b.table, b.label, totals[f"d{i}"]) for i, b in enumerate(developed)]
    return {"rows": rows, "total": totals["total"]}


def _exit_rows(org: Organisation, year: int) -> list[tuple]:
    """Table 4 (党员减少): exits during the year by reason (the ended status entered)."""
    counts = dict(
        MemberStatusChange.objects.filter(member__org_path__startswith=org.path, date__year=year, to_status__in=EXIT_STATUSES)
        .exclude(from_status__in=["", *EXIT_STATUSES])
        .order_by()
        .values("to_status")
        .annotate(n=Count("id"))
        .values_list("to_status", "n")
    )
    rows = [("党员减少", "减少合计", sum(counts.values()))]
    rows += [("党员减少", STATUS_LABELS[c].replace("出党·", ""), counts.get(c, 0)) for c in EXIT_STATUSES]
    return rows


def _org_rows(org: Organisation, year: int) -> list[tuple]:
    """Table 2 (党组织): grassroots organisations on the basis date by level and unit type."""
    d = basis_date(year)
    alive = Q(founded_on__isnull=True) | Q(founded_on__lte=d)
    alive &= Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=d)
    grassroots = Q(org_type__in=sorted(org_rules.GRASSROOTS_TYPES))
    levels = [
        ("党委", ("committee",)),
        ("党总支", ("general_branch",)),
        ("党支部", tuple(sorted(org_rules.BRANCH_TYPES))),
    ]
    agg = {"total": Count("id", filter=grassroots)}
    agg.update({f"l{i}": Count("id", filter=Q(org_type__in=types)) for i, (_l, types) in enumerate(levels)})
    agg.update({f"u_{code}": Count("id", filter=grassroots & Q(unit_type=code)) for code, _l in org_rules.UNIT_TYPES})
    row = Organisation.objects.filter(alive, path__startswith=org.path).order_by().aggregate(**agg)
    rows = [("基层党组织", "基层党组织合计", row["total"])]
    rows += [("基层党组织", label, row[f"l{i}"]) for i, (label, _t) in enumerate(levels)]
    rows += [("基层党组织·单位类型", label, row[f"u_{code}"]) for code, label in org_rules.UNIT_TYPES]
    return rows


def year_tables(org: Organisation, year: int) -> list[tuple]:
    """(table, item, count) rows of one year on its 31 December basis."""
    members = _member_tables(org, year)
    return members["rows"][:1] + _org_rows(org, year) + members["rows"][1:] + _exit_rows(org, year)


def annual_statistics(org: Organisation, year: int) -> dict:
    """The year's tables with the year before and the change, row by row."""
    with reporting():
        this, last = year_tables(org, year), year_tables(org, year - 1)
    now = {(t, i): n for t, i, n in this}
    before = {(t, i): n for t, i, n in last}
    keys = [(t, i) for t, i, _n in this]
    for t, i, _n in last:  # e.g. an ethnicity present only last year: after its table's rows
        if (t, i) not in now:
            at = max((n for n, k in enumerate(keys) if k[0] == t), default=len(keys) - 1)
            keys.insert(at + 1, (t, i))
    rows = [
        {
            "table": t,
            "item": i,
            "count": now.get((t, i), 0),
            "previous": before.get((t, i), 0),
            "change": now.get((t, i), 0) - before.get((t, i), 0),
        }
        for t, i in keys
    ]
    return {
        "organisation": {"id": org.pk, "code": org.code, "name": org.name},
        "year": year,
        "basis": basis_date(year).isoformat(),
        "previous_year": year - 1,
        "previous_basis": basis_date(year - 1).isoformat(),
        "rows": rows,
    }


def flat_rows(result: dict) -> list[tuple]:
    return [(r["table"], r["item"], r["count"], r["previous"], r["change"]) for r in result["rows"]]


def workbook(result: dict):
    """The tables as one Excel sheet (the CLI's --xlsx and the page's export)."""
    from apps.core.xlsx import write_table

    headers = ["表", "项目", f"{result['year']}年", f"{result['previous_year']}年", "增减"]
    return write_table(f"党内统计{result['year']}", headers, flat_rows(result), widths=[22, 26, 12, 12, 10])
