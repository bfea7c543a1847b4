"""Reads for the organisation screens and API with a fixed number of queries whatever
the number of rows: subtree member totals are SUMs of direct_member_count grouped by
path prefix (one query per tree depth present in the list, never one per row)."""

from collections import defaultdict

from django.db.models import Sum
from django.db.models.functions import Substr

from apps.core.figures import enclosing
from apps.core.scoping import user_scope

from .models import Organisation

STEP = Organisation.steplen
# term_state → (badge class, label), as the pages and the 换届提醒 export show it
TERM_BADGE = {"overdue": ("danger", "已到期"), "due": ("warn", "即将到期"), "ok": ("ok", "任期内"), "": ("", "未记录")}


def subtree_counts(orgs) -> dict[int, int]:
    """{org.pk: members counted in org's subtree} for the given organisations."""
    orgs = list(orgs)
    by_depth: dict[int, list[Organisation]] = defaultdict(list)
    for org in orgs:
        by_depth[org.depth].append(org)
    totals: dict[str, int] = {}
    for depth, group in by_depth.items():
        length = depth * STEP
        # ONE range for the whole group, however many organisations it holds (an OR of a
        # LIKE per organisation fails on SQLite past ~1000 of them); prefixes of other
        # organisations it takes in are simply not looked up below.
        rows = (
            Organisation.objects.filter(enclosing([o.path for o in group], "path"), depth__gte=depth)
            .order_by()
            .annotate(prefix=Substr("path", 1, length))
            .values("prefix")
            .annotate(n=Sum("direct_member_count"))
            .values_list("prefix", "n")
        )
        totals.update(dict(rows))
    return {o.pk: totals.get(o.path, 0) or 0 for o in orgs}


def child_units(org: Organisation, *, or_self: bool = False) -> list[Organisation]:
    """The organisations one level below org, party groups left out (a party group is not
    a unit that reports): the rows of every per-child breakdown. With or_self, an
    organisation without children stands for itself."""
    children = list(
        Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).exclude(org_type="party_group").order_by("path")
    )
    return children or ([org] if or_self else [])


def per_child(org: Organisation, queryset, path_field: str, *, by: tuple[str, ...] = (), **aggregates) -> dict:
    """Aggregates of `queryset` summed per subtree one level below org, in ONE grouped
    query: {child path: {aggregate name: value}} (with `by` fields, the key is
    (child path, *values of by)). `path_field` is the rows' organisation path ("path" for
    organisations, "org_path" for copies). Rows sitting on org itself fall under org's
    own path prefix, which no child has."""
    width = (org.depth + 1) * STEP
    rows = (
        queryset.filter(**{f"{path_field}__startswith": org.path})
        .order_by()
        .annotate(child_prefix=Substr(path_field, 1, width))
        .values("child_prefix", *by)
        .annotate(**aggregates)
    )
    out = {}
    for row in rows:
        key = (row["child_prefix"], *(row[b] for b in by)) if by else row["child_prefix"]
        out[key] = {name: row[name] for name in aggregates}
    return out


def children_with_counts(parent: Organisation, queryset=None):
    """The direct children of parent, each with .subtree_members set (2 queries)."""
    qs = queryset if queryset is not None else Organisation.objects.all()
    children = list(qs.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("path"))
    if children:
        rows = (
            Organisation.objects.filter(path__startswith=parent.path, depth__gt=parent.depth)
            .order_by()
            .annotate(prefix=Substr("path", 1, (parent.depth + 1) * STEP))
            .values("prefix")
            .annotate(n=Sum("direct_member_count"))
            .values_list("prefix", "n")
        )
        totals = dict(rows)
        for c in children:
            c.subtree_members = totals.get(c.path, 0) or 0
    return children


def with_counts(orgs):
    """Set .subtree_members on each organisation of a list (one query per depth)."""
    orgs = list(orgs)
    counts = subtree_counts(orgs)
    for o in orgs:
        o.subtree_members = counts[o.pk]
    return orgs


def parents_of(orgs) -> dict[int, Organisation]:
    """{org.pk: parent} in one query (the parent's path is the child's minus one step)."""
    orgs = list(orgs)
    paths = {o.path[:-STEP] for o in orgs if o.depth > 1}
    parents = {p.path: p for p in Organisation.objects.filter(path__in=paths)} if paths else {}
    return {o.pk: parents.get(o.path[:-STEP]) for o in orgs}


def scope_roots(user, action: str = "view"):
    """The top organisations of the user's scope (the tree browser's starting nodes)."""
    scope = user_scope(user, action)
    if scope.everything:
        return Organisation.objects.filter(depth=1).order_by("path")
    if not scope.paths:
        return Organisation.objects.none()
    return Organisation.objects.filter(path__in=scope.paths).order_by("path")


def ancestors(org: Organisation, user, action: str = "view"):
    """The organisation's ancestors the user may see (breadcrumbs), one query."""
    paths = [org.path[: i * STEP] for i in range(1, org.depth)]
    if not paths:
        return []
    return list(Organisation.objects.restrict(user, action).filter(path__in=paths).order_by("depth"))


def terms_list(user, params=None):
    """换届提醒: organisations in scope whose term ends within the reminder window or is
    overdue, soonest first (complete a page of them with with_term_state)."""
    from apps.core.scoping import restrict

    from .services import terms_due

    return terms_due(restrict(Organisation.objects.all(), user))


def with_term_state(orgs, today=None) -> list[Organisation]:
    """Give each organisation `.state` (term_state) and `.parent_org`, one query."""
    from .services import term_state

    orgs = list(orgs)
    parents = parents_of(orgs)
    for org in orgs:
        org.state = term_state(org, today)
        org.parent_org = parents.get(org.pk)
    return orgs


TODO_TERMS = 30  # organisations listed in the to-do list; a line says how many more


def todo_items(user) -> list:
    """换届: organisations the user acts for whose term has ended or ends within the
    reminder window (domain-rules §8), overdue first."""
    from django.urls import reverse
    from django.utils import timezone

    from apps.core.scoping import restrict
    from apps.core.todo import TodoItem, first_of

    from .services import terms_due

    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    items: list = []
    due = terms_due(restrict(Organisation.objects.all(), user, "change"), today)
    orgs = first_of(
        due,
        TODO_TERMS,
        items,
        module="组织",
        url=reverse("orgs:terms"),
        due=today,
        kind="换届",
        describe=lambda more: f"另有{more}个党组织任期届满或即将届满，此处只列最早的{TODO_TERMS}个",
    )
    for org in orgs:
        overdue = org.term_end < today
        items.append(
            TodoItem(
                module="组织",
                title=f"{org.name}任期{'已于' if overdue else '将于'}{org.term_end:%Y-%m-%d}届满，请{'尽快' if overdue else '按期'}换届",
                url=reverse("orgs:detail", args=[org.pk]),
                due=org.term_end,
                overdue=overdue,
                org=org.name,
                kind="换届",
            )
        )
    return items
