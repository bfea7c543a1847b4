"""Care web pages. Views parse input, find objects through the one scoping mechanism
(get_in_scope: 404 outside scope) and call services; the rules live there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.core import ruletables
from apps.core.forms import flash_errors
from apps.core.formviews import form_page, list_page, require_action, submitted
from apps.core.paging import page_of
from apps.core.scoping import ScopeError, can_act_on_org, get_in_scope, has_action

from . import forms, rules, selectors, services
from .models import CareOccasion, ChecklistItem, CommendationKind, Fund, FundApplication, Hardship, Household, Pairing, SubsidyRate, Visit


def _today():
    return timezone.localdate()


# ── visits ───────────────────────────────────────────────────────────────────────────
@login_required
def visits(request):
    return list_page(
        request,
        "care/visits.html",
        selectors.visit_list(request.user, request.GET),
        echo=("q", "occasion", "year", "follow_up"),
        occasions=CareOccasion.objects.exclude(kind=CareOccasion.Kind.GREETING),
    )


@login_required
def visit_new(request):
    require_action(request.user, "change")
    raw_item = request.POST.get("item") or request.GET.get("item")
    item = None
    if raw_item:
        item = get_in_scope(ChecklistItem.objects.select_related("member", "occasion"), request.user, "change", pk=raw_item)
    initial = {"visited_on": _today(), "amount": "0"}
    if item is not None:
        initial.update({"item": item.pk, "occasion": item.occasion_id})
    form = forms.VisitForm(request.POST or None, user=request.user, item=item, initial=initial)
    listed = {"member": item.member} if item is not None else {}
    ok, visit = submitted(request, form, lambda d: services.record_visit({**d, **listed}, actor=request.user))
    if ok:
        messages.success(request, f"已登记对{visit.member.name}的走访")
        if item is not None:
            return redirect(f"{reverse('care:checklist')}?occasion={item.occasion.code}&year={item.year}")
        return redirect("care:visits")
    intro = (
        f"清单对象：{item.member.name}（{item.reason_labels}）"
        if item
        else "四必访：党员生病住院、家庭遭遇困难、思想出现波动、家有婚丧大事必访。"
    )
    return form_page(request, form, "登记走访", reverse("care:visits"), intro=intro)


@login_required
def visit_follow_up(request, pk):
    visit = get_in_scope(Visit.objects.all(), request.user, "change", pk=pk)
    form = forms.FollowUpForm(request.POST or None, initial={"done_on": _today()})
    ok, _ = submitted(request, form, lambda d: services.complete_follow_up(visit, done_on=d["done_on"], actor=request.user))
    if ok:
        messages.success(request, "后续事项已办结")
        return redirect("care:visits")
    return form_page(request, form, f"后续事项办结：{visit.follow_up}", reverse("care:visits"))


# ── checklists ───────────────────────────────────────────────────────────────────────
@login_required
def checklist(request):
    require_action(request.user)
    org = selectors.required_org(request.user, request.GET)
    occasion = selectors.chosen_occasion(request.GET)
    year = selectors.chosen_year(request.GET)
    params = {**request.GET.dict(), "occasion": occasion.code, "year": str(year), "org": str(org.pk)}
    page = page_of(selectors.checklist_items(request.user, params), request)
    return render(
        request,
        "care/checklist.html",
        {
            "org": org,
            "occasion": occasion,
            "year": year,
            "years": list(range(_today().year + 1, _today().year - 4, -1)),
            "occasions": selectors.occasions().filter(kind__in=[CareOccasion.Kind.SEASONAL, CareOccasion.Kind.GREETING]),
            "summary": selectors.checklist_summary(org, occasion, year),
            "page": page,
            "q": request.GET.get("q", ""),
            "state": request.GET.get("state", ""),
            "can_change": can_act_on_org(request.user, org, "change"),
            "today": _today(),
        },
    )


def _checklist_url(occasion_code, year, org_pk=None):
    url = f"{reverse('care:checklist')}?occasion={occasion_code}&year={year}"
    return f"{url}&org={org_pk}" if org_pk else url


@login_required
@require_POST
def checklist_generate(request):
    org = selectors.required_org(request.user, request.POST, "change")
    form = forms.ChecklistGenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("care:checklist")
    occasion, year = form.cleaned_data["occasion"], form.cleaned_data["year"]
    try:
        result = services.generate_checklist(org, occasion, year, actor=request.user)
    except (ValidationError, ScopeError) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已生成{year}年{occasion}清单：新增{result.created}人，共{result.total}人")
    return redirect(_checklist_url(occasion.code, year, org.pk))


@login_required
@require_POST
def checklist_done(request):
    """Tick greetings (问候卡) delivered: the chosen items of the user's scope."""
    ids = [i for i in request.POST.getlist("items") if str(i).isdigit()]
    items = list(ChecklistItem.objects.restrict(request.user, "change").filter(pk__in=ids).select_related("occasion"))
    if not ids or len(items) != len(set(ids)):
        raise Http404("未找到所选对象，或不在您的管理范围内")
    form = forms.ItemsDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写有效的送达日期")
    else:
        try:
            n = services.mark_items_done(items, done_on=form.cleaned_data["done_on"], actor=request.user)
        except (ValidationError, ScopeError) as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已标记{n}人问候送达")
    first = items[0]
    return redirect(_checklist_url(first.occasion.code, first.year))


