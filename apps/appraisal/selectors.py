"""Reads of democratic appraisal and handling for screens, exports, to-do, the CLI and
the other domains (member checks, facts). Each runs a fixed number of queries whatever
the number of rows."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from apps.accounts.scoping import visible_orgs
from apps.core import registry
from apps.core.scoping import get_in_scope
from apps.core.todo import TodoItem, first_of
from apps.members.models import Member
from apps.orgs.models import Organisation

from . import rules
from .models import (
    Appraisee,
    BranchAppraisal,
    Campaign,
    GoalSheet,
    HandlingCase,
    MemberPost,
    PostAssignment,
    PostReview,
    RatingTally,
    SupervisionRecord,
    TalentEntry,
    VoteCast,
)


def chosen_org(user, params, action: str = "view") -> Organisation | None:
    raw = params.get("org")
    if raw:
        return get_in_scope(Organisation.objects.all(), user, action, pk=raw)
    return visible_orgs(user, action).order_by("depth", "path").first()


def _year(params, default: int | None = None) -> int:
    try:
        return int(params.get("year"))
    except (TypeError, ValueError):
        return default or timezone.localdate().year - 1


# ── campaigns ─────────────────────────────────────────────────────────────────────────
def campaign_list(user, params=None):
    params = params or {}
    qs = Campaign.objects.restrict(user, "view").select_related("organisation")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(organisation__name__icontains=q))
    return qs.order_by("-year", "org_path", "id")


def my_branch_procs(user, limit: int = 20) -> list[BranchAppraisal]:
    """The branch procedures a branch secretary runs, latest year first. The campaign is
    opened above the branch, so its page is outside the secretary's scope: the 民主评议
    page lists the branch's own procedures instead (a secretary runs one or a few)."""
    return list(
        BranchAppraisal.objects.restrict(user, "change")
        .select_related("campaign", "organisation")
        .order_by("-campaign__year", "org_path", "id")[:limit]
    )


def branch_list(user, campaign: Campaign, params=None):
    """A campaign's branch procedures in the user's scope, with their progress (rows of
    the page; `with_progress` completes them)."""
    params = params or {}
    qs = BranchAppraisal.objects.restrict(user, "view").filter(campaign=campaign).select_related("organisation")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(organisation__name__icontains=q)
    phase = params.get("phase")
    if phase in rules.PHASE_LABELS:
        qs = qs.filter(phase=phase)
    return qs.order_by("org_path", "id")


def with_progress(procs: list[BranchAppraisal]) -> list[BranchAppraisal]:
    """Counts per branch: appraised, self-assessed, voted, each final grade. Two queries."""
    ids = [p.pk for p in procs]
    stats = {
        r["branch_id"]: r
        for r in Appraisee.objects.filter(branch_id__in=ids)
        .values("branch_id")
        .annotate(
            n=Count("id"),
            selfed=Count("id", filter=Q(self_submitted_on__isnull=False)),
            **{g: Count("id", filter=Q(final_grade=g)) for g, _ in rules.GRADES},
        )
    }
    votes = dict(VoteCast.objects.filter(branch_id__in=ids).values("branch_id").annotate(n=Count("id")).values_list("branch_id", "n"))
    for p in procs:
        s = stats.get(p.pk, {})
        p.appraised = s.get("n", 0)
        p.selfed = s.get("selfed", 0)
        p.voted = votes.get(p.pk, 0)
        p.grade_counts = [(label, s.get(g, 0)) for g, label in rules.GRADES]
    return procs


def appraisee_rows(ba: BranchAppraisal):
    return ba.appraisees.select_related("member").order_by("member__name", "id")


def tallies(appraisee_ids) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for aid, grade, votes in RatingTally.objects.filter(appraisee_id__in=list(appraisee_ids)).values_list("appraisee_id", "grade", "votes"):
        out.setdefault(aid, {})[grade] = votes
    return out


def member_facts(member_ids, year: int) -> dict[int, list[tuple]]:
    """What every registered domain knows about these members in the year (attendance,
    study hours, dues …), merged: {member_id: [(label, value, ok)]}."""
    merged: dict[int, list[tuple]] = {}
    for provider in registry.member_facts:
        if provider.name == "appraisal":
            continue
        for mid, facts in (provider.facts(list(member_ids), year) or {}).items():
            merged.setdefault(mid, []).extend(facts)
    return merged


