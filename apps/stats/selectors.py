"""Party statistics (党内统计, domain-rules §9) for an organisation's subtree.

Members are counted where their formal membership sits (Member.org_path under the
organisation) with a counted status (codes.COUNTED_STATUSES). Every figure comes from a
fixed number of aggregate queries, whatever the number of members or organisations:

  1. organisations: one conditional aggregation over the subtree's organisation rows;
  2. members: ONE conditional aggregation (Count(filter=Q(...))) — the single pass over
     the member range — for sex, age bands, education, occupation, member type, joining
     period, status, every ethnicity, every category tag (Member.category_bits, no join)
     and the member figures the registered sections declare (StatsSection.member_counts,
     e.g. the members developed this year);
plus whatever else each statistics section registered by an app (apps.core.registry.stats)
contributes from its own tables. No per-organisation loop, no Python iteration over
members: one pass over the member range at 1M rows (docs/performance.md).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.lookups import Exact
from django.utils import timezone

from apps.core import registry
from apps.core.aggregates import aggregate_together
from apps.core.dates import add_years
from apps.core.routers import reporting
from apps.members import codes
from apps.members.models import Member
from apps.orgs import rules
from apps.orgs import selectors as org_selectors
from apps.orgs.models import Organisation

GRASSROOTS_LEVELS = [
    # (key, label, org types counted under it) — joint and temporary branches are 党支部.
    ("committee", "党委", ("committee",)),
    ("general_branch", "党总支", ("general_branch",)),
    ("branch", "党支部", tuple(sorted(rules.BRANCH_TYPES))),
]
YOUTH_LABEL = f"{codes.YOUTH_AGE}岁及以下"
HIGH_SCHOOL_LABEL = "高中及以上"
COLLEGE_LABEL = "大专及以上"


def percent(part: int, whole: int) -> float:
    """Share in percent with one decimal (half up), 0.0 for an empty whole."""
    if not whole:
        return 0.0
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def age_cutoff(as_of: datetime.date, age: int) -> datetime.date:
    """Latest birth date of someone at least `age` years old on as_of (age_on semantics)."""
    return add_years(as_of, -age)


def age_q(as_of: datetime.date, lo: int | None, hi: int | None) -> Q:
    """Members aged lo..hi (inclusive) on as_of, as a condition on birth_date."""
    q = Q()
    if lo is not None and lo > 0:
        q &= Q(birth_date__lte=age_cutoff(as_of, lo))
    if hi is not None:
        q &= Q(birth_date__gt=age_cutoff(as_of, hi + 1))
    return q


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# The member breakdowns, each a group of named conditions counted in the single pass.
BREAKDOWNS = ("sex", "minority", "age_bands", "education", "occupation", "member_type", "status", "categories", "join_period")


def _member_conditions(as_of: datetime.date, breakdowns=BREAKDOWNS) -> dict[str, Q]:
    """The chosen member breakdowns as named conditions, evaluated in one aggregate query."""
    cond: dict[str, Q] = {}
    if "sex" in breakdowns:
        cond.update(women=Q(sex="F"), men=Q(sex="M"))
    if "minority" in breakdowns:
        cond["minority"] = ~Q(ethnicity=codes.HAN)
        for i, code in enumerate(codes.ETHNICITIES):
            if code != codes.HAN:
                cond[f"eth_{i}"] = Q(ethnicity=code)
    if "age_bands" in breakdowns:
        cond["youth"] = age_q(as_of, None, codes.YOUTH_AGE)
        for i, (_label, lo, hi) in enumerate(codes.AGE_BANDS):
            cond[f"age_{i}"] = age_q(as_of, lo, hi if hi < 200 else None)
    if "education" in breakdowns:
        cond["high_school_or_above"] = Q(education__in=codes.HIGH_SCHOOL_OR_ABOVE)
        cond["college_or_above"] = Q(education__in=codes.COLLEGE_OR_ABOVE)
        for code, _label in codes.EDUCATION_CHOICES:
            cond[f"edu_{code}"] = Q(education=code)
    if "occupation" in breakdowns:
        for code, _label in codes.OCCUPATION_CHOICES:
            cond[f"occ_{code}"] = Q(occupation=code)
    if "member_type" in breakdowns:
        for code, _label in codes.MEMBER_TYPE_CHOICES:
            cond[f"type_{code}"] = Q(member_type=code)
    if "status" in breakdowns:
        for code in codes.COUNTED_STATUSES:
            cond[f"status_{code}"] = Q(status=code)
    if "categories" in breakdowns:
        for code, bit in codes.CATEGORY_BITS.items():
            cond[f"cat_{code}"] = Q(Exact(F("category_bits").bitand(bit), bit))
    if "join_period" in breakdowns:
        for code, _label, first, last in codes.JOIN_PERIODS:
            q = Q()
            if first:
                q &= Q(join_date__gte=_date(first))
            if last:
                q &= Q(join_date__lte=_date(last))
            cond[f"join_{code}"] = q
    return cond


def _item(code: str, label: str, count: int, total: int) -> dict:
    return {"code": code, "label": label, "count": count, "percent": percent(count, total)}


def _organisation_aggregates(org: Organisation) -> tuple:
    """organisation_counts' one aggregate as (queryset, aggregates), for aggregate_together."""
    qs = Organisation.objects.filter(path__startswith=org.path, status=Organisation.Status.ACTIVE)
    grassroots = Q(org_type__in=sorted(rules.GRASSROOTS_TYPES))
    agg = {"total": Count("id", filter=grassroots), "party_groups": Count("id", filter=Q(org_type="party_group"))}
    for key, _label, types in GRASSROOTS_LEVELS:
        agg[f"lvl_{key}"] = Count("id", filter=Q(org_type__in=types))
    for t in sorted(rules.BRANCH_TYPES):
        agg[f"type_{t}"] = Count("id", filter=Q(org_type=t))
    for code, _label in rules.UNIT_TYPES:
        agg[f"unit_{code}"] = Count("id", filter=grassroots & Q(unit_type=code))
    return qs.order_by(), agg