# ── hardship and pairings ────────────────────────────────────────────────────────────
@login_required
def hardships(request):
    return list_page(
        request,
        "care/hardships.html",
        selectors.hardship_list(request.user, request.GET),
        echo=("q", "status", "cause"),
        causes=rules.HARDSHIP_CAUSES,
        statuses=Hardship.Status.choices,
    )


@login_required
def hardship_new(request):
    require_action(request.user, "change")
    form = forms.HardshipForm(request.POST or None, user=request.user, initial={"registered_on": _today()})
    ok, h = submitted(request, form, lambda d: services.register_hardship(d, actor=request.user))
    if ok:
        messages.success(request, f"已登记困难党员{h.member.name}")
        return redirect("care:hardship", h.pk)
    return form_page(request, form, "登记困难党员", reverse("care:hardships"))


def _hardship(request, pk, action="view") -> Hardship:
    return get_in_scope(Hardship.objects.select_related("member", "organisation"), request.user, action, pk=pk)


@login_required
def hardship(request, pk):
    h = _hardship(request, pk)
    pairings = list(h.pairings.select_related("helper").prefetch_related("updates").order_by("-started_on", "-id"))
    return render(
        request,
        "care/hardship.html",
        {
            "h": h,
            "pairings": pairings,
            "can_change": can_act_on_org(request.user, h.organisation, "change"),
            "pairing_form": forms.PairingForm(user=request.user, initial={"started_on": _today()}),
            "close_form": forms.CloseHardshipForm(initial={"closed_on": _today()}),
            "update_form": forms.PairingUpdateForm(initial={"on": _today()}),
            "close_pairing_form": forms.ClosePairingForm(initial={"closed_on": _today()}),
        },
    )


@login_required
def hardship_close(request, pk):
    h = _hardship(request, pk, "change")
    form = forms.CloseHardshipForm(request.POST or None, initial={"closed_on": _today()})
    ok, _ = submitted(
        request, form, lambda d: services.close_hardship(h, closed_on=d["closed_on"], note=d["closure_note"], actor=request.user)
    )
    if ok:
        messages.success(request, f"{h.member.name}已脱困销号")
        return redirect("care:hardship", h.pk)
    return form_page(request, form, f"脱困销号：{h.member.name}", reverse("care:hardship", args=[h.pk]))


@login_required
def pairing_new(request, pk):
    h = _hardship(request, pk, "change")
    form = forms.PairingForm(request.POST or None, user=request.user, initial={"started_on": _today()})
    ok, _ = submitted(request, form, lambda d: services.start_pairing(h, d, actor=request.user))
    if ok:
        messages.success(request, "已建立三包结对")
        return redirect("care:hardship", h.pk)
    return form_page(request, form, f"三包结对：帮扶{h.member.name}", reverse("care:hardship", args=[h.pk]))


def _pairing(request, pk, action="change") -> Pairing:
    return get_in_scope(Pairing.objects.select_related("hardship__member", "helper"), request.user, action, pk=pk)


@login_required
def pairing_update(request, pk):
    p = _pairing(request, pk)
    form = forms.PairingUpdateForm(request.POST or None, initial={"on": _today()})
    ok, _ = submitted(request, form, lambda d: services.add_pairing_update(p, on=d["on"], content=d["content"], actor=request.user))
    if ok:
        messages.success(request, "已登记帮扶记录")
        return redirect("care:hardship", p.hardship_id)
    return form_page(request, form, f"帮扶记录：{p}", reverse("care:hardship", args=[p.hardship_id]))


