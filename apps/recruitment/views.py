"""Thin web views: parse input, call the engine/services, render. No rule lives here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.forms import apply_service_errors
from apps.core.formviews import saved
from apps.core.paging import page_of
from apps.core.scoping import ScopeError, can_act_on_org, get_in_scope, has_action
from apps.education.selectors import class_credits
from apps.orgs.models import Organisation
from apps.orgs.picker import OrgFilterForm

from . import engine, forms, rules, selectors, services
from . import holidays as holiday_calendar
from .models import DevelopmentFile, Holiday, Objection, PublicNotice, RuleVersion


def _file(request, pk, action="view"):
    return get_in_scope(
        DevelopmentFile.objects.select_related("organisation", "member").prefetch_related(
            "steps", "assessments", "notices__objections", "votes", "political_reviews", "trainings"
        ),
        request.user,
        action,
        pk=pk,
    )


def _int(value, default=1):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
def file_list(request):
    g = request.GET
    filter_form = OrgFilterForm(g, user=request.user)
    org = filter_form.chosen()
    qs = selectors.file_list(request.user, g, org=org)
    page = page_of(qs, request)
    resp = selectors.responsibility(page.rows)
    rows = [{"f": f, **resp[f.pk]} for f in page.rows]
    return render(
        request,
        "recruitment/file_list.html",
        {
            "page": page,
            "rows": rows,
            "stages": rules.FILE_STAGES,
            "statuses": DevelopmentFile.Status.choices,
            "filter_form": filter_form,
            "today": timezone.localdate(),
            "can_change": has_action(request.user, "change"),
            "query": g,
        },
    )


@login_required
def file_new(request):
    initial = {}
    choices = list(forms.org_choices(request.user)[:2])
    if len(choices) == 1:  # a branch secretary files for their own branch: preselect it
        initial["organisation"] = choices[0].pk
    form = forms.FileForm(request.POST or None, user=request.user, initial=initial)
    done = saved(
        request,
        form,
        lambda d: services.create_file(d, actor=request.user),
        success=lambda f: f"已为{f.name}建立发展档案",
        then=lambda f: ("recruitment:file_detail", f.pk),
    )
    return done or render(request, "recruitment/form.html", {"form": form, "title": "新建入党申请", "multipart": False})


@login_required
def attachment_download(request, pk, attachment_id):
    """Attachments are served through the scope check, never straight from MEDIA_URL."""
    from django.http import FileResponse

    from .models import Attachment

    f = _file(request, pk)
    a = get_object_or_404(Attachment, pk=attachment_id, file=f)
    return FileResponse(a.upload.open("rb"), as_attachment=True, filename=a.upload.name.rsplit("/", 1)[-1])


@login_required
def file_detail(request, pk):
    f = _file(request, pk)
    today = timezone.localdate()
    chart = engine.flowchart(f, today)
    return render(
        request,
        "recruitment/file_detail.html",
        {
            "f": f,
            "chart": chart,
            "stages": rules.STAGES,
            "due": engine.due_steps(f, today),
            "people": f.people.select_related("member").order_by("role", "id"),
            "transfers": f.transfers.select_related("from_org", "to_org"),
            "attachments": f.attachments.select_related("step"),
            "form_issued": any(r["rule"].code == "pre_review" and r["step"] and r["step"].data.get("result") == "pass" for r in chart),
            "today": today,
        },
    )


@login_required
def step_take(request, pk, code):
    f = _file(request, pk)
    rule = rules.STEP_BY_CODE.get(code)
    if rule is None:
        raise Http404("步骤不存在")
    # contacts and introducers: full members of the file's township (the path's first two levels)
    under = Organisation.objects.filter(path=f.org_path[:8]).first() if any(x.kind == "members" for x in rule.fields) else None
    form_class = forms.step_form_class(rule, user=request.user, members_under=under)
    form = form_class(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            step = engine.take_step(
                f,
                code,
                date=form.cleaned_data["date"],
                actor=request.user,
                data=forms.step_data(rule, form.cleaned_data),
                notes=form.cleaned_data.get("notes", ""),
            )
            if form.cleaned_data.get("attachment"):
                services.add_attachment(
                    f,
                    form.cleaned_data["attachment"],
                    description=form.cleaned_data.get("attachment_note", ""),
                    step=step,
                    actor=request.user,
                )
        except ScopeError as exc:
            apply_service_errors(form, exc)
            status = 403
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"第{rule.number}步“{rule.name}”已办理")
            return redirect("recruitment:file_detail", f.pk)
    pending = {d.code: d for d in engine.due_steps(f)}
    return render(
        request,
        "recruitment/step_form.html",
        {
            "f": f,
            "rule": rule,
            "form": form,
            "due": pending.get(code),
            "stage": rules.STAGE_LABEL[rule.stage],
            "needs_vote": any(c.startswith("vote:") or c == "conversion_vote" for c in rule.checks),
            "needs_notice": "notice" in rule.checks,
            "needs_assessment": "assessments" in rule.checks or "target_assessment" in rule.checks,
        },
        status=status,
    )


def _file_form(request, f, form, act, title, help=""):
    """A form about one file: on a valid POST, `act(cleaned_data)` calls the service and
    returns the success message; the service's refusals are shown on the form."""
    done = saved(request, form, act, success=lambda message: message, then=("recruitment:file_detail", f.pk))
    return done or render(request, "recruitment/form.html", {"form": form, "title": f"{f.name}：{title}", "f": f, "help": help})


