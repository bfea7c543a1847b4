"""Supervision web pages: parse input, find objects through the one scoping mechanism
(404 outside scope), call services. The rules live in services and rules.py."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from apps.core.formviews import saved
from apps.core.models import AccessLog
from apps.core.paging import page_of
from apps.core.scoping import OutOfScope, ScopeError, can_act_on_org, get_in_scope, has_action
from apps.core.xlsx import XLSX_CONTENT_TYPE
from apps.orgs.models import Organisation
from apps.orgs.picker import OrgFilterForm

from . import annual, forms, rules, selectors, services
from . import dashboard as dashboard_data
from .models import ChecklistVersion, Inspection, InstructorPost, InstructorReport, ModelPoint, ModelPointProgress, Rectification
from .periods import period_label, quarter_of

SCREEN_REFRESH_SECONDS = 300


def _filter_form(request):
    form = OrgFilterForm(request.GET, user=request.user)
    form.chosen()  # 404 for an id outside scope
    return form


# ── contact duties ────────────────────────────────────────────────────────────────────
@login_required
def contacts(request):
    today = timezone.localdate()
    can_assign = has_action(request.user, "approve")
    form = forms.AssignForm(request.POST or None, user=request.user, initial={"year": today.year}) if can_assign else None
    if request.method == "POST":
        if form is None:
            raise Http404("您没有安排挂钩联系的权限")
        done = saved(
            request,
            form,
            lambda d: services.assign_contact(d, actor=request.user),
            success=lambda a: f"已登记：{a}",
            then=lambda a: ("supervision:contact", a.pk),
        )
        if done:
            return done
    params = request.GET.copy()
    params.setdefault("year", str(today.year))  # the selector's default, shown in the filter
    page = page_of(selectors.assignments_for(request.user, params), request)
    leaders = {}
    for a in page.rows:
        leaders.setdefault(a.leader_id, (a.leader, []))[1].append(a)
    year = int(params["year"]) if str(params["year"]).isdigit() else today.year
    gaps = [
        (leader, missing)
        for leader, rows in leaders.values()
        if any(a.kind in rules.LEADER_PATTERN for a in rows) and (missing := selectors.pattern_gaps(leader, year, rows))
    ]
    context = {
        "page": page,
        "form": form,
        "params": params,
        "kinds": rules.CONTACT_KIND_CHOICES,
        "gaps": gaps,
        "quarter": quarter_of(today),
    }
    return render(request, "supervision/contacts.html", context)


@login_required
def contact(request, pk):
    assignment = selectors.assignment_in_scope(request.user, pk)
    can_record = can_act_on_org(request.user, assignment.organisation, "change")
    form = forms.VisitForm(request.POST or None, initial={"date": timezone.localdate()})
    done = saved(
        request,
        form,
        lambda d: services.record_visit(assignment, d, actor=request.user),
        success="已登记走访记录",
        then=("supervision:contact", assignment.pk),
    )
    if done:
        return done
    page = page_of(selectors.visits_of(assignment), request)
    return render(request, "supervision/contact.html", {"a": assignment, "page": page, "form": form, "can_record": can_record})


# ── checklist ─────────────────────────────────────────────────────────────────────────
def _items_from_post(post) -> list[dict]:
    rows = []
    n = 0
    while f"item-{n}-code" in post and n < 200:
        rows.append({f: post.get(f"item-{n}-{f}", "") for f in ("area", "code", "title", "evidence", "max_score", "metric")})
        n += 1
    return rows


@login_required
def checklist(request):
    from apps.core import registry

    version = services.current_checklist()
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    can_edit = root is not None and can_act_on_org(request.user, root, "configure")
    errors, rows = [], None
    if request.method == "POST":
        if not can_edit:
            raise Http404("只有县委组织部管理员可以修订检查表")
        rows = _items_from_post(request.POST)
        try:
            new = services.save_checklist(rows, note=request.POST.get("note", ""), actor=request.user)
        except ValidationError as exc:
            errors = [m for msgs in exc.message_dict.values() for m in msgs]
        else:
            messages.success(request, f"已保存{new}")
            return redirect("supervision:checklist")
    items = list(version.items.all())
    if rows is None:
        rows = [
            {"area": i.area, "code": i.code, "title": i.title, "evidence": i.evidence, "max_score": i.max_score, "metric": i.metric}
            for i in items
        ]
    rows = rows + [{"area": "", "code": "", "title": "", "evidence": "", "max_score": "", "metric": ""}] * 2
    context = {
        "version": version,
        "items": items,
        "max_total": sum(i.max_score for i in items),
        "versions": ChecklistVersion.objects.order_by("-number")[:20],
        "can_edit": can_edit,
        "rows": rows,
        "errors": errors,
        "areas": rules.AREA_CHOICES,
        "metrics": [(m.name, m.title) for m in registry.org_metrics],
    }
    return render(request, "supervision/checklist.html", context)


# ── inspections ───────────────────────────────────────────────────────────────────────
@login_required
def inspections(request):
    filter_form = _filter_form(request)
    page = page_of(selectors.inspection_list(request.user, request.GET), request)
    today = timezone.localdate()
    initial = {"year": today.year, "quarter": quarter_of(today)}
    context = {
        "page": page,
        "filter_form": filter_form,
        "kinds": Inspection.Kind.choices,
        "self_form": forms.SelfCheckForm(user=request.user, initial=initial) if has_action(request.user, "change") else None,
        "spot_form": forms.SpotCheckForm(user=request.user, initial=initial) if has_action(request.user, "approve") else None,
        "eval_form": forms.EvaluateForm(user=request.user, initial={"year": today.year}) if has_action(request.user, "approve") else None,
        "open_counts": selectors.open_rectifications([i.pk for i in page.rows]),
    }
    return render(request, "supervision/inspections.html", context)


def _form_page(request, form, title):
    return render(request, "supervision/form_page.html", {"form": form, "title": title}, status=200)


def _written(request, form, write, title, *, success, then):
    """A POST-only write whose refusal shows the form on this app's form page."""
    return saved(request, form, write, success=success, then=then) or _form_page(request, form, title)