@login_required
def pairing_close(request, pk):
    p = _pairing(request, pk)
    form = forms.ClosePairingForm(request.POST or None, initial={"closed_on": _today()})
    ok, _ = submitted(
        request, form, lambda d: services.close_pairing(p, closed_on=d["closed_on"], outcome=d["outcome"], actor=request.user)
    )
    if ok:
        messages.success(request, "结对已结束")
        return redirect("care:hardship", p.hardship_id)
    return form_page(request, form, f"结束结对：{p}", reverse("care:hardship", args=[p.hardship_id]))


@login_required
def pairings(request):
    return list_page(
        request,
        "care/pairings.html",
        selectors.pairing_list(request.user, request.GET),
        echo=("q", "status", "due"),
        statuses=Pairing.Status.choices,
        update_days=rules.PAIRING_UPDATE_DAYS,
    )


# ── fund ─────────────────────────────────────────────────────────────────────────────
@login_required
def funds(request):
    require_action(request.user)
    page = page_of(selectors.fund_list(request.user, request.GET), request)
    apps_page = page_of(selectors.application_list(request.user, request.GET), request, param="apage")
    return render(
        request,
        "care/funds.html",
        {
            "page": page,
            "apps_page": apps_page,
            "q": request.GET.get("q", ""),
            "status": request.GET.get("status", ""),
            "statuses": FundApplication.Status.choices,
            "can_change": has_action(request.user, "change"),
        },
    )


@login_required
def fund_new(request):
    require_action(request.user, "change")
    form = forms.FundForm(request.POST or None, user=request.user, initial={"opened_on": _today()})
    ok, fund = submitted(
        request,
        form,
        lambda d: services.open_fund(d["organisation"], name=d["name"], opened_on=d["opened_on"], note=d["note"], actor=request.user),
    )
    if ok:
        messages.success(request, f"已设立{fund}")
        return redirect("care:fund", fund.pk)
    return form_page(request, form, "设立互助基金", reverse("care:funds"))


def _fund(request, pk, action="view") -> Fund:
    return get_in_scope(Fund.objects.select_related("organisation"), request.user, action, pk=pk)


@login_required
def fund(request, pk):
    f = _fund(request, pk)
    year = selectors.chosen_year(request.GET)
    statement = selectors.yearly_statement(f, year)
    return render(
        request,
        "care/fund.html",
        {
            "fund": f,
            "s": statement,
            "year": year,
            "years": list(range(_today().year, _today().year - 5, -1)),
            "can_change": can_act_on_org(request.user, f.organisation, "change"),
            "income_form": forms.IncomeForm(initial={"on": _today()}),
            "applications": selectors.application_list(request.user, {"fund": str(f.pk), "status": "applied"})[:50],
            "approved": selectors.application_list(request.user, {"fund": str(f.pk), "status": "approved"})[:50],
        },
    )


@login_required
def fund_income(request, pk):
    f = _fund(request, pk, "change")
    form = forms.IncomeForm(request.POST or None, initial={"on": _today()})
    ok, _ = submitted(request, form, lambda d: services.record_income(f, **d, actor=request.user))
    if ok:
        messages.success(request, "已登记收入")
        return redirect("care:fund", f.pk)
    return form_page(request, form, f"登记收入：{f}", reverse("care:fund", args=[f.pk]))


@login_required
def application_new(request):
    require_action(request.user, "change")
    form = forms.ApplicationForm(request.POST or None, user=request.user, initial={"applied_on": _today()})
    ok, app = submitted(
        request,
        form,
        lambda d: services.apply_for_aid(
            d["fund"], d["member"], amount=d["amount"], reason=d["reason"], applied_on=d["applied_on"], actor=request.user
        ),
    )
    if ok:
        messages.success(request, f"已提交{app.member.name}的互助基金申请，待基金所属党组织集体研究")
        return redirect("care:funds")
    return form_page(
        request, form, "互助基金申请", reverse("care:funds"), intro="党支部为困难党员提出申请，由基金所属党组织集体研究审批后支付。"
    )


def _application(request, pk) -> FundApplication:
    return get_in_scope(FundApplication.objects.select_related("member", "fund__organisation"), request.user, "view", pk=pk)