def _score(tally: dict[str, int], facts: list[tuple], weight: int) -> float | None:
    votes = sum(tally.values())
    rating = None
    if votes:
        points = sum(rules.GRADE_POINTS[g] * n for g, n in tally.items())
        rating = (points / votes - 1) / 3 * 100  # 1..4 → 0..100
    judged = [ok for *_x, ok in facts if ok is not None]
    fact_score = 100 * sum(1 for ok in judged if ok) / len(judged) if judged else None
    if rating is None and fact_score is None:
        return None
    if rating is None:
        return round(fact_score, 1)
    if fact_score is None:
        return round(rating, 1)
    return round((weight * rating + (100 - weight) * fact_score) / 100, 1)


def proposal_rows(ba: BranchAppraisal) -> list[dict]:
    """The committee's screen: each appraisee with the rating tally, the facts from the
    other domains, the proposal score and the suggested grade (优秀 only within the cap,
    highest scores first). A fixed number of queries (one per facts provider)."""
    campaign = ba.campaign
    appraisees = list(appraisee_rows(ba))
    tally = tallies(a.pk for a in appraisees)
    facts = member_facts([a.member_id for a in appraisees], campaign.year)
    rows = []
    for a in appraisees:
        t = {g: tally.get(a.pk, {}).get(g, 0) for g, _ in rules.GRADES}
        f = facts.get(a.member_id, [])
        score = _score(t, f, campaign.rating_weight)
        rows.append(
            {
                "appraisee": a,
                "tally": [(rules.GRADE_LABELS[g], n) for g, n in t.items()],
                "votes": sum(t.values()),
                "facts": f,
                "score": score,
                "suggested": rules.suggested(score) if score is not None else rules.QUALIFIED,
            }
        )
    allowed = rules.cap_count(len(rows), campaign.cap)
    ranked = sorted((r for r in rows if r["suggested"] == rules.EXCELLENT), key=lambda r: -(r["score"] or 0))
    for r in ranked[allowed:]:
        r["suggested"] = rules.QUALIFIED
    for r in rows:
        r["suggested_label"] = rules.GRADE_LABELS[r["suggested"]]
    return rows


def my_appraisals(user):
    """A member's own appraisals (self-assessment and ballot on the phone)."""
    if not getattr(user, "member_id", None):
        return []
    rows = list(
        Appraisee.objects.filter(member_id=user.member_id).select_related("branch__campaign", "organisation").order_by("-year", "-id")[:10]
    )
    voted = set(
        VoteCast.objects.filter(voter_id=user.member_id, branch_id__in=[a.branch_id for a in rows]).values_list("branch_id", flat=True)
    )
    for a in rows:
        a.has_voted = a.branch_id in voted
    return rows


