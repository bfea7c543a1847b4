"""Reads for the study screens, exports, statistics, to-do, registries and the CLI. Each
runs a fixed number of SQL queries whatever the number of rows: a member's hours, courses
and cadre standing are subquery annotations on the member query (progress_members), the
per-member checks of a page one grouped query each (progress_rows)."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.db import connections
from django.db.models import Avg, Case, Count, DecimalField, Exists, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Round
from django.http import Http404
from django.utils import timezone

from apps.accounts.scoping import visible_orgs
from apps.core.dateparts import MonthOf, YearOf
from apps.core.memo import shared_read
from apps.core.scoping import get_in_scope, restrict
from apps.members.codes import COUNTED_STATUSES
from apps.members.filters import search_members
from apps.members.models import Member
from apps.orgs import selectors as org_selectors
from apps.orgs.models import CommitteeMember, Organisation
from apps.orgs.picker import filtered_org

from . import rules, trainees
from .models import ClassSession, Enrolment, StudyEntry, TrainingClass
from .services import current_rules

HOURS = DecimalField(max_digits=8, decimal_places=1)


# ---------------------------------------------------------------- parameters


def chosen_org(user, params, action: str = "view") -> Organisation | None:
    """?org=<id> / ?org_text= (404 outside scope), else the top of the user's scope; None
    for a member-only user."""
    org = filtered_org(user, params) if (params.get("org") or params.get("org_text")) else None
    if org is not None:
        return get_in_scope(Organisation.objects.all(), user, action, pk=org.pk)
    return visible_orgs(user, action).order_by("depth", "path").first()


def chosen_year(params, default: int | None = None) -> int:
    raw = str(params.get("year") or "").strip()
    if not raw:
        return default or timezone.localdate().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404("年度格式错误")
    return int(raw)


# ---------------------------------------------------------------- hours and standing


def _seats(year: int):
    start, end = rules.year_bounds(year)
    return CommitteeMember.objects.filter(organisation__org_type__in=rules.CADRE_ORG_TYPES, start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )


def _year_entries(year: int):
    start, end = rules.year_bounds(year)
    return StudyEntry.objects.filter(date__gte=start, date__lte=end, status=StudyEntry.Status.APPROVED)


def progress_members(members, year: int):
    """Annotate a member queryset with study_hours, courses (concentrated courses) in the
    year, is_cadre (a seat on a grassroots committee during the year) and is_secretary."""
    entries = _year_entries(year).filter(member_id=OuterRef("pk")).order_by().values("member_id")
    hours_sq = entries.annotate(s=Sum("hours")).values("s")
    courses_sq = entries.filter(form__in=rules.CONCENTRATED_FORMS).annotate(n=Count("id")).values("n")
    seats = _seats(year).filter(member_id=OuterRef("pk"))
    return members.annotate(
        study_hours=Coalesce(Subquery(hours_sq, output_field=HOURS), Value(Decimal(0)), output_field=HOURS),
        courses=Coalesce(Subquery(courses_sq, output_field=IntegerField()), Value(0)),
        is_cadre=Exists(seats),
        is_secretary=Exists(seats.filter(role=rules.SECRETARY_ROLE)),
    )


def met_condition(values: dict) -> Q:
    """Members (annotated by progress_members) who meet their hour requirement now."""
    return Q(is_cadre=True, study_hours__gte=values["cadre_hours"], courses__gte=values["cadre_courses"]) | Q(
        is_cadre=False, study_hours__gte=values["ordinary_hours"]
    )


def behind_condition(values: dict, year: int, as_of: datetime.date) -> Q:
    """Members behind the pace: hours below the requirement times the share of the year
    gone by (at year end: below the requirement). Equivalent to a projected shortfall."""
    share = rules.elapsed_share(year, as_of)
    if share == 0:
        return Q(pk__in=[])
    return Q(is_cadre=True, study_hours__lt=values["cadre_hours"] * share) | Q(
        is_cadre=False, study_hours__lt=values["ordinary_hours"] * share
    )


def subtree_members(org: Organisation):
    return Member.objects.counted().filter(org_path__startswith=org.path)


@dataclass
class Check:
    label: str
    ok: bool | None  # None: not yet due
    text: str


@dataclass
class ProgressRow:
    member: Member
    role: str
    progress: rules.Progress
    checks: list[Check] = field(default_factory=list)

    @property
    def failing(self) -> bool:
        return any(c.ok is False for c in self.checks)


def progress_rows(members: list, year: int, as_of: datetime.date, values: dict) -> list[ProgressRow]:
    """Rows for annotated members (a page): progress and the per-role checks (courses,
    rotation, new secretary, probationary). Three queries for any number of members."""
    ids = [m.pk for m in members]
    start, end = rules.year_bounds(year)
    # Concentrated courses from two years back (probation spans a year boundary).
    concentrated: dict[int, list[datetime.date]] = {}
    rotation: set[int] = set()
    secretary_since: dict[int, datetime.date] = {}
    if ids:
        for mid, day in (
            StudyEntry.objects.filter(
                member_id__in=ids,
                status=StudyEntry.Status.APPROVED,
                form__in=rules.CONCENTRATED_FORMS,
                date__gte=datetime.date(year - 2, 1, 1),
                date__lte=end,
            )
            .order_by()
            .values_list("member_id", "date")
        ):
            concentrated.setdefault(mid, []).append(day)
        rotation = set(
            _year_entries(year)
            .filter(member_id__in=ids, training_class__kind=rules.ROTATION_KIND, training_class__level=rules.ROTATION_LEVEL)
            .values_list("member_id", flat=True)
        )
        for mid, since in (
            _seats(year).filter(member_id__in=ids, role=rules.SECRETARY_ROLE).order_by("start_date").values_list("member_id", "start_date")
        ):
            if since:
                secretary_since[mid] = since
    rows = []
    for m in members:
        required = rules.required_hours(m.is_cadre, values)
        prog = rules.progress(m.study_hours, required, year, as_of)
        role = "书记" if m.is_secretary else ("班子成员" if m.is_cadre else ("预备党员" if m.member_type == "probationary" else "党员"))
        checks = [Check(f"全年{required}学时", prog.met or (None if as_of < end else False), f"已学{prog.hours}学时，尚差{prog.shortfall}")]
        days = concentrated.get(m.pk, [])
        if m.is_cadre:
            n, need = m.courses, values["cadre_courses"]
            checks.append(Check(f"集中培训{need}次", n >= need or (None if as_of < end else False), f"本年集中培训{n}次"))
        if m.is_secretary:
            done = m.pk in rotation
            checks.append(
                Check(
                    "县级轮训", done or (None if as_of < end else False), "本年已参加县委党校轮训" if done else "本年尚未参加县委党校轮训"
                )
            )
            since = secretary_since.get(m.pk)
            if since and since >= datetime.date(year - 1, 1, 1):
                deadline = rules.add_months(since, values["new_secretary_months"])
                trained = any(since <= d <= deadline for d in days)
                if deadline >= start or not trained:
                    ok = True if trained else (False if as_of > deadline else None)
                    checks.append(
                        Check("新任书记培训", ok, f"{since}任书记，须在{deadline}前参加任职培训" + ("（已参加）" if trained else ""))
                    )
        if m.member_type == "probationary":
            trained = any(d >= m.join_date for d in days)
            checks.append(Check("预备期集中培训", trained or None, "预备期内已参加集中培训" if trained else "预备期内尚未参加集中培训"))
        elif m.conversion_date:
            deadline = rules.add_months(m.conversion_date, values["probation_after_months"])
            if deadline >= start and m.conversion_date <= end:
                trained = any(m.conversion_date < d <= deadline for d in days)
                ok = True if trained else (False if as_of > deadline else None)
                checks.append(Check("转正后集中培训", ok, f"{m.conversion_date}转正，须在{deadline}前参加1次集中培训"))
        rows.append(ProgressRow(m, role, prog, checks))
    return rows


def progress_queryset(user, params):
    """The members of the chosen organisation's subtree, annotated, filtered by ?q=,
    ?behind=1 (behind the pace), ?cadre=1 (secretaries and committee members)."""
    org = chosen_org(user, params)
    if org is None:
        return Member.objects.none()
    year = chosen_year(params)
    values = current_rules().all_values()
    qs = progress_members(restrict(subtree_members(org), user, "view").select_related("organisation"), year)
    if q := (params.get("q") or "").strip():
        qs = search_members(qs, q)
    if params.get("behind"):
        qs = qs.filter(behind_condition(values, year, timezone.localdate()))
    if params.get("cadre"):
        qs = qs.filter(is_cadre=True)
    # the year travels with the rows, for the export's prepare(chunk)
    return qs.annotate(progress_year=Value(year, output_field=IntegerField())).order_by("org_path", "name_pinyin", "id")


def progress_prepare(chunk: list) -> list[ProgressRow]:
    """The export's completion of a chunk of progress_queryset rows (three queries)."""
    if not chunk:
        return []
    return progress_rows(chunk, chunk[0].progress_year, timezone.localdate(), current_rules().all_values())


