"""Democratic appraisal and handling web pages. Views parse input, look objects up
through the one scoping mechanism (get_in_scope: 404 outside the user's scope) and call
services; the rules live there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.forms import apply_service_errors, flash_errors
from apps.core.paging import page_of
from apps.core.scoping import ScopeError, can_act_on_org, get_in_scope, has_action
from apps.members.models import Member

from . import forms, rules, selectors, services
from .models import (
    Appraisee,
    BranchAppraisal,
    Campaign,
    GoalSheet,
    HandlingCase,
    MemberPost,
    PostAssignment,
    SupervisionRecord,
    TalentEntry,
)


# ── campaigns ─────────────────────────────────────────────────────────────────────────
@login_required
def campaigns(request):
    if not has_action(request.user, "view"):
        return redirect("appraisal:my")
    page = page_of(selectors.campaign_list(request.user, request.GET), request)
    can_open = has_action(request.user, "approve")
    return render(
        request,
        "appraisal/campaigns.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "can_open": can_open,
            # a branch secretary: the branch's own procedures (the campaign was opened above)
            "mine": [] if can_open else selectors.my_branch_procs(request.user),
        },
    )


@login_required
def campaign_new(request):
    if not has_action(request.user, "approve"):
        raise Http404("只有县委组织部或乡镇党委可以发起民主评议")
    form = forms.CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = services.open_campaign(d["organisation"], d, actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except ScopeError as exc:
            form.add_error("organisation", exc.message)
        else:
            messages.success(request, f"已发起{campaign.title}：{campaign.branches.count()}个支部")
            return redirect("appraisal:campaign", campaign.pk)
    return render(request, "appraisal/campaign_new.html", {"form": form})


@login_required
def campaign(request, pk):
    campaign = get_in_scope(Campaign.objects.select_related("organisation"), request.user, "view", pk=pk)
    page = page_of(selectors.branch_list(request.user, campaign, request.GET), request)
    selectors.with_progress(page.rows)
    return render(
        request,
        "appraisal/campaign.html",
        {"campaign": campaign, "page": page, "q": request.GET.get("q", ""), "phases": rules.PHASES, "phase": request.GET.get("phase", "")},
    )


# ── one branch's procedure ────────────────────────────────────────────────────────────
def _branch(request, pk, action="view") -> BranchAppraisal:
    return get_in_scope(BranchAppraisal.objects.select_related("campaign", "organisation"), request.user, action, pk=pk)


@login_required
def branch(request, pk):
    ba = _branch(request, pk)
    can_change = can_act_on_org(request.user, ba.organisation, "change")
    ctx = {"ba": ba, "campaign": ba.campaign, "can_change": can_change, "phases": rules.PHASES}
    ctx["deadline"] = ba.campaign.phase_deadline(ba.phase)
    if ba.phase == "report":
        ctx["report_form"] = forms.ReportForm()
    if ba.phase in ("proposal", "feedback", "done"):
        rows = selectors.proposal_rows(ba)
        ctx["rows"] = rows
        if ba.phase == "proposal":
            initial = {r["appraisee"].pk: r["suggested"] for r in rows}
            form = forms.GradesForm(appraisees=[r["appraisee"] for r in rows], initial_grades=initial, meeting=True)
            ctx["grade_fields"] = {a.pk: f for a, f in form.rows()}
            ctx["propose_form"] = form
        ctx["cap"] = rules.cap_count(len(rows), ba.campaign.cap)
    else:
        page = page_of(selectors.appraisee_rows(ba), request)
        ctx["page"] = page
    ctx["voted"] = ba.votes_cast.count() if ba.phase in ("rating", "proposal", "feedback", "done") else None
    ctx["feedback_form"] = forms.DateForm() if ba.phase == "feedback" else None
    return render(request, "appraisal/branch.html", ctx)


def _branch_post(request, pk, call, ok: str):
    ba = _branch(request, pk, "change")
    try:
        call(ba)
    except ValidationError as exc:
        flash_errors(request, exc)
    except ScopeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("appraisal:branch", ba.pk)


@login_required
@require_POST
def branch_report(request, pk):
    form = forms.ReportForm(request.POST)
    if not form.is_valid():
        _branch(request, pk, "change")
        messages.error(request, "请填写书记述职报告要点和述职日期")
        return redirect("appraisal:branch", pk)
    d = form.cleaned_data
    return _branch_post(
        request,
        pk,
        lambda ba: services.record_report(ba, report=d["report"], on=d["report_on"], actor=request.user),
        "已记录书记述职，进入个人自评环节",
    )


@login_required
@require_POST
def branch_advance(request, pk):
    return _branch_post(request, pk, lambda ba: services.advance(ba, actor=request.user), "已进入下一环节")


@login_required
@require_POST
def branch_propose(request, pk):
    ba = _branch(request, pk, "change")
    form = forms.GradesForm(request.POST, appraisees=list(selectors.appraisee_rows(ba)), meeting=True)
    if not form.is_valid():
        messages.error(request, "请填写评定会议日期和每名党员的等次")
        return redirect("appraisal:branch", ba.pk)
    d = form.cleaned_data
    return _branch_post(
        request,
        pk,
        lambda b: services.propose_grades(b, form.grades(), meeting_date=d["meeting_date"], actor=request.user),
        "已记录组织评定结果",
    )


@login_required
@require_POST
def branch_feedback(request, pk):
    form = forms.DateForm(request.POST)
    if not form.is_valid():
        _branch(request, pk, "change")
        messages.error(request, "请填写反馈日期")
        return redirect("appraisal:branch", pk)
    return _branch_post(
        request, pk, lambda ba: services.feed_back(ba, on=form.cleaned_data["on"], actor=request.user), "评议结果已反馈，评议完成"
    )


@login_required
@require_POST
def peer_opinion(request, pk):
    a = get_in_scope(Appraisee.objects.select_related("branch"), request.user, "change", pk=pk)
    form = forms.TextForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"peer_opinion": ["请填写互评意见"]})
        services.record_peer_opinion(a, text=form.cleaned_data["text"], actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已记录{a.member.name}的互评意见")
    return redirect("appraisal:branch", a.branch_id)


# ── the member's own pages (phone) ────────────────────────────────────────────────────
@login_required
def my(request):
    rows = selectors.my_appraisals(request.user)
    return render(request, "appraisal/my.html", {"rows": rows, "self_form": forms.TextForm()})


@login_required
@require_POST
def self_assess(request, pk):
    a = get_in_scope(Appraisee.objects.select_related("branch"), request.user, "view", pk=pk)
    own = a.member_id == getattr(request.user, "member_id", None)
    if not own and not can_act_on_org(request.user, a.organisation, "change"):
        raise Http404("未找到该记录")
    form = forms.TextForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"self_assessment": ["请填写个人自评"]})
        services.submit_self_assessment(a, text=form.cleaned_data["text"], actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "个人自评已提交")
    return redirect("appraisal:my" if own else "appraisal:branch", *([] if own else [a.branch_id]))


@login_required
def ballot(request, pk):
    """The member's ballot (每人一票), on the phone: one grade for every other member. The URL
    is the voter's own place in the appraisal (pk of their Appraisee): 404 for anyone else."""
    member_id = getattr(request.user, "member_id", None)
    if not member_id:
        raise Http404("只有党员本人可以参加民主测评")
    # the voter's own place in this branch's appraisal (404 for anyone else)
    own = get_in_scope(
        Appraisee.objects.select_related("branch__campaign", "branch__organisation"), request.user, "view", pk=pk, member_id=member_id
    )
    ba = own.branch
    others = list(selectors.appraisee_rows(ba).exclude(member_id=member_id))
    form = forms.GradesForm(request.POST or None, appraisees=others)
    voter = Member.objects.filter(pk=member_id).first()
    refusal = services.rater_refusal(ba, voter)
    has_voted = ba.votes_cast.filter(voter_id=member_id).exists()
    if request.method == "POST" and form.is_valid():
        try:
            services.cast_ballot(ba, form.grades(), actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "投票成功。测评票不记名，任何人都无法查看您的选择")
            return redirect("appraisal:my")
    return render(
        request,
        "appraisal/ballot.html",
        {"ba": ba, "form": form, "refusal": refusal, "has_voted": has_voted, "cap": rules.cap_count(len(others) + 1, ba.campaign.cap)},
    )