# ── results ───────────────────────────────────────────────────────────────────────────
def results(org: Organisation, year: int) -> dict:
    """Grade counts for org's subtree in the year: the total and per branch. Two queries."""
    base = Appraisee.objects.filter(org_path__startswith=org.path, year=year)
    counts = {f"g_{g}": Count("id", filter=Q(final_grade=g)) for g, _ in rules.GRADES}
    total = base.aggregate(n=Count("id"), graded=Count("id", filter=~Q(final_grade="")), **counts)
    per_branch = list(
        base.values("organisation_id", "organisation__name", "organisation__code")
        .annotate(n=Count("id"), graded=Count("id", filter=~Q(final_grade="")), **counts)
        .order_by("organisation__code")
    )
    open_cases = dict(
        HandlingCase.objects.filter(org_path__startswith=org.path, status=HandlingCase.Status.OPEN)
        .values("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    for row in [total, *per_branch]:
        row["grades"] = [(label, row[f"g_{g}"]) for g, label in rules.GRADES]
        row["excellent_share"] = (row[f"g_{rules.EXCELLENT}"] / row["graded"]) if row["graded"] else None
        row["cap_ok"] = row[f"g_{rules.EXCELLENT}"] <= rules.cap_count(row["graded"], rules.EXCELLENT_CAP) if row["graded"] else True
    for row in per_branch:
        row["open_cases"] = open_cases.get(row["organisation_id"], 0)
    total["open_cases"] = sum(open_cases.values())
    return {"org": org, "year": year, "total": total, "branches": per_branch}


# ── handling ──────────────────────────────────────────────────────────────────────────
def case_list(user, params=None):
    params = params or {}
    qs = HandlingCase.objects.restrict(user, "view").select_related("member", "organisation")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(member__name__icontains=q) | Q(member__name_initials__icontains=q) | Q(letter_no__icontains=q))
    if params.get("status") in dict(HandlingCase.Status.choices):
        qs = qs.filter(status=params["status"])
    if params.get("kind") in rules.CASE_KIND:
        qs = qs.filter(kind=params["kind"])
    if params.get("overdue"):
        qs = qs.filter(status=HandlingCase.Status.OPEN, step="decided", deadline__lt=timezone.localdate())
    return qs.order_by("-opened_on", "-id")


def overdue_corrections(user, as_of: datetime.date | None = None, *, within_days: int = 0):
    """Open 限期改正 cases whose deadline has passed (within_days>0: or ends that soon)."""
    as_of = as_of or timezone.localdate()
    return (
        HandlingCase.objects.restrict(user, "change")
        .filter(
            status=HandlingCase.Status.OPEN,
            kind=rules.CORRECTION,
            step="decided",
            deadline__lte=as_of + datetime.timedelta(days=within_days),
        )
        .select_related("member", "organisation")
        .order_by("deadline", "id")
    )


def candidates(user, org: Organisation, as_of: datetime.date | None = None, *, limit: int = 200) -> list[dict]:
    """Members for whom handling is due and no case is open: graded 基本合格/不合格 in the
    latest finished appraisal, or named by another domain's exit trigger (6 months of
    unpaid dues or of no party life, lost contact). Queries: one per trigger + three."""
    as_of = as_of or timezone.localdate()
    found: dict[int, dict] = {}
    graded = (
        Appraisee.objects.restrict(user, "change")
        .filter(org_path__startswith=org.path, year__gte=as_of.year - 1, final_grade__in=rules.HANDLING_GRADES)
        .values_list("member_id", "year", "final_grade")[: limit * 2]
    )
    for mid, year, grade in graded:
        found.setdefault(
            mid,
            {
                "source": "appraisal",
                "since": datetime.date(year, 12, 31),
                "reason": f"{year}年民主评议为“{rules.GRADE_LABELS[grade]}”",
                "kind": rules.GRADE_CASE_KIND[grade],
            },
        )
    for trigger in registry.exit_triggers:
        for mid, since, reason in list(trigger.candidates(org.path, as_of))[: limit * 2]:
            found.setdefault(mid, {"source": trigger.name, "since": since, "reason": reason, "kind": _trigger_kind(trigger.name)})
    if not found:
        return []
    busy = set(HandlingCase.objects.filter(member_id__in=list(found), status=HandlingCase.Status.OPEN).values_list("member_id", flat=True))
    members = {
        m.pk: m
        for m in Member.objects.restrict(user, "change")
        .filter(pk__in=[m for m in found if m not in busy], status__in=("normal", "mobile", "lost_contact", "suspended"))
        .select_related("organisation")
    }
    rows = [{"member": members[mid], **info} for mid, info in found.items() if mid in members]
    rows.sort(key=lambda r: (r["since"] or as_of, r["member"].name))
    return rows[:limit]


def _trigger_kind(name: str) -> str:
    return rules.TRIGGER_CASE_KIND.get(name, rules.DEFAULT_TRIGGER_CASE_KIND)


def lost_contact_candidates(org_path: str, as_of: datetime.date):
    """Exit trigger: 失联满6个月 → 停止党籍 and 限期改正 (党员教育管理工作条例 第24条). One query."""
    before = rules.add_months(as_of, -rules.LOST_CONTACT_SUSPEND_MONTHS)
    rows = Member.objects.filter(org_path__startswith=org_path, status="lost_contact", status_since__lte=before)
    for mid, since in rows.order_by("status_since", "id").values_list("id", "status_since"):
        yield mid, since, f"失联满{rules.LOST_CONTACT_SUSPEND_MONTHS}个月（{since:%Y-%m-%d}起），应停止党籍"


def suspended_candidates(org_path: str, as_of: datetime.date):
    """Exit trigger: 停止党籍满2年仍无法取得联系 → 自行脱党除名. One query."""
    before = rules.add_months(as_of, -12 * rules.SUSPENDED_REMOVE_YEARS)
    rows = Member.objects.filter(org_path__startswith=org_path, status="suspended", status_since__lte=before)
    for mid, since in rows.order_by("status_since", "id").values_list("id", "status_since"):
        yield mid, since, f"停止党籍满{rules.SUSPENDED_REMOVE_YEARS}年（{since:%Y-%m-%d}起）仍无法取得联系，应按自行脱党除名"


def lost_contact_clock(user, org: Organisation, as_of: datetime.date | None = None):
    """失联 and 停止党籍 members of the subtree with where they stand on the clock."""
    as_of = as_of or timezone.localdate()
    qs = (
        Member.objects.restrict(user, "view")
        .filter(org_path__startswith=org.path, status__in=("lost_contact", "suspended"))
        .select_related("organisation")
        .order_by("status_since", "id")
    )
    return qs


def clock_state(member: Member, as_of: datetime.date) -> tuple[str, datetime.date | None]:
    if member.status == "lost_contact":
        due = rules.add_months(member.status_since, rules.LOST_CONTACT_SUSPEND_MONTHS)
        return ("应停止党籍" if as_of >= due else "失联观察中"), due
    due = rules.add_months(member.status_since, 12 * rules.SUSPENDED_REMOVE_YEARS)
    return ("应按自行脱党除名" if as_of >= due else "停止党籍中"), due


# ── for other domains ─────────────────────────────────────────────────────────────────
def failing_members(member_ids, as_of: datetime.date) -> dict[int, str]:
    """registry.member_checks: a 基本合格/不合格 grade in force (the latest appraisal of the
    last two years), or an open handling case. Two queries."""
    ids = list(member_ids)
    out: dict[int, str] = {}
    latest: dict[int, tuple[int, str]] = {}
    for mid, year, grade in (
        Appraisee.objects.filter(member_id__in=ids, year__gte=as_of.year - 2, year__lte=as_of.year)
        .exclude(final_grade="")
        .values_list("member_id", "year", "final_grade")
    ):
        if mid not in latest or year > latest[mid][0]:
            latest[mid] = (year, grade)
    for mid, (year, grade) in latest.items():
        if grade in rules.HANDLING_GRADES:
            out[mid] = f"{year}年民主评议为“{rules.GRADE_LABELS[grade]}”"
    for mid, kind in HandlingCase.objects.filter(member_id__in=ids, status=HandlingCase.Status.OPEN).values_list("member_id", "kind"):
        out.setdefault(mid, f"正在办理组织处置（{dict(rules.CASE_KIND_CHOICES)[kind]}）")
    return out


def grade_facts(member_ids, year: int) -> dict[int, list[tuple]]:
    """registry.member_facts: the member's appraisal result of that year. One query."""
    out: dict[int, list[tuple]] = {}
    for mid, grade in (
        Appraisee.objects.filter(member_id__in=list(member_ids), year=year).exclude(final_grade="").values_list("member_id", "final_grade")
    ):
        out[mid] = [("民主评议", rules.GRADE_LABELS[grade], grade not in rules.HANDLING_GRADES)]
    return out


# ── to-do ─────────────────────────────────────────────────────────────────────────────
def todo_items(user) -> list[TodoItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[TodoItem] = []
    today = timezone.localdate()
    # a member: self-assessment and ballot waiting
    if getattr(user, "member_id", None):
        for a in my_appraisals(user):
            phase = a.branch.phase
            if phase == "self" and not a.self_submitted_on:
                items.append(
                    TodoItem(
                        "民主评议",
                        "请填写个人自评",
                        reverse("appraisal:my"),
                        due=a.branch.campaign.self_by,
                        overdue=today > a.branch.campaign.self_by,
                    )
                )
            if phase == "rating" and not a.has_voted and a.member_type in rules.RATER_MEMBER_TYPES:
                items.append(
                    TodoItem(
                        "民主评议",
                        "请参加民主测评投票",
                        reverse("appraisal:my"),
                        due=a.branch.campaign.rating_by,
                        overdue=today > a.branch.campaign.rating_by,
                    )
                )
    # branches whose phase deadline has passed
    late = (
        BranchAppraisal.objects.restrict(user, "change")
        .exclude(phase="done")
        .select_related("campaign", "organisation")
        .order_by("campaign__year", "org_path")
    )
    url = reverse("appraisal:campaigns")
    for ba in first_of(
        late.filter(campaign__feedback_by__gte=today - datetime.timedelta(days=365)),
        10,
        items,
        module="民主评议",
        url=url,
        due=today,
        describe=lambda n: f"还有{n}个支部的民主评议未完成",
    ):
        due = ba.campaign.phase_deadline(ba.phase)
        items.append(
            TodoItem(
                "民主评议",
                f"{ba.organisation.name}：{ba.get_phase_display()}",
                reverse("appraisal:branch", args=[ba.pk]),
                due=due,
                overdue=bool(due and due < today),
                org=ba.organisation.name,
            )
        )
    # handling: overdue and soon-due corrections, open cases waiting for a step
    for c in first_of(
        overdue_corrections(user, today, within_days=rules.CORRECTION_REMINDER_DAYS),
        10,
        items,
        module="组织处置",
        url=reverse("appraisal:cases") + "?overdue=1",
        due=today,
        describe=lambda n: f"还有{n}件限期改正到期或即将到期",
    ):
        items.append(
            TodoItem(
                "组织处置",
                f"{c.member.name}限期改正{'已到期' if c.deadline < today else '即将到期'}，请期满考察",
                reverse("appraisal:case", args=[c.pk]),
                due=c.deadline,
                overdue=c.deadline < today,
                org=c.organisation.name,
            )
        )
    waiting = (
        HandlingCase.objects.restrict(user, "change").filter(status=HandlingCase.Status.OPEN).exclude(step="decided", kind=rules.CORRECTION)
    )
    for c in first_of(
        waiting.select_related("member", "organisation").order_by("opened_on", "id"),
        10,
        items,
        module="组织处置",
        url=reverse("appraisal:cases") + "?status=open",
        due=today,
        describe=lambda n: f"还有{n}件组织处置待办理",
    ):
        items.append(
            TodoItem(
                "组织处置",
                f"{c.member.name}（{c.get_kind_display()}）：待{c.next_step_label}",
                reverse("appraisal:case", args=[c.pk]),
                due=c.opened_on,
                org=c.organisation.name,
            )
        )
    # 监督管理: reports and opinions waiting for the branch's answer or verification
    for r in first_of(
        SupervisionRecord.objects.restrict(user, "change")
        .filter(status=SupervisionRecord.Status.OPEN)
        .select_related("member", "organisation")
        .order_by("on", "id"),
        10,
        items,
        module="监督管理",
        url=reverse("appraisal:supervision") + "?status=open",
        due=today,
        describe=lambda n: f"还有{n}条重大事项报告或群众意见待办结",
    ):
        due = r.on + datetime.timedelta(days=rules.REPORT_ANSWER_DAYS)
        items.append(
            TodoItem(
                "监督管理",
                f"{r.member.name}的{r.get_kind_display()}待{'核实' if r.kind_rule.needs_verification else '答复'}",
                reverse("appraisal:supervision_record", args=[r.pk]),
                due=due,
                overdue=due < today,
                org=r.organisation.name,
            )
        )
    return items


def rejoin_refusal(id_number_hash: str, on: datetime.date) -> str:
    """The registry's application check (registry.application_checks): why the person with
    this ID number may not apply to join on `on` — 劝其退党、除名、自行脱党除名 bar a new
    application for 5 years after the decision ('' when no bar). One query."""
    from .services import rejoin_block

    case = rejoin_block(id_number_hash, on)
    if case is None:
        return ""
    return (
        f"该身份证号的持有人于{case.decided_on:%Y-%m-%d}经组织处置{case.get_kind_display()}（{case.letter_no}），"
        f"{rules.REJOIN_BLOCK_YEARS}年内不得重新入党（不合格党员组织处置办法），"
        f"{case.rejoin_blocked_until:%Y-%m-%d}前不能递交入党申请、建立发展档案"
    )


# ── 设岗定责 ──────────────────────────────────────────────────────────────────────────────
def post_list(user, params=None):
    """Posts and registers (设岗定责、党员示范岗、党员责任区、党员中心户) in the user's scope,
    each with its current holders (one prefetch) and the number of 评岗 records: a fixed
    number of queries whatever the row count."""
    params = params or {}
    qs = (
        MemberPost.objects.restrict(user, "view")
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=PostAssignment.objects.filter(end_on__isnull=True).select_related("member").order_by("start_on", "id"),
                to_attr="current",
            )
        )
    )
    raw = params.get("org")
    if raw:
        if not str(raw).isdigit():
            return qs.none()
        qs = qs.filter(org_path__startswith=chosen_org(user, params).path)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(coverage__icontains=q) | Q(organisation__name__icontains=q))
    if params.get("kind") in rules.POST_KIND:
        qs = qs.filter(kind=params["kind"])
    if params.get("post_type") in rules.POST_TYPE_LABELS:
        qs = qs.filter(post_type=params["post_type"])
    if params.get("state") == "ended":
        qs = qs.filter(ended_on__isnull=False)
    elif params.get("state") != "all":
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("org_path", "kind", "title", "id")