@login_required
@require_POST
def selfcheck_new(request):
    return _written(
        request,
        forms.SelfCheckForm(request.POST, user=request.user),
        lambda d: services.start_self_check(d["org"], d["year"], d["quarter"], actor=request.user),
        "开始季度自查",
        success=lambda insp: f"已开始{insp}，按数据计分的项目已算好，请填写其余项目",
        then=lambda insp: ("supervision:inspection", insp.pk),
    )


@login_required
@require_POST
def spotcheck_new(request):
    return _written(
        request,
        forms.SpotCheckForm(request.POST, user=request.user),
        lambda d: services.start_spot_check(
            d["org"], d["year"], d["quarter"], seed=d["seed"], per_township=d["per_township"], actor=request.user
        ),
        "发起抽查",
        success=lambda rnd: f"已抽取{len(rnd.sample)}个组织（随机种子 {rnd.seed}）",
        then=lambda rnd: (
            reverse("supervision:inspections") + f"?kind=spot_check&year={rnd.year}&quarter={rnd.quarter}&org={rnd.organisation_id}"
        ),
    )


@login_required
@require_POST
def evaluate(request):
    return _written(
        request,
        forms.EvaluateForm(request.POST, user=request.user),
        lambda d: (d, services.evaluate_year(d["org"], d["year"], actor=request.user)),
        "年终考评",
        success=lambda rows: f"已完成{len(rows[1])}个组织的{rows[0]['year']}年年终考评",
        then=lambda rows: reverse("supervision:ranking") + f"?org={rows[0]['org'].pk}&year={rows[0]['year']}",
    )