# The hours distribution of the statistics section: (label, low, high) with high exclusive.
HOUR_BUCKETS = [("0学时", 0, 0), ("1–15学时", 0, 16), ("16–31学时", 16, 32), ("32–55学时", 32, 56), ("56学时以上", 56, None)]


def _tenths(hours) -> int:
    """The least whole number of tenths of an hour not below hours: hours are kept to one
    decimal, so `h >= x` is `tenths(h) >= _tenths(x)` and `h < x` is `tenths(h) < _tenths(x)`."""
    return int((Decimal(hours) * 10).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Bar:
    """The year's hour rule on one day, in whole tenths of an hour (exact: hours are kept
    to one decimal): a member meets it with at least `*_met` tenths (and, holding a
    committee seat, `cadre_courses` concentrated courses); is behind the pace below
    `*_behind` tenths (None: the year has not begun, nobody is behind)."""

    ordinary_met: int
    cadre_met: int
    cadre_courses: int
    ordinary_behind: int | None
    cadre_behind: int | None

    @classmethod
    def of(cls, values: dict, share) -> "Bar":
        """The bar of the rule values on the day whose elapsed share of the year is share
        (rules.elapsed_share): behind means hours below the requirement times the share."""
        behind = (lambda required: None) if share == 0 else (lambda required: _tenths(Decimal(required) * share))
        return cls(
            ordinary_met=_tenths(values["ordinary_hours"]),
            cadre_met=_tenths(values["cadre_hours"]),
            cadre_courses=int(values["cadre_courses"]),
            ordinary_behind=behind(values["ordinary_hours"]),
            cadre_behind=behind(values["cadre_hours"]),
        )


# The figures of a group of members, in the order path_standings' SQL returns them.
FIGURES = ("members", "met", "behind", "tenths", "cadres", "cadres_met", "secretaries", "secretaries_behind", "rotated")


def _standing_sql(bar: Bar) -> tuple[str, list]:
    """The select list of path_standings over one row per member (t: tenths of hours, c:
    concentrated courses, s: 0 no seat, 1 a committee seat, 2 secretary; r: 1 when on the
    county's rotation training): FIGURES then one count per HOUR_BUCKETS bucket."""
    met = "((s = 0 AND t >= %s) OR (s > 0 AND t >= %s AND c >= %s))"
    met_params = [bar.ordinary_met, bar.cadre_met, bar.cadre_courses]
    if bar.ordinary_behind is None:
        behind, behind_params = "(1 = 0)", []
    else:
        behind, behind_params = "((s = 0 AND t < %s) OR (s > 0 AND t < %s))", [bar.ordinary_behind, bar.cadre_behind]
    columns = [
        ("COUNT(*)", []),
        (f"SUM(CASE WHEN {met} THEN 1 ELSE 0 END)", met_params),
        (f"SUM(CASE WHEN {behind} THEN 1 ELSE 0 END)", behind_params),
        ("SUM(t)", []),
        ("SUM(CASE WHEN s > 0 THEN 1 ELSE 0 END)", []),
        (f"SUM(CASE WHEN s > 0 AND {met} THEN 1 ELSE 0 END)", met_params),
        ("SUM(CASE WHEN s = 2 THEN 1 ELSE 0 END)", []),
        (f"SUM(CASE WHEN s = 2 AND {behind} THEN 1 ELSE 0 END)", behind_params),
        ("SUM(CASE WHEN s = 2 AND r = 1 THEN 1 ELSE 0 END)", []),
    ]
    for _label, low, high in HOUR_BUCKETS:
        if high == 0:
            columns.append(("SUM(CASE WHEN t = 0 THEN 1 ELSE 0 END)", []))
        elif high is None:
            columns.append(("SUM(CASE WHEN t >= %s THEN 1 ELSE 0 END)", [low * 10]))
        else:
            columns.append(("SUM(CASE WHEN t <> 0 AND t >= %s AND t < %s THEN 1 ELSE 0 END)", [low * 10, high * 10]))
    return ", ".join(sql for sql, _p in columns), [p for _sql, params in columns for p in params]


@shared_read
def path_standings(prefix: str, year: int, bar: Bar) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
    """The study year of the counted members whose path starts with prefix, per
    organisation path, as ({org_path: counted members}, {org_path: (FIGURES…, bucket
    counts…)}). The second holds only the members with approved study entries or a
    committee seat in the year (a grassroots committee seat; secretary or another role);
    every other member has no hours, no seat, and stands as `Tally.add_rest` counts them.

    Two queries whatever the subtree's size: the organisations' counters of counted
    members; one statement that sums each member's year (tenths of hours, concentrated
    courses, rotation training; their seat) and classifies and counts the members per
    organisation in the database, so that no per-member row reaches Python (20,135 rows
    folded in Python were most of the dashboard's time, docs/performance.md). Shared
    within a dashboard (the education section and the units' hour metric ask for the same
    prefix, year and bar)."""
    # counted members per organisation: the tree's counters (check_org_tree verifies them)
    per_path = dict(
        Organisation.objects.filter(path__startswith=prefix, direct_member_count__gt=0).values_list("path", "direct_member_count")
    )
    zero = Value(0, output_field=IntegerField())
    rotation = Q(training_class__kind=rules.ROTATION_KIND, training_class__level=rules.ROTATION_LEVEL)
    # each member's year from the entries and from the seats, grouped by member before
    # the member table is joined (joining 32,207 entries to their members before grouping
    # took twice as long on the demo county)
    entries = (
        _year_entries(year)
        .order_by()
        .values("member_id")
        .annotate(
            # hours are kept to one decimal: summed as whole tenths
            t=Cast(Round(Sum("hours") * 10), IntegerField()),
            c=Count("id", filter=Q(form__in=rules.CONCENTRATED_FORMS)),
            r=Max(Case(When(rotation, then=1), default=0, output_field=IntegerField())),
            s=zero,
        )
    )
    seats = (
        _seats(year)
        .order_by()
        .values("member_id")
        .annotate(t=zero, c=zero, r=zero, s=Max(Case(When(role=rules.SECRETARY_ROLE, then=2), default=1, output_field=IntegerField())))
    )
    members = Member.objects.counted().filter(org_path__startswith=prefix).order_by().values("id", "org_path")
    if len(prefix) > Organisation.steplen:
        # Below a root, only the subtree's members' entries and seats are grouped (a semi-join
        # on member_id): a county of a province otherwise grouped the whole province's year.
        # Demo county, SQLite, CPU: a town committee 54 → 17 ms, a branch 55 → 15 ms. At the
        # root every row belongs and the semi-join would only cost (73 → 101 ms).
        ids = Member.objects.counted().filter(org_path__startswith=prefix).values("id")
        entries = entries.filter(member_id__in=ids)
        seats = seats.filter(member_id__in=ids)
    union = entries.union(seats, all=True)
    db = union.db
    union_sql, union_params = union.query.get_compiler(using=db).as_sql()
    members_sql, members_params = members.query.get_compiler(using=db).as_sql()
    select, select_params = _standing_sql(bar)
    sql = (
        f"SELECT m.org_path, {select} FROM ("
        f"SELECT member_id, SUM(t) AS t, SUM(c) AS c, MAX(r) AS r, MAX(s) AS s FROM ({union_sql}) u GROUP BY member_id"
        f") per_member INNER JOIN ({members_sql}) m ON m.id = per_member.member_id GROUP BY m.org_path"
    )
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [*select_params, *union_params, *members_params])
        found = {row[0]: tuple(int(v or 0) for v in row[1:]) for row in cursor.fetchall()}
    return per_path, found


