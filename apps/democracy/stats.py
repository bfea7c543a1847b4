"""Democracy figures: statistics, monthly report, org metric (feedback answered on time),
home figures and to-do. Fixed numbers of aggregate queries over the subtree."""

import datetime

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from apps.core.aggregates import COUNT, aggregate_together
from apps.core.figures import enclosing, labelled_rows, managed_scope, month_period, pct, period, sum_into_subtrees, within
from apps.core.scoping import restrict
from apps.core.todo import TodoItem, add_first
from apps.orgs.models import Organisation
from apps.orgs.selectors import subtree_counts

from .models import Consultation, Decision, Feedback, LifeRectification, Notice, Opinion

LABELS = {
    "year": "年度",
    "feedback": "本年收到反馈（件）",
    "answered": "已答复（件）",
    "on_time": "按期答复（件）",
    "overdue_open": "超期未答复（件）",
    "escalated": "上交上级（件）",
    "notices": "本年党务公开（条）",
    "consultations_open": "征求意见：征求中（项）",
    "consultations_waiting": "征求意见：已截止待登记决定（项）",
    "consultations_decided": "征求意见：本年已决定（项）",
    "opinions": "本年征求意见收到意见（条）",
    "audience": "本年征求意见应征求人数（人次）",
    "decisions": "本年集体决策（项）",
    "decisions_passed": "其中表决通过（项）",
    "rectifications_open": "生活会整改事项：整改中（项）",
    "rectifications_overdue": "其中超过整改时限（项）",
    "rectifications_done": "本年完成整改（项）",
}


def _feedback(org, start, end, as_of) -> tuple:
    """The feedback figures as (queryset, aggregates), for aggregate_together."""
    sub = Q(org_path__startswith=org.path) | Q(origin_path__startswith=org.path)
    return Feedback.objects.filter(sub), {
        "raised": Count("id", filter=Q(raised_on__gte=start, raised_on__lt=end)),
        "answered": Count("id", filter=Q(answered_on__gte=start, answered_on__lt=end)),
        "on_time": Count("id", filter=Q(answered_on__gte=start, answered_on__lt=end, answered_in_time=True)),
        "overdue_open": Count("id", filter=Q(status="open", due_on__lt=as_of)),
        "escalated": Count("id", filter=Q(raised_on__gte=start, raised_on__lt=end, level__gt=0)),
    }


def _notices(org, start, end) -> tuple:
    return Notice.objects.filter(org_path__startswith=org.path, publish_on__gte=start, publish_on__lt=end), COUNT


def _subtree_audience(consultations) -> int:
    """How many members the consultations with the audience “subtree” asked (current
    registry): their organisation's subtree's. Fixed queries: the organisations, one per
    tree depth of them (orgs.selectors), the consultations per organisation. (The audience
    “members”, the organisation's own members, is an aggregate counted with the others.)"""
    subtree_orgs = list(Organisation.objects.filter(pk__in=consultations.filter(audience="subtree").values("organisation_id")))
    per_org = subtree_counts(subtree_orgs)
    counts = consultations.filter(audience="subtree").values("organisation_id").annotate(n=Count("id")).order_by()
    return sum(per_org.get(r["organisation_id"], 0) * r["n"] for r in counts)


def _year(as_of) -> tuple:
    return datetime.date(as_of.year, 1, 1), as_of + datetime.timedelta(days=1)


def _consultations_of_year(org, as_of):
    start, end = _year(as_of)
    return Consultation.objects.filter(org_path__startswith=org.path, opens_on__gte=start, opens_on__lt=end)


def aggregates(org, as_of) -> dict:
    """StatsSection.aggregates: feedback, notices, 征求意见, 集体决策 and 生活会整改 over
    the subtree, one-row aggregates of seven tables."""
    start, end = _year(as_of)
    sub = {"org_path__startswith": org.path}
    of_year = _consultations_of_year(org, as_of)
    return {
        "f": _feedback(org, start, end, as_of),
        "notices": _notices(org, start, end),
        "c": (
            Consultation.objects.filter(**sub),
            {
                "open": Count("id", filter=Q(status="open", deadline__gte=as_of)),
                "waiting": Count("id", filter=Q(status="open", deadline__lt=as_of)),
                "decided": Count("id", filter=Q(status="decided", decided_on__gte=start, decided_on__lt=end)),
            },
        ),
        "opinions": (Opinion.objects.filter(consultation__in=of_year.values("pk")), COUNT),
        # the audience “members”: the organisation's own members; “subtree”: counted apart
        "audience": (
            of_year,
            {
                "own": Sum("organisation__direct_member_count", filter=Q(audience="members")),
                "subtree": Count("id", filter=Q(audience="subtree")),
            },
        ),
        "d": (
            Decision.objects.filter(**sub, decided_on__gte=start, decided_on__lt=end),
            {"n": Count("id"), "passed": Count("id", filter=Q(result="passed"))},
        ),
        "r": (
            LifeRectification.objects.filter(**sub),
            {
                "open": Count("id", filter=Q(status="open")),
                "overdue": Count("id", filter=Q(status="open", deadline__lt=as_of)),
                "done": Count("id", filter=Q(status="done", done_on__gte=start, done_on__lt=end)),
            },
        ),
    }


