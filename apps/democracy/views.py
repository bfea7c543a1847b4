"""Democracy web pages: thin; the rules are in services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from apps.core import ruletables
from apps.core.formviews import form_page, list_page, require_action, submitted
from apps.core.scoping import can_act_on_org, get_in_scope
from apps.members.models import Member
from apps.orgs.picker import OrgFilterForm

from . import forms, rules, selectors, services
from .models import Consultation, Feedback, FeedbackCategory, LifeMeeting, LifeRectification, Notice, NoticeCategory, NoticeRead


# ── feedback ─────────────────────────────────────────────────────────────────────────
@login_required
def feedback_list(request):
    return list_page(
        request,
        "democracy/feedback_list.html",
        selectors.feedback_list(request.user, request.GET),
        echo=("q", "status", "overdue"),
        statuses=Feedback.Status.choices,
        today=timezone.localdate(),
    )


@login_required
def feedback_citizen(request):
    require_action(request.user, "change")
    form = forms.CitizenForm(request.POST or None, user=request.user)
    ok, fb = submitted(request, form, lambda d: services.raise_feedback(d, actor=request.user))
    if ok:
        messages.success(request, f"已登记，答复期限{fb.due_on}")
        return redirect("democracy:feedback", fb.pk)
    return form_page(
        request,
        form,
        "登记群众反映",
        reverse("democracy:feedback_list"),
        intro="群众通过党支部反映的意见、建议、投诉或求助，登记后由受理党组织在时限内答复，超期自动上交上级。",
        submit="提交",
    )


@login_required
def feedback(request, pk):
    fb = get_in_scope(Feedback.objects.select_related("organisation", "origin", "raiser", "category"), request.user, "view", pk=pk)
    can_answer = fb.status == "open" and can_act_on_org(request.user, fb.organisation, "change")
    form = forms.AnswerForm(request.POST or None) if can_answer else None
    if request.method == "POST":
        if not can_answer:
            raise Http404("只有负责答复的党组织可以答复")
        ok, _ = submitted(request, form, lambda d: services.answer_feedback(fb, answer=d["answer"], actor=request.user))
        if ok:
            messages.success(request, "已答复，提出人可在“我的反馈”中查看")
            return redirect("democracy:feedback", fb.pk)
    return render(request, "democracy/feedback.html", {"fb": fb, "form": form, "today": timezone.localdate()})


@login_required
def my_feedback(request):
    if not request.user.member_id:
        raise Http404("您的账号未关联党员档案")
    member = Member.objects.get(pk=request.user.member_id)
    form = forms.RaiseForm(request.POST or None, member=member)
    ok, fb = submitted(request, form, lambda d: services.raise_feedback(d, actor=request.user))
    if ok:
        messages.success(request, f"已提交给{fb.organisation.name}，答复期限{fb.due_on}")
        return redirect("democracy:my_feedback")
    return render(request, "democracy/my_feedback.html", {"form": form, "rows": list(selectors.my_feedback(request.user)[:100])})


# ── 党务公开 ────────────────────────────────────────────────────────────────────────────
@login_required
def notices(request):
    return list_page(request, "democracy/notices.html", selectors.notice_list(request.user, request.GET), today=timezone.localdate())


@login_required
def notice_new(request):
    require_action(request.user, "change")
    form = forms.NoticeForm(request.POST or None, user=request.user, initial={"publish_on": timezone.localdate(), "audience": "members"})
    ok, n = submitted(request, form, lambda d: services.publish_notice(d, actor=request.user))
    if ok:
        messages.success(request, f"已发布：{n}")
        return redirect("democracy:notices")
    return form_page(request, form, "发布党务公开", reverse("democracy:notices"), submit="提交")


@login_required
def notice_withdraw(request, pk):
    n = get_in_scope(Notice.objects.all(), request.user, "change", pk=pk)
    form = forms.WithdrawForm(request.POST or None, initial={"withdraw_on": timezone.localdate()})
    ok, _ = submitted(request, form, lambda d: services.withdraw_notice(n, on=d["withdraw_on"], actor=request.user))
    if ok:
        messages.success(request, "已撤下")
        return redirect("democracy:notices")
    return form_page(request, form, f"撤下：{n}", reverse("democracy:notices"), submit="提交")


@login_required
def board(request):
    """A branch's public board (managers: ?org=; a member: their own branch)."""
    if request.GET.get("org") or not request.user.member_id:
        org = selectors.chosen_org(request.user, request.GET)
    else:
        org = Member.objects.select_related("organisation").get(pk=request.user.member_id).organisation
    return render(request, "democracy/board.html", {"org": org, "rows": list(selectors.board(org)[:100])})


