"""Organisational-life web pages. Views parse input, find objects through the one scoping
mechanism (404 outside the user's scope) and call services; the rules live there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.forms import apply_service_errors
from apps.core.formviews import saved
from apps.core.paging import page_of
from apps.core.scoping import ScopeError, get_in_scope, has_action, restrict
from apps.orgs.models import Organisation
from apps.orgs.picker import OrgFilterForm

from . import compliance, forms, rules, selectors, services
from .models import AbsenceCase, Attachment, Exclusion, Meeting


def _years():
    year = timezone.localdate().year
    return list(range(year, year - 6, -1))


@login_required
def meetings(request):
    if not has_action(request.user, "view") or (
        request.user.member_id and not restrict(Organisation.objects.all(), request.user, "view").exists()
    ):
        return redirect("orglife:my")
    page = page_of(selectors.meeting_list(request.user, request.GET), request)
    return render(
        request,
        "orglife/meetings.html",
        {
            "page": page,
            "filter_form": OrgFilterForm(request.GET, user=request.user),
            "kinds": rules.KIND_CHOICES,
            "years": _years(),
            "months": range(1, 13),
            "q": request.GET.get("q", ""),
            "can_change": has_action(request.user, "change"),
        },
    )


@login_required
def meeting_new(request):
    initial = {"held_on": timezone.localdate(), "kind": request.GET.get("kind") or "theme_day", "status": Meeting.Status.HELD}
    if request.GET.get("org"):
        initial["organisation"] = get_in_scope(Organisation.objects.all(), request.user, "change", pk=request.GET["org"])
    form = forms.MeetingForm(request.POST or None, user=request.user, initial=initial)

    def held(meeting) -> bool:
        return meeting.status == Meeting.Status.HELD

    done = saved(
        request,
        form,
        lambda d: services.create_meeting(d, actor=request.user),
        success=lambda meeting: "会议记录已保存" + ("，请登记出席情况" if held(meeting) else ""),
        then=lambda meeting: ("orglife:attendance" if held(meeting) else "orglife:meeting_detail", meeting.pk),
        scope_field="organisation",
    )
    return done or render(request, "orglife/meeting_form.html", {"form": form, "title": "新建会议记录"})


@login_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_detail(request.user, pk)
    return render(
        request,
        "orglife/meeting_detail.html",
        {
            "meeting": meeting,
            "rows": selectors.attendance_rows(meeting),
            "attachments": list(meeting.attachments.all()),
            "quorum": services.quorum_rule(meeting),
            "quorum_label": rules.QUORUM_LABEL[services.quorum_rule(meeting)],
            "can_change": has_action(request.user, "change")
            and restrict(Meeting.objects.filter(pk=meeting.pk), request.user, "change").exists(),
            "attachment_form": forms.AttachmentForm(),
            "limit_mb": meeting.rule_version.general("max_upload_mb"),
        },
    )


@login_required
def meeting_edit(request, pk):
    meeting = selectors.meeting_detail(request.user, pk, "change")
    initial = {f: getattr(meeting, f) for f in services.MEETING_FIELDS}
    form = forms.MeetingForm(request.POST or None, user=request.user, editing=True, initial=initial)
    done = saved(
        request,
        form,
        lambda d: services.update_meeting(meeting, d, actor=request.user),
        success="会议记录已修改",
        then=("orglife:meeting_detail", meeting.pk),
    )
    return done or render(
        request, "orglife/meeting_form.html", {"form": form, "title": f"修改会议记录 · {meeting.organisation.name}", "meeting": meeting}
    )


def _marks(post, roster) -> list[dict]:
    marks = []
    for row in roster:
        mid = row["member"].pk
        status = post.get(f"s_{mid}", rules.PRESENT)
        if row["status"] == rules.EXCLUDED or status == rules.PRESENT:
            continue
        marks.append({"member": mid, "status": status, "reason": post.get(f"r_{mid}", ""), "host_org": post.get(f"h_{mid}", "")})
    return marks


@login_required
def attendance(request, pk):
    meeting = selectors.meeting_detail(request.user, pk, "change")
    roster = selectors.roster(meeting)
    errors = []
    if request.method == "POST":
        try:
            services.record_attendance(meeting, _marks(request.POST, roster), actor=request.user)
        except ValidationError as exc:
            errors = exc.messages
            posted = {r["member"].pk: r for r in roster}
            for mid, row in posted.items():
                if row["status"] != rules.EXCLUDED:
                    row["status"] = request.POST.get(f"s_{mid}", rules.PRESENT)
                    row["reason"] = request.POST.get(f"r_{mid}", "")
                    row["host_org"] = request.POST.get(f"h_{mid}", "")
        else:
            messages.success(request, "出席情况已保存")
            return redirect("orglife:meeting_detail", meeting.pk)
    return render(
        request,
        "orglife/attendance.html",
        {
            "meeting": meeting,
            "roster": roster,
            "errors": errors,
            "choices": [c for c in rules.ATTENDANCE_CHOICES if c[0] != rules.EXCLUDED],
        },
    )


@login_required
@require_POST
def attachment_add(request, pk):
    meeting = selectors.meeting_detail(request.user, pk, "change")
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(meeting, form.cleaned_data["file"], kind=form.cleaned_data["kind"], actor=request.user)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, "附件已上传")
    else:
        messages.error(request, "请选择要上传的文件")
    return redirect("orglife:meeting_detail", meeting.pk)


@login_required
def attachment_download(request, pk):
    att = get_in_scope(Attachment.objects.select_related("meeting"), request.user, "view", pk=pk)
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("附件文件不存在") from None
    return FileResponse(handle, as_attachment=not att.name.lower().endswith((".jpg", ".jpeg", ".png", ".webp")), filename=att.name)


@login_required
def quick(request):
    """本月主题党日 on a phone: tick the absentees, add a photo, save."""
    org = selectors.chosen_org(request.user, request.GET or request.POST, "change")
    if org is None:
        raise Http404("您没有可维护的党组织")
    branches = None
    if org.org_type not in rules.KIND_BY_CODE["theme_day"].applies_to:
        branches = restrict(
            Organisation.objects.filter(org_type__in=rules.KIND_BY_CODE["theme_day"].applies_to, status="active"), request.user, "change"
        ).order_by("path")
        return render(request, "orglife/quick.html", {"org": org, "branches": page_of(branches, request, size=30)})
    today = timezone.localdate()
    meeting = selectors.month_theme_day(org, today)
    held_on = meeting.held_on if meeting else today
    initial = {"theme": meeting.theme if meeting else "", "held_on": held_on, "place": meeting.place if meeting else ""}
    form = forms.QuickThemeDayForm(request.POST or None, request.FILES or None, initial=initial)
    members = list(services.members_on(org, held_on).order_by("name_pinyin", "id").only("id", "name", "member_type", "status"))
    absent_now = set()
    if meeting is not None:
        absent_now = set(meeting.attendance.filter(status__in=[rules.ABSENT, rules.LEAVE]).values_list("member_id", flat=True))
    if request.method == "POST":
        absent_now = {int(x) for x in request.POST.getlist("absent") if x.isdigit()}
        if form.is_valid():
            d = form.cleaned_data
            leave = {int(k[2:]): v for k, v in request.POST.items() if k.startswith("l_") and k[2:].isdigit() and v.strip()}
            try:
                saved = services.quick_theme_day(
                    org,
                    held_on=d["held_on"],
                    theme=d["theme"],
                    place=d["place"],
                    absent=sorted(absent_now),
                    leave=leave,
                    photo=d.get("photo"),
                    actor=request.user,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"本月主题党日已保存：应到{saved.should_attend}人，实到{saved.present}人")
                return redirect("orglife:meeting_detail", saved.pk)
    return render(request, "orglife/quick.html", {"org": org, "form": form, "meeting": meeting, "members": members, "absent": absent_now})


@login_required
def compliance_view(request):
    org = selectors.chosen_org(request.user, request.GET)
    if org is None:
        return redirect("orglife:my")
    year = selectors.chosen_year(request.GET)
    month = selectors.chosen_month(request.GET)
    today = timezone.localdate()
    version = services.current_version()
    params = request.GET.copy()
    params.setdefault("org", str(org.pk))
    page = page_of(selectors.lagging_list(request.user, params, today), request)
    selectors.lagging_details(page.rows, params, today)
    townships = compliance.township_summary(org, year, month, today, version)
    own = compliance.org_compliance([org], year, month, today, version).get(org.pk, []) if org.org_type in rules.COMPLIANCE_TYPES else []
    return render(
        request,
        "orglife/compliance.html",
        {
            "org": org,
            "year": year,
            "month": month,
            "years": _years(),
            "months": range(1, 13),
            "own": own,
            "page": page,
            "townships": townships,
            "township_totals": _totals(townships),
            "q": request.GET.get("q", ""),
            "show_all": request.GET.get("all") == "1",
        },
    )


def _totals(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    total = sum(r["total"] for r in rows)
    lagging = sum(r["lagging"] for r in rows)
    return {
        "total": total,
        "lagging": lagging,
        "ok": total - lagging,
        "share": round(100 * (total - lagging) / total, 1) if total else None,
    }


@login_required
def absences(request):
    if not has_action(request.user, "view"):
        raise Http404()
    filter_form = OrgFilterForm(request.GET, user=request.user)
    page = page_of(selectors.absence_page(request.user, request.GET), request)
    page.rows = selectors.absence_details(page.rows)
    version = services.current_version()
    return render(
        request,
        "orglife/absences.html",
        {
            "page": page,
            "filter_form": filter_form,
            "q": request.GET.get("q", ""),
            "cutoff": compliance.cutoff_month(timezone.localdate()),
            "warn": version.general("warn_months"),
            "escalate": version.general("escalate_months"),
            "exit": version.general("exit_months"),
            "can_change": has_action(request.user, "change"),
        },
    )


@login_required
@require_POST
def open_cases(request):
    """缺席提醒 → 开启处置: open the branch cases due in the chosen organisation's subtree
    (?org= or the top of the user's change scope)."""
    org = selectors.chosen_org(request.user, request.POST, "change")
    if org is None:
        raise Http404()
    opened = services.open_absence_cases(org, actor=request.user)
    if opened:
        messages.success(
            request,
            f"已为{opened}名连续{services.current_version().general('exit_months')}个月未参加组织生活的党员开启处置，待支部大会决定",
        )
    else:
        messages.info(request, "没有需要新开启的处置")
    return redirect("orglife:cases")


@login_required
def cases(request):
    if not has_action(request.user, "view"):
        raise Http404()
    page = page_of(selectors.case_list(request.user, request.GET), request)
    return render(
        request,
        "orglife/cases.html",
        {
            "page": page,
            "filter_form": OrgFilterForm(request.GET, user=request.user),
            "q": request.GET.get("q", ""),
            "status": request.GET.get("status", ""),
            "statuses": AbsenceCase.Status.choices,
        },
    )


@login_required
def case_detail(request, pk):
    case = selectors.case_detail(request.user, pk)
    can_change = (
        case.status == AbsenceCase.Status.OPEN and restrict(AbsenceCase.objects.filter(pk=case.pk), request.user, "change").exists()
    )
    form = forms.CaseDecisionForm(request.POST or None, initial={"meeting_date": timezone.localdate()})
    if request.method == "POST":
        case = selectors.case_detail(request.user, pk, "change")
        done = saved(
            request,
            form,
            lambda d: services.decide_absence_case(case, actor=request.user, **d),
            success="已记录支部大会决定",
            then=("orglife:case_detail", case.pk),
        )
        if done:
            return done
    return render(request, "orglife/case_detail.html", {"case": case, "form": form, "can_change": can_change})


@login_required
def exclusions(request):
    form = forms.ExclusionForm(request.POST or None, user=request.user)

    def exclude(d):
        d = dict(d)
        member = d.pop("member")
        return member, services.create_exclusion(member, d, actor=request.user)

    done = saved(request, form, exclude, success=lambda done: f"已登记：{done[0].name}不列入应到人数", then="orglife:exclusions")
    if done:
        return done
    page = page_of(selectors.exclusion_list(request.user, request.GET), request)
    return render(
        request,
        "orglife/exclusions.html",
        {
            "page": page,
            "form": form,
            "filter_form": OrgFilterForm(request.GET, user=request.user),
            "q": request.GET.get("q", ""),
            "can_change": has_action(request.user, "change"),
            "end_form": forms.EndExclusionForm(initial={"ends_on": timezone.localdate()}),
        },
    )


@login_required
@require_POST
def exclusion_end(request, pk):
    ex = get_in_scope(Exclusion.objects.select_related("organisation", "member"), request.user, "change", pk=pk)
    form = forms.EndExclusionForm(request.POST)
    if form.is_valid():
        try:
            services.end_exclusion(ex, form.cleaned_data["ends_on"], actor=request.user)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, f"{ex.member.name}的不列入应到登记已截止")
    else:
        messages.error(request, "请填写截止日期")
    return redirect("orglife:exclusions")


