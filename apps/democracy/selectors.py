"""Reads of the democracy domain."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from apps.core.scoping import get_in_scope, restrict
from apps.members.filters import search_members
from apps.members.models import Member
from apps.orgs.models import Organisation

from . import rules
from .models import Consultation, Decision, Feedback, LifeRectification, Notice, Opinion


def feedback_list(user, params=None, as_of: datetime.date | None = None):
    """意见反馈 seen by the responsible or the originating organisation: ?status=,
    ?overdue=1 (open past the due date), ?q= (subject or raiser), ?org=."""
    params = params or {}
    as_of = as_of or timezone.localdate()
    qs = restrict(Feedback.objects.all(), user, "view").select_related("organisation", "origin", "raiser", "category")
    if params.get("org"):
        org = get_in_scope(Organisation.objects.all(), user, "view", pk=params["org"])
        qs = qs.filter(Q(org_path__startswith=org.path) | Q(origin_path__startswith=org.path))
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(subject__contains=q) | Q(raiser_id__in=search_members(Member.objects.all(), q).values("pk")) | Q(citizen_name__startswith=q)
        )
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("overdue"):
        qs = qs.filter(status=Feedback.Status.OPEN, due_on__lt=as_of)
    return qs.order_by("due_on" if params.get("overdue") else "-raised_on", "-id")


def my_feedback(user):
    if not getattr(user, "member_id", None):
        return Feedback.objects.none()
    return Feedback.objects.filter(raiser_id=user.member_id).select_related("organisation", "category").order_by("-raised_on", "-id")


def live(qs, as_of: datetime.date | None = None):
    as_of = as_of or timezone.localdate()
    return qs.filter(publish_on__lte=as_of).filter(Q(withdraw_on__isnull=True) | Q(withdraw_on__gt=as_of))


def notices_for_member(member_id: int, as_of: datetime.date | None = None):
    """The live notices addressed to a member: their own organisation's (any audience),
    and those of an organisation above with the audience “subtree” or the public board."""
    member = Member.objects.filter(pk=member_id).values("org_path").first()
    if member is None:
        return Notice.objects.none()
    path = member["org_path"]
    above = [p for p in Organisation.ancestor_paths(path) if p != path]
    return live(Notice.objects.filter(Q(org_path=path) | Q(org_path__in=above, audience__in=["subtree", "public"])), as_of)


def notice_list(user, params=None):
    """党务公开 managed in scope, with read-receipt counts (annotated): ?q=, ?category=, ?org=."""
    params = params or {}
    qs = restrict(Notice.objects.all(), user, "view").select_related("organisation", "category")
    if params.get("org"):
        org = get_in_scope(Organisation.objects.all(), user, "view", pk=params["org"])
        qs = qs.filter(org_path__startswith=org.path)
    if params.get("q"):
        qs = qs.filter(title__contains=params["q"].strip())
    if params.get("category"):
        qs = qs.filter(category__code=params["category"])
    return qs.annotate(read_count=Count("reads")).order_by("-publish_on", "-id")


def board(org: Organisation, as_of: datetime.date | None = None):
    """A branch's public board: its own live notices and those of the organisations above
    addressed to their subtree or the public."""
    above = [p for p in Organisation.ancestor_paths(org.path) if p != org.path]
    qs = Notice.objects.filter(Q(org_path=org.path) | Q(org_path__in=above, audience__in=["subtree", "public"]))
    return live(qs, as_of).select_related("organisation", "category").order_by("-publish_on", "-id")


def chosen_org(user, params, action="view"):
    raw = params.get("org")
    if raw:
        return get_in_scope(Organisation.objects.all(), user, action, pk=raw)
    org = restrict(Organisation.objects.all(), user, action).order_by("depth", "path").first()
    if org is None:
        raise Http404("您没有可查看的党组织")
    return org


# ── 征求意见 ───────────────────────────────────────────────────────────────────────────
def consultations_for_member(member_id: int):
    """The consultations addressed to a member: their own organisation's, and those of an
    organisation above with the audience “subtree”."""
    member = Member.objects.filter(pk=member_id).values("org_path").first()
    if member is None:
        return Consultation.objects.none()
    path = member["org_path"]
    above = [p for p in Organisation.ancestor_paths(path) if p != path]
    return Consultation.objects.filter(Q(org_path=path) | Q(org_path__in=above, audience="subtree"))


def consultation_list(user, params=None):
    """征求意见 in scope with the opinion counts by stance (annotated): ?q=, ?status=, ?org=."""
    params = params or {}
    qs = restrict(Consultation.objects.all(), user, "view").select_related("organisation")
    if params.get("org"):
        org = get_in_scope(Organisation.objects.all(), user, "view", pk=params["org"])
        qs = qs.filter(org_path__startswith=org.path)
    if params.get("q"):
        qs = qs.filter(title__contains=params["q"].strip())
    if params.get("status") in Consultation.Status.values:
        qs = qs.filter(status=params["status"])
    return qs.annotate(
        opinion_count=Count("opinions"),
        agree_count=Count("opinions", filter=Q(opinions__stance="agree")),
        disagree_count=Count("opinions", filter=Q(opinions__stance="disagree")),
        suggest_count=Count("opinions", filter=Q(opinions__stance="suggest")),
    ).order_by("-opens_on", "-id")


def opinions_of(consultation):
    """The opinions as the organisation sees them: the member's name is withheld for an
    anonymous one (the page and the export read `shown_name`)."""
    rows = list(Opinion.objects.filter(consultation=consultation).select_related("member").order_by("id"))
    for o in rows:
        o.shown_name = "匿名" if o.anonymous else o.member.name
    return rows


def opinion_rows(user, params=None):
    """The export of one consultation's opinions (?consultation=<id>, in scope)."""
    params = params or {}
    raw = str(params.get("consultation") or "")
    if not raw.isdigit():
        return Opinion.objects.none()
    c = get_in_scope(Consultation.objects.all(), user, "view", pk=raw)
    return Opinion.objects.filter(consultation=c).select_related("member").order_by("id")


