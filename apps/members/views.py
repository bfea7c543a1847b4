"""Member registry screens. Reads through restrict/get_in_scope (404 outside scope),
writes through apps.members.services with user=request.user."""

from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.forms import apply_service_errors
from apps.core.history import record_history
from apps.core.models import AccessLog
from apps.core.paging import keyset_page, page_number, page_of
from apps.core.scoping import ScopeError, can_act_on_org, get_in_scope, has_action, restrict, user_scope
from apps.orgs.models import Organisation

from . import codes, selectors, services
from .filters import ORDERING
from .forms import DecisionForm, DisciplineForm, MemberForm, MoveMemberForm, SelfEditForm, StatusForm
from .forms_filter import filter_fields
from .models import Member, MemberChangeRequest
from .picker import SUGGESTION_LIMIT, member_label, member_queryset, search

PAGE_SIZE = 50
REVEAL = {
    "id_number": (AccessLog.Kind.REVEAL_ID, "reveal_id_number", "身份证号"),
    "phone": (AccessLog.Kind.REVEAL_PHONE, "reveal_phone", "联系电话"),
}


def _data(request):
    """Bound form data on POST (even an empty POST), None on GET."""
    return request.POST if request.method == "POST" else None


def _member(request, pk, action="view"):
    return get_in_scope(Member.objects.select_related("organisation", "party_group"), request.user, action, pk=pk)