@login_required
def my(request):
    if not request.user.member_id:
        raise Http404("您的账号未关联党员信息")
    page = page_of(selectors.my_attendance(request.user, request.GET), request)
    year = timezone.localdate().year
    summary = selectors.attendance_summary([request.user.member_id], year).get(request.user.member_id)
    return render(request, "orglife/my.html", {"page": page, "summary": summary, "year": year})


@login_required
def settings_view(request):
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    if root is None or not has_action(request.user, "configure"):
        raise Http404()
    version = services.current_version()
    form = forms.SettingsForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rule_version(form.values(), note=form.cleaned_data["note"], actor=request.user)
        except ScopeError:
            raise Http404() from None
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存为新的规则版本，此后登记的会议按新版本执行")
            return redirect("orglife:settings")
    from .models import RuleVersion

    return render(
        request,
        "orglife/settings.html",
        {
            "form": form,
            "version": version,
            "kinds": [
                {
                    "kind": k,
                    "values": version.kind(k.code),
                    "frequency": rules.FREQUENCY_LABEL[version.kind(k.code)["frequency"]],
                    "attendees": rules.ATTENDEE_LABEL[k.attendees],
                    "quorum": rules.QUORUM_LABEL[version.kind(k.code)["quorum"]],
                    "holders": "、".join(rules.type_labels(k.applies_to)),
                }
                for k in rules.KINDS
            ],
            "thresholds": [(rules.GENERAL_LABEL[key], version.general(key)) for key in rules.GENERAL_LIMITS],
            "versions": page_of(RuleVersion.objects.order_by("-id"), request, param="vpage", size=20),
        },
    )