class Tally:
    """Members, meeting the requirement, behind the pace, hours, cadres, secretaries and
    those of them on the rotation training, the hours distribution of a group of members
    (a subtree, an organisation's members)."""

    def __init__(self):
        self.members = self.met = self.behind = self.cadres = self.cadres_met = 0
        self.secretaries = self.secretaries_behind = self.rotated = 0
        self.tenths = 0
        self.distribution = [0] * len(HOUR_BUCKETS)

    def add(self, row: tuple[int, ...]) -> None:
        """One organisation's row of path_standings (FIGURES, then the buckets)."""
        members, met, behind, tenths, cadres, cadres_met, secretaries, secretaries_behind, rotated, *buckets = row
        self.members += members
        self.met += met
        self.behind += behind
        self.tenths += tenths
        self.cadres += cadres
        self.cadres_met += cadres_met
        self.secretaries += secretaries
        self.secretaries_behind += secretaries_behind
        self.rotated += rotated
        self.distribution = [a + b for a, b in zip(self.distribution, buckets, strict=True)]

    def add_rest(self, n: int, bar: Bar) -> None:
        """n members without study entries or a seat: no hours, no courses."""
        self.members += n
        self.met += n * (bar.ordinary_met <= 0)
        self.behind += n * (bar.ordinary_behind is not None and bar.ordinary_behind > 0)
        self.distribution[0] += n

    @property
    def hours(self) -> Decimal:
        return Decimal(self.tenths) / 10  # exact

    @property
    def rate(self):
        return round(100 * self.met / self.members, 1) if self.members else None

    @property
    def average(self) -> Decimal:
        return rules.hours(self.hours / self.members) if self.members else rules.hours(0)


