"""Dues web pages. Views parse input, look objects up through the one scoping mechanism
(get_in_scope: 404 outside the user's scope) and call services; the rules live there."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.api.pagination import capped_count
from apps.core.forms import apply_service_errors, flash_errors
from apps.core.formviews import act, saved, submitted
from apps.core.models import AccessLog
from apps.core.paging import page_number, page_of
from apps.core.scoping import ScopeError, can_act_on_org, get_in_scope, has_action
from apps.core.xlsx import XLSX_CONTENT_TYPE, Money, write_table
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.picker import OrgFilterForm

from . import forms, selectors, services
from . import months as mo
from .models import AnnualRemittance, ArrearsCase, Collection, DuesLine, Reduction

ARREARS_SHOWN = 20  # arrears reminders on a branch's ledger; the arrears page lists them all
MEMBER_PAGE_SIZE = 60  # months, and payments, on one page of a member's dues record


def _month(request, default=None) -> datetime.date:
    return selectors.chosen_month({"month": request.GET.get("month") or request.POST.get("month")}, default)


def _org(request, action: str = "view", *, required: bool = False) -> Organisation | None:
    """The organisation chosen by ?org=<id> (404 outside scope), else the top of the
    user's scope; None for a member-only user (404 when required)."""
    org = selectors.chosen_org(request.user, {"org": request.GET.get("org") or request.POST.get("org")}, action)
    if org is None and required:
        raise Http404("您没有可操作的党组织")
    return org


def _children(org: Organisation):
    return Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).exclude(org_type="party_group")


@login_required
def ledger(request):
    org = _org(request)
    if org is None:
        if request.user.member_id:
            return redirect("dues:member", request.user.member_id)
        raise Http404("您没有可查看的党组织")
    month = _month(request)
    # The month's sheet whole up to LEDGER_SHEET_SIZE lines (a branch rarely has more);
    # beyond, further pages of the same size, the totals always of the whole month.
    page = page_of(selectors.ledger_lines(org, month), request, size=selectors.LEDGER_SHEET_SIZE, count=False)
    data = selectors.ledger(org, month, lines=page.rows)
    page.total = data["totals"]["count"]
    arrears, arrears_total = [], None
    if org.is_branch:
        today = timezone.localdate()
        arrears = selectors.arrears_list(request.user, org, today, limit=ARREARS_SHOWN)
        arrears_total, _exact = capped_count(selectors.arrears_for(request.user, org, today))
    context = {
        "org": org,
        "month": month,
        "prev_month": mo.shift(month, -1),
        "next_month": mo.shift(month, 1),
        "can_change": can_act_on_org(request.user, org, "change"),
        "data": data,
        "page": page,
        "sheet_size": selectors.LEDGER_SHEET_SIZE,
        "children": selectors.child_summaries(org, month) if org.numchild else [],
        "arrears": arrears,
        "arrears_total": arrears_total,
    }
    return render(request, "dues/ledger.html", context)


@login_required
@require_POST
def generate(request):
    org = _org(request, "change", required=True)
    month = _month(request)

    def generated(result) -> str:
        text = f"已生成{mo.label(month)}党费台账：新增{result.created}条，已存在{result.existing}条"
        if result.missing_declaration:
            text += f"；{len(result.missing_declaration)}名党员尚未申报缴纳基数"
        if result.cases_opened:
            text += f"；新开启{result.cases_opened}件欠缴处置"
        return text

    return act(
        request,
        lambda _: services.generate_month(org, month, actor=request.user),
        back=f"{reverse('dues:ledger')}?org={org.pk}&month={month:%Y-%m}",
        success=generated,
    )


def _line(request, pk, action="view") -> DuesLine:
    return get_in_scope(DuesLine.objects.select_related("member", "payment", "organisation"), request.user, action, pk=pk)