@login_required
def my_notices(request):
    """党务公开 for a member: the notices addressed to them, each with “已阅” (the read
    receipt, POST notice=<id>; a notice not addressed to them is a 404)."""
    if not request.user.member_id:
        raise Http404("您的账号未关联党员档案")
    if request.method == "POST":
        raw = request.POST.get("notice", "")
        n = selectors.notices_for_member(request.user.member_id).filter(pk=raw).first() if raw.isdigit() else None
        if n is None:
            raise Http404("未找到该公开事项")
        services.mark_read(n, actor=request.user)
        return redirect("democracy:my_notices")
    rows = list(
        selectors.notices_for_member(request.user.member_id).select_related("organisation", "category").order_by("-publish_on", "-id")[:100]
    )
    read = set(
        NoticeRead.objects.filter(member_id=request.user.member_id, notice_id__in=[n.pk for n in rows]).values_list("notice_id", flat=True)
    )
    return render(request, "democracy/my_notices.html", {"rows": rows, "read": read})


# ── 征求意见 ───────────────────────────────────────────────────────────────────────────
@login_required
def consultations(request):
    return list_page(
        request,
        "democracy/consultations.html",
        selectors.consultation_list(request.user, request.GET),
        echo=("q", "status"),
        statuses=Consultation.Status.choices,
    )


@login_required
def consultation_new(request):
    require_action(request.user, "change")
    form = forms.ConsultationForm(request.POST or None, user=request.user, initial={"audience": "members", "allow_anonymous": True})
    ok, c = submitted(request, form, lambda d: services.start_consultation(d, actor=request.user))
    if ok:
        messages.success(request, f"已发起征求意见，{c.deadline}截止")
        return redirect("democracy:consultation", c.pk)
    return form_page(
        request,
        form,
        "发起征求意见",
        reverse("democracy:consultations"),
        intro="重大事项决策前向党员征求意见；截止后登记决定结果，提交过意见的党员可看到结果。",
        submit="提交",
    )


@login_required
def consultation(request, pk):
    c = get_in_scope(selectors.consultation_list(request.user), request.user, "view", pk=pk)
    can_decide = c.status == "open" and c.deadline < timezone.localdate() and can_act_on_org(request.user, c.organisation, "change")
    form = forms.DecideForm(request.POST or None) if can_decide else None
    if request.method == "POST":
        if not can_decide:
            raise Http404("只有发起组织在截止后可以登记决定结果")
        ok, _ = submitted(request, form, lambda d: services.decide_consultation(c, decision=d["decision"], actor=request.user))
        if ok:
            messages.success(request, "已登记决定结果，提交过意见的党员可以看到")
            return redirect("democracy:consultation", c.pk)
    return render(request, "democracy/consultation.html", {"c": c, "opinions": selectors.opinions_of(c), "form": form})


@login_required
def my_consultations(request):
    """A member's 征求意见 page (works on a phone): the open ones with a form each, and the
    results of the closed ones. POST consultation=<id> submits an opinion."""
    if not request.user.member_id:
        raise Http404("您的账号未关联党员档案")
    form, current = None, None
    if request.method == "POST":
        raw = request.POST.get("consultation", "")
        current = selectors.consultations_for_member(request.user.member_id).filter(pk=raw).first() if raw.isdigit() else None
        if current is None:
            raise Http404("未找到该征求意见")
        form = forms.OpinionForm(request.POST)
        ok, _ = submitted(request, form, lambda d: services.submit_opinion(current, d, actor=request.user))
        if ok:
            messages.success(request, f"已提交对“{current.title}”的意见")
            return redirect("democracy:my_consultations")
    open_, done = selectors.my_consultations(request.user.member_id)
    return render(
        request,
        "democracy/my_consultations.html",
        {"open": open_, "done": done, "form": form, "current": current, "blank": forms.OpinionForm()},
    )


# ── 集体决策记录 ───────────────────────────────────────────────────────────────────────
@login_required
def decisions(request):
    return list_page(
        request,
        "democracy/decisions.html",
        selectors.decision_list(request.user, request.GET),
        filter_form=OrgFilterForm(request.GET, user=request.user),
    )