def organisation_counts(org: Organisation, row: dict | None = None) -> dict:
    """Grassroots organisations in the subtree (the organisation itself included when it is
    one) by level and by unit type: one aggregate query (`row`: its result when the caller
    sent it with other aggregates)."""
    if row is None:
        qs, agg = _organisation_aggregates(org)
        row = qs.aggregate(**agg)
    total = row["total"] or 0
    type_labels = dict(rules.ORG_TYPES)
    return {
        "total": total,
        "by_level": [_item(key, label, row[f"lvl_{key}"], total) for key, label, _types in GRASSROOTS_LEVELS],
        "branches_by_type": [_item(t, type_labels[t], row[f"type_{t}"], total) for t in ("branch", "joint_branch", "temporary_branch")],
        "by_unit_type": [_item(code, label, row[f"unit_{code}"], total) for code, label in rules.UNIT_TYPES],
        "party_groups": row["party_groups"],
    }


def _section_conditions(as_of: datetime.date, sections) -> dict[str, Q]:
    """The member figures the statistics sections declare, keyed "<section>:<key>"."""
    cond = {}
    for section in sections:
        if section.member_counts is not None:
            cond.update({f"{section.name}:{k}": q for k, q in section.member_counts(as_of).items()})
    return cond


def _member_pass(org: Organisation, as_of: datetime.date, sections=(), breakdowns=BREAKDOWNS, snapshot: bool = True) -> dict:
    """The single aggregate query over the subtree's counted members — or, for a large
    subtree with a snapshot of as_of, the same row from the snapshot (apps.stats.snapshots;
    snapshot=False: always live)."""
    from . import snapshots

    cond = {**_member_conditions(as_of, breakdowns), **_section_conditions(as_of, sections)}
    if snapshot:
        row = snapshots.member_row(org, as_of, cond)
        if row is not None:
            return row
    members = Member.objects.filter(org_path__startswith=org.path, status__in=codes.COUNTED_STATUSES).order_by()
    return members.aggregate(total=Count("*"), **{k: Count("pk", filter=q) for k, q in cond.items()})