def holders_text(post) -> str:
    return "、".join(a.member.name for a in getattr(post, "current", []))


def post_detail(post: MemberPost) -> list[PostAssignment]:
    """The post's members (current first, then former), each with its 评岗 records: two queries."""
    return list(
        post.assignments.select_related("member")
        .prefetch_related(Prefetch("reviews", queryset=PostReview.objects.order_by("-year", "-half")))
        .order_by(F("end_on").desc(nulls_first=True), "start_on", "id")
    )


def post_facts(member_ids, year: int) -> dict[int, list[tuple]]:
    """registry.member_facts: the posts a member held in the year and the latest 评岗
    grade of that year (shown to the appraisal committee). Two queries."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    held = (
        PostAssignment.objects.filter(member_id__in=list(member_ids), start_on__lte=end)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=start))
        .select_related("post")
        .order_by("member_id", "start_on", "id")
    )
    grades = {}
    for aid, grade in (
        PostReview.objects.filter(assignment__in=held, year=year).order_by("half", "id").values_list("assignment_id", "grade")
    ):
        grades[aid] = grade
    out: dict[int, list[tuple]] = {}
    for a in held:
        grade = grades.get(a.pk)
        value = a.post.title + (f"（评岗：{rules.POST_GRADE_LABELS[grade]}）" if grade else "（未评岗）")
        out.setdefault(a.member_id, []).append(
            (a.post.get_kind_display(), value, None if grade is None else grade not in rules.POST_POOR_GRADES)
        )
    return out


# ── 监督管理 ──────────────────────────────────────────────────────────────────────────────
def supervision_list(user, params=None):
    """重大事项报告、谈心谈话、群众意见 in the user's scope (a member: their own). Fixed queries."""
    params = params or {}
    qs = SupervisionRecord.objects.restrict(user, "view").select_related("member", "counterpart", "organisation")
    raw = params.get("org")
    if raw:
        if not str(raw).isdigit():
            return qs.none()
        qs = qs.filter(org_path__startswith=chosen_org(user, params).path)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(member__name__icontains=q) | Q(member__name_initials__icontains=q) | Q(content__icontains=q))
    if params.get("kind") in rules.SUPERVISION_KIND:
        qs = qs.filter(kind=params["kind"])
    if params.get("status") in dict(SupervisionRecord.Status.choices):
        qs = qs.filter(status=params["status"])
    return qs.order_by("-on", "-id")


