"""Read side of member screens. `roster` is the member list that the web page, the API
list and the Excel export all read, so that the three cannot drift; its filters are
apps.members.filters."""

from django.core.exceptions import ValidationError

from apps.core.api.pagination import COUNT_CAP
from apps.core.scoping import user_scope
from apps.orgs.models import Organisation

from .filters import ORDERING, MemberFilterSet
from .models import Member, MemberChangeRequest

# A text search counts its matches only this far ("超过1000条"): a count reads every matching
# row from the table (the name conditions are an OR of four indexes, never index-only), so
# "ly" at province level read 10,001 rows for its total where the page itself reads ~2,500
# index entries (docs/performance.md, "Pinyin search").
SEARCH_COUNT_CAP = 1_000


def roster_count_cap(params) -> int:
    """How far the roster's total is counted for these parameters."""
    return SEARCH_COUNT_CAP if (params.get("q") or "").strip() else COUNT_CAP


def roster_filterset(user, params, *, action: str = "view", request=None) -> MemberFilterSet:
    """The member list's filter set over the user's scope for `action`, bound to `params`.

    One path condition: when the chosen organisation (`org`) lies inside the scope, its
    subtree condition alone confines the rows (the scope's own condition would only repeat
    a wider prefix, and made PostgreSQL combine two LIKE ranges); otherwise the scope
    condition applies and the organisation filter narrows it (to nothing if outside).
    Check `is_valid()` before reading `.qs`."""
    filterset = MemberFilterSet(params, queryset=Member.objects.none(), request=request)
    base = None
    if filterset.is_valid():
        org_id = filterset.form.cleaned_data.get("org")
        if org_id is not None:
            # name and short_name: the web list's heading shows the organisation (no second lookup)
            org = Organisation.objects.filter(pk=org_id).only("path", "name", "short_name").first()
            filterset.chosen_org = org  # filter_org reuses it: one lookup per request
            if org is not None and user_scope(user, action).covers_path(org.path):
                base = Member.objects.all()  # MemberFilterSet.filter_org adds the subtree condition
    filterset.queryset = base if base is not None else Member.objects.restrict(user, action)
    return filterset


def roster(user, params, *, action: str = "view", request=None):
    """The filtered, ordered roster queryset (ValidationError on bad parameters)."""
    return roster_of(roster_filterset(user, params, action=action, request=request))


def roster_of(filterset):
    """The filtered, ordered roster queryset of a filter set made by roster_filterset
    (ValidationError on bad parameters); for a caller that also shows the filter set's form."""
    if not filterset.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in filterset.errors.items()})
    qs = filterset.qs
    if not filterset.form.cleaned_data.get("ordering"):
        qs = qs.order_by(*ORDERING["org"])
    return qs


def change_request_list(user, params=None):
    """党员信息修改审核: pending requests of members in the user's "change" scope, oldest first."""
    return (
        MemberChangeRequest.objects.restrict(user, "change")
        .filter(status=MemberChangeRequest.Status.PENDING)
        .select_related("member__organisation")
        .order_by("requested_at", "id")
    )