def _fold(prefix: str, year: int, bar: Bar, tallies_of) -> None:
    """Add every counted member under prefix to the tallies tallies_of(org_path) returns:
    one row per organisation path (the members with entries or seats, classified in SQL),
    then the rest of each path's members in one step."""
    per_path, found = path_standings(prefix, year, bar)
    for path, n in per_path.items():
        row = found.get(path)
        rest = n - (row[0] if row else 0)
        for tally in tallies_of(path):
            if row:
                tally.add(row)
            if rest > 0:
                tally.add_rest(rest, bar)
    for path, row in found.items():  # members counted but on a path without a counter
        if path not in per_path:
            for tally in tallies_of(path):
                tally.add(row)


def org_summary(org: Organisation, year: int, as_of: datetime.date, values: dict) -> dict:
    """The subtree's figures: members, meeting the requirement, behind the pace, hours,
    secretaries and their rotation coverage, the hours distribution. Two queries whatever
    the subtree's size (path_standings)."""
    tally = Tally()
    _fold(org.path, year, Bar.of(values, rules.elapsed_share(year, as_of)), lambda _path: (tally,))
    return {
        "members": tally.members,
        "met": tally.met,
        "behind": tally.behind,
        "cadres": tally.cadres,
        "cadres_met": tally.cadres_met,
        "secretaries": tally.secretaries,
        "secretaries_behind": tally.secretaries_behind,
        "hours": rules.hours(tally.hours),
        "rotated": tally.rotated,
        "met_rate": tally.rate,
        "rotation_rate": round(100 * tally.rotated / tally.secretaries, 1) if tally.secretaries else None,
        "average": tally.average,
        "distribution": [[label, tally.distribution[i]] for i, (label, _l, _h) in enumerate(HOUR_BUCKETS)],
    }


def tallies(prefix: str, paths: dict, year: int, values: dict, share) -> dict:
    """{key: Tally} of the members under each path of paths ({key: organisation path}, all
    under prefix): path_standings once, each organisation's row counted in every tally
    whose path starts its path."""
    out = {key: Tally() for key in paths}
    by_path = {path: out[key] for key, path in paths.items()}
    lengths = sorted({len(p) for p in by_path})

    def tallies_of(path: str) -> list[Tally]:
        return [by_path[path[:n]] for n in lengths if path[:n] in by_path]

    _fold(prefix, year, Bar.of(values, share), tallies_of)
    return out