@login_required
def pay_form(request, pk):
    line = _line(request, pk, "change")
    form = forms.PaymentForm(initial={"from_month": f"{line.month:%Y-%m}", "amount": line.amount_due})
    return render(request, "dues/_pay_form.html", {"line": line, "form": form})


@login_required
@require_POST
def pay(request, pk):
    line = _line(request, pk, "change")
    form = forms.PaymentForm(request.POST)

    def pay(d):
        d.pop("from_month"), d.pop("to_month")
        return services.record_payment(line.member, months=form.months(), actor=request.user, **d)

    ok, result = submitted(request, form, lambda d: pay(dict(d)))
    if ok:
        line = _line(request, pk)
        line.paid_up_to = services.paid_up_to(line.member)
        if request.htmx:
            # the row, and the month's summary cards out of band (they would stay stale)
            row = render_to_string("dues/_line_row.html", {"line": line, "can_change": True, "warnings": result.warnings}, request)
            totals = selectors.month_totals(line.organisation, line.month)
            cards = render_to_string("dues/_ledger_totals.html", {"totals": totals, "oob": True}, request)
            return HttpResponse(row + cards)
        for w in result.warnings:
            messages.warning(request, w)
        messages.success(request, f"已登记{line.member.name}党费{result.payment.amount}元")
        return redirect(f"{reverse('dues:ledger')}?org={line.organisation_id}&month={line.month:%Y-%m}")
    status = 200 if request.htmx else 400
    return render(request, "dues/_pay_form.html" if request.htmx else "dues/pay_page.html", {"line": line, "form": form}, status=status)


@login_required
@require_POST
def paid_elsewhere(request, pk):
    line = _line(request, pk, "change")
    url = f"{reverse('dues:ledger')}?org={line.organisation_id}&month={line.month:%Y-%m}"
    number = page_number(request, posted=True)
    return act(
        request,
        lambda d: services.mark_paid_elsewhere(line, note=d["note"], actor=request.user),
        form=forms.PaidElsewhereForm(request.POST),
        invalid="请填写流入地党组织",
        back=f"{url}&page={number}" if number > 1 else url,
        success=f"已记录{line.member.name}{mo.label(line.month)}在流入地交纳",
    )