def contribute(org, as_of=None, figures: dict | None = None) -> dict:
    """aggregates() in one statement (apps.core.aggregates; none when party_statistics sent
    them with the other sections' as `figures`), and when the year has consultations
    asking a subtree, their audience (two statements and one per tree depth of their
    organisations)."""
    as_of = as_of or timezone.localdate()
    figures = aggregate_together(aggregates(org, as_of)) if figures is None else figures
    audience = figures["audience"]
    if audience["subtree"]:
        subtree_audience = _subtree_audience(_consultations_of_year(org, as_of))
    else:
        subtree_audience = 0
    f, c, d, r = (figures[k] for k in ("f", "c", "d", "r"))
    return {
        "democracy": {
            "consultations_open": c["open"],
            "consultations_waiting": c["waiting"],
            "consultations_decided": c["decided"],
            "opinions": figures["opinions"]["n"],
            "audience": (audience["own"] or 0) + subtree_audience,
            "decisions": d["n"],
            "decisions_passed": d["passed"],
            "rectifications_open": r["open"],
            "rectifications_overdue": r["overdue"],
            "rectifications_done": r["done"],
            "label": "党内民主",
            "labels": LABELS,
            "year": as_of.year,
            "feedback": f["raised"],
            "answered": f["answered"],
            "on_time": f["on_time"],
            "overdue_open": f["overdue_open"],
            "escalated": f["escalated"],
            "notices": figures["notices"]["n"],
        }
    }


def cards(stats):
    d = stats["democracy"]
    rate = pct(d["on_time"], d["answered"])
    response = pct(d["opinions"], d["audience"])
    return [
        (f"{d['year']}年意见反馈", d["feedback"], "件", None),
        ("按期答复率", "—" if rate is None else rate, "%", None),
        ("超期未答复", d["overdue_open"], "件", None),
        ("党务公开", d["notices"], "条", None),
        ("征求意见回复率", "—" if response is None else response, "%", None),
        ("集体决策", d["decisions"], "项", None),
        ("整改超期", d["rectifications_overdue"], "项", None),
    ]


def rows(stats):
    d = stats["democracy"]
    response = pct(d["opinions"], d["audience"])
    return [*labelled_rows("党内民主", d, LABELS), ("党内民主", "本年征求意见回复率（%）", "—" if response is None else response, None)]


def report_figures(org, year, month):
    start, end = month_period(year, month)
    figures = aggregate_together({"f": _feedback(org, start, end, min(end, timezone.localdate())), "notices": _notices(org, start, end)})
    f, notices = figures["f"], figures["notices"]["n"]
    return [
        ("收到意见反馈（件）", f["raised"]),
        ("答复（件）", f["answered"]),
        ("其中按期（件）", f["on_time"]),
        ("超期未答复（件）", f["overdue_open"]),
        ("党务公开（条）", notices),
    ]


def measure_on_time(org_ids, year, quarter):
    """Share of the feedback answered in the period that was answered on time, for the
    organisation subtree that was responsible; the reason names the overdue ones. One
    grouped query for all the organisations (per responsible path, summed per subtree)."""
    start, end = period(year, quarter)
    today = timezone.localdate()
    paths = dict(Organisation.objects.filter(pk__in=list(org_ids)).values_list("pk", "path"))
    rows = (
        Feedback.objects.filter(enclosing(paths.values()))
        .values("org_path")
        .annotate(
            answered=Count("id", filter=Q(answered_on__gte=start, answered_on__lt=end)),
            on_time=Count("id", filter=Q(answered_on__gte=start, answered_on__lt=end, answered_in_time=True)),
            overdue=Count("id", filter=Q(status="open", due_on__lt=min(end, today))),
        )
        .order_by()
    )
    sums = sum_into_subtrees(rows, paths, ("answered", "on_time", "overdue"))
    out = {}
    for pk, agg in sums.items():
        total = agg["answered"] + agg["overdue"]
        if not total:
            out[pk] = (1.0, "本期无须答复的意见反馈")
            continue
        reason = f"本期答复{agg['answered']}件，其中按期{agg['on_time']}件"
        if agg["overdue"]:
            reason += f"；{agg['overdue']}件超期未答复"
        out[pk] = (agg["on_time"] / total, reason)
    return out


