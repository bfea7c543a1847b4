"""Development figures for 党内统计 (called by apps.stats.selectors.party_statistics):
applicants, activists and development targets (from the files), members developed this
year and since a date (from the member registry: increase_method "developed", counted
statuses), with the breakdowns of domain-rules §9. One aggregate query over the files; the
member figures are counted in party_statistics' pass over the members (member_counts)."""

import datetime

from django.db.models import Count, Q

from apps.core.dates import add_years
from apps.members import codes
from apps.members.models import Member

from .models import DevelopmentFile

DEFAULT_SINCE = datetime.date(2001, 1, 1)


def _breakdown_conditions(as_of: datetime.date) -> dict[str, Q]:
    youth_cutoff = add_years(as_of, -(codes.YOUTH_AGE + 1))  # born after this: 35 or under on as_of
    cond = {
        "women": Q(sex="F"),
        "minorities": ~Q(ethnicity=codes.HAN),
        "aged_35_or_under": Q(birth_date__gt=youth_cutoff),
        "college_or_above": Q(education__in=codes.COLLEGE_OR_ABOVE),
    }
    for code, _label in codes.OCCUPATION_CHOICES:
        cond[f"occupation_{code}"] = Q(occupation=code)
    return cond


def _conditions(prefix: str, base: Q, as_of) -> dict[str, Q]:
    conds = {f"{prefix}total": base}
    for key, cond in _breakdown_conditions(as_of).items():
        conds[f"{prefix}{key}"] = base & cond
    return conds


def _split(row: dict, prefix: str) -> dict:
    out = {"total": row[f"{prefix}total"], "occupation": {}}
    labels = dict(codes.OCCUPATION_CHOICES)
    for key, value in row.items():
        if not key.startswith(prefix) or key == f"{prefix}total":
            continue
        name = key[len(prefix) :]
        if name.startswith("occupation_"):
            out["occupation"][labels[name[len("occupation_") :]]] = value
        else:
            out[name] = value
    return out


def _developed(as_of: datetime.date, since: datetime.date) -> dict[str, Q]:
    """The developed-member figures as conditions on the subtree's counted members."""
    developed = Q(increase_method="developed")
    year_start = datetime.date(as_of.year, 1, 1)
    return {
        **_conditions("y_", developed & Q(join_date__gte=year_start, join_date__lte=as_of), as_of),
        **_conditions("s_", developed & Q(join_date__gte=since, join_date__lte=as_of), as_of),
    }


def member_counts(as_of: datetime.date) -> dict[str, Q]:
    """StatsSection.member_counts: counted in party_statistics' one pass over the members."""
    return _developed(as_of, DEFAULT_SINCE)


def aggregates(org, as_of: datetime.date) -> dict:
    """StatsSection.aggregates: the development pipeline's one-row aggregate."""
    return {
        "pipeline": (
            DevelopmentFile.objects.filter(org_path__startswith=org.path, status="active"),
            {
                "applicants": Count("id", filter=Q(stage="applicant", application_date__lte=as_of)),
                "activists": Count("id", filter=Q(stage="activist")),
                "targets": Count("id", filter=Q(stage="target")),
                "probationary_in_pipeline": Count("id", filter=Q(stage="probationary")),
            },
        )
    }


def contribute(
    org, as_of: datetime.date, since: datetime.date = DEFAULT_SINCE, members: dict | None = None, figures: dict | None = None
) -> dict:
    """`members`: the _developed figures when party_statistics counted them in its member
    pass (for DEFAULT_SINCE); otherwise one aggregate query here. `figures`: aggregates()
    when party_statistics sent them with the other sections'; otherwise one query here."""
    if figures is None:
        qs, aggs = aggregates(org, as_of)["pipeline"]
        pipeline = qs.aggregate(**aggs)
    else:
        pipeline = figures["pipeline"]
    if members is not None and since == DEFAULT_SINCE:
        row = members
    else:
        subtree = Member.objects.filter(org_path__startswith=org.path, status__in=codes.COUNTED_STATUSES).order_by()
        row = subtree.aggregate(**{k: Count("pk", filter=q) for k, q in _developed(as_of, since).items()})
    return {
        "development": {
            "label": "发展党员",
            "labels": {
                "applicants": "入党申请人",
                "activists": "入党积极分子",
                "development_targets": "发展对象",
                "probationary_in_pipeline": "预备党员（发展中）",
                "developed_this_year": "本年发展党员",
                "developed_since": f"{since.year}年以来发展党员",
            },
            "applicants": pipeline["applicants"],
            "activists": pipeline["activists"],
            "development_targets": pipeline["targets"],
            "probationary_in_pipeline": pipeline["probationary_in_pipeline"],
            "developed_this_year": _split(row, "y_"),
            "developed_since": {"since": since.isoformat(), **_split(row, "s_")},
        }
    }


def cards(stats: dict) -> list[tuple]:
    dev = stats["development"]
    return [
        ("入党申请人", dev["applicants"], "名", None),
        ("入党积极分子", dev["activists"], "名", None),
        ("发展对象", dev["development_targets"], "名", None),
        (dev["labels"]["developed_since"], dev["developed_since"]["total"], "名", None),
    ]
