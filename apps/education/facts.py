"""What the education app tells the rest of the product through apps.core.registry:
member facts (hours in a year), organisation metrics (share meeting the hour rule),
the monthly report section and the home figures. Fixed numbers of queries."""

import datetime

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from apps.accounts.scoping import visible_orgs
from apps.core.api.pagination import capped_count
from apps.core.figures import common_prefix
from apps.core.scoping import has_action
from apps.members.models import Member
from apps.orgs.models import Organisation

from . import rules, selectors
from .models import StudyEntry, StudyReport, TrainingClass
from .services import current_rules


def member_facts(member_ids, year: int) -> dict[int, list[tuple]]:
    """{member_id: [("学习学时", "34.0/32学时", ok), ("述学述评", "良好", ok)]}: three queries.

    ok is honest: True when the requirement is met; False only when the year's rule applies
    to the member (a member for the whole year) and the year is over and the member's
    organisation kept a study archive that year (some approved entry): a year with no
    study records at all in the organisation is unknown (None), not "not met"."""
    values = current_rules().all_values()
    year_end = datetime.date(year, 12, 31)
    year_start = datetime.date(year, 1, 1)
    as_of = min(timezone.localdate(), year_end)
    members = list(
        selectors.progress_members(Member.objects.filter(pk__in=list(member_ids)), year).only("pk", "organisation_id", "join_date")
    )
    kept = set(
        StudyEntry.objects.filter(
            organisation_id__in={m.organisation_id for m in members},
            date__gte=year_start,
            date__lte=year_end,
            status=StudyEntry.Status.APPROVED,
        )
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    out = {}
    for m in members:
        p = rules.progress(m.study_hours, rules.required_hours(m.is_cadre, values), year, as_of)
        applies = m.join_date is None or m.join_date <= year_start
        judged = as_of >= year_end and applies and (m.organisation_id in kept or p.hours > 0)
        ok = True if p.met else (False if judged else None)
        text = f"{p.hours}/{p.required}学时"
        if m.is_cadre:
            text += f"，集中培训{m.courses}次"
        if not p.met and not judged:
            if not applies:
                text += "（年内入党，全年学时要求不适用）"
            elif as_of < year_end:
                text += "（年度未结束）"
            else:
                text += "（本组织该年无学习记录）"
        out[m.pk] = [("学习学时", text, ok)]
    grades = dict(rules.REPORT_GRADES)
    for mid, grade, status in StudyReport.objects.filter(member_id__in=list(out), year=year).values_list("member_id", "grade", "status"):
        if status == StudyReport.Status.GRADED:
            out[mid].append(("述学述评", grades.get(grade, grade), grade != "poor"))
        else:
            out[mid].append(("述学述评", "已提交，待评议", None))
    return out


def hours_metric(org_ids, year: int, quarter: int | None) -> dict[int, tuple[float, str]]:
    """Share of each organisation's members meeting the hour requirement: for a year, at
    its end (or today); for a quarter, on pace at the quarter's end. Three queries (the
    organisations, then selectors.path_standings once over their common ancestor's range)."""
    values = current_rules().all_values()
    orgs = list(Organisation.objects.filter(pk__in=list(org_ids)))
    if not orgs:
        return {}
    if quarter:
        quarter_end = rules.add_months(datetime.date(year, (quarter - 1) * 3 + 1, 1), 3) - datetime.timedelta(days=1)
        as_of = min(timezone.localdate(), quarter_end)
        words = f"截至{as_of:%Y年%m月%d日}学时进度达到要求"
    else:
        as_of = min(timezone.localdate(), datetime.date(year, 12, 31))
        words = f"{year}年达到学时要求"
    paths = {o.pk: o.path for o in orgs}
    per = selectors.tallies(common_prefix(paths.values(), Organisation.steplen), paths, year, values, rules.elapsed_share(year, as_of))
    out = {}
    for o in orgs:
        t = per[o.pk]
        if t.members:
            ok = t.members - t.behind if quarter else t.met
            out[o.pk] = (
                ok / t.members,
                f"党员{t.members}名，{ok}名{words}（普通党员{values['ordinary_hours']}学时，书记和班子成员{values['cadre_hours']}学时）",
            )
        else:
            out[o.pk] = (1.0, "无党员")
    return out


def report_figures(org, year: int, month: int) -> list[tuple]:
    """The education part of the monthly report: three queries."""
    start = datetime.date(year, month, 1)
    end = rules.add_months(start, 1) - datetime.timedelta(days=1)
    month_agg = StudyEntry.objects.filter(
        org_path__startswith=org.path, date__gte=start, date__lte=end, status=StudyEntry.Status.APPROVED
    ).aggregate(hours=Sum("hours"), n=Count("id"), people=Count("member_id", distinct=True))
    classes = TrainingClass.objects.filter(org_path__startswith=org.path, start_date__gte=start, start_date__lte=end).count()
    values = current_rules().all_values()
    summary = selectors.org_summary(org, year, end, values)
    return [
        ("本月记入学时", rules.hours(month_agg["hours"])),
        ("本月学习记录（条）", month_agg["n"]),
        ("本月参加学习（人）", month_agg["people"]),
        ("本月开班培训班（个）", classes),
        ("本年已达学时要求（人）", summary["met"]),
        ("学时进度落后（人）", summary["behind"]),
    ]


def home_figures(user) -> list[tuple]:
    out = []
    if has_action(user, "view"):
        org = visible_orgs(user, "view").order_by("depth", "path").first()
        if org is not None:
            today = timezone.localdate()
            behind = selectors.progress_members(selectors.subtree_members(org), today.year).filter(
                selectors.behind_condition(current_rules().all_values(), today.year, today)
            )
            n, exact = capped_count(behind)
            out.append(("学时进度落后", n if exact else f"{n}+", "名", f"{reverse('education:progress')}?org={org.pk}&behind=1"))
    if has_action(user, "approve"):
        n, exact = capped_count(selectors.pending_entries(user))
        if n:
            out.append(("待审批学时", n if exact else f"{n}+", "条", reverse("education:entries")))
    if getattr(user, "member_id", None) and not out:
        today = timezone.localdate()
        facts = member_facts([user.member_id], today.year).get(user.member_id)
        if facts:
            out.append((f"我的{today.year}年学时", facts[0][1], "", reverse("education:my")))
    return out