def supervision_held(kind: str):
    """registry.held_records for a supervision kind that is organisational life (谈心谈话):
    the distinct (organisation, date) of its records — the member's branch holds the
    talk. One query."""

    def held(org_ids, start: datetime.date, end: datetime.date):
        return (
            SupervisionRecord.objects.filter(kind=kind, organisation_id__in=org_ids, on__gte=start, on__lte=end)
            .values_list("organisation_id", "on")
            .distinct()
        )

    return held


def supervision_facts(member_ids, year: int) -> dict[int, list[tuple]]:
    """registry.member_facts: the year's 谈心谈话 with the member and opinions of the masses
    found true (shown to the appraisal committee). One query."""
    rows = (
        SupervisionRecord.objects.filter(member_id__in=list(member_ids), on__year=year)
        .values("member_id", "kind")
        .annotate(n=Count("id"), found=Count("id", filter=Q(verification__in=rules.VERIFIED_NEEDS_OUTCOME)))
        .order_by("member_id", "kind")
    )
    out: dict[int, list[tuple]] = {}
    for r in rows:
        if r["kind"] == "heart_to_heart_talk":
            out.setdefault(r["member_id"], []).append(("谈心谈话", f"{r['n']}次", None))
        elif r["kind"] == "public_opinion" and r["found"]:
            out.setdefault(r["member_id"], []).append(("群众意见", f"核实属实{r['found']}件", False))
    return out


