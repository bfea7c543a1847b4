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

from .models import Feedback, Notice


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


def _ancestor_paths(path: str) -> list[str]:
    return [path[:n] for n in range(4, len(path) + 1, 4)]


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
    above = [p for p in _ancestor_paths(path) if p != path]
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
    above = [p for p in _ancestor_paths(org.path) if p != org.path]
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
