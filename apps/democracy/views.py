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
from .models import Feedback, Notice, NoticeRead


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