# ── 目标管理 ──────────────────────────────────────────────────────────────────────────────
def goal_list(user, params=None):
    """Goal sheets in the user's scope (a member: their own). Fixed queries."""
    params = params or {}
    qs = GoalSheet.objects.restrict(user, "view").select_related("member", "organisation")
    raw = params.get("org")
    if raw:
        if not str(raw).isdigit():
            return qs.none()
        qs = qs.filter(org_path__startswith=chosen_org(user, params).path)
    if str(params.get("year") or "").isdigit():
        qs = qs.filter(year=int(params["year"]))
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(member__name__icontains=q) | Q(member__name_initials__icontains=q))
    if params.get("checked") == "no":
        qs = qs.filter(checked_on__isnull=True)
    return qs.order_by("-year", "org_path", "member__name", "id")


def goal_facts(member_ids, year: int) -> dict[int, list[tuple]]:
    """registry.member_facts: the year-end self-check of the member's goals. One query."""
    out: dict[int, list[tuple]] = {}
    for mid, grade in GoalSheet.objects.filter(member_id__in=list(member_ids), year=year).values_list("member_id", "check_grade"):
        if grade:
            out[mid] = [("目标管理", f"年终自查：{rules.GOAL_CHECK_LABELS[grade]}", grade in rules.GOAL_CHECK_OK)]
        else:
            out[mid] = [("目标管理", "未自查", None)]
    return out