@login_required
def export(request):
    org = _org(request)
    if org is None:
        raise Http404("您没有可导出的党组织")
    month = _month(request)
    subtree = bool(org.numchild)
    data = selectors.ledger(org, month, limit=200_000, subtree=subtree)
    rows = [
        [
            *([line.organisation.name] if subtree else []),
            line.member.name,
            Money(line.base) if line.base is not None else "",
            line.rate_label,
            Money(line.amount_due),
            Money(line.amount_due) if line.status == DuesLine.Status.PAID else (line.get_status_display() if line.settled else Money(0)),
            line.paid_on.isoformat() if line.paid_on else "",
            f"{line.paid_up_to:%Y-%m}" if line.paid_up_to else "",
        ]
        for line in data["lines"]
    ]
    headers = ["党员", "缴纳基数（元）", "比例", "应交金额（元）", "实交（元）", "缴纳日期", "交至（年月）"]
    widths = [12, 14, 8, 14, 12, 12, 12]
    if subtree:
        headers, widths = ["党组织", *headers], [30, *widths]
    out = write_table(f"{month:%Y-%m}党费台账", headers, rows, widths=widths)
    AccessLog.record(
        AccessLog.Kind.EXPORT, target=f"{org.name}{mo.label(month)}党费台账", org_path=org.path, rows=len(rows), month=f"{month:%Y-%m}"
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{org.name}-{month:%Y-%m}-党费台账.xlsx')}"
    return response


@login_required
def my_dues(request):
    if not request.user.member_id:
        raise Http404("当前账号未关联党员")
    return redirect("dues:member", request.user.member_id)


@login_required
def member(request, pk):
    m = get_in_scope(Member.objects.select_related("organisation"), request.user, "view", pk=pk)
    can_change = can_act_on_org(request.user, m.organisation, "change")
    history = selectors.member_history(m)
    context = {
        "member": m,
        "can_change": can_change,
        # a member (own record only) sees their own branch's 党费公开 without ?org=, which is a manager's choice
        "can_view_org": can_change or can_act_on_org(request.user, m.organisation, "view"),
        **history,
        "lines": page_of(history["lines"], request, param="lpage", size=MEMBER_PAGE_SIZE),
        "payments": page_of(history["payments"], request, param="ppage", size=MEMBER_PAGE_SIZE),
    }
    if can_change:
        context.update(
            {
                "declaration_form": forms.DeclarationForm(prefix="decl"),
                "voluntary_form": forms.VoluntaryForm(prefix="vol"),
                "reduction_form": forms.ReductionForm(prefix="red"),
                "payment_form": forms.PaymentForm(prefix="pay"),
            }
        )
    if request.method == "POST":
        if not can_change:
            raise Http404("不在您的管理范围内")
        which = request.POST.get("form")
        form = None
        try:
            if which == "declaration":
                form = context["declaration_form"] = forms.DeclarationForm(request.POST, prefix="decl")
                if form.is_valid():
                    services.declare_income(m, actor=request.user, **form.cleaned_data)
                    messages.success(request, "已登记缴纳基数")
                    return redirect("dues:member", m.pk)
            elif which == "voluntary":
                form = context["voluntary_form"] = forms.VoluntaryForm(request.POST, prefix="vol")
                if form.is_valid():
                    vp = services.record_voluntary_payment(m, actor=request.user, **form.cleaned_data)
                    messages.success(request, "已登记自愿多交党费" + ("（一次性1000元以上，全额上缴中央）" if vp.remit_to_centre else ""))
                    return redirect("dues:member", m.pk)
            elif which == "reduction":
                form = context["reduction_form"] = forms.ReductionForm(request.POST, prefix="red")
                if form.is_valid():
                    services.propose_reduction(m, actor=request.user, **form.cleaned_data)
                    messages.success(request, "已提交减免申请，待上级党委审批")
                    return redirect("dues:member", m.pk)
            elif which == "payment":
                form = context["payment_form"] = forms.PaymentForm(request.POST, prefix="pay")
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    data.pop("from_month"), data.pop("to_month")
                    result = services.record_payment(m, months=form.months(), actor=request.user, **data)
                    for w in result.warnings:
                        messages.warning(request, w)
                    messages.success(request, f"已登记党费{result.payment.amount}元")
                    return redirect("dues:member", m.pk)
            else:
                raise Http404("未知表单")
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except ScopeError as exc:
            form.add_error(None, exc.message)
        return render(request, "dues/member.html", context, status=400)
    return render(request, "dues/member.html", context)


@login_required
def arrears(request):
    """The arrears list and the case records, each paged (?page=, ?cpage=) and filtered by
    organisation (?org=, the picker) and member (?q=). Fixed query count."""
    filter_form = OrgFilterForm(request.GET, user=request.user)
    org = filter_form.chosen()
    q = request.GET.get("q", "").strip()
    today = timezone.localdate()
    page = page_of(selectors.arrears_page(request.user, request.GET, today, org=org), request)
    page.rows = selectors.arrears_details(page.rows)
    cases = selectors.arrears_cases(request.user, request.GET, org=org)
    context = {
        "page": page,
        "cases": page_of(cases, request, param="cpage", size=20),
        "org": org,
        "q": q,
        "filter_form": filter_form,
        "cutoff": selectors.arrears_cutoff(today),
    }
    return render(request, "dues/arrears.html", context)


@login_required
def arrears_case(request, pk):
    case = get_in_scope(ArrearsCase.objects.select_related("member", "organisation"), request.user, "view", pk=pk)
    form = forms.CaseDecisionForm()
    if request.method == "POST":
        case = get_in_scope(ArrearsCase.objects.select_related("member", "organisation"), request.user, "change", pk=pk)
        form = forms.CaseDecisionForm(request.POST)
        done = saved(
            request,
            form,
            lambda d: services.decide_arrears_case(case, actor=request.user, **d),
            success="已记录支部大会决定",
            then=("dues:arrears_case", case.pk),
        )
        if done:
            return done
    return render(request, "dues/case.html", {"case": case, "form": form})


@login_required
def reductions(request):
    context = {
        "page": page_of(selectors.reduction_list(request.user, request.GET), request),
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "statuses": Reduction.Status.choices,
        "can_approve": has_action(request.user, "approve"),
        "form": forms.DecisionForm(),
    }
    return render(request, "dues/reductions.html", context)


@login_required
@require_POST
def decide_reduction(request, pk):
    r = get_in_scope(Reduction.objects.select_related("member", "organisation"), request.user, "approve", pk=pk)
    return act(
        request,
        lambda d: services.decide_reduction(r, approve=d["approve"], note=d["note"], actor=request.user),
        form=forms.DecisionForm(request.POST),
        invalid="请选择审批结果",
        back="dues:reductions",
        success="已审批",
    )


@login_required
def collections(request):
    org = _org(request)
    if org is None:
        raise Http404("您没有可查看的党组织")
    month = _month(request, mo.shift(mo.month_start(timezone.localdate()), 0))
    can_change = can_act_on_org(request.user, org, "change")
    own = Collection.objects.filter(organisation=org, month=month).first()
    form = forms.HandOverForm()
    if request.method == "POST":
        if not can_change:
            raise Http404("不在您的管理范围内")
        form = forms.HandOverForm(request.POST)
        done = saved(
            request,
            form,
            lambda d: services.hand_over(org, month, actor=request.user, **d),
            success=f"已登记{mo.label(month)}党费上交",
            then=f"{reverse('dues:collections')}?org={org.pk}&month={month:%Y-%m}",
        )
        if done:
            return done
    context = {
        "org": org,
        "month": month,
        "prev_month": mo.shift(month, -1),
        "next_month": mo.shift(month, 1),
        "figures": services.collection_figures(org, month),
        "own": own,
        "form": form,
        "can_change": can_change,
        "children": selectors.collection_children(org, month),
        "remittances": AnnualRemittance.objects.filter(organisation=org).order_by("-year")[:10],
        "remittance_form": forms.RemittanceForm(initial={"year": month.year - 1 if month.month <= 4 else month.year}),
    }
    return render(request, "dues/collections.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def confirm(request, pk):
    coll = get_in_scope(Collection.objects.select_related("organisation"), request.user, "view", pk=pk)
    try:
        services.confirm_collection(coll, actor=request.user)
        messages.success(request, f"已确认收到{coll.organisation.name}上交的党费")
    except ScopeError:
        raise Http404("不在您的管理范围内")
    except ValidationError as exc:
        flash_errors(request, exc)
    parent = coll.handed_to_id or coll.organisation_id
    return redirect(f"{reverse('dues:collections')}?org={parent}&month={coll.month:%Y-%m}")


@login_required
@require_POST
def remittance(request):
    org = _org(request, "change", required=True)
    return act(
        request,
        lambda d: services.record_annual_remittance(org, actor=request.user, **d),
        form=forms.RemittanceForm(request.POST),
        invalid="年度与金额为必填项",
        back=f"{reverse('dues:collections')}?org={org.pk}",
        success="已登记年度党费上缴",
    )


@login_required
def disclosure(request):
    """Per-branch summary (collected, paid-up rate), no personal amounts. A member sees
    their own organisation's; managers see the branches in their scope."""
    today = timezone.localdate()
    page = selectors.disclosure_page(request.user, request.GET, today)
    org, year, rows, member_only = page["org"], page["year"], page["rows"], page["member_only"]
    return render(
        request,
        "dues/disclosure.html",
        {"org": org, "year": year, "rows": rows, "years": range(today.year, today.year - 5, -1), "member_only": member_only},
    )