def quiz_aggregate(org: Organisation, year: int) -> tuple:
    """quiz_figures' aggregate as (queryset, aggregates), for aggregate_together."""
    from .models import QuizAttempt

    return QuizAttempt.objects.filter(
        is_best=True, submitted_at__year=year, member__org_path__startswith=org.path, member__status__in=COUNTED_STATUSES
    ), {"takers": Count("member_id", distinct=True), "papers": Count("id"), "average": Avg("score")}


def quiz_figures(org: Organisation, year: int, agg: dict | None = None) -> dict:
    """考学 in the subtree this year: members who handed in a paper (participation) and the
    average of their counted (best) scores, per quiz and member. One query (none when `agg`
    is quiz_aggregate's result, sent with other aggregates)."""
    if agg is None:
        qs, aggregates = quiz_aggregate(org, year)
        agg = qs.aggregate(**aggregates)
    return {
        "quiz_takers": agg["takers"],
        "quiz_papers": agg["papers"],
        "quiz_average": None if agg["average"] is None else round(Decimal(agg["average"]), 1),
    }


def plan_figures(org: Organisation, year: int, as_of: datetime.date) -> dict:
    """Education plan items of the subtree's organisations in the year: due, executed and
    the execution rate (read from the records as on the plan page). One query."""
    from .models import PlanItem

    items = _annotated_items(PlanItem.objects.filter(plan__org_path__startswith=org.path, year=year))
    # as plan_execution: an item is due once its month has passed, or earlier when done
    executed = Q(training_class__isnull=False, class_done=True) | Q(training_class__isnull=True, entries_done=True)
    if year < as_of.year:
        due = Count("id")
    elif year == as_of.year:
        due = Count("id", filter=Q(month__lt=as_of.month) | executed)
    else:
        due = Count("id", filter=executed)
    agg = items.aggregate(items=Count("id"), due=due, done=Count("id", filter=executed))
    agg["plan_rate"] = round(100 * agg["done"] / agg["due"], 1) if agg["due"] else None
    return {"plan_items": agg["items"], "plan_due": agg["due"], "plan_done": agg["done"], "plan_rate": agg["plan_rate"]}


def child_progress(org: Organisation, year: int, as_of: datetime.date, values: dict) -> list[dict]:
    """Per child organisation: members, meeting, behind. Four queries (the children and
    year_standings of org's subtree)."""
    children = org_selectors.child_units(org)
    if not children:
        return []
    per = tallies(org.path, {c.pk: c.path for c in children}, year, values, rules.elapsed_share(year, as_of))
    return [
        {
            "org": child,
            "members": per[child.pk].members,
            "met": per[child.pk].met,
            "behind": per[child.pk].behind,
            "rate": per[child.pk].rate,
            "average": per[child.pk].average,
        }
        for child in children
    ]


# ---------------------------------------------------------------- the archive


def entry_list(user, params):
    """Study entries in the user's scope (the chosen organisation's subtree), newest first;
    ?q= member name/pinyin or content, ?year=, ?form=, ?status=."""
    qs = StudyEntry.objects.restrict(user, "view").select_related("member", "organisation")
    org = chosen_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if params.get("year"):
        start, end = rules.year_bounds(chosen_year(params))
        qs = qs.filter(date__gte=start, date__lte=end)
    if (form := params.get("form")) in rules.FORM_LABEL:
        qs = qs.filter(form=form)
    if (status := params.get("status")) in StudyEntry.Status.values:
        qs = qs.filter(status=status)
    if q := (params.get("q") or "").strip()[:40]:
        matched = search_members(Member.objects.all(), q).values("pk")
        qs = qs.filter(Q(member__in=matched) | Q(content__icontains=q))
    return qs.order_by("-date", "-id")


def pending_entries(user):
    """Hand-entered claims waiting for this user's approval."""
    return (
        StudyEntry.objects.restrict(user, "approve")
        .filter(status=StudyEntry.Status.PENDING)
        .select_related("member", "organisation")
        .order_by("created_at", "id")
    )


def member_archive(member: Member, year: int):
    start, end = rules.year_bounds(year)
    return (
        StudyEntry.objects.filter(member=member, date__gte=start, date__lte=end).select_related("training_class").order_by("-date", "-id")
    )


def member_progress(member: Member, year: int, as_of: datetime.date, values: dict) -> ProgressRow:
    annotated = progress_members(Member.objects.filter(pk=member.pk).select_related("organisation"), year).get()
    return progress_rows([annotated], year, as_of, values)[0]


# ---------------------------------------------------------------- classes


def class_list(user, params):
    qs = (
        TrainingClass.objects.restrict(user, "view").select_related("organisation").annotate(session_count=Count("sessions", distinct=True))
    )
    if (level := params.get("level")) in dict(rules.CLASS_LEVELS):
        qs = qs.filter(level=level)
    if (kind := params.get("kind")) in dict(rules.CLASS_KINDS):
        qs = qs.filter(kind=kind)
    if params.get("year"):
        qs = qs.filter(start_date__year=chosen_year(params))
    if q := (params.get("q") or "").strip()[:40]:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-start_date", "-id")


