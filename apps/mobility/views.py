"""Web screens: thin — parse with a form, call a service, show its Chinese messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.forms import apply_service_errors, error_text
from apps.core.formviews import saved
from apps.core.paging import page_of
from apps.core.scoping import ScopeError, can_act_on_org, get_in_scope, has_action
from apps.members.models import Member

from . import forms, rules, selectors, services
from .models import MobileRecord, NonPublicCard, Transfer


def _data(request):
    return request.POST if request.method == "POST" else None


def _picked(data: dict, field: str, message: str):
    """A picker the service cannot do without, taken out of the data: refused on its field
    when empty."""
    value = data.pop(field)
    if value is None:
        raise ValidationError({field: [message]})
    return value


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "no-store"
    return response


# ── transfers ──────────────────────────────────────────────────────────────────────────
@login_required
def transfers(request):
    context = {
        "page": page_of(selectors.transfers(request.user, request.GET), request),
        "waiting": selectors.waiting_for(request.user)[:20],
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
        "overdue": request.GET.get("overdue", ""),
        "statuses": [("open", "未办结"), *rules.STATUS_CHOICES],
        "kinds": rules.KIND_CHOICES,
        "can_change": has_action(request.user, "change"),
        "today": timezone.localdate(),
    }
    return render(request, "mobility/transfers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可维护的党组织")
    form = forms.TransferForm(_data(request), user=request.user, initial={"member": request.GET.get("member")})

    def request_transfer(_):
        data = form.service_data()
        return services.request_transfer(_picked(data, "member", "请选择党员"), data, actor=request.user)

    done = saved(
        request,
        form,
        request_transfer,
        success=lambda t: f"已提出{t.member.name}的组织关系转接，待{t.next_step_label()}",
        then=lambda t: reverse("mobility:transfer", kwargs={"pk": t.pk}),
    )
    return done or render(
        request, "mobility/form.html", {"form": form, "title": "办理组织关系转接", "back": "mobility:transfers", "help": help_transfer()}
    )


def help_transfer() -> str:
    v = services.rule_values()
    return (
        "审批流程：党支部同意 → 基层党委审核（→ 转出本县时县委组织部审核）→ 开具介绍信 → 接收方接收。"
        f"介绍信有效期省内{v['letter_days_within']}天、跨省{v['letter_days_across']}天，接收方须在{v['receipt_months']}个月内退回回执。"
    )


@login_required
def transfer(request, pk):
    t = selectors.transfer_detail(request.user, pk)
    context = {
        "t": t,
        "steps": t.steps.all(),
        "letters": t.letters.all(),
        "can_act": services.can_act(request.user, t),
        "can_manage": can_act_on_org(request.user, t.organisation, "change"),
        "can_reissue": services.can_reissue(t) and can_act_on_org(request.user, t.organisation, "change"),
        "can_print": can_act_on_org(request.user, t.organisation, "reveal") and t.status == "issued",
        "is_receiver": can_act_on_org(request.user, t.to_organisation, "change"),
        "chain": rules.chain_for(t.kind, t.leaving_county) if t.kind != "in" else [],
        "validity_range": (lambda v: (v["letter_days_min"], v["letter_days_max"]))(services.rule_values()),
        "today": timezone.localdate(),
    }
    return render(request, "mobility/transfer.html", context)


@login_required
@require_POST
def transfer_act(request, pk):
    t = get_in_scope(Transfer.objects.all(), request.user, "view", pk=pk)
    form = forms.StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择要办理的操作")
        return redirect("mobility:transfer", pk=t.pk)
    d = form.cleaned_data
    op, note, date = d["op"], d["note"], d["date"]
    try:
        if op in ("approve", "reject"):
            services.decide_step(t, approve=op == "approve", note=note, date=date, actor=request.user)
        elif op == "accept":
            services.accept_transfer(t, date=date, note=note, actor=request.user)
        elif op == "refuse":
            services.refuse_transfer(t, reason=note, date=date, actor=request.user)
        elif op == "receipt":
            services.record_receipt(t, date=date, note=note, actor=request.user)
        elif op == "reissue":
            services.reissue_letter(t, reason=note, validity_days=d["validity_days"], actor=request.user)
        else:
            services.cancel_transfer(t, reason=note, actor=request.user)
    except ScopeError as exc:
        # a transfer the user sees (the other side) but whose step is not theirs
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"已{dict(forms.StepForm.OPS)[op]}")
    if op == "cancel" and getattr(request.user, "member_id", None) == t.member_id and not has_action(request.user, "change"):
        return redirect("mobility:my")
    return redirect("mobility:transfer", pk=t.pk)


@login_required
@never_cache
def transfer_letter(request, pk):
    """The letter as PDF (full ID number on it: the service writes the access log)."""
    t = get_in_scope(Transfer.objects.all(), request.user, "view", pk=pk)
    try:
        content = services.letter_pdf(t, actor=request.user)
    except ScopeError as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("mobility:transfer", pk=t.pk)
    return _pdf(content, f"介绍信{t.serial}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def arrival(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可维护的党组织")
    form = forms.ArrivalForm(_data(request), user=request.user)
    done = saved(
        request,
        form,
        lambda _: services.record_arrival(form.service_data(), actor=request.user),
        success=lambda t: f"已登记{t.member.name}从系统外转入",
        then=lambda t: reverse("mobility:transfer", kwargs={"pk": t.pk}),
    )
    return done or render(
        request,
        "mobility/form.html",
        {
            "form": form,
            "title": "系统外转入登记",
            "back": "mobility:transfers",
            "help": "持纸质介绍信从系统外（外省、未联网单位）转入的党员：建立党员档案并登记转入，回执按介绍信退回。",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my(request):
    """The member's own transfers and a request form (self-service)."""
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404("您的账号未关联党员档案")
    form = forms.TransferFields(_data(request))
    done = saved(
        request,
        form,
        lambda _: services.request_transfer(member, form.service_data(), actor=request.user),
        success="已提交转接申请，待党支部办理",
        then="mobility:my",
    )
    if done:
        return done
    context = {"form": form, "rows": selectors.my_transfers(member.pk)[:50], "member": member}
    return render(request, "mobility/my.html", context)