def home_figures(user):
    if managed_scope(user) is None:
        return []
    open_ = restrict(Feedback.objects.filter(status="open"), user, "change")
    today = timezone.localdate()
    return [
        ("待答复意见反馈", open_.count(), "件", reverse("democracy:feedback_list") + "?status=open"),
        ("超期未答复", open_.filter(due_on__lt=today).count(), "件", reverse("democracy:feedback_list") + "?overdue=1"),
    ]


def member_todo_items(user) -> list:
    """A member's own: consultations addressed to them still without their opinion, and
    the results of those they answered, decided in the last RESULT_TODO_DAYS days."""
    from . import rules
    from .selectors import consultations_for_member

    member_id = getattr(user, "member_id", None)
    if not member_id:
        return []
    today = timezone.localdate()
    url = reverse("democracy:my_consultations")
    mine = consultations_for_member(member_id)
    answered = Opinion.objects.filter(member_id=member_id).values("consultation_id")
    rows = list(
        mine.filter(
            Q(status=Consultation.Status.OPEN, deadline__gte=today) & ~Q(pk__in=answered)
            | Q(
                status=Consultation.Status.DECIDED, decided_on__gte=today - datetime.timedelta(days=rules.RESULT_TODO_DAYS), pk__in=answered
            )
        ).order_by("deadline", "id")[:10]
    )
    return [
        TodoItem(
            module="征求意见",
            title=(f"提交意见：{c.title}" if c.status == Consultation.Status.OPEN else f"征求意见结果：{c.title}"),
            url=url,
            due=c.deadline if c.status == Consultation.Status.OPEN else None,
            kind="征求意见" if c.status == Consultation.Status.OPEN else "征求意见结果",
        )
        for c in rows
    ]


def todo_items(user):
    """Managers' to-dos: feedback to answer, consultations past their deadline without a
    recorded decision, rectification items past their deadline."""
    scope = managed_scope(user)
    if scope is None:
        return []
    today = timezone.localdate()
    items = []
    add_first(
        items,
        Feedback.objects.filter(within(scope), status="open").select_related("organisation").order_by("due_on", "id"),
        module="意见反馈",
        url=reverse("democracy:feedback_list") + "?status=open",
        due=today,
        describe=lambda n: f"另有{n}件意见反馈待答复",
        each=lambda fb: {
            "title": f"答复：{fb.subject}（{fb.raiser_name if fb.raiser_id is None else '党员反馈'}）",
            "url": reverse("democracy:feedback", args=[fb.pk]),
            "due": fb.due_on,
            "overdue": fb.due_on < today,
            "org": fb.organisation.name,
        },
    )
    add_first(
        items,
        restrict(Consultation.objects.filter(status="open", deadline__lt=today), user, "change")
        .select_related("organisation")
        .order_by("deadline", "id"),
        module="征求意见",
        kind="登记决定结果",
        url=reverse("democracy:consultations") + "?status=open",
        due=today,
        describe=lambda n: f"另有{n}项征求意见已截止未登记决定结果",
        each=lambda c: {
            "title": f"登记决定结果：{c.title}（{c.deadline}已截止）",
            "url": reverse("democracy:consultation", args=[c.pk]),
            "due": c.deadline,
            "overdue": True,
            "org": c.organisation.name,
        },
    )
    add_first(
        items,
        restrict(LifeRectification.objects.filter(status="open", deadline__lt=today), user, "change")
        .select_related("organisation")
        .order_by("deadline", "id"),
        module="生活会整改",
        url=reverse("democracy:life_meetings") + "?open=1",
        due=today,
        describe=lambda n: f"另有{n}项整改事项超过整改时限",
        each=lambda r: {
            "title": f"整改超期：{r.problem[:40]}（{r.responsible}，时限{r.deadline}）",
            "url": reverse("democracy:rectification_done", args=[r.pk]),
            "due": r.deadline,
            "overdue": True,
            "org": r.organisation.name,
        },
    )
    return items