@login_required
def application_decide(request, pk):
    app = _application(request, pk)
    if not can_act_on_org(request.user, app.fund.organisation, "change"):
        raise Http404("只有基金所属党组织可以审批")
    form = forms.DecideForm(request.POST or None, initial={"decided_on": _today(), "approved_amount": app.amount})
    ok, _ = submitted(
        request,
        form,
        lambda d: services.decide_application(
            app,
            approve=d["approve"],
            approved_amount=d["approved_amount"],
            meeting=d["meeting"],
            note=d["note"],
            decided_on=d["decided_on"],
            actor=request.user,
        ),
    )
    if ok:
        messages.success(request, "已记录审批结果")
        return redirect("care:fund", app.fund_id)
    return form_page(request, form, f"审批：{app}", reverse("care:fund", args=[app.fund_id]), intro=f"申请理由：{app.reason}")


@login_required
def application_pay(request, pk):
    app = _application(request, pk)
    if not can_act_on_org(request.user, app.fund.organisation, "change"):
        raise Http404("只有基金所属党组织可以支付")
    form = forms.PayForm(request.POST or None, initial={"paid_on": _today()})
    ok, _ = submitted(request, form, lambda d: services.pay_application(app, paid_on=d["paid_on"], note=d["note"], actor=request.user))
    if ok:
        messages.success(request, "已支付")
        return redirect("care:fund", app.fund_id)
    intro = f"批准金额{app.approved_amount or '—'}元，基金余额{app.fund.balance}元。"
    return form_page(request, form, f"支付：{app}", reverse("care:fund", args=[app.fund_id]), intro=intro)


# ── subsidies ────────────────────────────────────────────────────────────────────────
@login_required
def subsidies(request):
    require_action(request.user)
    org = selectors.required_org(request.user, request.GET)
    year = selectors.chosen_year(request.GET)
    params = {**request.GET.dict(), "org": str(org.pk), "year": str(year)}
    rows = selectors.subsidy_rows(request.user, params)
    page = page_of(rows, request, count=False)
    page.total, page.exact = len(rows), True
    return render(
        request,
        "care/subsidies.html",
        {
            "org": org,
            "year": year,
            "years": list(range(_today().year + 1, _today().year - 4, -1)),
            "rates": SubsidyRate.objects.filter(year=year),
            "page": page,
            "state": request.GET.get("state", ""),
            "can_change": can_act_on_org(request.user, org, "change"),
            "can_configure": has_action(request.user, "configure"),
            "today": _today(),
        },
    )


@login_required
@require_POST
def subsidy_pay(request):
    org = selectors.required_org(request.user, request.POST, "change")
    year = selectors.chosen_year(request.POST)
    ids = [i for i in request.POST.getlist("members") if str(i).isdigit()]
    form = forms.SubsidyPayForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写有效的发放日期")
    else:
        try:
            n = services.pay_subsidies(org, year, ids, paid_on=form.cleaned_data["paid_on"], actor=request.user)
        except (ValidationError, ScopeError) as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已登记{n}人{year}年生活补助发放")
    return redirect(f"{reverse('care:subsidies')}?org={org.pk}&year={year}")


@login_required
def subsidy_rate(request):
    if not has_action(request.user, "configure"):
        raise Http404("只有县委组织部管理员可以设置生活补助标准")
    form = forms.SubsidyRateForm(request.POST or None, initial={"year": _today().year})
    ok, rate = submitted(request, form, lambda d: services.set_subsidy_rate(**d, actor=request.user))
    if ok:
        messages.success(request, f"已设置{rate}")
        return redirect(f"{reverse('care:subsidies')}?year={rate.year}")
    return form_page(
        request,
        form,
        "设置生活补助标准",
        reverse("care:subsidies"),
        intro="建国前入党老党员不设年龄党龄条件；高龄、老党员补助须设年龄或党龄下限。一名党员一年只领一类（取金额最高的一类）。",
    )


# ── commendations ────────────────────────────────────────────────────────────────────
@login_required
def nominations(request):
    from .models import CommendationKind, Nomination

    return list_page(
        request,
        "care/nominations.html",
        selectors.nomination_list(request.user, request.GET),
        echo=("q", "year", "kind", "status"),
        kinds=CommendationKind.objects.all(),
        statuses=Nomination.Status.choices,
        notice_days=rules.NOTICE_WORKDAYS,
    )


@login_required
def nomination_new(request):
    require_action(request.user, "change")
    form = forms.NominationForm(request.POST or None, user=request.user, initial={"year": _today().year, "nominated_on": _today()})
    ok, n = submitted(request, form, lambda d: services.nominate(d, actor=request.user))
    if ok:
        messages.success(request, f"已推荐：{n}（资格审查通过）")
        return redirect("care:nomination", n.pk)
    intro = "推荐时按数据审查资格：党籍状态正常，且不在党纪处分影响期、评议未被定为不合格、未欠缴党费（以已登记的核查项为准）。"
    return form_page(request, form, "表彰推荐", reverse("care:nominations"), intro=intro)