@login_required
def vote_new(request, pk):
    f = _file(request, pk)

    def act(data):
        services.record_vote(f, data, actor=request.user)
        return "表决结果已记录"

    return _file_form(
        request,
        f,
        forms.VoteForm(request.POST or None),
        act,
        "支部大会表决（票决制）",
        "实到有表决权的正式党员须超过应到人数的半数；赞成票须超过应到人数的半数，决议方为通过。",
    )


@login_required
def notice_new(request, pk):
    f = _file(request, pk)

    def act(data):
        n = services.create_notice(f, actor=request.user, **data)
        return f"公示已发布，{n.workdays}个工作日，至 {n.end_date:%Y-%m-%d}"

    workdays = engine.current_version().value("notice_workdays")
    return _file_form(
        request, f, forms.NoticeForm(request.POST or None), act, "发布公示", f"公示期{workdays}个工作日（节假日不计，调休日计入）"
    )


@login_required
def objection_new(request, pk, notice_id):
    f = _file(request, pk)
    notice = get_object_or_404(PublicNotice, pk=notice_id, file=f)

    def act(data):
        services.add_objection(notice, actor=request.user, **data)
        return "异议已登记；处理完毕前不能办理下一步"

    return _file_form(request, f, forms.ObjectionForm(request.POST or None), act, "登记公示异议")


@login_required
def objection_resolve(request, pk, objection_id):
    f = _file(request, pk)
    objection = get_object_or_404(Objection, pk=objection_id, notice__file=f)

    def act(data):
        services.resolve_objection(objection, actor=request.user, **data)
        return "异议处理结果已记录"

    return _file_form(request, f, forms.ResolveForm(request.POST or None), act, "处理公示异议", objection.content)


@login_required
def assessment_new(request, pk):
    f = _file(request, pk)

    def act(data):
        services.add_assessment(f, actor=request.user, **data)
        return "考察测评已记录"

    return _file_form(request, f, forms.AssessmentForm(request.POST or None), act, "考察测评（测评制）")


@login_required
def transfer(request, pk):
    f = _file(request, pk)

    def act(data):
        engine.transfer_file(f, data["to_org"], actor=request.user, date=data["date"], reason=data["reason"])
        return "发展档案已转接，培养时间连续计算"

    return _file_form(request, f, forms.TransferForm(request.POST or None, user=request.user), act, "转接发展档案")


@login_required
def activists(request):
    org = selectors.activist_org(request.user, request.GET)
    db = selectors.activist_database(org)
    qs = selectors.activist_list(request.user, request.GET, org=org)
    page = page_of(qs, request)
    return render(request, "recruitment/activists.html", {"db": db, "page": page, "sources": rules.SOURCES, "query": request.GET})


@login_required
def plans(request):
    filter_form = OrgFilterForm(request.GET, user=request.user)
    org = filter_form.chosen()
    page = page_of(selectors.plan_list(request.user, request.GET, org=org), request, size=20)
    progress = selectors.plan_progress(page.rows)
    form = forms.PlanForm(request.POST or None, user=request.user)
    done = saved(request, form, lambda d: services.save_plan(d, actor=request.user), success="发展计划已保存", then="recruitment:plans")
    if done:
        return done
    context = {"progress": progress, "page": page, "filter_form": filter_form, "org": org, "form": form}
    return render(request, "recruitment/plans.html", {**context, "can_change": has_action(request.user, "change")})