def member_counts(org: Organisation, as_of: datetime.date, row: dict | None = None, breakdowns=BREAKDOWNS) -> dict:
    """The member breakdowns (those chosen); `row` is _member_pass's result when the
    caller ran it with the same breakdowns."""
    row = _member_pass(org, as_of, breakdowns=breakdowns) if row is None else row
    total = row["total"] or 0
    out: dict = {"total": total}
    if "sex" in breakdowns:
        out["women"] = _item("F", "女党员", row["women"], total)
        out["by_sex"] = [_item("M", "男", row["men"], total), _item("F", "女", row["women"], total)]
    if "minority" in breakdowns:
        minorities = sorted(
            ((e, row[f"eth_{i}"]) for i, e in enumerate(codes.ETHNICITIES) if e != codes.HAN and row[f"eth_{i}"]),
            key=lambda en: (-en[1], en[0]),
        )
        out["minority"] = {
            **_item("minority", "少数民族党员", row["minority"], total),
            "by_ethnicity": [_item(e, e, n, total) for e, n in minorities],
        }
    if "age_bands" in breakdowns:
        out["age_bands"] = [_item(f"age_{i}", label, row[f"age_{i}"], total) for i, (label, _lo, _hi) in enumerate(codes.AGE_BANDS)]
        out["aged_35_or_under"] = _item("youth", YOUTH_LABEL, row["youth"], total)
    if "education" in breakdowns:
        out["education"] = [_item(code, label, row[f"edu_{code}"], total) for code, label in codes.EDUCATION_CHOICES]
        out["high_school_or_above"] = _item("high_school_or_above", HIGH_SCHOOL_LABEL, row["high_school_or_above"], total)
        out["college_or_above"] = _item("college_or_above", COLLEGE_LABEL, row["college_or_above"], total)
    if "occupation" in breakdowns:
        out["occupation"] = [_item(code, label, row[f"occ_{code}"], total) for code, label in codes.OCCUPATION_CHOICES]
    if "categories" in breakdowns:
        cat_rows = {code: row[f"cat_{code}"] for code in codes.CATEGORY_BITS}
        # Rural is a category tag (农村党员).
        out["rural"] = _item("rural", "农村党员", cat_rows.get("rural", 0), total)
        out["categories"] = [_item(code, label, cat_rows.get(code, 0), total) for code, label in codes.CATEGORY_CHOICES]
    if "member_type" in breakdowns:
        out["member_type"] = [_item(code, label, row[f"type_{code}"], total) for code, label in codes.MEMBER_TYPE_CHOICES]
    if "join_period" in breakdowns:
        out["join_period"] = [_item(code, label, row[f"join_{code}"], total) for code, label, _f, _l in codes.JOIN_PERIODS]
    if "status" in breakdowns:
        out["status"] = [
            _item(code, label, row[f"status_{code}"], total) for code, label in codes.STATUS_CHOICES if code in codes.COUNTED_STATUSES
        ]
    return out


def _section_members(section, row: dict) -> dict:
    prefix = f"{section.name}:"
    return {k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)}


def _section_aggregates(org: Organisation, as_of: datetime.date, sections, charted: bool = False) -> dict:
    """The one-row aggregates the sections declare (StatsSection.aggregates), keyed
    "<section>:<name>" (charted: a charted section's for its charts only)."""
    parts = {}
    for section in sections:
        if section.aggregates is not None:
            kwargs = {"charted_only": True} if charted and section.charted else {}
            parts.update({f"{section.name}:{k}": part for k, part in section.aggregates(org, as_of, **kwargs).items()})
    return parts


def _extensions(
    org: Organisation, as_of: datetime.date, sections=None, row: dict | None = None, charted: bool = False, figures: dict | None = None
) -> dict:
    """What every registered statistics section contributes (apps.core.registry.stats);
    a section with member_counts gets its figures from the member pass `row` (run here for
    those sections when the caller did not), a section with aggregates its own from
    `figures` (aggregate_together's result over _section_aggregates, sent here when the
    caller did not). charted: only what the sections' charts need (contribute(…,
    charted_only=True) where a section declares StatsSection.charted)."""
    sections = registry.stats.all() if sections is None else list(sections)
    if row is None and any(s.member_counts is not None for s in sections):
        row = _member_pass(org, as_of, sections)
    if figures is None:
        figures = aggregate_together(_section_aggregates(org, as_of, sections, charted))
    out = {}
    for section in sections:
        kwargs = {}
        if section.member_counts is not None:
            kwargs["members"] = _section_members(section, row)
        if section.aggregates is not None:
            kwargs["figures"] = _section_members(section, figures)
        if charted and section.charted:
            kwargs["charted_only"] = True
        result = section.contribute(org, as_of, **kwargs)
        if result:
            out.update(result)
    return out


def party_statistics(
    org: Organisation, as_of: datetime.date | None = None, breakdowns=BREAKDOWNS, charted: bool = False, snapshot: bool = True
) -> dict:
    """The base 党内统计 breakdowns of `org`'s subtree on `as_of` (default today): one
    pass over the members (the sections' member figures included), ONE statement for the
    organisation counts and every aggregate the sections declare (StatsSection.aggregates,
    apps.core.aggregates), then each section's other queries over its own tables.
    charted=True (the dashboard, which shows charts only): a section that declares
    StatsSection.charted computes only the figures of its charts. snapshot=False: the
    members counted live even where a snapshot of as_of exists (the snapshot's checks
    compare the two)."""
    as_of = as_of or timezone.localdate()
    sections = registry.stats.all()
    with reporting():
        row = _member_pass(org, as_of, sections, breakdowns, snapshot)
        figures = aggregate_together({"organisations": _organisation_aggregates(org), **_section_aggregates(org, as_of, sections, charted)})
        result = {
            "organisation": {"id": org.pk, "code": org.code, "name": org.name, "org_type": org.org_type},
            "as_of": as_of.isoformat(),
            "organisations": organisation_counts(org, figures["organisations"]),
            "members": member_counts(org, as_of, row, breakdowns),
        }
        result.update(_extensions(org, as_of, sections, row, charted, figures))
    return result