def _development_file_id(member):
    """The member's 发展档案, when they were developed through the system (one query)."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return member.development_file.pk
    except (ObjectDoesNotExist, AttributeError):
        return None


# The columns the roster shows, plus the sort keys its keyset links carry
# (apps.members.filters.ORDERING); a column not named here would cost a query per row.
ROSTER_COLUMNS = (
    "id",
    "name",
    "name_pinyin",
    "sex",
    "birth_date",
    "id_number_masked",
    "phone_masked",
    "organisation_id",
    "org_path",
    "member_type",
    "status",
    "join_date",
    "organisation__name",
    "organisation__short_name",
)
_SEX = dict(codes.SEX_CHOICES)
_MEMBER_TYPE = dict(codes.MEMBER_TYPE_CHOICES)
_STATUS = dict(codes.STATUS_CHOICES)
_PK_MARK = 987654321  # stands for the primary key in the reversed detail URL


@login_required
def member_list(request):
    """党员名册: at most 6 queries whatever the page (session, user, role assignments, the
    chosen organisation, the capped count, the rows); tests/members/test_roster_page.py."""
    user = request.user
    filterset = selectors.roster_filterset(user, request.GET, request=request)
    org = None
    if filterset.is_valid():
        qs = selectors.roster_of(filterset).select_related("organisation").only(*ROSTER_COLUMNS)
        chosen = getattr(filterset, "chosen_org", None)
        if chosen is not None and user_scope(user).covers_path(chosen.path):
            org = chosen  # the heading's organisation: inside the scope only
    else:
        qs = Member.objects.none().order_by(*ORDERING["org"])
    # keyset paging: deep pages read from the index where they start, never by OFFSET
    pager = keyset_page(qs, request, size=PAGE_SIZE, cap=selectors.roster_count_cap(request.GET))
    fields = filter_fields(filterset.form, type(filterset))
    fields.pop("org", None)  # carried by a hidden input when it names an organisation in scope
    main = [fields.pop(name) for name in ("q", "ordering") if name in fields]
    advanced = sum(1 for k, v in request.GET.lists() if k not in ("q", "ordering", "org", "page", "after", "before") and any(v))
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    change = user_scope(user, "change")
    return render(
        request,
        "members/list.html",
        {
            "filter": filterset,
            "main_fields": main,
            "more_fields": list(fields.values()),
            "rows": _roster_rows(pager.rows),
            "total": pager.total,
            "exact": pager.exact,
            "org": org,
            "advanced": advanced,
            "query": query.urlencode(),
            "pager": pager,
            # a role's organisation always exists, so only everything-scope needs to ask
            "can_create": bool(change.paths) or (change.everything and Organisation.objects.exists()),
            "can_export_full": has_action(user, "export_full"),
        },
    )


# One table row of the roster, built in Python: as a template loop the 50 rows × 11 values
# cost ≈ 3 ms of CPU per page (format_html ≈ 1 ms), str.format with html.escape ≈ 0.3 ms.
_ROW = '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
_STATUS_CELL = '<span class="badge warn">{}</span>'


def _roster_rows(members) -> SafeString:
    """The table's rows (the masked ID number and phone only, never the ciphertexts), with
    display labels from dicts and one reverse() per page instead of one per row. Every
    value is escaped (html.escape, as django.utils.html.escape does)."""
    head, tail = reverse("members:detail", args=[_PK_MARK]).split(str(_PK_MARK))
    link = escape(head) + "{}" + escape(tail)
    rows = []
    for m in members:
        status = escape(_STATUS.get(m.status, m.status))
        rows.append(
            _ROW.format(
                link.format(m.pk),
                escape(m.name),
                escape(_SEX.get(m.sex, m.sex)),
                m.birth_date.isoformat() if m.birth_date else "",
                escape(m.id_number_masked),
                escape(m.phone_masked or "—"),
                escape(m.organisation.display_name),
                escape(_MEMBER_TYPE.get(m.member_type, m.member_type)),
                status if m.status == "normal" else _STATUS_CELL.format(status),
                m.join_date.isoformat() if m.join_date else "",
            )
        )
    return mark_safe("\n".join(rows))  # every value escaped above


@login_required
def detail(request, pk):
    member = _member(request, pk)
    context = {
        "m": member,
        "categories": [c.get_code_display() for c in member.categories.all()],
        "status_history": list(member.status_history.all()),
        "org_history": list(member.org_history.select_related("from_org", "to_org")),
        "seats": list(member.committee_seats.select_related("organisation").order_by("-start_date")),
        "development_file_id": _development_file_id(member),
        "disciplines": list(member.disciplines.all()),
        "can_approve": can_act_on_org(request.user, member.organisation, "approve"),
        "history": record_history(member, limit=30, user=request.user),
        "can_change": can_act_on_org(request.user, member.organisation, "change"),
        "can_reveal": can_act_on_org(request.user, member.organisation, "reveal"),
        "can_view_org": can_act_on_org(request.user, member.organisation, "view"),  # not a member viewing themself
        "age": _age(member),
    }
    return render(request, "members/detail.html", context)


def _age(member):
    from .idnumber import age_on

    return age_on(member.birth_date, timezone.localdate())


@login_required
@never_cache
@require_POST
def reveal(request, pk, field):
    """The full ID number or phone of one member, for a user holding the "reveal" action
    on the member's organisation; every reveal is written to the access log."""
    if field not in REVEAL:
        raise Http404("未知字段")
    member = _member(request, pk)
    if not can_act_on_org(request.user, member.organisation, "reveal"):
        raise PermissionDenied("您没有查看完整个人信息的权限")
    kind, method, label = REVEAL[field]
    value = getattr(member, method)()
    AccessLog.record(
        kind,
        user=request.user,
        target=f"党员 {member.name}（#{member.pk}）{label}",
        org_path=member.org_path,
        member_id=member.pk,
        field=field,
    )
    response = HttpResponse(format_html('<span class="reveal-value">{}</span>', value or "（未填）"))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    org = None
    if request.GET.get("org"):
        org = (
            restrict(Organisation.objects.all(), request.user, "change").filter(pk=request.GET["org"]).first()
            if request.GET["org"].isdigit()
            else None
        )
    form = MemberForm(_data(request), user=request.user, organisation=org)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.create_member(form.service_data(), actor=request.user)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已建立党员“{member.name}”的档案")
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "title": "新增党员"})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    member = _member(request, pk, "change")
    form = MemberForm(_data(request), user=request.user, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.update_member(member, form.service_data(), actor=request.user)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "m": member, "title": f"修改党员“{member.name}”"})


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request, pk):
    member = _member(request, pk, "change")
    form = StatusForm(_data(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.change_status(
                member,
                d["status"],
                date=d["date"],
                reason=d.get("reason") or "",
                lost_contact_reason=d.get("lost_contact_reason") or "",
                actor=request.user,
            )
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "党籍状态已变更")
            return redirect("members:detail", pk=member.pk)
    return render(
        request, "members/action_form.html", {"form": form, "m": member, "title": f"党籍状态变更：{member.name}", "submit": "确认变更"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline(request, pk):
    """Record a 党纪处分 (higher committee: the "approve" action; others get 404)."""
    member = _member(request, pk, "approve")
    form = DisciplineForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_discipline(member, form.cleaned_data, actor=request.user)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "党纪处分已记录")
            return redirect("members:detail", pk=member.pk)
    return render(
        request, "members/action_form.html", {"form": form, "m": member, "title": f"记录党纪处分：{member.name}", "submit": "确认记录"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request, pk):
    member = _member(request, pk, "change")
    form = MoveMemberForm(_data(request), user=request.user, member=member)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.move_member(member, d["organisation"], date=d["date"], reason=d.get("reason") or "", actor=request.user)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已将{member.name}的组织关系转至“{d['organisation'].name}”")
            return redirect("members:detail", pk=member.pk)
    return render(
        request, "members/action_form.html", {"form": form, "m": member, "title": f"组织关系调整：{member.name}", "submit": "确认调整"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def me(request):
    """The member role's own record: view it, edit only roles.SELF_EDITABLE_FIELDS."""
    if not request.user.member_id:
        raise Http404("您的账号未关联党员档案")
    member = get_in_scope(Member.objects.select_related("organisation"), request.user, "change_self", pk=request.user.member_id)
    form = SelfEditForm(_data(request), instance=member)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if not data:
            messages.info(request, "没有修改")
            return redirect("members:me")
        try:
            _member_obj, requests = services.update_member_self(member, data, actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存" + ("，学历/学位修改已提交党支部审核" if requests else ""))
            return redirect("members:me")
    return render(
        request,
        "members/me.html",
        {
            "m": member,
            "form": form,
            "categories": [c.get_code_display() for c in member.categories.all()],
            "status_history": list(member.status_history.all()),
            "change_requests": list(member.change_requests.all()[:10]),
        },
    )


@login_required
def change_requests(request):
    """Pending requests of members in scope to change reviewed fields (学历, 学位)."""
    page = page_of(selectors.change_request_list(request.user, request.GET), request)
    return render(request, "members/change_requests.html", {"page": page, "form": DecisionForm()})


def _back_to_change_requests(request):
    """Back to the page of the queue the decision was made on (?page= of the form)."""
    url = reverse("members:change_requests")
    number = page_number(request, posted=True)
    return redirect(f"{url}?page={number}" if number > 1 else url)


@require_POST
@login_required
def decide_request(request, pk):
    req = get_in_scope(MemberChangeRequest.objects.select_related("member"), request.user, "change", pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结果")
        return _back_to_change_requests(request)
    try:
        services.decide_change_request(
            req, approve=form.cleaned_data["decision"] == "approve", actor=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已审核：{req}")
    return _back_to_change_requests(request)


@login_required
@never_cache
def picker(request):
    """Suggestions for the member picker (apps.members.picker): at most SUGGESTION_LIMIT
    members of the user's scope for ?action=, under ?org= (only a narrowing: the members
    are restricted to the user's scope whatever the organisation, as in the member list's
    filter; a branch secretary picks introducers under the township committee), matching
    the text; ?full=1: 正式党员 in normal standing. Fixed query count."""
    g = request.GET
    q = g.get("q") or g.get(g.get("input") or "q", "")
    action = g.get("action", "view")
    under = None
    if g.get("org"):
        under = Organisation.objects.filter(pk=_int_or_zero(g["org"])).only("path").first()
        if under is None:
            return render(request, "members/_picker_options.html", {"members": [], "q": q.strip(), "limit": SUGGESTION_LIMIT})
    qs = member_queryset(request.user, action, under, full_only=g.get("full") == "1")
    rows, more = search(qs, q) if q.strip() else ([], False)
    for m in rows:
        m.label = member_label(m)
    return render(request, "members/_picker_options.html", {"members": rows, "more": more, "q": q.strip(), "limit": SUGGESTION_LIMIT})


def _int_or_zero(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