# ── 三培养: the talent pool ──────────────────────────────────────────────────────────────
def talent_list(user, params=None):
    """三培养 talent-pool entries in the user's scope (a member: their own): ?org=, ?q=
    (name or initials), ?track=, ?stage=, ?status= (default: open; "all"). Fixed queries."""
    params = params or {}
    qs = TalentEntry.objects.restrict(user, "view").select_related("member", "mentor", "organisation")
    raw = params.get("org")
    if raw:
        if not str(raw).isdigit():
            return qs.none()
        qs = qs.filter(org_path__startswith=chosen_org(user, params).path)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(member__name_initials__icontains=q) | Q(strengths__icontains=q))
    if params.get("track") in rules.TALENT_TRACK:
        qs = qs.filter(track=params["track"])
    if params.get("stage") in rules.TALENT_STAGE_LABELS:
        qs = qs.filter(stage=params["stage"])
    status = params.get("status") or TalentEntry.Status.OPEN
    if status in TalentEntry.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("org_path", "track", "start_on", "id")


def talent_history(entry: TalentEntry) -> list:
    """The entry's stage changes, oldest first (one query)."""
    return list(entry.stage_changes.order_by("on", "id"))


def talent_pool_for(actor, *, track: str | None = None, org=None, member_ids=None, as_of: datetime.date | None = None):
    """The open 三培养 entries the actor may see — what cadre selection lists query (a
    reserve for village cadres: track="backbone_to_cadre", or rules.TALENT_TRACKS' `cadre`
    tracks when track="cadre"). Narrowed to `org`'s subtree and to `member_ids`; entries
    begun after `as_of` left out. A queryset (with member, mentor, organisation)."""
    qs = (
        TalentEntry.objects.restrict(actor, "view")
        .filter(status=TalentEntry.Status.OPEN)
        .select_related("member", "mentor", "organisation")
    )
    if track == "cadre":
        qs = qs.filter(track__in=[t.code for t in rules.TALENT_TRACKS if t.cadre])
    elif track:
        qs = qs.filter(track=track)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if member_ids is not None:
        qs = qs.filter(member_id__in=list(member_ids))
    if as_of is not None:
        qs = qs.filter(start_on__lte=as_of)
    return qs.order_by("org_path", "track", "start_on", "id")


def talent_facts(member_ids, year: int) -> dict[int, list[tuple]]:
    """registry.member_facts: a member's place in the 三培养 talent pool (track, stage,
    mentor), shown to cadre selection and the appraisal committee. One query."""
    out: dict[int, list[tuple]] = {}
    rows = (
        TalentEntry.objects.filter(member_id__in=list(member_ids), status=TalentEntry.Status.OPEN, start_on__year__lte=year)
        .select_related("mentor")
        .order_by("track", "id")
    )
    for e in rows:
        out.setdefault(e.member_id, []).append(("三培养", f"{e.get_track_display()}·{e.stage_label}（培养联系人{e.mentor.name}）", None))
    return out
