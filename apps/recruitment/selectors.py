"""Read side of member development: lists, the activist database, plan progress, the
monthly report and circular, the to-do provider. Every function runs a fixed number of
queries whatever the number of rows (rows are grouped in Python by path prefix)."""

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from apps.accounts.scoping import visible_orgs
from apps.core.todo import TodoItem, first_of
from apps.education import rules as education_rules
from apps.education.models import ClassSession, TrainingClass
from apps.members import codes as member_codes
from apps.orgs import selectors as org_selectors
from apps.orgs.models import CommitteeMember, Organisation
from apps.orgs.picker import filtered_org

from . import rules
from .models import DevelopmentFile, DevelopmentPlan, LaggingUnit, TrainingRecord

STEPLEN = Organisation.steplen
HOURS = DecimalField(max_digits=8, decimal_places=1)


def files_for(user, *, action="view", stage="", org=None, overdue=False, status="active", q="", on=None):
    on = on or timezone.localdate()
    qs = DevelopmentFile.objects.restrict(user, action).select_related("organisation")
    if status:
        qs = qs.filter(status=status)
    if stage:
        qs = qs.filter(stage=stage)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if overdue:
        qs = qs.filter(next_deadline__lt=on)
    if q:
        qs = search_files(qs, q)
    return qs.order_by("org_path", "id")


def search_files(qs, q: str):
    """Files whose applicant's name or work unit contains q."""
    q = (q or "").strip()
    return qs.filter(Q(name__contains=q) | Q(work_unit__contains=q)) if q else qs


_FROM_PARAMS = object()  # "org not given: read it from the parameters"


# ---------------------------------------------------------------------------
# The list screens' selectors: the page and its Excel export (apps.excel.lists) both
# call these with the page's query parameters, so the export holds what the screen shows.


def file_list(user, params, org=_FROM_PARAMS):
    """发展档案 list: ?q= &stage= &org= &status= (default active) &overdue=1."""
    return files_for(
        user,
        stage=params.get("stage", ""),
        org=filtered_org(user, params) if org is _FROM_PARAMS else org,
        overdue=params.get("overdue") == "1",
        status=params.get("status", "active"),
        q=params.get("q", "").strip(),
    )


def activist_org(user, params):
    """The activist database's organisation: ?org= in scope, else the top of the user's scope."""
    org = filtered_org(user, params) or default_org(user)
    if org is None:
        raise Http404("没有可查看的组织")
    return org


def activist_list(user, params, org=None):
    """积极分子名册 under the chosen organisation: ?q= &source=."""
    org = org or activist_org(user, params)
    qs = files_for(user, stage="activist", org=org, q=params.get("q", "").strip())
    if params.get("source"):
        qs = qs.filter(source=params["source"])
    return qs


def lagging_units(user):
    """滞后单位重点管理名单: the units in scope still flagged (not yet cleared), in tree
    order, the newest flag first within a unit."""
    return (
        LaggingUnit.objects.restrict(user, "view")
        .filter(cleared_month__isnull=True)
        .select_related("organisation")
        .order_by("organisation__path", "-flagged_month", "id")
    )


def training_class_list(user, params=None):
    """入党积极分子培训班 / 发展对象培训班 in scope, newest first: education training classes
    of those kinds (one class mechanism), with their number of enrolled development files
    (n), days with a session and curriculum hours: ?q= (the class's or its organisation's
    name)."""
    classes = TrainingClass.objects.restrict(user, "view").filter(kind__in=education_rules.RECRUITMENT_KINDS).select_related("organisation")
    q = ((params or {}).get("q") or "").strip()
    if q:
        classes = classes.filter(Q(title__icontains=q) | Q(organisation__name__icontains=q))
    trainees = TrainingRecord.objects.filter(training_class=OuterRef("pk")).values("training_class").annotate(c=Count("id")).values("c")
    sessions = ClassSession.objects.filter(training_class=OuterRef("pk")).values("training_class")
    return classes.annotate(
        n=Coalesce(Subquery(trainees), 0),
        days=Coalesce(Subquery(sessions.annotate(c=Count("date", distinct=True)).values("c")), 0),
        hours=Coalesce(Subquery(sessions.annotate(h=Sum("hours")).values("h")), Value(Decimal(0)), output_field=HOURS),
    ).order_by("-start_date", "-id")


def plan_list(user, params=None, org=_FROM_PARAMS):
    """发展党员规划与计划 in scope (their progress: plan_progress): ?org= (and below)."""
    if org is _FROM_PARAMS:
        org = filtered_org(user, params or {})
    qs = DevelopmentPlan.objects.restrict(user, "view").select_related("organisation")
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    return qs.order_by("organisation__path", "-start_year", "id")