def enrolment_counts(classes: list) -> list:
    """Set .enrolled on each class: member enrolments (one query) plus the trainees other
    apps register (apps.education.trainees: one query per source)."""
    counts = dict(
        Enrolment.objects.filter(training_class__in=classes)
        .values("training_class")
        .annotate(n=Count("id"))
        .values_list("training_class", "n")
    )
    others = trainees.counts([c.pk for c in classes if c.kind in rules.RECRUITMENT_KINDS])
    for c in classes:
        c.enrolled = counts.get(c.pk, 0) + others.get(c.pk, 0)
    return classes


@dataclass(frozen=True)
class ClassCredit:
    """What a class gives its trainees: counted only once it has completed (结业)."""

    title: str
    finished: bool
    days: int  # distinct days with a session
    hours: Decimal  # the curriculum's hours


def class_credits(class_ids) -> dict[int, ClassCredit]:
    """Completion, days and hours of each class (one grouped query): what the recruitment
    engine's step 11 (集中培训) reads for a development file's classes."""
    ids = [int(i) for i in class_ids if i is not None]
    if not ids:
        return {}
    rows = (
        TrainingClass.objects.filter(pk__in=ids)
        .annotate(n_days=Count("sessions__date", distinct=True), n_hours=Sum("sessions__hours"))
        .values_list("pk", "title", "status", "n_days", "n_hours")
    )
    return {
        pk: ClassCredit(title, status == TrainingClass.Status.FINISHED, n_days or 0, n_hours or Decimal(0))
        for pk, title, status, n_days, n_hours in rows
    }


def class_sessions(cls: TrainingClass):
    return ClassSession.objects.filter(training_class=cls).order_by("date", "id")


def class_enrolments(cls: TrainingClass):
    return (
        Enrolment.objects.filter(training_class=cls)
        .select_related("member", "organisation", "quota_org")
        .order_by("organisation__path", "id")
    )


def session_present(session: ClassSession) -> set[int]:
    return set(StudyEntry.objects.filter(source_type="education.classsession", source_id=session.pk).values_list("member_id", flat=True))


def certificate_list(user, params):
    """Completed enrolments (the certificate list) in the user's scope."""
    qs = (
        Enrolment.objects.restrict(user, "view")
        .filter(status=Enrolment.Status.COMPLETED)
        .select_related("member", "organisation", "training_class")
    )
    if (cls := params.get("class")) and str(cls).isdigit():
        qs = qs.filter(training_class_id=int(cls))
    return qs.order_by("training_class", "certificate_no")


# ---------------------------------------------------------------- 述学述评


def report_list(user, params):
    """Study reports of the chosen organisation's subtree for ?year= (default this year),
    cadres first (they report first), then by organisation; ?status=, ?q=."""
    from .models import StudyReport

    year = chosen_year(params)
    qs = StudyReport.objects.restrict(user, "view").filter(year=year).select_related("member", "organisation")
    org = chosen_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if (status := params.get("status")) in StudyReport.Status.values:
        qs = qs.filter(status=status)
    if q := (params.get("q") or "").strip()[:40]:
        qs = qs.filter(member__in=search_members(Member.objects.all(), q).values("pk"))
    cadre = Exists(_seats(year).filter(member_id=OuterRef("member_id")))
    return qs.annotate(is_cadre=cadre).order_by("-is_cadre", "org_path", "member__name_pinyin", "id")


# ---------------------------------------------------------------- 考学


def question_list(user, params):
    """The question banks in the user's scope (the chosen organisation's subtree); ?q= text,
    ?category=, ?kind=, ?active=0|1."""
    from .models import Question

    qs = Question.objects.restrict(user, "view").select_related("organisation")
    org = chosen_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if category := (params.get("category") or "").strip()[:40]:
        qs = qs.filter(category=category)
    if (kind := params.get("kind")) in dict(rules.QUESTION_KINDS):
        qs = qs.filter(kind=kind)
    if params.get("active") in ("0", "1"):
        qs = qs.filter(active=params.get("active") == "1")
    if q := (params.get("q") or "").strip()[:40]:
        qs = qs.filter(text__icontains=q)
    return qs.order_by("org_path", "category", "id")


def bank_categories(org: Organisation) -> list[tuple[str, int]]:
    """(category, active questions) of the bank a quiz of org draws from. One query."""
    from .services import bank_for

    return list(bank_for(org).order_by("category").values("category").annotate(n=Count("id")).values_list("category", "n"))


def quiz_list(user, params):
    """Quizzes of the user's scope with how many members took part and passed."""
    from .models import Quiz

    qs = (
        Quiz.objects.restrict(user, "view")
        .select_related("organisation")
        .annotate(
            takers=Count("attempts", filter=Q(attempts__is_best=True), distinct=True),
            passed=Count("attempts", filter=Q(attempts__is_best=True, attempts__passed=True), distinct=True),
        )
    )
    if params.get("year"):
        qs = qs.filter(opens_on__year=chosen_year(params))
    if q := (params.get("q") or "").strip()[:40]:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-opens_on", "-id")


