"""Organisation screens: tree browser, detail, create/edit/move/dissolve, committee seats,
terms due. Every read goes through restrict/get_in_scope (404 outside scope), every write
through apps.orgs.services (or apps.orgs.committee) with user=request.user."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.core.api.pagination import capped_count
from apps.core.forms import apply_service_errors
from apps.core.history import record_history
from apps.core.scoping import ScopeError, can_act_on_org, get_in_scope, restrict, user_scope

from . import committee, rules, selectors, services
from .forms import CommitteeSeatForm, DissolveForm, EndSeatForm, MoveOrganisationForm, OrganisationForm
from .models import CommitteeMember, Organisation
from .picker import SUGGESTION_LIMIT, picker_queryset, search

TERM_BADGE = selectors.TERM_BADGE
PAGE_SIZE = 50


def _data(request):
    """Bound form data on POST (even an empty POST), None on GET."""
    return request.POST if request.method == "POST" else None


def _org(request, pk, action="view"):
    return get_in_scope(Organisation.objects.all(), request.user, action, pk=pk)


@login_required
def tree(request):
    roots = selectors.with_counts(selectors.scope_roots(request.user))
    return render(request, "orgs/tree.html", {"roots": roots})


@login_required
def children(request, pk):
    """htmx partial: the children of one organisation, with their subtree member counts."""
    org = _org(request, pk)
    kids = selectors.children_with_counts(org, restrict(Organisation.objects.all(), request.user))
    return render(request, "orgs/_children.html", {"nodes": kids})


@login_required
def detail(request, pk):
    org = _org(request, pk)
    seats = list(org.committee.filter(end_date__isnull=True).select_related("member").order_by("role", "id"))
    kids = selectors.children_with_counts(org, restrict(Organisation.objects.all(), request.user))
    state = services.term_state(org)
    context = {
        "org": org,
        "ancestors": selectors.ancestors(org, request.user),
        "seats": seats,
        "children": kids,
        "subtree_members": services.subtree_member_count(org),
        "term_state": state,
        "term_badge": TERM_BADGE[state],
        "term_rule": services.term_years(org.org_type, org.unit_type),
        "warnings": services.structure_warnings(org),
        "history": record_history(org, limit=30, user=request.user),
        "can_change": can_act_on_org(request.user, org, "change"),
        # Moving or dissolving an organisation is its parent's business: offered only to
        # users who may change the parent (a branch secretary cannot move their own branch).
        "can_restructure": org.depth > 1 and user_scope(request.user, "change").covers_path(org.path[: -Organisation.steplen]),
        "is_active": org.status == Organisation.Status.ACTIVE,
    }
    return render(request, "orgs/detail.html", context)


def _form_page(request, template, form, **context):
    return render(request, template, {"form": form, **context})


@login_required
@require_http_methods(["GET", "POST"])
def create(request, parent_pk):
    parent = _org(request, parent_pk, "change")
    form = OrganisationForm(_data(request), parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organisation(form.service_data(), parent=parent, actor=request.user)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已建立“{org.name}”")
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, "orgs/form.html", form, parent=parent, title=f"在“{parent.name}”下新建组织")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    org = _org(request, pk, "change")
    form = OrganisationForm(_data(request), instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.update_organisation(org, form.service_data(), actor=request.user)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, "orgs/form.html", form, org=org, title=f"修改“{org.name}”")


@login_required
@require_http_methods(["GET", "POST"])
def move(request, pk):
    org = _org(request, pk, "change")
    form = MoveOrganisationForm(_data(request), org=org, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.move_subtree(org, form.cleaned_data["parent"], actor=request.user)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已将“{org.name}”及其下级组织、党员移至“{form.cleaned_data['parent'].name}”之下")
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, "orgs/move.html", form, org=org)


@login_required
@require_http_methods(["GET", "POST"])
def dissolve(request, pk):
    org = _org(request, pk, "change")
    form = DissolveForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            org = services.dissolve_organisation(org, date=form.cleaned_data.get("date"), actor=request.user)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已撤销“{org.name}”")
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, "orgs/dissolve.html", form, org=org, subtree_members=services.subtree_member_count(org))


@login_required
@require_http_methods(["GET", "POST"])
def seat_add(request, pk):
    org = _org(request, pk, "change")
    form = CommitteeSeatForm(_data(request), org=org, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            committee.add_committee_seat(
                org, data.get("member"), data.get("role") or "", start_date=data.get("start_date"), actor=request.user
            )
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已添加班子成员")
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, "orgs/seat_form.html", form, org=org)


@login_required
@require_http_methods(["GET", "POST"])
def seat_end(request, seat_pk):
    seat = get_in_scope(CommitteeMember.objects.select_related("organisation", "member"), request.user, "change", pk=seat_pk)
    form = EndSeatForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            committee.end_committee_seat(seat, end_date=form.cleaned_data.get("end_date"), actor=request.user)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已办理离任")
            return redirect("orgs:detail", pk=seat.organisation_id)
    return _form_page(request, "orgs/seat_end.html", form, seat=seat, org=seat.organisation)


@login_required
def terms(request):
    qs = selectors.terms_list(request.user, request.GET)
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    offset = (page - 1) * PAGE_SIZE
    rows = list(qs[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    today = timezone.localdate()
    rows = selectors.with_term_state(rows[:PAGE_SIZE], today)
    for org in rows:
        org.badge = TERM_BADGE[org.state]
    total, exact = capped_count(qs)
    return render(
        request,
        "orgs/terms.html",
        {"rows": rows, "page": page, "has_next": has_next, "total": total, "exact": exact, "today": today},
    )


@login_required
@never_cache
def picker(request):
    """Suggestions for the organisation picker (apps.orgs.picker): at most
    SUGGESTION_LIMIT organisations of the user's scope for ?action= matching the text, as
    an HTML fragment. ?input= names the text input htmx sends (<field>_text); ?q= also works.
    Two queries (the user's role assignments and the search) whatever the tree size."""
    g = request.GET
    q = g.get("q") or g.get(g.get("input") or "q", "")
    types = [t for t in g.get("types", "").split(",") if t in dict(rules.ORG_TYPES)]
    qs = picker_queryset(request.user, g.get("action", "view"), types, active_only=g.get("all") != "1")
    orgs, more = search(qs, q)
    return render(request, "orgs/_picker_options.html", {"orgs": orgs, "more": more, "q": q.strip(), "limit": SUGGESTION_LIMIT})