def child_rows(org: Organisation) -> list[dict]:
    """The immediate children of `org` with their subtree's member count and number of
    grassroots organisations: the counts come from ONE grouped query over the
    per-organisation counters (direct_member_count), plus one query for the children."""
    with reporting():
        children = org_selectors.child_units(org)
        sums = org_selectors.per_child(
            org,
            Organisation.objects.filter(depth__gt=org.depth),
            "path",
            members=Sum("direct_member_count"),
            grassroots=Count("id", filter=Q(org_type__in=sorted(rules.GRASSROOTS_TYPES), status=Organisation.Status.ACTIVE)),
        )
    return [
        {"org": c, "members": (sums.get(c.path) or {}).get("members") or 0, "grassroots": (sums.get(c.path) or {}).get("grassroots") or 0}
        for c in children
    ]


def flat_rows(stats: dict) -> list[tuple[str, str, int, float | str]]:
    """(section, item, count, percent) rows of the statistics, for tables and exports."""
    m = stats["members"]
    o = stats["organisations"]
    rows = [("基层党组织", "合计", o["total"], "")]
    rows += [("基层党组织", i["label"], i["count"], i["percent"]) for i in o["by_level"]]
    rows += [("基层党组织·单位类型", i["label"], i["count"], i["percent"]) for i in o["by_unit_type"] if i["count"]]
    rows.append(("党员", "党员总数", m["total"], ""))

    def items(section: str, key: str) -> None:
        rows.extend((section, i["label"], i["count"], i["percent"]) for i in m.get(key, ()))

    def one(section: str, item: dict | None) -> None:
        if item is not None:
            rows.append((section, item["label"], item["count"], item["percent"]))

    # a breakdown the statistics were computed without (party_statistics(breakdowns=…))
    # has no rows
    items("党员·性别", "by_sex")
    one("党员·民族", m.get("minority"))
    rows.extend(("党员·民族", i["label"], i["count"], i["percent"]) for i in m.get("minority", {}).get("by_ethnicity", ()))
    items("党员·年龄", "age_bands")
    one("党员·年龄", m.get("aged_35_or_under"))
    items("党员·学历", "education")
    one("党员·学历", m.get("high_school_or_above"))
    one("党员·学历", m.get("college_or_above"))
    items("党员·职业", "occupation")
    items("党员·类别", "categories")
    items("党员·人员类别", "member_type")
    items("党员·入党时间", "join_period")
    items("党员·党籍状态", "status")
    for key in stats:
        if key not in ("organisation", "as_of", "organisations", "members"):
            rows += section_rows(key, stats)
    return rows


def section_rows(key: str, stats: dict) -> list[tuple]:
    """The rows of one registered statistics section: its own (StatsSection.rows: its
    sub-sections, labels and shares; a figure it cannot give yet shown as —, a share it
    does not give blank), or for a section that declares none its numbers labelled by
    its "labels" map."""
    section = registry.stats.get(key) if key in registry.stats else None
    if section is not None and section.rows is not None:
        return [(sec, label, "—" if count is None else count, "" if pct is None else pct) for sec, label, count, pct in section.rows(stats)]
    return _flatten_extension(key, stats[key])


SUB_LABELS = {
    "total": "合计",
    "women": "女",
    "minorities": "少数民族",
    "aged_35_or_under": "35岁及以下",
    "college_or_above": "大专及以上",
    "occupation": "职业",
    "since": "起始日期",
}


def _is_number(v) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _flatten_extension(key: str, value) -> list[tuple]:
    """Extension sections: numbers (and money strings) become rows, labelled by the
    section's "labels" map; nested breakdowns become sub-sections."""
    rows = []
    if not isinstance(value, dict):
        return rows
    section = value.get("label", key) if isinstance(value.get("label"), str) else key
    labels = value.get("labels") or {}
    for k, v in value.items():
        if k in ("label", "labels", "year"):  # the year is the section's period, not a figure
            continue
        name = labels.get(k, k)
        if _is_number(v) or (isinstance(v, str) and k in labels):
            rows.append((section, name, v, ""))
        elif isinstance(v, dict) and "count" in v:
            rows.append((section, v.get("label", name), v["count"], v.get("percent", "")))
        elif isinstance(v, dict):
            for sub_key, sub_value in v.items():
                if _is_number(sub_value):
                    rows.append((f"{section}·{name}", SUB_LABELS.get(sub_key, sub_key), sub_value, ""))
                elif isinstance(sub_value, dict):
                    rows += [
                        (f"{section}·{name}·{SUB_LABELS.get(sub_key, sub_key)}", lk, lv, "")
                        for lk, lv in sub_value.items()
                        if _is_number(lv)
                    ]
        elif isinstance(v, list):
            rows += [(f"{section}·{name}", i.get("label", ""), i.get("count", ""), i.get("percent", "")) for i in v if isinstance(i, dict)]
    return rows