def member_path_prefixes(path: str) -> list[str]:
    step = Organisation.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def quizzes_for_member(member: Member):
    """Quizzes addressed to the member: held by the member's organisation or one above it
    (the audience of a quiz is its organisation's subtree)."""
    from .models import Quiz

    return Quiz.objects.filter(org_path__in=member_path_prefixes(member.org_path)).select_related("organisation")


def my_quizzes(member: Member, today: datetime.date) -> list:
    """The member's quizzes open today or taken this year, each with .mine (attempts, best
    first) and .can_start. Two queries."""
    from .models import QuizAttempt

    quizzes = list(
        quizzes_for_member(member)
        .filter(Q(opens_on__lte=today, closes_on__gte=today) | Q(attempts__member=member, opens_on__year=today.year))
        .distinct()
        .order_by("closes_on", "id")[:50]
    )
    mine: dict[int, list] = {}
    for a in QuizAttempt.objects.filter(member=member, quiz__in=quizzes).order_by("-is_best", "-number"):
        mine.setdefault(a.quiz_id, []).append(a)
    now = timezone.now()
    for quiz in quizzes:
        quiz.mine = mine.get(quiz.pk, [])
        quiz.best = next((a for a in quiz.mine if a.is_best), None)
        quiz.running = next((a for a in quiz.mine if a.submitted_at is None and a.deadline > now), None)
        quiz.is_open = quiz.opens_on <= today <= quiz.closes_on
        quiz.can_start = quiz.is_open and (quiz.running is not None or len(quiz.mine) < quiz.attempts_allowed)
    return quizzes


def quiz_ranking(user, params):
    """The ranking of a quiz (?quiz=<id>): each member's counted (best) attempt in the
    user's scope, highest score first, earlier hand-in first on a tie; ?org= narrows."""
    from .models import QuizAttempt

    raw = str(params.get("quiz") or "")
    if not raw.isdigit():
        return QuizAttempt.objects.none()
    qs = QuizAttempt.objects.restrict(user, "view").filter(quiz_id=int(raw), is_best=True).select_related("member", "organisation", "quiz")
    if params.get("org") or params.get("org_text"):
        org = chosen_org(user, params)
        qs = qs.filter(org_path__startswith=org.path)
    return qs.order_by("-score", "submitted_at", "id")


def quiz_org_results(quiz, org: Organisation) -> list[dict]:
    """Per organisation one level below org (or org itself when it has none): members,
    members who took the quiz, passed, average (best) score, ranked by take-up then
    average. Two queries."""
    from .models import QuizAttempt

    attempts = QuizAttempt.objects.filter(quiz=quiz, is_best=True)
    aggs = {"takers": Count("id"), "passed": Count("id", filter=Q(passed=True)), "average": Avg("score")}
    children = org_selectors.child_units(org)
    if children:
        members = org_selectors.per_child(org, Member.objects.counted(), "org_path", members=Count("id"))
        results = org_selectors.per_child(org, attempts, "org_path", **aggs)
    else:
        children = [org]
        members = {org.path: {"members": subtree_members(org).count()}}
        results = {org.path: attempts.filter(org_path__startswith=org.path).aggregate(**aggs)}
    rows = []
    for child in children:
        r = results.get(child.path, {})
        n = members.get(child.path, {}).get("members", 0)
        takers = r.get("takers") or 0
        rows.append(
            {
                "org": child,
                "members": n,
                "takers": takers,
                "passed": r.get("passed") or 0,
                "take_rate": round(100 * takers / n, 1) if n else None,
                "average": rules.hours(r["average"]) if r.get("average") is not None else None,
            }
        )
    rows.sort(key=lambda r: (-(r["take_rate"] or 0), -(r["average"] or 0), r["org"].path))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return rows


def attempt_paper(attempt) -> list[dict]:
    """The questions of an attempt in order, WITHOUT the answer key: number, id, kind,
    text, lettered options and the member's answer; once handed in also whether each was
    right (never which option was). One query."""
    from .models import Question

    ids = [int(i) for i in attempt.question_ids]
    rows = {q["id"]: q for q in Question.objects.filter(pk__in=ids).values("id", "kind", "text", "options")}
    marked = {}
    if attempt.submitted_at is not None:
        marked = dict(Question.objects.filter(pk__in=ids).values_list("id", "answer"))
    out = []
    for n, qid in enumerate(ids, start=1):
        q = rows.get(qid)
        if q is None:
            continue
        given = attempt.answers.get(str(qid), "")
        item = {
            "number": n,
            "id": qid,
            "kind": q["kind"],
            "kind_label": dict(rules.QUESTION_KINDS)[q["kind"]],
            "text": q["text"],
            "options": [(rules.LETTERS[i], label, rules.LETTERS[i] in given) for i, label in enumerate(q["options"])],
            "given": given,
        }
        if marked:
            item["right"] = rules.mark(q["kind"], marked[qid], given)
        out.append(item)
    return out