@login_required
def decision_new(request):
    require_action(request.user, "change")
    org = selectors.chosen_org(request.user, request.GET, "change")  # ?org=: whose meetings and consultations are listed
    form = forms.DecisionForm(request.POST or None, user=request.user, initial={"organisation": org, "decided_on": timezone.localdate()})
    ok, d = submitted(request, form, lambda d: services.record_decision(d, actor=request.user))
    if ok:
        messages.success(request, f"已登记：{d.topic}（{d.get_result_display()}）")
        return redirect("democracy:decisions")
    return form_page(
        request,
        form,
        "登记集体决策",
        reverse("democracy:decisions"),
        intro=(
            "集体领导、个别酝酿、会议决定：实到委员须超过应到半数；赞成票超过应到委员半数为通过（系统按票数计算）。"
            f"可选的会议记录和征求意见是“{org.name}”的；为其他组织登记，请在集体决策记录页按组织筛选后再点“登记”。"
        ),
        submit="提交",
    )


# ── 生活会整改 ─────────────────────────────────────────────────────────────────────────
@login_required
def life_meetings(request):
    return list_page(request, "democracy/life_meetings.html", selectors.life_meetings(request.user, request.GET), echo=("open",))


@login_required
def life_meeting(request, pk):
    """One 民主生活会/组织生活会 (orglife's record) with its rectification list."""

    m = get_in_scope(
        LifeMeeting.objects.filter(kind__in=rules.LIFE_MEETING_KINDS).select_related("organisation"), request.user, "view", pk=pk
    )
    can_change = can_act_on_org(request.user, m.organisation, "change")
    form = forms.RectificationForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise Http404("只有召开生活会的组织可以登记整改事项")
        ok, _ = submitted(request, form, lambda d: services.add_rectification(m, d, actor=request.user))
        if ok:
            messages.success(request, "已登记整改事项")
            return redirect("democracy:life_meeting", m.pk)
    items = list(selectors.rectification_list(request.user, {"meeting": str(m.pk)}))
    return render(
        request,
        "democracy/life_meeting.html",
        {"m": m, "items": items, "form": form, "can_change": can_change, "today": timezone.localdate()},
    )


@login_required
def rectification_done(request, pk):
    r = get_in_scope(LifeRectification.objects.select_related("meeting"), request.user, "change", pk=pk)
    form = forms.RectificationDoneForm(request.POST or None, initial={"done_on": timezone.localdate()})
    ok, _ = submitted(
        request, form, lambda d: services.complete_rectification(r, note=d["done_note"], done_on=d["done_on"], actor=request.user)
    )
    if ok:
        messages.success(request, "已登记整改完成")
        return redirect("democracy:life_meeting", r.meeting_id)
    return form_page(request, form, f"整改完成：{r}", reverse("democracy:life_meeting", args=[r.meeting_id]), submit="提交")


# ── county rule tables: 反馈类别与答复时限, 党务公开类别 ─────────────────────────────────
def _active(row) -> str:
    return "启用" if row.active else "停用"


@login_required
def feedback_categories(request):
    return ruletables.table_page(
        request,
        FeedbackCategory,
        what="反馈类别",
        intro="意见反馈的类别及答复时限（工作日，全县统一）。新的时限用于此后提出或上交的反馈；已提出的按提出时的期限。",
        edit_url=reverse("democracy:feedback_category_edit"),
        columns=[("名称", lambda c: c.name), ("答复时限（工作日）", lambda c: c.answer_days), ("状态", _active)],
    )


@login_required
def feedback_category_edit(request):
    """GET: the form (?row=<id> edits a row); POST: saves through the service (configure right)."""
    return ruletables.edit_page(
        request,
        FeedbackCategory,
        forms.FeedbackCategoryForm,
        services.save_feedback_category,
        what="反馈类别",
        back=reverse("democracy:feedback_categories"),
        intro=f"答复时限为1至{rules.MAX_ANSWER_DAYS}个工作日；超期未答复的反馈自动上交上级党组织。",
    )


@login_required
def notice_categories(request):
    return ruletables.table_page(
        request,
        NoticeCategory,
        what="党务公开类别",
        intro="党务公开的类别（组织建设、党员发展、党费收缴、评先评优等，全县统一）。停用的类别不能再发布，已发布的保留。",
        edit_url=reverse("democracy:notice_category_edit"),
        columns=[("名称", lambda c: c.name), ("状态", _active)],
    )


@login_required
def notice_category_edit(request):
    """GET: the form (?row=<id> edits a row); POST: saves through the service (configure right)."""
    return ruletables.edit_page(
        request,
        NoticeCategory,
        forms.NoticeCategoryForm,
        services.save_notice_category,
        what="党务公开类别",
        back=reverse("democracy:notice_categories"),
    )