def my_consultations(member_id: int, as_of=None):
    """(open ones addressed to the member with their own opinion if any, decided ones)."""
    as_of = as_of or timezone.localdate()
    qs = consultations_for_member(member_id).select_related("organisation")
    mine = {o.consultation_id: o for o in Opinion.objects.filter(member_id=member_id, consultation__in=qs)}
    open_ = list(qs.filter(status=Consultation.Status.OPEN, deadline__gte=as_of).order_by("deadline", "id")[:50])
    done = list(qs.exclude(status=Consultation.Status.OPEN, deadline__gte=as_of).order_by("-deadline", "-id")[:50])
    for c in open_ + done:
        c.my_opinion = mine.get(c.pk)
    return open_, done


# ── 集体决策 ───────────────────────────────────────────────────────────────────────────
def decision_list(user, params=None):
    """集体决策记录 in scope: ?q= (topic), ?category=, ?org=, ?year=."""
    params = params or {}
    qs = restrict(Decision.objects.all(), user, "view").select_related("organisation", "meeting", "consultation")
    if params.get("org"):
        org = get_in_scope(Organisation.objects.all(), user, "view", pk=params["org"])
        qs = qs.filter(org_path__startswith=org.path)
    if params.get("q"):
        qs = qs.filter(topic__contains=params["q"].strip())
    if params.get("category") in dict(rules.DECISION_CATEGORIES):
        qs = qs.filter(category=params["category"])
    year = str(params.get("year") or "")
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(decided_on__year=int(year))
    return qs.order_by("-decided_on", "-id")


# ── 生活会 (orglife's meetings) and their rectification lists ────────────────────────────
def life_meetings(user, params=None):
    """The 民主生活会/组织生活会 recorded in orglife, in scope, with the counts of their
    rectification items (open, done) from this app: ?org=, ?year=, ?open=1 (with open items)."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from apps.orglife.models import Meeting

    params = params or {}
    qs = restrict(Meeting.objects.filter(kind__in=rules.LIFE_MEETING_KINDS, status="held"), user, "view").select_related("organisation")
    if params.get("org"):
        org = get_in_scope(Organisation.objects.all(), user, "view", pk=params["org"])
        qs = qs.filter(org_path__startswith=org.path)
    year = str(params.get("year") or "")
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(held_on__year=int(year))

    def counted(status):
        sub = (
            LifeRectification.objects.filter(meeting=OuterRef("pk"), status=status)
            .order_by()
            .values("meeting")
            .annotate(n=Count("id"))
            .values("n")
        )
        return Coalesce(Subquery(sub), 0)

    qs = qs.annotate(open_items=counted("open"), done_items=counted("done"))
    if params.get("open"):
        qs = qs.filter(open_items__gt=0)
    return qs.order_by("-held_on", "-id")


def rectification_list(user, params=None, as_of=None):
    """生活会整改事项 in scope: ?status=, ?overdue=1, ?org=, ?meeting=."""
    params = params or {}
    as_of = as_of or timezone.localdate()
    qs = restrict(LifeRectification.objects.all(), user, "view").select_related("organisation", "meeting")
    if params.get("org"):
        org = get_in_scope(Organisation.objects.all(), user, "view", pk=params["org"])
        qs = qs.filter(org_path__startswith=org.path)
    meeting = str(params.get("meeting") or "")
    if meeting.isdigit():
        qs = qs.filter(meeting_id=int(meeting))
    if params.get("status") in LifeRectification.Status.values:
        qs = qs.filter(status=params["status"])
    if params.get("overdue"):
        qs = qs.filter(status="open", deadline__lt=as_of)
    return qs.order_by("status", "deadline", "id")


def decision_choices(user, org_id) -> tuple:
    """(meetings, consultations) a collective decision of organisation `org_id` may refer
    to: the organisation's own held committee/general meetings and its consultations of
    the last DECISION_CHOICE_DAYS days, within the user's change scope (none for an
    organisation outside it)."""
    from apps.orglife.models import Meeting

    if not str(org_id or "").isdigit():
        return Meeting.objects.none(), Consultation.objects.none()
    since = timezone.localdate() - datetime.timedelta(days=rules.DECISION_CHOICE_DAYS)
    meetings = restrict(
        Meeting.objects.filter(organisation_id=int(org_id), status="held", kind__in=rules.DECISION_MEETING_KINDS, held_on__gte=since),
        user,
        "change",
    ).order_by("-held_on", "-id")
    consultations = restrict(Consultation.objects.filter(organisation_id=int(org_id), opens_on__gte=since), user, "change").order_by(
        "-opens_on", "-id"
    )
    return meetings, consultations
