"""Democracy web pages: thin; the rules are in services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from apps.core.paging import page_of
from apps.core.scoping import ScopeError, can_act_on_org, get_in_scope, has_action
from apps.members.models import Member

from . import forms, selectors, services
from .models import Consultation, Feedback, LifeMeeting, LifeRectification, Notice, NoticeRead


def _errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for msg in errors:
                form.add_error(field if field in form.fields else None, msg)
    else:
        for msg in exc.messages:
            form.add_error(None, msg)


def _form_page(request, form, title, back, intro=""):
    return render(request, "care/form.html", {"form": form, "title": title, "back": back, "intro": intro, "submit": "提交"})


def _require_any(user, action="view"):
    scope_ok = has_action(user, action)
    if not scope_ok:
        raise Http404("您没有可查看的党组织")


# ── feedback ─────────────────────────────────────────────────────────────────────────
@login_required
def feedback_list(request):
    _require_any(request.user)
    page = page_of(selectors.feedback_list(request.user, request.GET), request)
    return render(
        request,
        "democracy/feedback_list.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "status": request.GET.get("status", ""),
            "overdue": request.GET.get("overdue", ""),
            "statuses": Feedback.Status.choices,
            "today": timezone.localdate(),
            "can_change": has_action(request.user, "change"),
        },
    )


@login_required
def feedback_citizen(request):
    _require_any(request.user, "change")
    form = forms.CitizenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            fb = services.raise_feedback(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            _errors(form, exc)
        except ScopeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记，答复期限{fb.due_on}")
            return redirect("democracy:feedback", fb.pk)
    return _form_page(
        request,
        form,
        "登记群众反映",
        reverse("democracy:feedback_list"),
        "群众通过党支部反映的意见、建议、投诉或求助，登记后由受理党组织在时限内答复，超期自动上交上级。",
    )


@login_required
def feedback(request, pk):
    fb = get_in_scope(Feedback.objects.select_related("organisation", "origin", "raiser", "category"), request.user, "view", pk=pk)
    can_answer = fb.status == "open" and can_act_on_org(request.user, fb.organisation, "change")
    form = forms.AnswerForm(request.POST or None) if can_answer else None
    if request.method == "POST":
        if not can_answer:
            raise Http404("只有负责答复的党组织可以答复")
        if form.is_valid():
            try:
                services.answer_feedback(fb, answer=form.cleaned_data["answer"], actor=request.user)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, "已答复，提出人可在“我的反馈”中查看")
                return redirect("democracy:feedback", fb.pk)
    return render(request, "democracy/feedback.html", {"fb": fb, "form": form, "today": timezone.localdate()})


@login_required
def my_feedback(request):
    if not request.user.member_id:
        raise Http404("您的账号未关联党员档案")
    member = Member.objects.get(pk=request.user.member_id)
    form = forms.RaiseForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            fb = services.raise_feedback(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"已提交给{fb.organisation.name}，答复期限{fb.due_on}")
            return redirect("democracy:my_feedback")
    return render(request, "democracy/my_feedback.html", {"form": form, "rows": list(selectors.my_feedback(request.user)[:100])})


# ── 党务公开 ────────────────────────────────────────────────────────────────────────────
@login_required
def notices(request):
    _require_any(request.user)
    page = page_of(selectors.notice_list(request.user, request.GET), request)
    return render(
        request,
        "democracy/notices.html",
        {"page": page, "q": request.GET.get("q", ""), "today": timezone.localdate(), "can_change": has_action(request.user, "change")},
    )


@login_required
def notice_new(request):
    _require_any(request.user, "change")
    form = forms.NoticeForm(request.POST or None, user=request.user, initial={"publish_on": timezone.localdate(), "audience": "members"})
    if request.method == "POST" and form.is_valid():
        try:
            n = services.publish_notice(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            _errors(form, exc)
        except ScopeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已发布：{n}")
            return redirect("democracy:notices")
    return _form_page(request, form, "发布党务公开", reverse("democracy:notices"))


@login_required
def notice_withdraw(request, pk):
    n = get_in_scope(Notice.objects.all(), request.user, "change", pk=pk)
    form = forms.WithdrawForm(request.POST or None, initial={"withdraw_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_notice(n, on=form.cleaned_data["withdraw_on"], actor=request.user)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "已撤下")
            return redirect("democracy:notices")
    return _form_page(request, form, f"撤下：{n}", reverse("democracy:notices"))


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
    _require_any(request.user)
    page = page_of(selectors.consultation_list(request.user, request.GET), request)
    return render(
        request,
        "democracy/consultations.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "status": request.GET.get("status", ""),
            "statuses": Consultation.Status.choices,
            "can_change": has_action(request.user, "change"),
        },
    )


@login_required
def consultation_new(request):
    _require_any(request.user, "change")
    form = forms.ConsultationForm(request.POST or None, user=request.user, initial={"audience": "members", "allow_anonymous": True})
    if request.method == "POST" and form.is_valid():
        try:
            c = services.start_consultation(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            _errors(form, exc)
        except ScopeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已发起征求意见，{c.deadline}截止")
            return redirect("democracy:consultation", c.pk)
    return _form_page(
        request,
        form,
        "发起征求意见",
        reverse("democracy:consultations"),
        "重大事项决策前向党员征求意见；截止后登记决定结果，提交过意见的党员可看到结果。",
    )


@login_required
def consultation(request, pk):
    c = get_in_scope(selectors.consultation_list(request.user), request.user, "view", pk=pk)
    can_decide = c.status == "open" and c.deadline < timezone.localdate() and can_act_on_org(request.user, c.organisation, "change")
    form = forms.DecideForm(request.POST or None) if can_decide else None
    if request.method == "POST":
        if not can_decide:
            raise Http404("只有发起组织在截止后可以登记决定结果")
        if form.is_valid():
            try:
                services.decide_consultation(c, decision=form.cleaned_data["decision"], actor=request.user)
            except ValidationError as exc:
                _errors(form, exc)
            else:
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
        if form.is_valid():
            try:
                services.submit_opinion(current, form.cleaned_data, actor=request.user)
            except ValidationError as exc:
                _errors(form, exc)
            else:
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
    _require_any(request.user)
    page = page_of(selectors.decision_list(request.user, request.GET), request)
    return render(
        request,
        "democracy/decisions.html",
        {"page": page, "q": request.GET.get("q", ""), "can_change": has_action(request.user, "change")},
    )


@login_required
def decision_new(request):
    _require_any(request.user, "change")
    form = forms.DecisionForm(request.POST or None, user=request.user, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            d = services.record_decision(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            _errors(form, exc)
        except ScopeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记：{d.topic}（{d.get_result_display()}）")
            return redirect("democracy:decisions")
    return _form_page(
        request,
        form,
        "登记集体决策",
        reverse("democracy:decisions"),
        "集体领导、个别酝酿、会议决定：实到委员须超过应到半数；赞成票超过应到委员半数为通过（系统按票数计算）。",
    )


# ── 生活会整改 ─────────────────────────────────────────────────────────────────────────
@login_required
def life_meetings(request):
    _require_any(request.user)
    page = page_of(selectors.life_meetings(request.user, request.GET), request)
    return render(request, "democracy/life_meetings.html", {"page": page, "open": request.GET.get("open", "")})


@login_required
def life_meeting(request, pk):
    """One 民主生活会/组织生活会 (orglife's record) with its rectification list."""
    from . import rules

    m = get_in_scope(
        LifeMeeting.objects.filter(kind__in=rules.LIFE_MEETING_KINDS).select_related("organisation"), request.user, "view", pk=pk
    )
    can_change = can_act_on_org(request.user, m.organisation, "change")
    form = forms.RectificationForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise Http404("只有召开生活会的组织可以登记整改事项")
        if form.is_valid():
            try:
                services.add_rectification(m, form.cleaned_data, actor=request.user)
            except ValidationError as exc:
                _errors(form, exc)
            else:
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
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_rectification(
                r, note=form.cleaned_data["done_note"], done_on=form.cleaned_data["done_on"], actor=request.user
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "已登记整改完成")
            return redirect("democracy:life_meeting", r.meeting_id)
    return _form_page(request, form, f"整改完成：{r}", reverse("democracy:life_meeting", args=[r.meeting_id]))