# ---------------------------------------------------------------- education plans


def plan_list(user, params):
    """Plans in the user's scope (the chosen organisation's subtree) with their item count
    and planned hours; ?year= (plans covering it), ?kind=."""
    from .models import EducationPlan

    qs = (
        EducationPlan.objects.restrict(user, "view")
        .select_related("organisation")
        .annotate(item_count=Count("items"), planned_hours=Sum("items__hours"))
    )
    org = chosen_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if params.get("year"):
        year = chosen_year(params)
        qs = qs.filter(start_year__lte=year, end_year__gte=year)
    if (kind := params.get("kind")) in dict(rules.PLAN_KINDS):
        qs = qs.filter(kind=kind)
    return qs.order_by("-start_year", "org_path", "id")


def _annotated_items(qs):
    """Plan items with `class_done` (the linked class has a session whose attendance was
    taken, and its hours) and `entries_done` (approved study of the item's form in the plan
    organisation's subtree in the item's month)."""
    sessions = ClassSession.objects.filter(training_class=OuterRef("training_class"), attendance_taken=True)
    taken_hours = sessions.order_by().values("training_class").annotate(h=Sum("hours")).values("h")
    # the entry's year and month in native SQL (apps.core.dateparts): date__year against
    # an OuterRef ran Django's Python extract for every entry on SQLite
    studied = (
        StudyEntry.objects.filter(org_path__startswith=OuterRef("plan__org_path"), form=OuterRef("form"), status=StudyEntry.Status.APPROVED)
        .annotate(entry_year=YearOf("date"), entry_month=MonthOf("date"))
        .filter(entry_year=OuterRef("year"), entry_month=OuterRef("month"))
    )
    return qs.annotate(
        class_done=Exists(sessions),
        class_hours=Subquery(taken_hours, output_field=HOURS),
        entries_done=Exists(studied),
    )


def plan_items(plan, as_of: datetime.date) -> list:
    """A plan's items with .state ("done", "missed", "pending") and .realised: one query."""
    from .models import PlanItem

    items = list(_annotated_items(PlanItem.objects.filter(plan=plan).select_related("training_class")).order_by("year", "month", "id"))
    for item in items:
        _item_state(item, as_of)
    return items


def _item_state(item, as_of: datetime.date) -> None:
    done = item.class_done if item.training_class_id else item.entries_done
    due = (item.year, item.month) < (as_of.year, as_of.month) or ((as_of.year, as_of.month) == (item.year, item.month) and done)
    item.state = "done" if done else ("missed" if due else "pending")
    item.state_label = {"done": "已执行", "missed": "未执行", "pending": "未到期"}[item.state]
    item.realised = rules.hours(item.class_hours) if item.training_class_id and item.class_hours else None


def plan_execution(items: list) -> dict:
    """Execution of a plan's items: due items, done, the rate; planned and realised hours."""
    due = [i for i in items if i.state != "pending"]
    done = [i for i in items if i.state == "done"]
    return {
        "items": len(items),
        "due": len(due),
        "done": len(done),
        "rate": round(100 * len(done) / len(due), 1) if due else None,
        "planned_hours": rules.hours(sum((i.hours for i in items), Decimal(0))),
        "class_hours": rules.hours(sum((i.realised or 0 for i in items), Decimal(0))),
    }


def plan_item_list(user, params):
    """The items of the plans in scope (?plan=<id> one plan), for the export and API."""
    from .models import PlanItem

    qs = PlanItem.objects.restrict(user, "view").select_related("plan__organisation", "training_class")
    if (raw := str(params.get("plan") or "")).isdigit():
        qs = qs.filter(plan_id=int(raw))
    elif params.get("year"):
        qs = qs.filter(year=chosen_year(params))
    return _annotated_items(qs).order_by("plan__org_path", "plan_id", "year", "month", "id")


def plan_item_prepare(chunk: list) -> list:
    today = timezone.localdate()
    for item in chunk:
        _item_state(item, today)
    return chunk


# ---------------------------------------------------------------- venues, courseware, joint meetings


def _resource_list(model, user, params, search_fields: tuple[str, ...], order: tuple[str, ...]):
    qs = model.objects.restrict(user, "view").select_related("organisation")
    org = chosen_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if q := (params.get("q") or "").strip()[:40]:
        cond = Q()
        for f in search_fields:
            cond |= Q(**{f"{f}__icontains": q})
        qs = qs.filter(cond)
    return qs.order_by(*order)


def venue_list(user, params):
    from .models import Venue

    qs = _resource_list(Venue, user, params, ("name", "address"), ("org_path", "kind", "id"))
    if (kind := params.get("kind")) in dict(rules.VENUE_KINDS):
        qs = qs.filter(kind=kind)
    return qs


def courseware_list(user, params):
    from .models import Courseware

    return _resource_list(Courseware, user, params, ("title", "category", "speaker"), ("-created_at", "-id"))


def joint_meeting_list(user, params):
    from .models import JointMeeting

    qs = _resource_list(JointMeeting, user, params, ("topic", "decisions"), ("-date", "-id"))
    if params.get("year"):
        qs = qs.filter(date__year=chosen_year(params))
    return qs