@login_required
def monthly(request):
    filter_form = OrgFilterForm(request.GET, user=request.user)
    org = filter_form.chosen() or selectors.default_org(request.user)
    if org is None:
        raise Http404("没有可查看的组织")
    if not filter_form.errors:  # the picker shows the organisation reported on
        filter_form = OrgFilterForm(None, user=request.user, initial={"org": org.pk})
    month_form = forms.MonthForm(request.GET)
    year, month = month_form.month_tuple()
    report = selectors.monthly_report(org, year, month)
    if request.GET.get("format") == "xlsx":
        return _report_xlsx(report)
    key_list = page_of(selectors.lagging_units(request.user), request, param="lpage")
    return render(
        request,
        "recruitment/monthly.html",
        {
            "r": report,
            "key_list": key_list,
            "month_value": f"{year:04d}-{month:02d}",
            "circular": request.GET.get("view") == "circular",
            "can_publish": has_action(request.user, "approve"),
            "filter_form": filter_form,
        },
    )


@login_required
@require_POST
def publish_circular(request):
    org = get_in_scope(Organisation.objects.all(), request.user, "view", pk=_int(request.POST.get("org"), 0))
    year, month = forms.MonthForm(request.POST).month_tuple()
    try:
        report = services.publish_circular(org, year, month, actor=request.user)
    except ScopeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{year}年{month}月发展党员通报已发布，滞后单位{len(report['lagging'])}个")
    return redirect(f"/recruitment/monthly/?org={org.pk}&month={year:04d}-{month:02d}&view=circular")