# ── results ───────────────────────────────────────────────────────────────────────────
@login_required
def results(request):
    org = selectors.chosen_org(request.user, request.GET)
    if org is None:
        raise Http404("您没有可查看的党组织")
    year = selectors._year(request.GET)
    data = selectors.results(org, year)
    return render(request, "appraisal/results.html", {**data, "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1)})


# ── handling cases ────────────────────────────────────────────────────────────────────
@login_required
def cases(request):
    org = selectors.chosen_org(request.user, request.GET)
    if org is None:
        raise Http404("您没有可查看的党组织")
    page = page_of(selectors.case_list(request.user, request.GET), request)
    found = selectors.candidates(request.user, org, limit=50) if can_act_on_org(request.user, org, "change") else []
    return render(
        request,
        "appraisal/cases.html",
        {
            "org": org,
            "page": page,
            "candidates": found,
            "q": request.GET.get("q", ""),
            "kinds": rules.CASE_KIND_CHOICES,
            "open_form": forms.CaseOpenForm(user=request.user) if has_action(request.user, "change") else None,
        },
    )


@login_required
@require_POST
def case_open(request):
    form = forms.CaseOpenForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            case = services.open_case(
                d["member"],
                kind=d["kind"],
                source=d["source"] or "manual",
                source_note=d["source_note"],
                on=d["opened_on"],
                actor=request.user,
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        except ScopeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已立案：{case}")
            return redirect("appraisal:case", case.pk)
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("appraisal:cases")


def _case(request, pk, action="view") -> HandlingCase:
    return get_in_scope(HandlingCase.objects.select_related("member", "organisation"), request.user, action, pk=pk)


@login_required
def case(request, pk):
    c = _case(request, pk)
    step = c.next_step
    ctx = {
        "case": c,
        "steps": [(s, rules.STEP_LABELS[s]) for s in c.kind_rule.steps],
        "can_change": can_act_on_org(request.user, c.organisation, "change"),
    }
    if step:
        ctx["step_form"] = forms.step_form(step, kind=c.kind)
        ctx["step"] = step
        ctx["step_label"] = rules.STEP_LABELS[step]
        ctx["needs_approve"] = step == "approved" and not can_act_on_org(request.user, c.organisation, "approve")
    from apps.core.audit import history_for

    ctx["history"] = list(history_for(c)[:30])
    return render(request, "appraisal/case.html", ctx)


@login_required
@require_POST
def case_step(request, pk):
    c = _case(request, pk, "change")
    step = request.POST.get("step", "")
    if step not in forms.STEP_FIELDS:
        messages.error(request, "请选择要办理的环节")
        return redirect("appraisal:case", c.pk)
    form = forms.step_form(step, request.POST, kind=c.kind)
    if not form.is_valid():
        messages.error(
            request, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e}" for f, errs in form.errors.items() for e in errs)
        )
        return redirect("appraisal:case", c.pk)
    try:
        services.take_step(c, step, form.cleaned_data, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    except ScopeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已办理：{rules.STEP_LABELS[step]}")
    return redirect("appraisal:case", c.pk)


# ── the lost-contact clock ────────────────────────────────────────────────────────────
@login_required
def lost_contact(request):
    org = selectors.chosen_org(request.user, request.GET)
    if org is None:
        raise Http404("您没有可查看的党组织")
    today = timezone.localdate()
    page = page_of(selectors.lost_contact_clock(request.user, org, today), request)
    for m in page.rows:
        m.clock, m.clock_due = selectors.clock_state(m, today)
    return render(request, "appraisal/lost_contact.html", {"org": org, "page": page, "today": today})


@login_required
@require_POST
def suspend(request, pk):
    member = get_in_scope(Member.objects.select_related("organisation"), request.user, "change", pk=pk)
    form = forms.DateForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"date": ["请填写停止党籍日期"]})
        services.suspend_lost_contact(member, on=form.cleaned_data["on"], actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{member.name}已停止党籍")
    return redirect("appraisal:lost_contact")


# ── 设岗定责 ──────────────────────────────────────────────────────────────────────────────
def _form_errors(form) -> str:
    return "；".join(
        f"{form.fields[f].label if f in form.fields else ''}：{e}".lstrip("：") for f, errs in form.errors.items() for e in errs
    )


# the filter choices of the list (kept out of the GET view's source: the access matrix
# reads a function view mentioning the upper-case method name as a write)
_LIST_CHOICES = {"kinds": rules.POST_KIND_CHOICES, "types": rules.POST_TYPE_CHOICES}


@login_required
def posts(request):
    if not has_action(request.user, "view"):
        raise Http404("您没有可查看的党组织")
    page = page_of(selectors.post_list(request.user, request.GET), request)
    can_change = has_action(request.user, "change")
    form = forms.PostForm(user=request.user) if can_change else None
    return render(
        request,
        "appraisal/posts.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            **_LIST_CHOICES,
            "form": form,
        },
    )


@login_required
@require_POST
def post_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可登记岗位的党支部")
    form = forms.PostForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            post = services.create_post(d["organisation"], d, actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except ScopeError as exc:
            form.add_error("organisation", exc.message)
        else:
            messages.success(request, f"已设立：{post.title}")
            return redirect("appraisal:post", post.pk)
    page = page_of(selectors.post_list(request.user, {}), request)
    return render(
        request,
        "appraisal/posts.html",
        {"page": page, "q": "", **_LIST_CHOICES, "form": form},
    )


def _post(request, pk, action="view") -> MemberPost:
    return get_in_scope(MemberPost.objects.select_related("organisation"), request.user, action, pk=pk)


@login_required
def post(request, pk):
    p = _post(request, pk)
    assignments = selectors.post_detail(p)
    current = [a for a in assignments if a.end_on is None]
    can_change = can_act_on_org(request.user, p.organisation, "change")
    ctx = {"post": p, "assignments": assignments, "can_change": can_change and not p.ended_on}
    if ctx["can_change"]:
        ctx["assign_form"] = forms.AssignForm(user=request.user, under=p.organisation)
        if current:
            ctx["review_form"] = forms.PostReviewForm(assignments=current)
        ctx["end_form"] = forms.DateForm()
    return render(request, "appraisal/post.html", ctx)


@login_required
@require_POST
def post_assign(request, pk):
    p = _post(request, pk, "change")
    form = forms.AssignForm(request.POST, user=request.user, under=p.organisation)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("appraisal:post", p.pk)
    d = form.cleaned_data
    try:
        a = services.assign_member(p, d["member"], duties=d["duties"], start_on=d["start_on"], actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{a.member.name}已上岗")
    return redirect("appraisal:post", p.pk)


@login_required
@require_POST
def post_review(request, pk):
    p = _post(request, pk, "change")
    current = list(p.assignments.filter(end_on__isnull=True).select_related("member"))
    form = forms.PostReviewForm(request.POST, assignments=current)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("appraisal:post", p.pk)
    d = dict(form.cleaned_data)
    a = next(a for a in current if a.pk == d.pop("assignment"))
    try:
        review = services.review_post(a, d, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已登记评岗：{a.member.name} {review.get_grade_display()}")
    return redirect("appraisal:post", p.pk)


@login_required
@require_POST
def post_end(request, pk):
    p = _post(request, pk, "change")
    form = forms.DateForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"ended_on": ["请填写撤销日期"]})
        services.end_post(p, on=form.cleaned_data["on"], actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "岗位已撤销")
    return redirect("appraisal:post", p.pk)


@login_required
@require_POST
def assignment_end(request, pk):
    a = get_in_scope(PostAssignment.objects.select_related("member"), request.user, "change", pk=pk)
    form = forms.DateForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"end_on": ["请填写离岗日期"]})
        services.end_assignment(a, on=form.cleaned_data["on"], actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{a.member.name}已离岗")
    return redirect("appraisal:post", a.post_id)


# ── 监督管理 ──────────────────────────────────────────────────────────────────────────────
_SUPERVISION_CHOICES = {"kinds": rules.SUPERVISION_KIND_CHOICES, "statuses": SupervisionRecord.Status.choices}


def _supervision_page(request, form):
    page = page_of(selectors.supervision_list(request.user, request.GET), request)
    return render(
        request, "appraisal/supervision.html", {"page": page, "q": request.GET.get("q", ""), "form": form, **_SUPERVISION_CHOICES}
    )


@login_required
def supervision(request):
    if not has_action(request.user, "view"):
        raise Http404("您没有可查看的党组织")
    return _supervision_page(request, forms.SupervisionForm(user=request.user) if has_action(request.user, "change") else None)


@login_required
@require_POST
def supervision_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可登记的党组织")
    form = forms.SupervisionForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            record = services.record_supervision(d["member"], d, actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except ScopeError as exc:
            form.add_error("member", exc.message)
        else:
            messages.success(request, f"已登记：{record}")
            return redirect("appraisal:supervision_record", record.pk)
    return _supervision_page(request, form)


def _record(request, pk, action="view") -> SupervisionRecord:
    return get_in_scope(SupervisionRecord.objects.select_related("member", "counterpart", "organisation"), request.user, action, pk=pk)


@login_required
def supervision_record(request, pk):
    r = _record(request, pk)
    from apps.core.audit import history_for

    can_change = can_act_on_org(request.user, r.organisation, "change")
    ctx = {"r": r, "history": list(history_for(r)[:20])}
    if can_change and r.status == SupervisionRecord.Status.OPEN:
        ctx["form"] = forms.ConcludeForm()
    return render(request, "appraisal/supervision_record.html", ctx)


@login_required
@require_POST
def supervision_conclude(request, pk):
    r = _record(request, pk, "change")
    form = forms.ConcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("appraisal:supervision_record", r.pk)
    try:
        services.conclude_supervision(r, form.cleaned_data, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已办结")
    return redirect("appraisal:supervision_record", r.pk)


# ── 目标管理 ──────────────────────────────────────────────────────────────────────────────
def _goals_page(request, form):
    page = page_of(selectors.goal_list(request.user, request.GET), request)
    return render(request, "appraisal/goals.html", {"page": page, "q": request.GET.get("q", ""), "form": form})


@login_required
def goals(request):
    if not has_action(request.user, "view"):
        return redirect("appraisal:my_goals")
    return _goals_page(request, forms.GoalSetForm(user=request.user) if has_action(request.user, "change") else None)


@login_required
@require_POST
def goal_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可管理的党组织")
    form = forms.GoalSetForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            sheet = services.set_goals(d["member"], year=d["year"], own_goals=d["own_goals"], actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except ScopeError as exc:
            form.add_error("member", exc.message)
        else:
            messages.success(request, f"已制定：{sheet}")
            return redirect("appraisal:goal", sheet.pk)
    return _goals_page(request, form)


@login_required
def my_goals(request):
    """The member's own goal sheets (on a phone): set this year's goals, do the self-check."""
    member = Member.objects.filter(pk=getattr(request.user, "member_id", None)).select_related("organisation").first()
    if member is None:
        raise Http404("只有党员本人可以制定自己的年度目标")
    form = forms.MyGoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sheet = services.set_goals(member, year=form.cleaned_data["year"], own_goals=form.cleaned_data["own_goals"], actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已制定{sheet.year}年度目标")
            return redirect("appraisal:my_goals")
    sheets = list(GoalSheet.objects.filter(member=member).order_by("-year"))
    return render(request, "appraisal/my_goals.html", {"sheets": sheets, "form": form, "check_form": forms.GoalCheckForm()})


def _sheet(request, pk, action="view") -> GoalSheet:
    return get_in_scope(GoalSheet.objects.select_related("member", "organisation"), request.user, action, pk=pk)


@login_required
def goal(request, pk):
    s = _sheet(request, pk)
    own = getattr(request.user, "member_id", None) == s.member_id
    can_check = (own or can_act_on_org(request.user, s.organisation, "change")) and not s.checked_on
    return render(request, "appraisal/goal.html", {"s": s, "check_form": forms.GoalCheckForm() if can_check else None})


@login_required
@require_POST
def goal_check(request, pk):
    s = _sheet(request, pk)  # a member reaches their own sheet; the service checks who may write
    form = forms.GoalCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("appraisal:goal", s.pk)
    try:
        services.check_goals(s, text=form.cleaned_data["self_check"], grade=form.cleaned_data["check_grade"], actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    except ScopeError as exc:
        raise Http404(exc.message) from exc
    else:
        messages.success(request, "年终自查已提交")
    return redirect("appraisal:goal", s.pk)


# ── 三培养 ──────────────────────────────────────────────────────────────────────────────
_TALENT_CHOICES = {
    "tracks": rules.TALENT_TRACK_CHOICES,
    "stages": sorted(rules.TALENT_STAGE_LABELS.items()),
    "statuses": [*TalentEntry.Status.choices, ("all", "全部")],
}


def _talents_page(request, form):
    page = page_of(selectors.talent_list(request.user, request.GET), request)
    return render(request, "appraisal/talents.html", {"page": page, "q": request.GET.get("q", ""), "form": form, **_TALENT_CHOICES})


@login_required
def talents(request):
    if not has_action(request.user, "view"):
        raise Http404("您没有可查看的党组织")
    return _talents_page(request, forms.TalentForm(user=request.user) if has_action(request.user, "change") else None)


@login_required
@require_POST
def talent_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可管理的党支部")
    form = forms.TalentForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            entry = services.add_talent(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except ScopeError as exc:
            form.add_error("member" if form.cleaned_data.get("member") else "organisation", exc.message)
        else:
            messages.success(request, f"已列入人才库：{entry}")
            return redirect("appraisal:talent", entry.pk)
    return _talents_page(request, form)


def _talent(request, pk, action="view") -> TalentEntry:
    return get_in_scope(TalentEntry.objects.select_related("member", "mentor", "organisation"), request.user, action, pk=pk)


@login_required
def talent(request, pk):
    e = _talent(request, pk)
    from apps.core.audit import history_for

    can_change = can_act_on_org(request.user, e.organisation, "change") and e.status == TalentEntry.Status.OPEN
    ctx = {"e": e, "changes": selectors.talent_history(e), "history": list(history_for(e)[:20]), "can_change": can_change}
    if can_change:
        ctx["stage_form"] = forms.TalentStageForm(entry=e)
        ctx["close_form"] = forms.TalentCloseForm(entry=e)
    return render(request, "appraisal/talent.html", ctx)


@login_required
def talent_edit(request, pk):
    e = _talent(request, pk, "change")
    initial = {"name": e.name, "phone": e.phone, "strengths": e.strengths, "mentor": e.mentor, "plan": e.plan}
    form = forms.TalentEditForm(request.POST or None, user=request.user, entry=e, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_talent(e, form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("appraisal:talent", e.pk)
    return render(request, "appraisal/talent_edit.html", {"e": e, "form": form})


@login_required
@require_POST
def talent_stage(request, pk):
    e = _talent(request, pk, "change")
    form = forms.TalentStageForm(request.POST, entry=e)
    try:
        if not form.is_valid():
            raise ValidationError({"stage": [_form_errors(form)]})
        d = form.cleaned_data
        services.change_talent_stage(e, d["stage"], on=d["on"], note=d["note"], actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "培养阶段已调整")
    return redirect("appraisal:talent", e.pk)


@login_required
@require_POST
def talent_close(request, pk):
    e = _talent(request, pk, "change")
    form = forms.TalentCloseForm(request.POST, entry=e)
    try:
        if not form.is_valid():
            raise ValidationError({"outcome": [_form_errors(form)]})
        d = form.cleaned_data
        services.close_talent(e, d["outcome"], on=d["on"], note=d["note"], actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "培养已结束")
    return redirect("appraisal:talent", e.pk)