def responsibility(files) -> dict:
    """责任追究: for each file, the organisation and person answerable for its next step
    (branch steps: the branch and its secretary; higher steps: the parent committee).
    Two queries for any number of files."""
    parent_paths = {f.org_path[:-STEPLEN] for f in files if len(f.org_path) > STEPLEN}
    parents = {o.path: o for o in Organisation.objects.filter(path__in=parent_paths)} if parent_paths else {}
    org_ids = {f.organisation_id for f in files} | {o.pk for o in parents.values()}
    secretaries = {}
    if org_ids:
        for cm in (
            CommitteeMember.objects.filter(organisation_id__in=org_ids, role="secretary", end_date__isnull=True)
            .select_related("member")
            .only("organisation_id", "member__name")
        ):
            secretaries[cm.organisation_id] = cm.member.name
    result = {}
    for f in files:
        rule = rules.STEP_BY_CODE.get(f.next_step)
        org = f.organisation
        if rule is not None and rule.performer == "higher":
            org = parents.get(f.org_path[:-STEPLEN], org)
        result[f.pk] = {"org": org, "person": secretaries.get(org.pk, "（未配备书记）"), "rule": rule}
    return result


TODO_FILES = 100  # development files listed in the to-do list (the most urgent first)


def todo_items(user) -> list[TodoItem]:
    on = timezone.localdate()
    horizon = on + datetime.timedelta(days=30)
    due = DevelopmentFile.objects.restrict(user, "change").filter(status="active", next_deadline__lte=horizon)
    items = []
    # The most urgent files; a line says how many more there are and where.
    files = first_of(
        due.select_related("organisation").order_by("next_deadline", "id"),
        TODO_FILES,
        items,
        module="发展党员",
        url=reverse("recruitment:file_list"),
        due=on,
        kind="发展步骤到期",
        describe=lambda more: f"另有{more}份发展档案在30天内到期，此处只列最紧的{TODO_FILES}份：请在发展档案中查看",
    )
    resp = responsibility(files)
    for f in files:
        r = resp[f.pk]
        step = r["rule"]
        what = f"第{step.number}步 {step.name}" if step else "半年培养考察（测评）"
        items.append(
            TodoItem(
                module="发展党员",
                title=f"{f.name}：{what}",
                url=reverse("recruitment:file_detail", args=[f.pk]),
                due=f.next_deadline,
                overdue=f.next_deadline < on,
                org=f"{r['org']}（责任人：{r['person']}）",
                kind="发展步骤到期",
            )
        )
    items += _ready_items(user, on, horizon)
    return items


TODO_READY = 20  # files listed whose next step may be taken now (no deadline within 30 days)


def _ready_items(user, on, horizon) -> list[TodoItem]:
    """Steps that may be taken now although no deadline presses (an applicant who can be
    named an activist, a file waiting for its next step): a branch secretary otherwise
    saw "暂无待办" while work was waiting. The first TODO_READY files, then a line."""
    from . import engine

    items: list[TodoItem] = []
    ready = (
        DevelopmentFile.objects.restrict(user, "change")
        .filter(status="active")
        .exclude(next_step="")
        .exclude(next_deadline__lte=horizon)
        .select_related("organisation")
        .prefetch_related("steps", "assessments")
        .order_by("updated_at", "id")
    )
    files = first_of(
        ready,
        TODO_READY,
        items,
        module="发展党员",
        url=reverse("recruitment:file_list"),
        due=None,
        kind="可办理的发展步骤",
        describe=lambda more: f"另有{more}份在办的发展档案未列出（只查看了{TODO_READY}份）：可办理的下一步请在发展档案中查看",
    )
    version = engine.current_version()  # once, not once per file
    for f in files:
        for d in engine.due_steps(f, on, version=version):
            # the half-yearly assessment is listed by its deadline above, when it nears
            if d.code == "assessment" or d.blocked or (d.earliest and d.earliest > on):
                continue
            items.append(
                TodoItem(
                    module="发展党员",
                    title=f"{f.name}：可以办理第{d.number}步 {d.name}（{d.performer_label}）",
                    url=reverse("recruitment:file_detail", args=[f.pk]),
                    due=d.deadline,
                    org=f.organisation.name,
                    kind="可办理的发展步骤",
                )
            )
            break
    return items


# ---------------------------------------------------------------------------
# Activist database (县、镇两级入党积极分子信息库)