def _nomination(request, pk, action="view"):
    from .models import Nomination

    return get_in_scope(Nomination.objects.select_related("kind", "member", "nominee_org", "organisation"), request.user, action, pk=pk)


@login_required
def nomination(request, pk):
    n = _nomination(request, pk)
    return render(
        request,
        "care/nomination.html",
        {
            "n": n,
            "can_change": can_act_on_org(request.user, n.organisation, "change"),
            "can_approve": can_act_on_org(request.user, n.organisation, "approve"),
            "notice_form": forms.NoticeForm(initial={"notice_start": _today()}),
            "decide_form": forms.NominationDecideForm(initial={"decided_on": _today()}),
            "notice_days": rules.NOTICE_WORKDAYS,
        },
    )


@login_required
def nomination_notice(request, pk):
    n = _nomination(request, pk, "change")
    form = forms.NoticeForm(request.POST or None, initial={"notice_start": _today()})
    ok, noticed = submitted(request, form, lambda d: services.start_notice(n, start=d["notice_start"], actor=request.user))
    if ok:
        messages.success(request, f"已公示：{noticed.notice_start}至{noticed.notice_end}（{rules.NOTICE_WORKDAYS}个工作日）")
        return redirect("care:nomination", n.pk)
    return form_page(request, form, f"公示：{n}", reverse("care:nomination", args=[n.pk]))


@login_required
def nomination_decide(request, pk):
    n = _nomination(request, pk, "approve")
    form = forms.NominationDecideForm(request.POST or None, initial={"decided_on": _today()})
    ok, decided = submitted(
        request,
        form,
        lambda d: services.decide_nomination(
            n, approve=d["approve"], note=d["note"], feedback=d["feedback"], decided_on=d["decided_on"], actor=request.user
        ),
    )
    if ok:
        messages.success(request, f"{decided}：{decided.get_status_display()}")
        return redirect("care:nomination", n.pk)
    return form_page(request, form, f"审批：{n}", reverse("care:nomination", args=[n.pk]))


@login_required
def honour_roll(request):
    require_action(request.user)
    org = selectors.required_org(request.user, request.GET)
    page = page_of(selectors.honour_roll(request.user, {**request.GET.dict(), "org": str(org.pk)}), request)
    return render(request, "care/honour_roll.html", {"org": org, "page": page, "year": request.GET.get("year", "")})


@login_required
def my_awards(request):
    if not request.user.member_id:
        raise Http404("您的账号未关联党员档案")
    return render(request, "care/my_awards.html", {"awards": list(selectors.my_awards(request.user))})


@login_required
def cadres(request):
    require_action(request.user)
    page = page_of(selectors.cadre_candidates(request.user, request.GET), request)
    page.rows = selectors.candidate_details(page.rows)
    return render(
        request,
        "care/cadres.html",
        {"page": page, "q": request.GET.get("q", ""), "max_age": rules.CADRE_MAX_AGE, "award_years": rules.AWARD_YEARS},
    )


# ── 联系群众 ───────────────────────────────────────────────────────────────────────────
@login_required
def households(request):
    return list_page(
        request,
        "care/households.html",
        selectors.household_list(request.user, request.GET),
        echo=("q", "needy", "gap"),
        summary=selectors.household_summary(request.user, request.GET),
        gap_days=rules.CONTACT_GAP_DAYS,
    )


@login_required
def household_new(request):
    require_action(request.user, "change")
    form = forms.HouseholdForm(request.POST or None, user=request.user, initial={"since_on": _today()})
    ok, h = submitted(request, form, lambda d: services.add_household(d, actor=request.user))
    if ok:
        messages.success(request, f"已登记：{h.member.name}联系{h}")
        return redirect("care:household", h.pk)
    return form_page(
        request,
        form,
        "登记党员联系户",
        reverse("care:households"),
        intro=f"每名党员联系若干群众户（最多{rules.MAX_HOUSEHOLDS_PER_MEMBER}户），经常走访，记民情日记、为群众办实事；勾选“困难群众”即为结对帮扶。",
    )


