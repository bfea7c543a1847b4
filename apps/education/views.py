"""Study and training web pages. Views parse input, look objects up through the one
scoping mechanism (get_in_scope: 404 outside the user's scope) and call services."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.forms import error_text
from apps.core.formviews import act, confirm_delete, saved, submitted, write_page
from apps.core.models import AccessLog
from apps.core.paging import page_of
from apps.core.scoping import ScopeError, can_act_on_org, get_in_scope, has_action, user_scope
from apps.members.models import Member
from apps.orgs.picker import OrgFilterForm

from . import forms, rules, selectors, services, trainees
from .models import (
    ClassSession,
    Courseware,
    EducationPlan,
    PlanItem,
    Question,
    Quiz,
    QuizAttempt,
    StudyEntry,
    StudyReport,
    TrainingClass,
    Venue,
)
from .uploads import bounded_upload


def _org_or_self(request):
    org = selectors.chosen_org(request.user, request.GET)
    if org is None:
        if request.user.member_id:
            return None, redirect("education:member", request.user.member_id)
        raise Http404("您没有可查看的党组织")
    return org, None


# ---------------------------------------------------------------- progress


@login_required
def progress(request):
    org, other = _org_or_self(request)
    if other:
        return other
    year = selectors.chosen_year(request.GET)
    today = timezone.localdate()
    values = services.current_rules().all_values()
    page = page_of(selectors.progress_queryset(request.user, request.GET), request)
    page.rows = selectors.progress_rows(page.rows, year, today, values)
    context = {
        "org": org,
        "year": year,
        "years": range(today.year, today.year - 5, -1),
        "filter_form": OrgFilterForm(request.GET, user=request.user, initial={"org": org}),
        "summary": selectors.org_summary(org, year, today, values),
        "children": selectors.child_progress(org, year, today, values) if org.numchild else [],
        "page": page,
        "values": values,
        "q": request.GET.get("q", ""),
        "behind": bool(request.GET.get("behind")),
        "cadre": bool(request.GET.get("cadre")),
    }
    return render(request, "education/progress.html", context)


# ---------------------------------------------------------------- the archive


@login_required
def entries(request):
    org, other = _org_or_self(request)
    if other:
        return other
    page = page_of(selectors.entry_list(request.user, request.GET), request)
    pending = page_of(selectors.pending_entries(request.user), request, param="pending_page", size=20)
    context = {
        "org": org,
        "filter_form": OrgFilterForm(request.GET, user=request.user, initial={"org": org}),
        "page": page,
        "pending": pending,
        "forms": rules.FORMS,
        "statuses": StudyEntry.Status.choices,
        "q": request.GET.get("q", ""),
        "form_code": request.GET.get("form", ""),
        "status": request.GET.get("status", ""),
        "year": request.GET.get("year", ""),
        "can_change": can_act_on_org(request.user, org, "change"),
        "can_approve": has_action(request.user, "approve"),
    }
    return render(request, "education/entries.html", context)


@login_required
def entry_new(request):
    org = selectors.chosen_org(request.user, request.GET, "change")
    if org is None:
        raise Http404("您没有可维护的党组织")
    form = forms.EntryForm(request.POST or None, user=request.user, org=org, initial={"date": timezone.localdate()})
    ok, entry = submitted(request, form, lambda d: services.add_entry(d, actor=request.user))
    if ok:
        if entry.status == StudyEntry.Status.PENDING:
            messages.warning(request, f"已登记{entry.member.name}的{entry.hours}学时，超过规则规定的审批学时，待上级党委审批后计入")
        else:
            messages.success(request, f"已登记{entry.member.name}的{entry.hours}学时")
        return redirect(f"{reverse('education:member', args=[entry.member_id])}?year={entry.date.year}")
    return render(request, "education/entry_form.html", {"form": form, "org": org})


@login_required
@require_POST
def entry_decide(request, pk):
    entry = get_in_scope(StudyEntry.objects.select_related("member"), request.user, "approve", pk=pk)
    return act(
        request,
        lambda d: services.decide_entry(entry, approve=d["approve"], note=d["note"], actor=request.user),
        form=forms.DecideForm(request.POST),
        invalid="请选择审批结果",
        back=f"{reverse('education:entries')}?org={entry.organisation_id}",
        success=f"已审批{entry.member.name}的学时申请",
    )


@login_required
def member(request, pk):
    m = get_in_scope(Member.objects.select_related("organisation"), request.user, "view", pk=pk)
    year = selectors.chosen_year(request.GET)
    values = services.current_rules().all_values()
    today = timezone.localdate()
    context = {
        "member": m,
        "year": year,
        "years": range(today.year, today.year - 5, -1),
        "row": selectors.member_progress(m, year, today, values),
        "page": page_of(selectors.member_archive(m, year), request),
        "can_change": can_act_on_org(request.user, m.organisation, "change"),
    }
    return render(request, "education/member.html", context)


@login_required
def my(request):
    if not request.user.member_id:
        raise Http404("您的账号没有关联党员档案")
    return redirect("education:member", request.user.member_id)


# ---------------------------------------------------------------- classes


@login_required
def classes(request):
    page = page_of(selectors.class_list(request.user, request.GET), request)
    selectors.enrolment_counts(page.rows)
    context = {
        "page": page,
        "levels": rules.CLASS_LEVELS,
        "kinds": rules.CLASS_KINDS,
        "level": request.GET.get("level", ""),
        "kind": request.GET.get("kind", ""),
        "q": request.GET.get("q", ""),
        "can_create": has_action(request.user, "change"),
    }
    return render(request, "education/classes.html", context)


@login_required
def class_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可维护的党组织")
    form = forms.ClassForm(request.POST or None, user=request.user)
    done = saved(
        request,
        form,
        lambda d: services.create_class(d, actor=request.user),
        success=lambda cls: f"已创建培训班“{cls.title}”，请登记课程和名额",
        then=lambda cls: ("education:class_detail", cls.pk),
        scope_field="organisation",
    )
    return done or render(request, "education/class_form.html", {"form": form})


def _class(request, pk, action="view") -> TrainingClass:
    return get_in_scope(TrainingClass.objects.select_related("organisation"), request.user, action, pk=pk)


@login_required
def class_detail(request, pk):
    cls = _class(request, pk)
    can_change = can_act_on_org(request.user, cls.organisation, "change") and cls.status == TrainingClass.Status.OPEN
    sessions = list(selectors.class_sessions(cls))
    external = cls.kind in rules.RECRUITMENT_KINDS
    context = {
        "cls": cls,
        "external": external,
        "trainee_sources": [(s, s.counts([cls.pk]).get(cls.pk, 0)) for s in trainees.sources()] if external else [],
        "sessions": sessions,
        "total_hours": sum((s.hours for s in sessions), rules.hours(0)),
        "quotas": list(cls.quotas.select_related("organisation").order_by("organisation__path")),
        "enrolments": page_of(selectors.class_enrolments(cls), request, size=100),
        "can_change": can_change,
        "session_form": forms.SessionForm(initial={"date": cls.start_date}),
        "quota_form": forms.QuotaForm(user=request.user),
        "enrol_form": forms.EnrolForm(user=request.user, under=cls.organisation),
    }
    return render(request, "education/class_detail.html", context)


@login_required
@require_POST
def class_session(request, pk):
    cls = _class(request, pk, "change")
    return act(
        request,
        lambda d: services.add_session(cls, d, actor=request.user),
        form=forms.SessionForm(request.POST),
        back=("education:class_detail", cls.pk),
        success=lambda s: f"已登记课程“{s.topic}”（{s.hours}学时）",
    )


@login_required
@require_POST
def class_quota(request, pk):
    cls = _class(request, pk, "change")
    return act(
        request,
        lambda d: services.set_quota(cls, d["organisation"], d["seats"], actor=request.user),
        form=forms.QuotaForm(request.POST, user=request.user),
        back=("education:class_detail", cls.pk),
        success="已保存名额",
    )


@login_required
@require_POST
def class_enrol(request, pk):
    cls = _class(request, pk, "change")
    return act(
        request,
        lambda d: services.enrol(cls, d["member"], actor=request.user),
        form=forms.EnrolForm(request.POST, user=request.user, under=cls.organisation),
        back=("education:class_detail", cls.pk),
        success=lambda e: f"{e.member.name}已报名",
    )


@login_required
@require_POST
def class_finish(request, pk):
    cls = _class(request, pk, "change")
    return act(
        request,
        lambda _: services.finish_class(cls, actor=request.user),
        back=("education:class_detail", cls.pk),
        success=lambda result: f"已办理结业：{result['completed']}人结业，{result['not_completed']}人出勤不足未结业",
    )


@login_required
def session_attendance(request, pk):
    session = get_in_scope(ClassSession.objects.select_related("training_class__organisation"), request.user, "view", pk=pk)
    cls = session.training_class
    can_change = can_act_on_org(request.user, cls.organisation, "change") and cls.status == TrainingClass.Status.OPEN
    error = None
    if request.method == "POST":
        if not can_change:
            raise Http404("未找到该记录，或不在您的管理范围内")
        ids = [v for v in request.POST.getlist("present") if v.isdigit()]
        try:
            result = services.record_session_attendance(session, ids, hours=request.POST.get("hours") or None, actor=request.user)
        except (ValidationError, ScopeError) as exc:
            error = error_text(exc)
        else:
            messages.success(request, f"已登记出勤：新记入{result['created']}人，更新{result['updated']}人，撤销{result['removed']}人")
            return redirect("education:class_detail", cls.pk)
    context = {
        "session": session,
        "cls": cls,
        "enrolments": list(selectors.class_enrolments(cls)),
        "present": selectors.session_present(session),
        "can_change": can_change,
        "error": error,
    }
    return render(request, "education/attendance.html", context)


# ---------------------------------------------------------------- rules


@login_required
def rules_page(request):
    if not has_action(request.user, "configure") and not has_action(request.user, "view"):
        raise Http404("无权查看")
    current = services.current_rules()
    can_configure = has_action(request.user, "configure")
    form = forms.RulesForm(request.POST or None, initial_values=current.all_values())
    if request.method == "POST" and not can_configure:
        raise Http404("无权修改学时规则")

    def save(d):
        data = dict(d)
        note = data.pop("note")
        return services.save_rules(data, note=note, actor=request.user)

    done = saved(request, form, save, success="已保存新版学时规则，此后登记的学时按新规则计算", then="education:rules")
    if done:
        return done
    settings = [(s, current.all_values()[s.key]) for s in rules.SETTINGS]
    context = {"form": form, "current": current, "settings": settings, "can_configure": can_configure}
    return render(request, "education/rules.html", context)


# ---------------------------------------------------------------- 述学述评


@login_required
def reports(request):
    org, other = _org_or_self(request)
    if other:
        return redirect("education:my_report")
    year = selectors.chosen_year(request.GET)
    page = page_of(selectors.report_list(request.user, request.GET), request)
    context = {
        "org": org,
        "year": year,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        "filter_form": OrgFilterForm(request.GET, user=request.user, initial={"org": org}),
        "page": page,
        "grades": rules.REPORT_GRADES,
        "statuses": StudyReport.Status.choices,
        "status": request.GET.get("status", ""),
        "q": request.GET.get("q", ""),
        "can_change": can_act_on_org(request.user, org, "change"),
    }
    return render(request, "education/reports.html", context)


@login_required
@require_POST
def report_grade(request, pk):
    report = get_in_scope(StudyReport.objects.select_related("member", "organisation"), request.user, "change", pk=pk)
    return act(
        request,
        lambda d: services.grade_report(report, grade=d["grade"], comment=d["comment"], actor=request.user),
        form=forms.GradeForm(request.POST),
        back=f"{reverse('education:reports')}?org={report.organisation_id}&year={report.year}",
        success=f"已评议{report.member.name}的{report.year}年述学报告",
    )


@login_required
def my_report(request):
    if not request.user.member_id:
        raise Http404("您的账号没有关联党员档案")
    me = get_in_scope(Member.objects.select_related("organisation"), request.user, "view", pk=request.user.member_id)
    this_year = timezone.localdate().year
    years = [this_year, this_year - rules.REPORT_YEARS_BACK] if rules.REPORT_YEARS_BACK else [this_year]
    mine = {r.year: r for r in StudyReport.objects.filter(member=me, year__in=years)}
    raw = str(request.POST.get("year") or request.GET.get("year") or this_year)
    year = int(raw) if raw.isdigit() and int(raw) in years else this_year
    current = mine.get(year)
    form = forms.ReportForm(request.POST or None, years=years, initial={"year": year, "text": current.text if current else ""})
    done = saved(
        request,
        form,
        lambda d: services.submit_report(me, d["year"], d["text"], actor=request.user),
        success="述学报告已提交，等待评议",
        then=lambda _: f"{reverse('education:my_report')}?year={form.cleaned_data['year']}",
    )
    if done:
        return done
    context = {"member": me, "form": form, "reports": [mine[y] for y in years if y in mine], "current": current}
    return render(request, "education/my_report.html", context)


# ---------------------------------------------------------------- 考学


def _my_member(request) -> Member:
    if not request.user.member_id:
        raise Http404("您的账号没有关联党员档案")
    return get_in_scope(Member.objects.select_related("organisation"), request.user, "view", pk=request.user.member_id)


@login_required
def quizzes(request):
    """Members see their quizzes (take one on the phone); organisers the quizzes of their
    scope with take-up and passes."""
    today = timezone.localdate()
    mine = selectors.my_quizzes(_my_member(request), today) if request.user.member_id else []
    manages = has_action(request.user, "view")
    page = page_of(selectors.quiz_list(request.user, request.GET), request) if manages else None
    context = {
        "mine": mine,
        "page": page,
        "manages": manages,
        "can_create": has_action(request.user, "change"),
        "q": request.GET.get("q", ""),
    }
    return render(request, "education/quizzes.html", context)


@login_required
def quiz_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可维护的党组织")
    today = timezone.localdate()
    form = forms.QuizForm(
        request.POST or None, user=request.user, initial={"opens_on": today, "closes_on": today + datetime.timedelta(days=14)}
    )
    org = selectors.chosen_org(request.user, request.GET, "change")
    done = saved(
        request,
        form,
        lambda d: services.create_quiz(d, actor=request.user),
        success=lambda quiz: f"已发布考学“{quiz.title}”，每份试卷{quiz.question_count}道题",
        then=lambda quiz: ("education:quiz_detail", quiz.pk),
        scope_field="organisation",
    )
    if done:
        return done
    categories = selectors.bank_categories(org) if org is not None else []
    return render(request, "education/quiz_form.html", {"form": form, "categories": categories, "org": org})


@login_required
def quiz_detail(request, pk):
    quiz = get_in_scope(Quiz.objects.select_related("organisation"), request.user, "view", pk=pk)
    org = selectors.chosen_org(request.user, request.GET) if (request.GET.get("org") or request.GET.get("org_text")) else quiz.organisation
    if not org.path.startswith(quiz.org_path):
        org = quiz.organisation
    params = {**request.GET.dict(), "quiz": str(quiz.pk)}
    context = {
        "quiz": quiz,
        "org": org,
        "results": selectors.quiz_org_results(quiz, org),
        "can_change": can_act_on_org(request.user, quiz.organisation, "change"),
        "page": page_of(selectors.quiz_ranking(request.user, params), request),
        "export_query": f"quiz={quiz.pk}",
    }
    return render(request, "education/quiz_detail.html", context)


@login_required
@require_POST
def quiz_start(request, pk):
    member = _my_member(request)
    quiz = get_object_or_404(selectors.quizzes_for_member(member), pk=pk)
    try:
        attempt = services.start_attempt(quiz, actor=request.user)
    except (ValidationError, ScopeError) as exc:
        messages.error(request, error_text(exc))
        return redirect("education:quizzes")
    return redirect("education:attempt", attempt.pk)


@login_required
def attempt(request, pk):
    a = get_in_scope(QuizAttempt.objects.select_related("quiz__organisation", "member"), request.user, "view", pk=pk)
    own = request.user.member_id == a.member_id
    error = None
    if request.method == "POST":
        if not own:
            raise Http404("未找到该记录，或不在您的管理范围内")
        paper = selectors.attempt_paper(a)
        answers = {}
        for item in paper:
            picked = [v for v in request.POST.getlist(f"q{item['id']}") if v in rules.LETTERS]
            if picked:
                answers[str(item["id"])] = "".join(picked)
        try:
            a = services.submit_attempt(a, answers, actor=request.user)
        except ValidationError as exc:
            error = error_text(exc)
        else:
            if a.passed:
                messages.success(request, f"已交卷：{a.score}分，合格，记入{a.quiz.hours}学时（多次作答只记一次）")
            else:
                messages.warning(request, f"已交卷：{a.score}分，未达到{a.quiz.pass_score}分合格线")
            return redirect("education:attempt", a.pk)
    now = timezone.now()
    context = {
        "attempt": a,
        "quiz": a.quiz,
        "paper": selectors.attempt_paper(a),
        "own": own,
        "open": own and a.submitted_at is None and a.deadline > now,
        "seconds_left": max(0, int((a.deadline - now).total_seconds())),
        "error": error,
    }
    return render(request, "education/attempt.html", context)


@login_required
def questions(request):
    org, other = _org_or_self(request)
    if other:
        raise Http404("您没有可查看的题库")
    context = {
        "org": org,
        "filter_form": OrgFilterForm(request.GET, user=request.user, initial={"org": org}),
        "page": page_of(selectors.question_list(request.user, request.GET), request),
        "kinds": rules.QUESTION_KINDS,
        "kind": request.GET.get("kind", ""),
        "category": request.GET.get("category", ""),
        "q": request.GET.get("q", ""),
        "can_change": can_act_on_org(request.user, org, "change"),
    }
    return render(request, "education/questions.html", context)


@login_required
def question_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可维护的党组织")
    form = forms.QuestionForm(request.POST or None, user=request.user, initial={"kind": "single"})

    def add(d):
        data = dict(d)
        return services.add_question(data.pop("organisation"), data, actor=request.user)

    done = saved(
        request,
        form,
        add,
        success=lambda q: f"已加入题库：{q}",
        then=lambda q: f"{reverse('education:questions')}?org={q.organisation_id}",
        scope_field="organisation",
    )
    return done or render(request, "education/question_form.html", {"form": form, "title": "新增试题"})


@login_required
@require_POST
def question_active(request, pk):
    q = get_in_scope(Question.objects.select_related("organisation"), request.user, "change", pk=pk)
    active = request.POST.get("active") == "1"
    return act(
        request,
        lambda _: services.set_question_active(q, active, actor=request.user),
        back=f"{reverse('education:questions')}?org={q.organisation_id}",
        success="已启用该题" if active else "已停用该题，今后的试卷不再抽到",
    )


@login_required
def questions_import(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可维护的党组织")
    form = forms.QuestionImportForm(request.POST or None, request.FILES or None, user=request.user)
    done = saved(
        request,
        form,
        lambda d: services.import_questions(d["organisation"], d["file"].read(), actor=request.user),
        success=lambda n: f"已导入{n}道试题",
        then=lambda _: f"{reverse('education:questions')}?org={form.cleaned_data['organisation'].pk}",
        scope_field="organisation",
    )
    return done or render(request, "education/question_form.html", {"form": form, "title": "导入题库", "upload": True})


# ---------------------------------------------------------------- education plans


@login_required
def plans(request):
    org, other = _org_or_self(request)
    if other:  # a member (own record only): their own learning record, as the other pages (the menu link was a 404)
        return other
    context = {
        "org": org,
        "filter_form": OrgFilterForm(request.GET, user=request.user, initial={"org": org}),
        "page": page_of(selectors.plan_list(request.user, request.GET), request),
        "kinds": rules.PLAN_KINDS,
        "kind": request.GET.get("kind", ""),
        "year": request.GET.get("year", ""),
        "can_create": has_action(request.user, "change"),
    }
    return render(request, "education/plans.html", context)


@login_required
def plan_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可维护的党组织")
    form = forms.PlanForm(request.POST or None, user=request.user, initial={"start_year": timezone.localdate().year})
    done = saved(
        request,
        form,
        lambda d: services.create_plan(d, actor=request.user),
        success=lambda plan: f"已制定“{plan.title}”，请添加计划项目",
        then=lambda plan: ("education:plan_detail", plan.pk),
        scope_field="organisation",
    )
    return done or render(request, "education/question_form.html", {"form": form, "title": "制定教育培训计划", "back": "education:plans"})


@login_required
def plan_detail(request, pk):
    plan = get_in_scope(EducationPlan.objects.select_related("organisation"), request.user, "view", pk=pk)
    items = selectors.plan_items(plan, timezone.localdate())
    can_change = can_act_on_org(request.user, plan.organisation, "change")
    context = {
        "plan": plan,
        "items": items,
        "execution": selectors.plan_execution(items),
        "can_change": can_change,
        "item_form": forms.PlanItemForm(plan=plan, initial={"year": plan.start_year}) if can_change else None,
        "export_query": f"plan={plan.pk}",
    }
    return render(request, "education/plan_detail.html", context)


@login_required
@require_POST
def plan_item_add(request, pk):
    plan = get_in_scope(EducationPlan.objects.select_related("organisation"), request.user, "change", pk=pk)
    return act(
        request,
        lambda d: services.add_plan_item(plan, d, actor=request.user),
        form=forms.PlanItemForm(request.POST, plan=plan),
        back=("education:plan_detail", plan.pk),
        success=lambda item: f"已添加计划项目“{item.topic}”",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_item_delete(request, pk):
    item = get_in_scope(PlanItem.objects.select_related("plan"), request.user, "change", pk=pk)
    return confirm_delete(
        request,
        item,
        lambda: services.remove_plan_item(item, actor=request.user),
        what="计划项目",
        back=reverse("education:plan_detail", args=[item.plan_id]),
    )


# ---------------------------------------------------------------- edit and delete (questions, quizzes, plans)


def _edit_page(request, form, save, *, title, back, success):
    """The kit's write page on this app's form template (a 返回 link to `back`)."""
    return write_page(
        request, form, save, title=title, back=back, success=success, template="education/question_form.html", back_url=back, plain=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk):
    q = get_in_scope(Question.objects.select_related("organisation"), request.user, "change", pk=pk)
    initial = {f: getattr(q, f) for f in ("kind", "category", "difficulty", "text", "answer", "explanation")}
    initial["options"] = "\n".join(q.options) if q.kind != "truefalse" else ""
    if q.kind == "truefalse":
        initial["answer"] = "对" if q.answer == "A" else "错"
    form = forms.QuestionEditForm(request.POST or None, user=request.user, initial=initial)
    return _edit_page(
        request,
        form,
        lambda data: services.update_question(q, dict(data), actor=request.user),
        title="修改试题",
        back=f"{reverse('education:questions')}?org={q.organisation_id}",
        success=lambda obj: f"已保存试题：{obj}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(request, pk):
    q = get_in_scope(Question.objects.select_related("organisation"), request.user, "change", pk=pk)
    return confirm_delete(
        request,
        q,
        lambda: services.delete_question(q, actor=request.user),
        what="试题",
        back=f"{reverse('education:questions')}?org={q.organisation_id}",
        note="已被作答的试题不能删除，只能停用。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request, pk):
    quiz = get_in_scope(Quiz.objects.select_related("organisation"), request.user, "change", pk=pk)
    initial = {f: getattr(quiz, f) for f in ("title", "time_limit", "attempts_allowed", "pass_score", "hours", "opens_on", "closes_on")}
    initial["draw"] = "\n".join(f"{c}：{n}" for c, n in quiz.draw.items())
    form = forms.QuizEditForm(request.POST or None, user=request.user, initial=initial)
    return _edit_page(
        request,
        form,
        lambda data: services.update_quiz(quiz, dict(data), actor=request.user),
        title=f"修改考学：{quiz.title}",
        back=reverse("education:quiz_detail", args=[quiz.pk]),
        success=lambda obj: f"已保存考学“{obj.title}”",
    )


@login_required
@require_http_methods(["GET", "POST"])
def quiz_delete(request, pk):
    quiz = get_in_scope(Quiz.objects.select_related("organisation"), request.user, "change", pk=pk)
    return confirm_delete(
        request,
        quiz,
        lambda: services.delete_quiz(quiz, actor=request.user),
        what="考学",
        back=reverse("education:quiz_detail", args=[quiz.pk]),
        note="已有人作答的考学不能删除。",
        then="education:quizzes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = get_in_scope(EducationPlan.objects.select_related("organisation"), request.user, "change", pk=pk)
    form = forms.PlanEditForm(
        request.POST or None, initial={"title": plan.title, "end_year": plan.end_year if plan.kind != "annual" else None, "note": plan.note}
    )
    return _edit_page(
        request,
        form,
        lambda data: services.update_plan(plan, dict(data), actor=request.user),
        title=f"修改计划：{plan.title}",
        back=reverse("education:plan_detail", args=[plan.pk]),
        success=lambda obj: f"已保存“{obj.title}”",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_delete(request, pk):
    plan = get_in_scope(EducationPlan.objects.select_related("organisation"), request.user, "change", pk=pk)
    return confirm_delete(
        request,
        plan,
        lambda: services.delete_plan(plan, actor=request.user),
        what="教育培训计划",
        back=reverse("education:plan_detail", args=[plan.pk]),
        note="" if request.method == "POST" else f"计划的{plan.items.count()}个项目一并删除。",
        success=lambda n: f"已删除“{plan}”及其{n}个计划项目（修改记录中保留删除前的内容）",
        then="education:plans",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_item_edit(request, pk):
    item = get_in_scope(PlanItem.objects.select_related("plan__organisation"), request.user, "change", pk=pk)
    fields = ("year", "month", "topic", "audience", "level", "form", "hours", "training_class")
    form = forms.PlanItemForm(request.POST or None, plan=item.plan, initial={f: getattr(item, f) for f in fields})
    return _edit_page(
        request,
        form,
        lambda data: services.update_plan_item(item, dict(data), actor=request.user),
        title=f"修改计划项目：{item.topic}",
        back=reverse("education:plan_detail", args=[item.plan_id]),
        success=lambda obj: f"已保存计划项目“{obj.topic}”",
    )


# ---------------------------------------------------------------- venues, courseware, joint meetings


def _cell(obj, path):
    value = path(obj) if callable(path) else obj
    if not callable(path):
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
            if callable(value):
                value = value()
    return "" if value is None else value


RESOURCES = {
    # key: (list export name, title, intro, form, service, new-button label)
    "venues": (
        "education_venues",
        "学习阵地",
        "党员活动室、电教室、远程教育站点等学习阵地及其投入。",
        "VenueForm",
        "add_venue",
        "登记阵地",
    ),
    "courseware": (
        "education_courseware",
        "课件库",
        "课件名称、时长和内网地址，供集中学习和网上学习使用。",
        "CoursewareForm",
        "add_courseware",
        "登记课件",
    ),
    "joint_meetings": (
        "education_joint_meetings",
        "教育联席会议",
        "党员教育工作联席会议的议题、参加单位和议定事项。",
        "JointMeetingForm",
        "add_joint_meeting",
        "登记会议",
    ),
}


NEW_URLS = {"venues": "education:venue_new", "courseware": "education:courseware_new", "joint_meetings": "education:joint_meeting_new"}


def _resource_page(request, key):
    from apps.core.registry import lists

    export, title, intro, _form, _service, new_label = RESOURCES[key]
    org, other = _org_or_self(request)
    if other:  # a member (own record only): their own learning record (the menu link was a 404)
        return other
    entry = lists.get(export)
    page = page_of(entry.rows(request.user, request.GET), request)
    headers = [col[0] for col in entry.columns]
    page.cells = [list(zip(headers, (_cell(row, col[1]) for col in entry.columns), strict=True)) for row in page.rows]
    if key in EDITABLE:  # a last column with the row's actions (download, edit, delete)
        scope = user_scope(request.user, "change")
        page.items = [(row, cells, scope.covers_path(row.org_path)) for row, cells in zip(page.rows, page.cells, strict=True)]
    context = {
        "org": org,
        "key": key,
        "title": title,
        "intro": intro,
        "export": export,
        "new_label": new_label,
        "headers": headers,
        "new_url": reverse(NEW_URLS[key]),
        "filter_form": OrgFilterForm(request.GET, user=request.user, initial={"org": org}),
        "page": page,
        "q": request.GET.get("q", ""),
        "can_create": has_action(request.user, "change"),
        "editable": key in EDITABLE,
    }
    return render(request, "education/resources.html", context)


def _refuse_too_big(request) -> None:
    """Files cut off by uploads.LimitedUploadHandler: refused (a Chinese error on `file`)
    before the service is called."""
    if too_big := getattr(request, "too_big_uploads", []):
        limit = rules.size_text(rules.COURSEWARE_MAX_BYTES)
        raise ValidationError({"file": [f"课件文件“{name}”超过上限{limit}，未保存" for name in too_big]})


def _resource_new(request, key):
    _export, title, _intro, form_name, service_name, new_label = RESOURCES[key]
    if not has_action(request.user, "change"):
        raise Http404("您没有可维护的党组织")
    form = getattr(forms, form_name)(request.POST or None, request.FILES or None, user=request.user)

    def add(d):
        _refuse_too_big(request)
        return getattr(services, service_name)(d, actor=request.user)

    done = saved(
        request,
        form,
        add,
        success=f"已{new_label}",
        then=lambda _: f"{reverse(f'education:{key}')}?org={form.cleaned_data['organisation'].pk}",
        scope_field="organisation",
    )
    return done or render(
        request,
        "education/question_form.html",
        {"form": form, "title": new_label, "back": f"education:{key}", "back_label": title, "upload": key == "courseware", "plain": True},
    )


# Resources a branch may change and delete: model, edit form, update and delete services.
EDITABLE = {
    "venues": (Venue, "VenueEditForm", "update_venue", "delete_venue", "name"),
    "courseware": (Courseware, "CoursewareEditForm", "update_courseware", "delete_courseware", "title"),
}


def _resource_obj(request, key, pk, action):
    model = EDITABLE[key][0]
    return get_in_scope(model.objects.select_related("organisation"), request.user, action, pk=pk)


def _resource_edit(request, key, pk):
    model, form_name, service_name, _delete, _label = EDITABLE[key]
    title = RESOURCES[key][1]
    obj = _resource_obj(request, key, pk, "change")
    initial = {f.name: getattr(obj, f.name) for f in model._meta.concrete_fields if f.name not in ("file", "organisation")}
    form = getattr(forms, form_name)(request.POST or None, request.FILES or None, user=request.user, initial=initial)

    def update(d):
        _refuse_too_big(request)
        extra = {"remove_file": d.pop("remove_file", False)} if key == "courseware" else {}
        return getattr(services, service_name)(obj, d, actor=request.user, **extra)

    done = saved(request, form, update, success=f"已保存“{obj}”的修改", then=f"{reverse(f'education:{key}')}?org={obj.organisation_id}")
    if done:
        return done
    context = {
        "form": form,
        "title": f"修改：{obj}",
        "back": f"education:{key}",
        "back_label": title,
        "upload": key == "courseware",
        "plain": True,
        "current_file": getattr(obj, "file_name", ""),
    }
    return render(request, "education/question_form.html", context)


def _resource_delete(request, key, pk):
    _model, _form, _update, service_name, _label = EDITABLE[key]
    obj = _resource_obj(request, key, pk, "change")
    return confirm_delete(
        request,
        obj,
        lambda: getattr(services, service_name)(obj, actor=request.user),
        what=RESOURCES[key][1],
        back=f"{reverse(f'education:{key}')}?org={obj.organisation_id}",
    )


@login_required
def venues(request):
    return _resource_page(request, "venues")


@login_required
@require_http_methods(["GET", "POST"])
def venue_new(request):
    return _resource_new(request, "venues")


@login_required
@require_http_methods(["GET", "POST"])
def venue_edit(request, pk):
    return _resource_edit(request, "venues", pk)


@login_required
@require_http_methods(["GET", "POST"])
def venue_delete(request, pk):
    return _resource_delete(request, "venues", pk)


@login_required
def courseware(request):
    return _resource_page(request, "courseware")


@login_required
@require_http_methods(["GET", "POST"])
@bounded_upload
def courseware_new(request):
    return _resource_new(request, "courseware")


@login_required
@require_http_methods(["GET", "POST"])
@bounded_upload
def courseware_edit(request, pk):
    return _resource_edit(request, "courseware", pk)


@login_required
@require_http_methods(["GET", "POST"])
def courseware_delete(request, pk):
    return _resource_delete(request, "courseware", pk)


@login_required
def courseware_download(request, pk):
    """The uploaded file, streamed from storage, for users who may see the item (404
    otherwise); every download is written to the access log."""
    item = get_in_scope(Courseware.objects.select_related("organisation"), request.user, "view", pk=pk)
    if not item.file:
        raise Http404("该课件没有上传文件")
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("课件文件不存在，请联系课件所属组织重新上传") from exc
    AccessLog.record(
        AccessLog.Kind.EXPORT, user=request.user, target=f"下载课件：{item.title}"[:200], org_path=item.org_path, courseware=item.pk
    )
    return FileResponse(handle, as_attachment=True, filename=item.file_name or item.file.name.rsplit("/", 1)[-1])


@login_required
def joint_meetings(request):
    return _resource_page(request, "joint_meetings")


@login_required
@require_http_methods(["GET", "POST"])
def joint_meeting_new(request):
    return _resource_new(request, "joint_meetings")