@login_required
def inspection(request, pk):
    insp = get_in_scope(Inspection.objects.select_related("organisation", "version", "round"), request.user, "view", pk=pk)
    action = "change" if insp.kind == Inspection.Kind.SELF_CHECK else "approve"
    can_score = (
        insp.kind != Inspection.Kind.YEAR_END
        and insp.status == Inspection.Status.DRAFT
        and can_act_on_org(request.user, insp.organisation, action)
    )
    can_rectify = can_act_on_org(request.user, insp.organisation, action)
    errors = []
    if request.method == "POST":
        scores = {
            int(k.split("-", 1)[1]): {"score": v, "evidence": request.POST.get(f"evidence-{k.split('-', 1)[1]}", "")}
            for k, v in request.POST.items()
            if k.startswith("score-") and k.split("-", 1)[1].isdigit()
        }
        try:
            services.save_scores(insp, scores, note=request.POST.get("note", ""), submit="submit" in request.POST, actor=request.user)
        except OutOfScope:
            raise Http404("未找到该记录，或不在您的管理范围内") from None
        except ScopeError as exc:
            errors = [exc.message]
        except ValidationError as exc:
            errors = [m for msgs in exc.message_dict.values() for m in msgs]
        else:
            messages.success(request, "已提交" if "submit" in request.POST else "已保存")
            return redirect("supervision:inspection", insp.pk)
    rows = selectors.score_rows(insp)
    if request.method == "POST":
        for r in rows:
            if not r.computed:
                r.score = request.POST.get(f"score-{r.item_id}", r.score)
                r.evidence = request.POST.get(f"evidence-{r.item_id}", r.evidence)
    context = {
        "insp": insp,
        "rows": rows,
        "can_score": can_score,
        "can_rectify": can_rectify,
        "errors": errors,
        "rect_form": forms.RectifyForm(
            initial={"deadline": timezone.localdate() + datetime.timedelta(days=rules.RECTIFICATION_DEFAULT_DAYS)}
        ),
        "rectifications": insp.rectifications.order_by("status", "deadline", "id"),
        "period": period_label(insp.year, insp.quarter),
    }
    return render(request, "supervision/inspection.html", context)


@login_required
@require_POST
def rectify(request, pk):
    insp = get_in_scope(Inspection.objects.select_related("organisation"), request.user, "view", pk=pk)
    return _written(
        request,
        forms.RectifyForm(request.POST),
        lambda d: services.add_rectification(insp, d, actor=request.user),
        f"{insp} · 登记整改事项",
        success="已登记整改事项",
        then=("supervision:inspection", insp.pk),
    )


@login_required
def ranking(request):
    org = selectors.chosen_org(request.user, request.GET)
    if org is None:
        raise Http404("您没有可查看的党组织")
    year, quarter = selectors.chosen_period({"year": request.GET.get("year"), "quarter": request.GET.get("quarter") or None})
    kind = request.GET.get("kind") or Inspection.Kind.YEAR_END
    if kind not in Inspection.Kind.values:
        raise Http404("检查类型错误")
    rows = selectors.ranking(org, year, kind, quarter)
    opens = selectors.open_rectifications([r["inspection"].pk for r in rows])
    for r in rows:
        r["open"] = opens.get(r["inspection"].pk, 0)
    return render(
        request, "supervision/ranking.html", {"org": org, "year": year, "kind": kind, "kinds": Inspection.Kind.choices, "rows": rows}
    )