@login_required
def household(request, pk):
    """A household with its 民情日记; the member who keeps it (or the branch) adds a contact."""
    h = get_in_scope(Household.objects.select_related("member", "organisation"), request.user, "view", pk=pk)
    can_record = h.status == "active" and (request.user.member_id == h.member_id or can_act_on_org(request.user, h.organisation, "change"))
    form = forms.ContactForm(request.POST or None, initial={"on": _today(), "way": "visit"}) if can_record else None
    if request.method == "POST":
        if not can_record:
            raise Http404("只有联系党员本人或所在支部可以登记")
        ok, _ = submitted(request, form, lambda d: services.record_contact(h, d, actor=request.user))
        if ok:
            messages.success(request, "已记入民情日记")
            return redirect("care:household", h.pk)
    return render(
        request,
        "care/household.html",
        {
            "h": h,
            "contacts": selectors.household_contacts(h),
            "form": form,
            "can_end": h.status == "active" and can_act_on_org(request.user, h.organisation, "change"),
            "can_reveal": bool(h.phone_masked) and services.may_reveal_household_phone(request.user, h),
        },
    )


@login_required
@never_cache
@require_POST
def household_phone(request, pk):
    """The full phone number of one household, for the member keeping it or a role with
    the reveal right on its branch; every view is written to the access log."""
    h = get_in_scope(Household.objects.select_related("organisation"), request.user, "view", pk=pk)
    try:
        phone = services.reveal_household_phone(h, actor=request.user)
    except ScopeError as exc:
        raise PermissionDenied(exc.message) from None
    response = HttpResponse(format_html('<span class="reveal-value">{}</span>', phone or "（未填）"))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def household_end(request, pk):
    h = get_in_scope(Household.objects.all(), request.user, "change", pk=pk)
    form = forms.HouseholdEndForm(request.POST or None, initial={"ended_on": _today()})
    ok, _ = submitted(request, form, lambda d: services.end_household(h, ended_on=d["ended_on"], outcome=d["outcome"], actor=request.user))
    if ok:
        messages.success(request, "已结束联系")
        return redirect("care:households")
    return form_page(request, form, f"结束联系：{h}", reverse("care:household", args=[h.pk]))


@login_required
def my_households(request):
    """我的联系户 (a member, on a phone): each household with the last contact and a link
    to write today's 民情日记."""
    if not request.user.member_id:
        raise Http404("您的账号未关联党员档案")
    rows = list(selectors.my_households(request.user))
    return render(request, "care/my_households.html", {"rows": rows, "gap_days": rules.CONTACT_GAP_DAYS, "today": _today()})


# ── county rule tables: 关怀事由, 表彰项目 (configure right; edits kept in the history) ─────
def _active(row) -> str:
    return "启用" if row.active else "停用"


@login_required
def occasions(request):
    return ruletables.table_page(
        request,
        CareOccasion,
        what="关怀事由",
        intro="四必访、节日走访慰问和问候的事由（全县统一）。修改后，新的走访登记和清单生成即按新设置执行。",
        edit_url=reverse("care:occasion_edit"),
        columns=[
            ("名称", lambda o: o.name),
            ("类别", lambda o: o.get_kind_display()),
            ("月份", lambda o: o.month),
            ("走访对象", lambda o: o.target_labels),
            ("状态", _active),
        ],
    )


@login_required
def occasion_edit(request):
    """GET: the form (?row=<id> edits a row); POST: saves through the service (configure right)."""
    return ruletables.edit_page(
        request,
        CareOccasion,
        forms.OccasionForm,
        services.save_occasion,
        what="关怀事由",
        back=reverse("care:occasions"),
        intro="四必访事由随时登记走访；节日走访慰问和问候按走访对象从名册生成清单。停用的事由不再可选，已有记录保留。",
    )


@login_required
def commendation_kinds(request):
    return ruletables.table_page(
        request,
        CommendationKind,
        what="表彰项目",
        intro="表彰项目及其表彰层级（全县统一）。推荐时只能选启用的项目；停用或修改层级不影响已有的推荐和表彰。",
        edit_url=reverse("care:commendation_kind_edit"),
        columns=[
            ("名称", lambda k: k.name),
            ("表彰对象", lambda k: k.get_nominee_display()),
            ("表彰层级", lambda k: k.get_level_display()),
            ("状态", _active),
        ],
    )


@login_required
def commendation_kind_edit(request):
    """GET: the form (?row=<id> edits a row); POST: saves through the service (configure right)."""
    return ruletables.edit_page(
        request,
        CommendationKind,
        forms.CommendationKindForm,
        services.save_commendation_kind,
        what="表彰项目",
        back=reverse("care:commendation_kinds"),
        intro="表彰层级：县级由县委审批，乡镇（党委）级由乡镇党委审批。表彰对象（党员个人或基层党组织）保存后不能修改。",
    )