@login_required
def rule_settings(request):
    if not has_action(request.user, "configure"):
        raise Http404("无权访问")
    version = engine.current_version()
    form_class = forms.settings_form_class()
    form = form_class(request.POST if request.POST.get("form") == "rules" else None, initial=version.all_values())
    holiday_form = forms.HolidayForm(request.POST if request.POST.get("form") == "holiday" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "rules" and form.is_valid():
                values = {k: v for k, v in form.cleaned_data.items() if k != "note"}
                v = services.save_rule_version(values, note=form.cleaned_data["note"], actor=request.user)
                messages.success(request, f"已保存为规则{v}，此后办理的步骤按新版本执行")
                return redirect("recruitment:settings")
            if request.POST.get("form") == "holiday" and holiday_form.is_valid():
                services.save_holiday(actor=request.user, **holiday_form.cleaned_data)
                messages.success(request, "节假日日历已更新")
                return redirect("recruitment:settings")
            if request.POST.get("form") == "load_holidays":
                result = services.load_official_holidays(actor=request.user)
                if result.years:
                    kept = f"，保留管理员录入的{len(result.kept_manual)}天" if result.kept_manual else ""
                    messages.success(
                        request,
                        f"已载入{'、'.join(f'{y}年' for y in result.years)}国务院节假日安排：新增{result.created}天，更新{result.updated}天{kept}",
                    )
                else:
                    messages.info(request, holiday_calendar.nothing_new_message(holiday_calendar.missing_years()))
                return redirect(reverse("recruitment:settings") + "#holidays")
            if request.POST.get("form") == "delete_holiday":
                h = get_object_or_404(Holiday, pk=_int(request.POST.get("id"), 0))
                services.delete_holiday(h, actor=request.user)
                messages.success(request, "已删除")
                return redirect("recruitment:settings")
        except ScopeError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            apply_service_errors(form if request.POST.get("form") == "rules" else holiday_form, exc)
    year = timezone.localdate().year
    return render(
        request,
        "recruitment/settings.html",
        {
            "form": form,
            "holiday_form": holiday_form,
            "version": version,
            "versions": page_of(RuleVersion.objects.select_related("created_by").order_by("-id"), request, param="vpage", size=20),
            "holidays": page_of(Holiday.objects.filter(date__year__gte=year - 1).order_by("date", "id"), request, param="hpage", size=100),
            "holiday_gaps": holiday_calendar.missing_message(gaps) if (gaps := holiday_calendar.missing_years()) else "",
            "holiday_source": holiday_calendar.package_label(),
            "holiday_span": holiday_calendar.known_years(),
            "steps": rules.STEPS,
        },
    )


@login_required
def rule_table(request):
    """The rule table as a readable page (流程图 of the 25 steps with their limits)."""
    version = engine.current_version()
    values = version.all_values()
    rows = []
    for s in rules.STEPS:
        limits = []
        for iv in s.intervals:
            n, unit = iv.amount(values)
            after = rules.STEP_BY_CODE[iv.after]
            if iv.kind == "min" and n:
                limits.append(f"第{after.number}步满{rules.amount_text(n, unit)}后")
            elif iv.kind == "max":
                limits.append(f"第{after.number}步后{rules.amount_text(n, unit)}内{'（可说明原因延后）' if iv.soft else ''}")
        rows.append({"s": s, "limits": limits, "stage": rules.STAGE_LABEL[s.stage]})
    return render(request, "recruitment/rule_table.html", {"rows": rows, "version": version})


@login_required
def training_classes(request):
    """积极分子培训班 (1–2 a year): attendance counts toward step 11's hours."""

    form = forms.TrainingClassForm(request.POST or None, user=request.user)
    done = saved(
        request,
        form,
        lambda d: services.create_training_class(d, actor=request.user),
        success=lambda c: f"已开设“{c.title}”，请登记参训人员；课程安排和结业在教育培训的培训班页办理",
        then=lambda c: ("recruitment:training_enrol", c.pk),
    )
    if done:
        return done
    q = request.GET.get("q", "").strip()
    page = page_of(selectors.training_class_list(request.user, request.GET), request)
    context = {"page": page, "q": q, "form": form, "can_change": has_action(request.user, "change")}
    return render(request, "recruitment/training.html", context)


@login_required
def training_enrol(request, class_id):
    from apps.education import rules as education_rules
    from apps.education.models import TrainingClass

    c = get_in_scope(TrainingClass.objects.select_related("organisation"), request.user, "view", pk=class_id)
    if c.kind not in education_rules.RECRUITMENT_KINDS:  # a class of party members: enrolled in education
        messages.info(request, f"“{c.title}”是{c.get_kind_display()}，学员是党员，在教育培训的培训班页报名")
        return redirect("education:class_detail", c.pk)
    credit = class_credits([c.pk])[c.pk]
    filter_form = OrgFilterForm(request.GET, user=request.user)
    org = filter_form.chosen()
    q = request.GET.get("q", "").strip()
    candidates = (
        DevelopmentFile.objects.restrict(request.user, "change")
        .filter(org_path__startswith=c.organisation.path, status="active", stage__in=("activist", "target"))
        .exclude(trainings__training_class=c)
        .select_related("organisation")
    )
    if org is not None:
        candidates = candidates.filter(org_path__startswith=org.path)
    if q:
        candidates = selectors.search_files(candidates, q)
    if request.method == "POST":
        ids = [_int(v, 0) for v in request.POST.getlist("files")]
        files = list(DevelopmentFile.objects.restrict(request.user, "change").filter(pk__in=ids).select_related("organisation"))
        try:
            n = services.enrol(c, files, actor=request.user)
        except ScopeError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已登记{n}人参训")
        back = QueryDict(request.POST.get("back", "")).urlencode()  # the filter the user was on
        return redirect(reverse("recruitment:training_enrol", args=[c.pk]) + (f"?{back}" if back else ""))
    context = {
        "c": c,
        "credit": credit,
        "can_change": can_act_on_org(request.user, c.organisation, "change") and not credit.finished,
        "candidates": page_of(candidates.order_by("org_path", "id"), request),
        "attended": page_of(c.recruitment_trainees.select_related("file").order_by("file__name", "id"), request, param="apage", size=100),
        "filter_form": filter_form,
        "org": org,
        "q": q,
    }
    return render(request, "recruitment/training_enrol.html", context)


def _report_xlsx(report):
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from apps.core.xlsx import XLSX_CONTENT_TYPE, write_table

    headers = ["单位"]
    for _k, label in report["columns"]:
        headers += [f"{label}（本月）", f"{label}（累计）"]
    headers += ["年度计划", "应完成", "状态"]
    rows = []
    for r in [*report["rows"]]:
        cells = [r["org"].name]
        for k, _label in report["columns"]:
            cells += [r["month"][k], r["ytd"][k]]
        state = "滞后单位" if r["lagging"] else ""
        if r["key_managed_since"]:
            state += f" 重点管理（{r['key_managed_since']:%Y-%m}起）"
        cells += [r["plan"] if r["plan"] is not None else "", r["expected"], state.strip()]
        rows.append(cells)
    title = f"{report['year']}年{report['month']}月发展党员月报告"
    buf = write_table(title, headers, rows)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{title}.xlsx")
    return response