def units_under(org) -> list[Organisation]:
    return org_selectors.child_units(org, or_self=True)


def activist_database(org) -> dict:
    """Counts of activists (and the pipeline) under org, by unit and by source; 2 queries
    plus the unit list."""
    units = units_under(org)
    base = DevelopmentFile.objects.filter(org_path__startswith=org.path, status="active")
    if units == [org]:  # no units below: everything is org's own
        by_unit_stage = {(org.path, r["stage"]): {"n": r["n"]} for r in base.values("stage").annotate(n=Count("id")).order_by()}
    else:
        by_unit_stage = org_selectors.per_child(org, base, "org_path", by=("stage",), n=Count("id"))
    by_source = base.filter(stage="activist").values("source").annotate(n=Count("id"))
    counts = {}
    for (prefix, stage), row in by_unit_stage.items():
        counts.setdefault(prefix, {})[stage] = row["n"]
    rows = []
    totals = {code: 0 for code, _ in rules.FILE_STAGES}
    for u in units:
        c = counts.get(u.path, {})
        rows.append({"org": u, **{code: c.get(code, 0) for code, _ in rules.FILE_STAGES}})
        for code in totals:
            totals[code] += c.get(code, 0)
    source_counts = {r["source"]: r["n"] for r in by_source}
    sources = [{"code": code, "label": label, "n": source_counts.get(code, 0)} for code, label in rules.SOURCES]
    return {"org": org, "rows": rows, "totals": totals, "sources": sources}


# ---------------------------------------------------------------------------
# Plans


def _developed_rows(paths, first_year, last_year):
    if not paths:
        return []
    cond = Q()
    for p in paths:
        cond |= Q(org_path__startswith=p)
    return list(
        DevelopmentFile.objects.filter(
            cond, approval_date__isnull=False, admission_date__year__gte=first_year, admission_date__year__lte=last_year
        ).values_list("org_path", "sex", "birth_date", "admission_date", "education", "occupation", "source", "organisation__unit_type")
    )


def _classify(row) -> dict:
    _path, sex, birth, admitted, education, occupation, source, unit_type = row
    age = admitted.year - birth.year - ((admitted.month, admitted.day) < (birth.month, birth.day))
    return {
        "total": 1,
        "women": int(sex == "F"),
        "youth": int(age <= member_codes.YOUTH_AGE),
        "high_school_plus": int(education in member_codes.HIGH_SCHOOL_OR_ABOVE),
        "college_plus": int(education in member_codes.COLLEGE_OR_ABOVE),
        "farmers": int(occupation == "farmer"),
        "non_public": int(unit_type == "non_public_enterprise" or source == "non_public_backbone"),
    }


TARGET_LABELS = [
    ("total", "发展总数"),
    ("women", "女性"),
    ("youth", "35岁及以下"),
    ("high_school_plus", "高中及以上"),
    ("college_plus", "大专及以上"),
    ("farmers", "农牧渔民"),
    ("non_public", "非公企业人员"),
]


def plan_progress(plans) -> list[dict]:
    """Progress of each plan computed from the files (received members whose general
    meeting fell within the plan's years, in the organisation's subtree). One query."""
    plans = list(plans)
    if not plans:
        return []
    rows = _developed_rows({p.organisation.path for p in plans}, min(p.start_year for p in plans), max(p.end_year for p in plans))
    classified = [(r[0], r[3].year, _classify(r)) for r in rows]
    result = []
    for p in plans:
        actual = {k: 0 for k, _ in TARGET_LABELS}
        for path, year, c in classified:
            if path.startswith(p.organisation.path) and p.start_year <= year <= p.end_year:
                for k in actual:
                    actual[k] += c[k]
        items = []
        for k, label in TARGET_LABELS:
            target = getattr(p, k)
            pct = min(100, round(actual[k] * 100 / target)) if target else (100 if actual[k] else 0)
            items.append({"key": k, "label": label, "target": target, "actual": actual[k], "pct": pct})
        result.append({"plan": p, "actual": actual, "items": items})
    return result


# ---------------------------------------------------------------------------
# Monthly report (月报告) and circular (月通报)

REPORT_COLUMNS = [
    ("applications", "申请入党", "application_date"),
    ("activists", "确定积极分子", "activist_date"),
    ("targets", "确定发展对象", "target_date"),
    # Counted by the general meeting date (= join date, as party statistics count them),
    # once the higher committee has approved the admission.
    ("admissions", "发展党员", "admission_date"),
    ("conversions", "按期转正", "conversion_date"),
]