# ── mobile members ─────────────────────────────────────────────────────────────────────
@login_required
def mobile(request):
    context = {
        "page": page_of(selectors.mobile_records(request.user, request.GET), request),
        "prompts": selectors.temporary_branch_prompts(request.user, limit=10),
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "place": request.GET.get("place", ""),
        "overdue": request.GET.get("overdue", ""),
        "abroad": request.GET.get("abroad", ""),
        "statuses": rules.MOBILE_STATUS_CHOICES,
        "can_change": has_action(request.user, "change"),
        "today": timezone.localdate(),
        "min_branch": services.rule_values()["temporary_branch_min"],
    }
    return render(request, "mobility/mobile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mobile_new(request):
    if not has_action(request.user, "change"):
        raise Http404("您没有可维护的党组织")
    form = forms.MobileForm(_data(request), user=request.user, initial={"member": request.GET.get("member")})

    def register(_):
        data = form.service_data()
        return services.register_mobile(_picked(data, "member", "请选择党员"), data, actor=request.user)

    done = saved(
        request,
        form,
        register,
        success=lambda r: f"已发放流动党员活动证 {r.certificate_no}",
        then=lambda r: reverse("mobility:mobile_record", kwargs={"pk": r.pk}),
    )
    return done or render(
        request,
        "mobility/form.html",
        {
            "form": form,
            "title": "发放流动党员活动证",
            "back": "mobility:mobile",
            "help": (
                lambda n: (
                    f"外出不满{n}个月，或长期外出无固定地点、无法转接组织关系的党员，由基层党委发放活动证；外出{n}个月以上且地点固定的应转接组织关系。"
                )
            )(services.rule_values()["certificate_transfer_months"]),
        },
    )


@login_required
def mobile_record(request, pk):
    r = selectors.mobile_detail(request.user, pk)
    context = {
        "r": r,
        "contacts": r.contacts.all(),
        "host_reports": selectors.reports_for_record(r),
        "values": services.rule_values(),
        "can_change": can_act_on_org(request.user, r.organisation, "change"),
        "can_print": r.status == "away" and can_act_on_org(request.user, r.organisation, "reveal"),
        "contact_form": forms.ContactForm(initial={"kind": "contact" if r.studying_abroad else "report"}),
        "return_form": forms.ReturnForm(),
        "today": timezone.localdate(),
    }
    return render(request, "mobility/mobile_record.html", context)


@login_required
@require_POST
def mobile_act(request, pk):
    r = get_in_scope(MobileRecord.objects.all(), request.user, "change", pk=pk)
    try:
        if request.POST.get("op") == "return":
            form = forms.ReturnForm(request.POST)
            form.is_valid()
            d = form.cleaned_data
            services.record_return(r, date=d.get("date"), certificate_returned=d.get("certificate_returned", False), actor=request.user)
            messages.success(request, "已登记返回")
        else:
            form = forms.ContactForm(request.POST)
            if not form.is_valid():
                raise ValidationError({"kind": ["请选择类型：党员报告或组织联系"]})
            services.add_contact(r, form.cleaned_data, actor=request.user)
            messages.success(request, "已记录")
    except (ValidationError, ScopeError) as exc:
        messages.error(request, error_text(exc))
    return redirect("mobility:mobile_record", pk=r.pk)


@login_required
@never_cache
def certificate(request, member_pk):
    member = get_in_scope(Member.objects.all(), request.user, "view", pk=member_pk)
    try:
        content = services.certificate_pdf(member, actor=request.user)
    except ScopeError as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("mobility:mobile")
    return _pdf(content, f"流动党员活动证{member.pk}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def host(request):
    form = forms.HostForm(_data(request), user=request.user)
    if request.method == "POST":
        if not has_action(request.user, "change"):
            raise Http404("您没有可维护的党组织")

        def register(_):
            d = form.service_data()
            host = _picked(d, "host", "请选择流入地党组织")
            return services.register_host(
                d["certificate_no"], d["member_name"], host, date=d.get("date"), note=d.get("note") or "", actor=request.user
            )

        done = saved(request, form, register, success="已登记流入党员", then="mobility:host")
        if done:
            return done
    context = {
        "form": form,
        "page": page_of(selectors.host_registrations(request.user, request.GET), request),
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "overdue": request.GET.get("overdue", ""),
        "statuses": rules.MOBILE_STATUS_CHOICES,
        "can_change": has_action(request.user, "change"),
        "report_months": services.rule_values()["report_months"],
    }
    return render(request, "mobility/host.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def host_registration(request, pk):
    """One incoming member seen from the host: the home organisation, the away record's
    figures (masked: no phone, no ID) and the host's yearly reports to home."""
    h = selectors.host_detail(request.user, pk)
    can_change = can_act_on_org(request.user, h.organisation, "change")
    form = forms.HostReportForm(_data(request))
    if request.method == "POST":
        if not can_change:
            raise Http404("未找到该记录，或不在您的管理范围内")
        done = saved(
            request,
            form,
            lambda _: services.record_host_report(h, form.service_data(), actor=request.user),
            success="已向流出地党组织报告",
            then=reverse("mobility:host_registration", kwargs={"pk": h.pk}),
        )
        if done:
            return done
    context = {"h": h, "r": h.record, "reports": h.reports.order_by("-year", "-id"), "form": form, "can_change": can_change}
    return render(request, "mobility/host_registration.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rules_page(request):
    """The county-editable amounts: everyone with a view right reads them; a county
    administrator (the “configure” right) saves a new version."""
    from .models import MobilityRuleVersion

    if not has_action(request.user, "view"):
        raise Http404("无权查看")
    current = services.current_rules()
    can_configure = has_action(request.user, "configure")
    form = forms.RulesForm(request.POST or None, initial_values=current.all_values())
    if request.method == "POST":
        if not can_configure:
            raise Http404("无权修改流动与转接规则")

        def save(d):
            data = dict(d)
            note = data.pop("note")
            return services.save_rules(data, note=note, actor=request.user)

        done = saved(
            request, form, save, success="已保存新版规则，此后开具的介绍信、发放的活动证和逾期提醒按新规则计算", then="mobility:rules"
        )
        if done:
            return done
    context = {
        "form": form,
        "current": current,
        "settings": [(s, current.all_values()[s.key]) for s in rules.SETTINGS],
        "can_configure": can_configure,
        "versions": page_of(MobilityRuleVersion.objects.select_related("created_by").order_by("-id"), request, param="vpage", size=20),
    }
    return render(request, "mobility/rules.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def temporary(request):
    form = forms.TemporaryBranchForm(_data(request), user=request.user, initial={"place": request.GET.get("place", "")})
    if request.method == "POST":
        if not has_action(request.user, "change"):
            raise Http404("您没有可维护的党组织")

        def found(_):
            d = form.service_data()
            org = _picked(d, "organisation", "请选择组建党组织")
            return services.form_temporary_branch(org, d, d.pop("records") or [], actor=request.user)

        done = saved(request, form, found, success=lambda b: f"已成立{b.name}", then="mobility:temporary")
        if done:
            return done
    context = {
        "form": form,
        "page": page_of(selectors.temporary_branches(request.user, request.GET), request),
        "prompts": selectors.temporary_branch_prompts(request.user, limit=10),
        "q": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "statuses": [*rules.TEMPORARY_STATUS_CHOICES, ("expired", "已过撤销日期")],
        "can_change": has_action(request.user, "change"),
        "min_branch": services.rule_values()["temporary_branch_min"],
        "today": timezone.localdate(),
    }
    return render(request, "mobility/temporary.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def temporary_branch(request, pk):
    """One temporary branch: its members, more members (until its end date), 撤销."""
    b = selectors.temporary_detail(request.user, pk)
    can_change = can_act_on_org(request.user, b.organisation, "change")
    members_form = forms.TemporaryMembersForm(None, user=request.user, under=b.organisation)
    close_form = forms.TemporaryCloseForm()
    if request.method == "POST":
        if not can_change:
            raise Http404("未找到该记录，或不在您的管理范围内")
        op = request.POST.get("op")
        try:
            if op == "close":
                close_form = forms.TemporaryCloseForm(request.POST)
                if close_form.is_valid():
                    d = close_form.cleaned_data
                    services.close_temporary_branch(b, date=d["date"], note=d["note"], actor=request.user)
                    messages.success(request, f"已撤销{b.name}")
                    return redirect("mobility:temporary_branch", pk=b.pk)
            else:
                members_form = forms.TemporaryMembersForm(request.POST, user=request.user, under=b.organisation)
                if members_form.is_valid():
                    services.add_temporary_members(b, members_form.cleaned_data["records"] or [], actor=request.user)
                    messages.success(request, "已编入")
                    return redirect("mobility:temporary_branch", pk=b.pk)
        except (ValidationError, ScopeError) as exc:
            apply_service_errors(close_form if op == "close" else members_form, exc)
    today = timezone.localdate()
    context = {
        "b": b,
        "members": selectors.temporary_members(b),
        "can_change": can_change,
        "expired": b.expired_on(today),
        "members_form": members_form,
        "close_form": close_form,
        "today": today,
    }
    return render(request, "mobility/temporary_branch.html", context)


REGISTERS = [("cards", "非公企业党员证"), ("retired", "离退休党支部"), ("unemployed", "下岗失业党员")]


@login_required
@require_http_methods(["GET", "POST"])
def registers(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(REGISTERS) else "cards"
    if request.method == "POST" and request.POST.get("op") == "withdraw":
        return _withdraw_card(request)
    form = forms.CardForm(_data(request), user=request.user)
    if request.method == "POST":
        if not has_action(request.user, "change"):
            raise Http404("您没有可维护的党组织")

        def issue(_):
            d = form.service_data()
            return services.issue_non_public_card(_picked(d, "member", "请选择党员"), d, actor=request.user)

        done = saved(request, form, issue, success="已登记非公企业党员证", then="mobility:registers")
        if done:
            return done
    rows = {"cards": selectors.non_public_cards, "retired": selectors.retired_branches, "unemployed": selectors.unemployed_members}[tab]
    context = {
        "tab": tab,
        "tabs": REGISTERS,
        "form": form,
        "page": page_of(rows(request.user, request.GET), request),
        "q": request.GET.get("q", "").strip(),
        "can_change": has_action(request.user, "change"),
        "today": timezone.localdate(),
        "export": {"cards": "mobility_cards", "retired": "mobility_retired", "unemployed": "mobility_unemployed"}[tab],
    }
    return render(request, "mobility/registers.html", context)


def _withdraw_card(request):
    """收回 a card: a card outside the user's scope is a 404 like everywhere."""
    form = forms.CardWithdrawForm(request.POST)
    if not form.is_valid():
        raise Http404("未找到该记录，或不在您的管理范围内")
    card = get_in_scope(NonPublicCard.objects.all(), request.user, "change", pk=form.cleaned_data["card"])
    try:
        services.withdraw_non_public_card(card, date=form.cleaned_data["withdrawn_on"], actor=request.user)
    except (ValidationError, ScopeError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"已收回非公企业党员证 {card.number}")
    return redirect(reverse("mobility:registers") + "?tab=cards")