@login_required
def rectifications(request):
    filter_form = _filter_form(request)
    page = page_of(selectors.rectifications_for(request.user, request.GET), request)
    return render(
        request,
        "supervision/rectifications.html",
        {
            "page": page,
            "filter_form": filter_form,
            "done_form": forms.DoneForm(initial={"done_on": timezone.localdate()}),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def rectification_done(request, pk):
    rect = get_in_scope(Rectification.objects.select_related("organisation"), request.user, "view", pk=pk)
    return _written(
        request,
        forms.DoneForm(request.POST),
        lambda d: services.complete_rectification(rect, d, actor=request.user),
        f"{rect} · 整改完成",
        success="整改事项已完成",
        then=reverse("supervision:rectifications") + f"?org={rect.organisation_id}",
    )


# ── health score ──────────────────────────────────────────────────────────────────────
@login_required
def health(request):
    org = selectors.chosen_org(request.user, request.GET)
    if org is None:
        raise Http404("您没有可查看的党组织")
    year, quarter = selectors.chosen_period(request.GET)
    own = selectors.health([org], year, quarter)[org.pk]
    units = [u for u in selectors.child_units(org) if u.pk != org.pk]
    scores = selectors.health(units, year, quarter) if units else {}
    children = sorted(({"org": u, **scores[u.pk]} for u in units), key=lambda r: (r["score"] is None, -(r["score"] or 0), r["org"].path))
    context = {"org": org, "year": year, "quarter": quarter, "own": own, "children": children, "period": period_label(year, quarter)}
    return render(request, "supervision/health.html", context)


# ── monthly report ────────────────────────────────────────────────────────────────────
@login_required
def report(request):
    org = selectors.chosen_org(request.user, request.GET if request.method == "GET" else request.POST)
    if org is None:
        raise Http404("您没有可查看的党组织")
    year, month = selectors.chosen_month(request.GET if request.method == "GET" else request.POST)
    existing = selectors.report_of(org, year, month)
    can_edit = can_act_on_org(request.user, org, "change") and not (existing and existing.status == existing.Status.SUBMITTED)
    form = forms.ReportForm(
        request.POST or None, initial={f: getattr(existing, f) for f in ("work_done", "problems", "next_plan")} if existing else None
    )
    done = saved(
        request,
        form,
        lambda d: services.save_report(org, year, month, d, submit="submit" in request.POST, actor=request.user),
        success="月报告已提交上级" if "submit" in request.POST else "已保存草稿",
        then=reverse("supervision:report") + f"?org={org.pk}&year={year}&month={month}",
    )
    if done:
        return done
    sections = (
        existing.sections if existing and existing.status == existing.Status.SUBMITTED else services.assemble_sections(org, year, month)
    )
    summary = selectors.circular(org, year, month) if org.numchild else None
    context = {
        "org": org,
        "year": year,
        "month": month,
        "report": existing,
        "sections": sections,
        "form": form,
        "can_edit": can_edit,
        "summary": summary,
        "due": services.report_due(year, month),
        "lagging_below": rules.HEALTH_LAGGING_BELOW,
        "months": range(1, 13),
    }
    return render(request, "supervision/report.html", context)


@login_required
def reports(request):
    filter_form = _filter_form(request)
    page = page_of(selectors.reports_for(request.user, request.GET), request)
    return render(request, "supervision/reports.html", {"page": page, "filter_form": filter_form})


# ── typical model points (示范点) ──────────────────────────────────────────────────────
@login_required
def points(request):
    can_designate = has_action(request.user, "approve")
    form = (
        forms.PointForm(request.POST or None, user=request.user, initial={"designated_on": timezone.localdate()}) if can_designate else None
    )
    if request.method == "POST":
        if form is None:
            raise Http404("您没有确定示范点的权限")
        done = saved(
            request,
            form,
            lambda d: services.designate_point(d, actor=request.user),
            success=lambda point: f"已确定示范点：{point}",
            then=lambda point: ("supervision:point", point.pk),
        )
        if done:
            return done
    filter_form = _filter_form(request)
    page = page_of(selectors.points_for(request.user, request.GET), request)
    counts = (
        ModelPoint.objects.restrict(request.user, "view")
        .exclude(status=ModelPoint.Status.REVOKED)
        .aggregate(total=Count("id"), accepted=Count("id", filter=Q(status=ModelPoint.Status.ACCEPTED)))
    )
    context = {
        "page": page,
        "form": form,
        "filter_form": filter_form,
        "counts": counts,
        "target": rules.MODEL_POINTS_TARGET,
        "statuses": ModelPoint.Status.choices,
    }
    return render(request, "supervision/points.html", context)


@login_required
def point(request, pk):
    p = get_in_scope(ModelPoint.objects.select_related("organisation"), request.user, "view", pk=pk)
    can_record = can_act_on_org(request.user, p.organisation, "change") and p.status != ModelPoint.Status.REVOKED
    can_review = can_act_on_org(request.user, p.organisation, "approve") and p.status == ModelPoint.Status.CULTIVATING
    form = forms.ProgressForm(request.POST or None, request.FILES or None, initial={"date": timezone.localdate()})
    done = saved(
        request,
        form,
        lambda d: services.record_point_progress(p, d, actor=request.user),
        success="已登记培育进展",
        then=("supervision:point", p.pk),
    )
    if done:
        return done
    page = page_of(ModelPointProgress.objects.filter(point=p).order_by("-date", "-id"), request)
    context = {"p": p, "page": page, "form": form, "review_form": forms.ReviewForm(), "can_record": can_record, "can_review": can_review}
    return render(request, "supervision/point.html", context)


@login_required
@require_POST
def point_review(request, pk):
    p = get_in_scope(ModelPoint.objects.select_related("organisation"), request.user, "view", pk=pk)
    return _written(
        request,
        forms.ReviewForm(request.POST),
        lambda d: services.review_point(p, d, actor=request.user),
        f"{p} · 验收",
        success="已登记验收结论",
        then=("supervision:point", p.pk),
    )


@login_required
def point_material(request, pk):
    """Experience materials are served through the scope check, never from MEDIA_URL."""
    from django.http import FileResponse

    entry = get_in_scope(ModelPointProgress.objects.all(), request.user, "view", pk=pk)
    if not entry.material:
        raise Http404("该进展没有经验材料")
    return FileResponse(entry.material.open("rb"), as_attachment=True, filename=entry.material.name.rsplit("/", 1)[-1])


# ── 党建指导员 ─────────────────────────────────────────────────────────────────────────
@login_required
def instructors(request):
    can_send = has_action(request.user, "approve")
    form = forms.InstructorForm(request.POST or None, user=request.user, initial={"start_date": timezone.localdate()}) if can_send else None
    if request.method == "POST":
        if form is None:
            raise Http404("您没有选派党建指导员的权限")
        done = saved(
            request,
            form,
            lambda d: services.send_instructor(d, actor=request.user),
            success=lambda post: f"已登记：{post}",
            then=lambda post: ("supervision:instructor", post.pk),
        )
        if done:
            return done
    filter_form = _filter_form(request)
    page = page_of(selectors.instructors_for(request.user, request.GET), request)
    return render(request, "supervision/instructors.html", {"page": page, "form": form, "filter_form": filter_form})


@login_required
def instructor(request, pk):
    post = get_in_scope(InstructorPost.objects.select_related("organisation"), request.user, "view", pk=pk)
    can_record = can_act_on_org(request.user, post.organisation, "change")
    form = forms.InstructorReportForm(request.POST or None, initial={"date": timezone.localdate()})
    done = saved(
        request,
        form,
        lambda d: services.record_instructor_report(post, d, actor=request.user),
        success="已登记工作报告",
        then=("supervision:instructor", post.pk),
    )
    if done:
        return done
    page = page_of(InstructorReport.objects.filter(post=post).order_by("-date", "-id"), request)
    return render(request, "supervision/instructor.html", {"post": post, "page": page, "form": form, "can_record": can_record})


@login_required
def staffing(request):
    org = selectors.chosen_org(request.user, request.GET)
    if org is None:
        raise Http404("您没有可查看的党组织")
    rows = selectors.staffing(org)
    return render(request, "supervision/staffing.html", {"org": org, "rows": rows, "roles": [label for _r, label in selectors.STAFF_ROLES]})


# ── 党内统计 annual tables ────────────────────────────────────────────────────────────
def _annual_input(request, params):
    org = selectors.chosen_org(request.user, params)
    if org is None:
        raise Http404("您没有可统计的党组织")
    return org, annual.parse_year(params.get("year"))


@login_required
def annual_stats(request):
    """The annual tables on 31 December of the chosen year, with last year and the change."""
    try:
        org, year = _annual_input(request, request.GET)
    except ValidationError as exc:
        messages.error(request, exc.message_dict["year"][0])
        org, year = _annual_input(request, {"org": request.GET.get("org")})
    result = annual.annual_statistics(org, year)
    today = timezone.localdate()
    context = {
        "org": org,
        "year": year,
        "result": result,
        "years": list(range(today.year, today.year - 10, -1)),
    }
    return render(request, "supervision/annual.html", context)


@login_required
@require_POST
def annual_export(request):
    try:
        org, year = _annual_input(request, request.POST)
    except ValidationError as exc:
        return HttpResponse(exc.message_dict["year"][0], status=400, content_type="text/plain; charset=utf-8")
    result = annual.annual_statistics(org, year)
    out = annual.workbook(result)
    AccessLog.record(
        AccessLog.Kind.EXPORT, user=request.user, target=f"党内统计年报 {org.name} {year}年", org_path=org.path, rows=len(result["rows"])
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"党内统计年报-{org.code}-{year}.xlsx")
    return response


# ── dashboard with drill-down, and the 大屏 ───────────────────────────────────────────
def _dashboard_org(request):
    org = selectors.chosen_org(request.user, request.GET)  # 404 outside scope
    if org is None:
        raise Http404("您没有可查看的党组织")
    return org


@login_required
def dashboard(request):
    """领导驾驶舱: the subtree's figures and charts; click a unit to go down a level."""
    org = _dashboard_org(request)
    return render(request, "supervision/dashboard.html", dashboard_data.dashboard(request.user, org))


@login_required
def screen(request):
    """The full-screen 大屏 for the department's display: large type, dark, refreshes itself."""
    org = _dashboard_org(request)
    context = dashboard_data.dashboard(request.user, org, url_name="supervision:screen")
    context["refresh_seconds"] = SCREEN_REFRESH_SECONDS
    return render(request, "supervision/screen.html", context)


# ── 四训 ──────────────────────────────────────────────────────────────────────────────
@login_required
def trainings(request):
    """四训 records of the organisation's subtree, this year's count per kind against the
    expectation, and (for those who maintain it) the form to record one."""
    params = request.POST if request.method == "POST" else request.GET
    org = selectors.chosen_org(request.user, params)
    if org is None:
        raise Http404("您没有可查看的党组织")
    can_record = can_act_on_org(request.user, org, "change")
    today = timezone.localdate()
    form = forms.CadreTrainingForm(request.POST or None, cadres=selectors.cadre_choices(org) if can_record else (), initial={"date": today})
    if request.method == "POST":
        if not can_record:
            raise Http404("您没有登记该组织四训的权限")
        done = saved(
            request,
            form,
            lambda d: services.record_cadre_training({**d, "organisation": org}, actor=request.user),
            success=lambda t: f"已登记：{t}，{t.attendee_count}人各记入{t.hours}学时",
            then=reverse("supervision:trainings") + f"?org={org.pk}",
        )
        if done:
            return done
    filters = request.GET.copy()
    filters.setdefault("org", str(org.pk))
    page = page_of(selectors.trainings_for(request.user, filters), request)
    context = {
        "org": org,
        "page": page,
        "form": form if can_record else None,
        "counts": selectors.training_counts(org, today.year),
        "year": today.year,
        "units": selectors.training_units(request.user, filters),
        "units_year": selectors.training_year(filters),
        "kinds": rules.CADRE_TRAINING_KIND_CHOICES,
        "params": filters,
    }
    return render(request, "supervision/trainings.html", context)
