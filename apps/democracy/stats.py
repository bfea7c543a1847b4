"""Democracy figures: statistics, monthly report, org metric (feedback answered on time),
home figures and to-do. Fixed numbers of aggregate queries over the subtree."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from apps.core.scoping import restrict, user_scope
from apps.core.todo import TodoItem, first_of
from apps.orgs.models import Organisation

from .models import Feedback, Notice

LABELS = {
    "year": "年度",
    "feedback": "本年收到反馈（件）",
    "answered": "已答复（件）",
    "on_time": "按期答复（件）",
    "overdue_open": "超期未答复（件）",
    "escalated": "上交上级（件）",
    "notices": "本年党务公开（条）",
}


def _feedback_figures(org, start, end, as_of):
    sub = Q(org_path__startswith=org.path) | Q(origin_path__startswith=org.path)
    return Feedback.objects.filter(sub).aggregate(
        raised=Count("id", filter=Q(raised_on__gte=start, raised_on__lt=end)),
        answered=Count("id", filter=Q(answered_on__gte=start, answered_on__lt=end)),
        on_time=Count("id", filter=Q(answered_on__gte=start, answered_on__lt=end, answered_in_time=True)),
        overdue_open=Count("id", filter=Q(status="open", due_on__lt=as_of)),
        escalated=Count("id", filter=Q(raised_on__gte=start, raised_on__lt=end, level__gt=0)),
    )


def contribute(org, as_of=None) -> dict:
    as_of = as_of or timezone.localdate()
    start, end = datetime.date(as_of.year, 1, 1), as_of + datetime.timedelta(days=1)
    f = _feedback_figures(org, start, end, as_of)
    notices = Notice.objects.filter(org_path__startswith=org.path, publish_on__gte=start, publish_on__lt=end).count()
    return {
        "democracy": {
            "label": "党内民主",
            "labels": LABELS,
            "year": as_of.year,
            "feedback": f["raised"],
            "answered": f["answered"],
            "on_time": f["on_time"],
            "overdue_open": f["overdue_open"],
            "escalated": f["escalated"],
            "notices": notices,
        }
    }


def cards(stats):
    d = stats["democracy"]
    rate = round(100 * d["on_time"] / d["answered"], 1) if d["answered"] else None
    return [
        (f"{d['year']}年意见反馈", d["feedback"], "件", None),
        ("按期答复率", "—" if rate is None else rate, "%", None),
        ("超期未答复", d["overdue_open"], "件", None),
        ("党务公开", d["notices"], "条", None),
    ]


def rows(stats):
    d = stats["democracy"]
    return [("党内民主", label, d[key], None) for key, label in LABELS.items() if key != "year"]


def report_figures(org, year, month):
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    f = _feedback_figures(org, start, end, min(end, timezone.localdate()))
    notices = Notice.objects.filter(org_path__startswith=org.path, publish_on__gte=start, publish_on__lt=end).count()
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
    if quarter:
        start = datetime.date(year, 3 * quarter - 2, 1)
        end = datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    else:
        start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    today = timezone.localdate()
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=list(org_ids))}
    # ONE range on the path (the organisations' common ancestor) whatever their number: an
    # OR of one LIKE per organisation grew with them, and SQLite refuses an expression
    # deeper than 1000; rows outside their own subtrees are left out by the walk below.
    prefix = _common_prefix([o.path for o in orgs.values()])
    cond = Q(org_path__startswith=prefix[: len(prefix) - len(prefix) % Organisation.steplen]) if orgs else Q(pk__in=[])
    rows = (
        Feedback.objects.filter(cond)
        .values("org_path")
        .annotate(
            answered=Count("id", filter=Q(answered_on__gte=start, answered_on__lt=end)),
            on_time=Count("id", filter=Q(answered_on__gte=start, answered_on__lt=end, answered_in_time=True)),
            overdue=Count("id", filter=Q(status="open", due_on__lt=min(end, today))),
        )
        .order_by()
    )
    sums = {pk: {"answered": 0, "on_time": 0, "overdue": 0} for pk in orgs}
    by_path = {org.path: pk for pk, org in orgs.items()}
    for r in rows:
        path = r["org_path"]
        for n in range(Organisation.steplen, len(path) + 1, Organisation.steplen):
            pk = by_path.get(path[:n])
            if pk is not None:
                for k in ("answered", "on_time", "overdue"):
                    sums[pk][k] += r[k]
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
    scope = user_scope(user, "change")
    if scope.empty or (not scope.everything and not scope.paths):
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
    from .models import Consultation, Opinion
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
    if not getattr(user, "is_authenticated", False):
        return []
    scope = user_scope(user, "change")
    if scope.empty or (not scope.everything and not scope.paths):
        return []
    today = timezone.localdate()
    items = []
    qs = Feedback.objects.filter(status="open")
    if not scope.everything:
        cond = Q(pk__in=[])
        for p in scope.paths:
            cond |= Q(org_path__startswith=p)
        qs = qs.filter(cond)  # only what this user's organisations must answer
    rows_ = first_of(
        qs.select_related("organisation").order_by("due_on", "id"),
        10,
        items,
        module="意见反馈",
        url=reverse("democracy:feedback_list") + "?status=open",
        due=today,
        describe=lambda n: f"另有{n}件意见反馈待答复",
    )
    for fb in rows_:
        items.append(
            TodoItem(
                module="意见反馈",
                title=f"答复：{fb.subject}（{fb.raiser_name if fb.raiser_id is None else '党员反馈'}）",
                url=reverse("democracy:feedback", args=[fb.pk]),
                due=fb.due_on,
                overdue=fb.due_on < today,
                org=fb.organisation.name,
            )
        )
    return items


def _common_prefix(paths: list[str]) -> str:
    """The longest prefix of all the paths (character-wise: the common ancestor's path
    once cut to whole steps by the caller)."""
    if not paths:
        return ""
    lo, hi = min(paths), max(paths)
    return lo[: next((i for i, (x, y) in enumerate(zip(lo, hi, strict=False)) if x != y), min(len(lo), len(hi)))]
