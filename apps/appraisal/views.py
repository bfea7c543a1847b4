"""Democratic appraisal and handling web pages. Views parse input, look objects up
through the one scoping mechanism (get_in_scope: 404 outside the user's scope) and call
services; the rules live there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.formviews import act, saved
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
    done = saved(
        request,
        form,
        lambda d: services.open_campaign(d["organisation"], d, actor=request.user),
        success=lambda campaign: f"已发起{campaign.title}：{campaign.branches.count()}个支部",
        then=lambda campaign: ("appraisal:campaign", campaign.pk),
        scope_field="organisation",
    )
    return done or render(request, "appraisal/campaign_new.html", {"form": form})


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


@login_required
@require_POST
def branch_report(request, pk):
    ba = _branch(request, pk, "change")
    return act(
        request,
        lambda d: services.record_report(ba, report=d["report"], on=d["report_on"], actor=request.user),
        form=forms.ReportForm(request.POST),
        invalid="请填写书记述职报告要点和述职日期",
        back=("appraisal:branch", ba.pk),
        success="已记录书记述职，进入个人自评环节",
    )


@login_required
@require_POST
def branch_advance(request, pk):
    ba = _branch(request, pk, "change")
    return act(request, lambda _: services.advance(ba, actor=request.user), back=("appraisal:branch", ba.pk), success="已进入下一环节")


@login_required
@require_POST
def branch_propose(request, pk):
    ba = _branch(request, pk, "change")
    form = forms.GradesForm(request.POST, appraisees=list(selectors.appraisee_rows(ba)), meeting=True)
    return act(
        request,
        lambda d: services.propose_grades(ba, form.grades(), meeting_date=d["meeting_date"], actor=request.user),
        form=form,
        invalid="请填写评定会议日期和每名党员的等次",
        back=("appraisal:branch", ba.pk),
        success="已记录组织评定结果",
    )


@login_required
@require_POST
def branch_feedback(request, pk):
    ba = _branch(request, pk, "change")
    return act(
        request,
        lambda d: services.feed_back(ba, on=d["on"], actor=request.user),
        form=forms.DateForm(request.POST),
        invalid="请填写反馈日期",
        back=("appraisal:branch", ba.pk),
        success="评议结果已反馈，评议完成",
    )


@login_required
@require_POST
def peer_opinion(request, pk):
    a = get_in_scope(Appraisee.objects.select_related("branch"), request.user, "change", pk=pk)
    return act(
        request,
        lambda d: services.record_peer_opinion(a, text=d["text"], actor=request.user),
        form=forms.TextForm(request.POST),
        invalid="请填写互评意见",
        back=("appraisal:branch", a.branch_id),
        success=f"已记录{a.member.name}的互评意见",
    )


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
    return act(
        request,
        lambda d: services.submit_self_assessment(a, text=d["text"], actor=request.user),
        form=forms.TextForm(request.POST),
        invalid="请填写个人自评",
        back=("appraisal:my",) if own else ("appraisal:branch", a.branch_id),
        success="个人自评已提交",
    )


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
    done = saved(
        request,
        form,
        lambda _: services.cast_ballot(ba, form.grades(), actor=request.user),
        success="投票成功。测评票不记名，任何人都无法查看您的选择",
        then="appraisal:my",
    )
    return done or render(
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
    return act(
        request,
        lambda d: services.open_case(
            d["member"], kind=d["kind"], source=d["source"] or "manual", source_note=d["source_note"], on=d["opened_on"], actor=request.user
        ),
        form=forms.CaseOpenForm(request.POST, user=request.user),
        invalid=lambda form: "；".join(e for errs in form.errors.values() for e in errs),
        back="appraisal:cases",
        success=lambda case: f"已立案：{case}",
        then=lambda case: ("appraisal:case", case.pk),
    )


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
    return act(
        request,
        lambda d: services.take_step(c, step, d, actor=request.user),
        form=forms.step_form(step, request.POST, kind=c.kind),
        back=("appraisal:case", c.pk),
        success=f"已办理：{rules.STEP_LABELS[step]}",
    )


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
    return act(
        request,
        lambda d: services.suspend_lost_contact(member, on=d["on"], actor=request.user),
        form=forms.DateForm(request.POST),
        invalid="请填写停止党籍日期",
        back="appraisal:lost_contact",
        success=f"{member.name}已停止党籍",
    )


# ── 设岗定责 ──────────────────────────────────────────────────────────────────────────────
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
    done = saved(
        request,
        form,
        lambda d: services.create_post(d["organisation"], d, actor=request.user),
        success=lambda post: f"已设立：{post.title}",
        then=lambda post: ("appraisal:post", post.pk),
        scope_field="organisation",
    )
    if done:
        return done
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
    return act(
        request,
        lambda d: services.assign_member(p, d["member"], duties=d["duties"], start_on=d["start_on"], actor=request.user),
        form=forms.AssignForm(request.POST, user=request.user, under=p.organisation),
        back=("appraisal:post", p.pk),
        success=lambda a: f"{a.member.name}已上岗",
    )


@login_required
@require_POST
def post_review(request, pk):
    p = _post(request, pk, "change")
    current = list(p.assignments.filter(end_on__isnull=True).select_related("member"))

    def review(d):
        a = next(a for a in current if a.pk == d.pop("assignment"))
        return a, services.review_post(a, d, actor=request.user)

    return act(
        request,
        review,
        form=forms.PostReviewForm(request.POST, assignments=current),
        back=("appraisal:post", p.pk),
        success=lambda done: f"已登记评岗：{done[0].member.name} {done[1].get_grade_display()}",
    )


@login_required
@require_POST
def post_end(request, pk):
    p = _post(request, pk, "change")
    return act(
        request,
        lambda d: services.end_post(p, on=d["on"], actor=request.user),
        form=forms.DateForm(request.POST),
        invalid="请填写撤销日期",
        back=("appraisal:post", p.pk),
        success="岗位已撤销",
    )


@login_required
@require_POST
def assignment_end(request, pk):
    a = get_in_scope(PostAssignment.objects.select_related("member"), request.user, "change", pk=pk)
    return act(
        request,
        lambda d: services.end_assignment(a, on=d["on"], actor=request.user),
        form=forms.DateForm(request.POST),
        invalid="请填写离岗日期",
        back=("appraisal:post", a.post_id),
        success=f"{a.member.name}已离岗",
    )


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
    done = saved(
        request,
        form,
        lambda d: services.record_supervision(d["member"], d, actor=request.user),
        success=lambda record: f"已登记：{record}",
        then=lambda record: ("appraisal:supervision_record", record.pk),
        scope_field="member",
    )
    return done or _supervision_page(request, form)


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
    return act(
        request,
        lambda d: services.conclude_supervision(r, d, actor=request.user),
        form=forms.ConcludeForm(request.POST),
        back=("appraisal:supervision_record", r.pk),
        success="已办结",
    )


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
    done = saved(
        request,
        form,
        lambda d: services.set_goals(d["member"], year=d["year"], own_goals=d["own_goals"], actor=request.user),
        success=lambda sheet: f"已制定：{sheet}",
        then=lambda sheet: ("appraisal:goal", sheet.pk),
        scope_field="member",
    )
    return done or _goals_page(request, form)


@login_required
def my_goals(request):
    """The member's own goal sheets (on a phone): set this year's goals, do the self-check."""
    member = Member.objects.filter(pk=getattr(request.user, "member_id", None)).select_related("organisation").first()
    if member is None:
        raise Http404("只有党员本人可以制定自己的年度目标")
    form = forms.MyGoalForm(request.POST or None)
    done = saved(
        request,
        form,
        lambda d: services.set_goals(member, year=d["year"], own_goals=d["own_goals"], actor=request.user),
        success=lambda sheet: f"已制定{sheet.year}年度目标",
        then="appraisal:my_goals",
    )
    if done:
        return done
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

    def check(d):
        try:
            return services.check_goals(s, text=d["self_check"], grade=d["check_grade"], actor=request.user)
        except ScopeError as exc:  # neither the member nor their branch: as if it did not exist
            raise Http404(exc.message) from exc

    return act(request, check, form=forms.GoalCheckForm(request.POST), back=("appraisal:goal", s.pk), success="年终自查已提交")


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
    done = saved(
        request,
        form,
        lambda d: services.add_talent(d, actor=request.user),
        success=lambda entry: f"已列入人才库：{entry}",
        then=lambda entry: ("appraisal:talent", entry.pk),
        scope_field="member" if form.is_valid() and form.cleaned_data.get("member") else "organisation",
    )
    return done or _talents_page(request, form)


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
    done = saved(
        request, form, lambda d: services.update_talent(e, d, actor=request.user), success="已保存", then=("appraisal:talent", e.pk)
    )
    return done or render(request, "appraisal/talent_edit.html", {"e": e, "form": form})


@login_required
@require_POST
def talent_stage(request, pk):
    e = _talent(request, pk, "change")
    return act(
        request,
        lambda d: services.change_talent_stage(e, d["stage"], on=d["on"], note=d["note"], actor=request.user),
        form=forms.TalentStageForm(request.POST, entry=e),
        back=("appraisal:talent", e.pk),
        success="培养阶段已调整",
    )


@login_required
@require_POST
def talent_close(request, pk):
    e = _talent(request, pk, "change")
    return act(
        request,
        lambda d: services.close_talent(e, d["outcome"], on=d["on"], note=d["note"], actor=request.user),
        form=forms.TalentCloseForm(request.POST, entry=e),
        back=("appraisal:talent", e.pk),
        success="培养已结束",
    )