def pro_rata(plan_total: int, month: int, admitted: int) -> tuple[float, int]:
    """The annual plan's share due by the end of `month` (plan × month / 12, exact) and how
    many whole admissions the unit is behind it: lagging (滞后) when admitted × 12 <
    plan × month — a plan of 3 expects 2.75 by November, so 2 admissions lag by 1."""
    return round(plan_total * month / 12, 1), max(0, -((admitted * 12 - plan_total * month) // 12))


def monthly_report(org, year: int, month: int) -> dict:
    """Per unit under org: this month's and year-to-date counts against the annual plan.
    A unit whose year-to-date admissions fall below plan × month/12 is 滞后单位."""
    units = units_under(org)
    month_start = datetime.date(year, month, 1)
    month_end = (month_start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    year_start = datetime.date(year, 1, 1)
    date_fields = [c[2] for c in REPORT_COLUMNS]
    cond = Q()
    for f in date_fields:
        cond |= Q(**{f"{f}__gte": year_start, f"{f}__lte": month_end})
    rows = list(DevelopmentFile.objects.filter(cond, org_path__startswith=org.path).values_list("org_path", *date_fields, "approval_date"))
    plans = {
        p.organisation_id: p
        for p in DevelopmentPlan.objects.filter(kind="annual", start_year=year, organisation__in=units).select_related("organisation")
    }
    open_flags = {
        lu.organisation_id: lu
        for lu in LaggingUnit.objects.filter(organisation__in=units, cleared_month__isnull=True).order_by("flagged_month")
    }
    report_rows = []
    total = {"month": {c[0]: 0 for c in REPORT_COLUMNS}, "ytd": {c[0]: 0 for c in REPORT_COLUMNS}, "plan": 0, "expected": 0}
    for u in units:
        mine = [r for r in rows if r[0].startswith(u.path)]
        m = {c[0]: 0 for c in REPORT_COLUMNS}
        y = {c[0]: 0 for c in REPORT_COLUMNS}
        for r in mine:
            for i, (key, _label, _f) in enumerate(REPORT_COLUMNS):
                d = r[i + 1]
                if key == "admissions" and (r[-1] is None or r[-1] > month_end):
                    continue  # not yet approved by the end of the month
                if d and year_start <= d <= month_end:
                    y[key] += 1
                    if d >= month_start:
                        m[key] += 1
        plan = plans.get(u.pk)
        expected, behind = pro_rata(plan.total, month, y["admissions"]) if plan else (0, 0)
        row = {
            "org": u,
            "month": m,
            "ytd": y,
            "plan": plan.total if plan else None,
            "expected": expected,
            "behind": max(behind, 0),
            "pct": round(y["admissions"] * 100 / plan.total) if plan and plan.total else None,
            "lagging": bool(plan and behind > 0),
            "key_managed_since": open_flags[u.pk].flagged_month if u.pk in open_flags else None,
        }
        report_rows.append(row)
        for k in m:
            total["month"][k] += m[k]
            total["ytd"][k] += y[k]
        total["plan"] += plan.total if plan else 0
        total["expected"] += expected
    ranked = sorted([r for r in report_rows if r["pct"] is not None], key=lambda r: -r["pct"])
    return {
        "org": org,
        "year": year,
        "month": month,
        "month_end": month_end,
        "columns": [(c[0], c[1]) for c in REPORT_COLUMNS],
        "rows": report_rows,
        "total": total,
        "lagging": [r for r in report_rows if r["lagging"]],
        "ranked": ranked,
        "key_list": [r for r in report_rows if r["key_managed_since"] or r["lagging"]],
    }


def report_json(report: dict) -> dict:
    """The monthly report as plain data (CLI --json and the API)."""
    return {
        "organisation": {"code": report["org"].code, "name": report["org"].name},
        "month": f"{report['year']:04d}-{report['month']:02d}",
        "rows": [
            {
                "organisation": {"code": r["org"].code, "name": r["org"].name},
                "month": r["month"],
                "year_to_date": r["ytd"],
                "annual_plan": r["plan"],
                "expected_by_now": r["expected"],
                "behind": r["behind"],
                "lagging": r["lagging"],
                "key_managed_since": r["key_managed_since"].isoformat() if r["key_managed_since"] else None,
            }
            for r in report["rows"]
        ],
        "total": {"month": report["total"]["month"], "year_to_date": report["total"]["ytd"], "annual_plan": report["total"]["plan"]},
        "lagging_units": [r["org"].code for r in report["lagging"]],
    }


def default_org(user):
    return visible_orgs(user).order_by("depth", "path").first()
