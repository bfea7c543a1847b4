"""Demo data for leadership and standardisation in the demo county, built just before
the demo logins (order 999; those must come last): six county leaders and two
section-level cadres (accounts made here without a usable password), each leader with the five
contact points of the pattern and a year of visits (some points not yet visited this
quarter: the leaders' to-do), the cadres' contact points, a year of quarterly self-checks
by every grassroots organisation, one county spot-check round, the year-end evaluation,
rectifications (open, overdue, done), twelve months of reports by the township committees
(the latest month's submitted by the first ASSEMBLED_TOWNSHIPS townships with the data
part assembled, the other townships' still drafts, whose data part the report page
assembles when opened; the older months submitted with their typed parts only), 50 model
points and the
党建指导员 of non-public enterprises with their reports.

`populate_trainings` (order 998) records a year of 四训 per township through the service,
so the attendees' hours reach their study archive.

`populate_leader_login` runs after the demo logins (order 1001) and gives the demo login
"leader" the five contact points of the pattern with their visits, one or two of them not
yet visited this quarter, so the leader's contact screen, home figures and to-do are not
empty.

Rows are written with bulk_create; the scores come from the same code as the services
(computed items from the registered metrics, year-end arithmetic from year_end_parts)."""

import datetime
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import RoleAssignment, User
from apps.orgs.models import Organisation
from apps.orgs.rules import GRASSROOTS_TYPES

from . import rules, services
from .models import (
    ContactAssignment,
    ContactVisit,
    Inspection,
    InstructorPost,
    InstructorReport,
    ItemScore,
    ModelPoint,
    ModelPointProgress,
    MonthlyReport,
    Rectification,
    SpotCheckRound,
)
from .periods import period_range, quarter_of

LEADERS = ["县委书记（演示）", "县长（演示）", "县委副书记（演示）", "组织部部长（演示）", "宣传部部长（演示）", "纪委书记（演示）"]
CADRES = ["组织部组织股股长（演示）", "组织部党员教育股股长（演示）"]
VISIT_TEXT = [
    "走访村“两委”班子，了解集体经济发展情况",
    "参加支部主题党日，讲专题党课",
    "调研企业党建工作与生产经营融合情况",
    "督促整改上次检查发现的问题",
]
# The data part of a report is assembled from every domain's section (≈ 0.1 s of CPU per
# township and month, education's figures most); the demo assembles it for the latest
# month of a few townships only, to keep the demo build within its few seconds.
ASSEMBLED_TOWNSHIPS = 6
THEMES = ["党建引领乡村振兴", "红色物业", "网格化服务群众", "党员先锋岗", "产业链党建", "智慧党建"]
PROGRESS = [
    "完善阵地建设，建成党群服务中心",
    "建立党员联系户制度，开展结对帮扶",
    "总结特色做法，形成经验材料",
    "组织观摩交流，周边支部学习借鉴",
]
PROBLEMS = ["三会一课记录不完整", "党费公开不及时", "发展党员档案材料缺页", "活动阵地使用率不高", "党员学习学时未达标"]


def _accounts(root, role: str, names: list[str], prefix: str) -> list:
    """The county's users of the role, made up to len(names) when missing (no usable
    password: demo figures, not logins)."""
    users = list(User.objects.filter(role_assignments__role=role, role_assignments__organisation=root).distinct().order_by("id"))
    have = {u.username for u in users}
    new = [
        User(username=f"{prefix}{n}", display_name=name, password=make_password(None), must_change_password=True)
        for n, name in enumerate(names, start=1)
        if f"{prefix}{n}" not in have
    ]
    if new:
        User.objects.bulk_create(new)
        new = list(User.objects.filter(username__in=[u.username for u in new]))
        RoleAssignment.objects.bulk_create(RoleAssignment(user=u, role=role, organisation=root) for u in new)
    return users + new


def _insert_scores(rows) -> None:
    """Item scores of the generated self-checks (≈ 33k rows) in one executemany: the
    ORM's per-object work would be most of the demo's time."""
    table = connection.ops.quote_name(ItemScore._meta.db_table)
    sql = f"INSERT INTO {table} (inspection_id, item_id, score, computed, reason, evidence) VALUES (%s, %s, %s, %s, %s, '')"
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def populate(root, rng, as_of):
    if Inspection.objects.filter(org_path__startswith=root.path).exists():
        return {"skipped": True}
    today = as_of or timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    orgs = list(Organisation.objects.filter(path__startswith=root.path, status=Organisation.Status.ACTIVE).order_by("path"))
    grassroots = [o for o in orgs if o.org_type in GRASSROOTS_TYPES]
    townships = [o for o in orgs if o.depth == root.depth + 1 and o.org_type in ("committee", "general_branch")]
    pools = {
        "township": townships,
        "model_village": [o for o in grassroots if o.unit_type == "village"],
        "weak_village": [o for o in grassroots if o.unit_type == "village"],
        "state_enterprise": [o for o in grassroots if o.unit_type == "state_enterprise"],
        "non_public_enterprise": [o for o in grassroots if o.unit_type == "non_public_enterprise"],
    }
    # ── contact duties
    assignments = []
    used = set()
    for leader in _accounts(root, "county_leader", LEADERS, "county_leader"):
        for kind in rules.LEADER_PATTERN:
            pool = [o for o in pools[kind] if o.pk not in used]
            if pool:
                org = rng.choice(pool)
                used.add(org.pk)
                assignments.append(ContactAssignment(leader=leader, kind=kind, organisation=org, org_path=org.path, year=year))
    cadres = _accounts(root, "inspector", CADRES, "cadre")
    for cadre in cadres:
        for org in rng.sample(grassroots, min(2, len(grassroots))):
            assignments.append(ContactAssignment(leader=cadre, kind="section_point", organisation=org, org_path=org.path, year=year))
    assignments = ContactAssignment.objects.bulk_create(assignments)
    visits = []
    for a in assignments:
        for q in range(1, quarter + 1):
            if q == quarter and rng.random() < 0.5:
                continue  # not yet visited this quarter: the leader's to-do
            start, end = period_range(year, q)
            end = min(end, today)
            day = start + datetime.timedelta(days=rng.randrange(max((end - start).days, 1)))
            visits.append(
                ContactVisit(
                    assignment=a,
                    organisation_id=a.organisation_id,
                    org_path=a.org_path,
                    date=day,
                    kind=rng.choice(["visit", "guidance", "lecture"]),
                    content=rng.choice(VISIT_TEXT),
                    problems=rng.choice(["", *PROBLEMS]),
                    recorded_by="系统（示范数据）",
                )
            )
    ContactVisit.objects.bulk_create(visits, batch_size=2000)

    # ── quarterly self-checks, every grassroots organisation, this year's quarters
    version = services.current_checklist()
    items = list(version.items.all())
    max_total = sum(i.max_score for i in items)
    submitted_at = timezone.now()
    by_org_quarter = {}
    # The items scored from data: the registered metrics measured ONCE for the year so far
    # (each metric is a pass over its domain's whole year: per quarter it would be most
    # of the demo's time); every quarter's self-check takes the year's figures.
    computed = services.computed_scores(version, grassroots, year, None)
    for q in range(1, quarter + 1):
        rows, scores = [], []
        for org in grassroots:
            done = q < quarter or rng.random() < 0.6
            insp = Inspection(
                organisation=org,
                org_path=org.path,
                kind=Inspection.Kind.SELF_CHECK,
                year=year,
                quarter=q,
                version=version,
                max_total=max_total,
                status=Inspection.Status.SUBMITTED if done else Inspection.Status.DRAFT,
                submitted_at=submitted_at if done else None,
                inspector="支部书记",
            )
            total = Decimal(0)
            org_scores = []
            quality = rng.uniform(0.55, 1.0)
            for item in items:
                score, is_computed, reason = computed[(org.pk, item.pk)]
                if score is None and done:
                    score = Decimal(round(item.max_score * min(1.0, quality + rng.uniform(-0.1, 0.1)) * 2) / 2)
                    reason = ""
                total += score or 0
                org_scores.append((item, score, is_computed, reason))
            insp.total = total
            rows.append(insp)
            scores.append(org_scores)
            by_org_quarter[(org.pk, q)] = insp
        rows = Inspection.objects.bulk_create(rows, batch_size=2000)
        _insert_scores(
            (insp.pk, item.pk, None if score is None else str(score), c, reason)
            for insp, org_scores in zip(rows, scores, strict=True)
            for item, score, c, reason in org_scores
        )

    # ── one spot-check round by the county, last completed quarter (or this one)
    spot_q = max(1, quarter - 1)
    seed = f"demo-{year}"
    sample = services.draw_sample(root, year, spot_q, seed, rules.SPOT_CHECK_DEFAULT_PER_TOWNSHIP)
    rnd = SpotCheckRound.objects.create(
        organisation=root,
        year=year,
        quarter=spot_q,
        seed=seed,
        per_township=rules.SPOT_CHECK_DEFAULT_PER_TOWNSHIP,
        sample=[o.pk for o in sample],
        created_by="系统（示范数据）",
    )
    sampled = {o.pk for o in sample}
    spots = services._new_inspections(
        sample,
        kind=Inspection.Kind.SPOT_CHECK,
        year=year,
        quarter=spot_q,
        version=version,
        round=rnd,
        inspector="县委组织部督查组",
        scores={key: value for key, value in computed.items() if key[0] in sampled},
    )
    manual = list(ItemScore.objects.filter(inspection__in=spots, computed=False).select_related("item"))
    for s in manual:
        s.score = Decimal(round(s.item.max_score * rng.uniform(0.5, 1.0) * 2) / 2)
    ItemScore.objects.bulk_update(manual, ["score"], batch_size=2000)
    totals = {}
    for s in ItemScore.objects.filter(inspection__in=spots).values_list("inspection_id", "score"):
        totals[s[0]] = totals.get(s[0], Decimal(0)) + (s[1] or 0)
    for insp in spots:
        insp.total, insp.status, insp.submitted_at = totals.get(insp.pk, Decimal(0)), Inspection.Status.SUBMITTED, submitted_at
    Inspection.objects.bulk_update(spots, ["total", "status", "submitted_at"])
    spot_by_org = {i.organisation_id: i for i in spots}

    # ── year-end evaluation (from the submitted checks) and rectifications
    year_end, rects = [], []
    for org in grassroots:
        selfs = [
            by_org_quarter[(org.pk, q)] for q in range(1, quarter + 1) if by_org_quarter[(org.pk, q)].status == Inspection.Status.SUBMITTED
        ]
        spot = [spot_by_org[org.pk]] if org.pk in spot_by_org else []
        if not selfs and not spot:
            continue
        total, breakdown = services.year_end_parts(selfs, spot)
        year_end.append(
            Inspection(
                organisation=org,
                org_path=org.path,
                kind=Inspection.Kind.YEAR_END,
                year=year,
                version=version,
                total=total,
                max_total=Decimal(100),
                breakdown=breakdown,
                status=Inspection.Status.SUBMITTED,
                submitted_at=submitted_at,
                inspector="系统（示范数据）",
            )
        )
    Inspection.objects.bulk_create(year_end, batch_size=2000)
    for insp in spots:
        if insp.max_total and insp.total * 100 / insp.max_total < 85:
            deadline = today + datetime.timedelta(days=rng.choice([-20, -5, 15, 30]))
            done = rng.random() < 0.4
            rects.append(
                Rectification(
                    organisation_id=insp.organisation_id,
                    org_path=insp.org_path,
                    inspection=insp,
                    problem=rng.choice(PROBLEMS),
                    measure="限期补齐材料，支委会专题研究",
                    deadline=deadline,
                    status=Rectification.Status.DONE if done else Rectification.Status.OPEN,
                    done_on=min(today, deadline) if done else None,
                    done_note="已整改到位" if done else "",
                )
            )
    Rectification.objects.bulk_create(rects)

    # ── monthly reports of the township committees, last twelve months
    reports = []
    month = today.replace(day=1)
    for n in range(12):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        due = services.report_due(month.year, month.month)
        for k, t in enumerate(townships):
            if rng.random() < 0.08:
                continue  # not submitted: shows as lagging in the circular
            late = rng.random() < 0.1
            latest = n == 0
            draft = latest and k >= ASSEMBLED_TOWNSHIPS  # typed, not yet submitted
            reports.append(
                MonthlyReport(
                    organisation=t,
                    org_path=t.path,
                    year=month.year,
                    month=month.month,
                    sections=services.assemble_sections(t, month.year, month.month) if latest and not draft else [],
                    work_done="召开党委会研究党建工作；督促支部按时开展三会一课；开展入党积极分子培训。",
                    problems="个别支部党费收缴不及时。",
                    next_plan="开展季度自查，整改检查发现的问题。",
                    status=MonthlyReport.Status.DRAFT if draft else MonthlyReport.Status.SUBMITTED,
                    submitted_at=None
                    if draft
                    else timezone.make_aware(
                        datetime.datetime.combine(due + datetime.timedelta(days=3 if late else -2), datetime.time(10))
                    ),
                    submitted_by="" if draft else "党委组织员",
                    on_time=not late and not draft,
                )
            )
    MonthlyReport.objects.bulk_create(reports, batch_size=2000)

    # ── 50 typical model points (a third named, the rest cultivating) and instructors
    categories = {
        "village": "village",
        "community": "community",
        "government": "government",
        "state_enterprise": "state_enterprise",
        "non_public_enterprise": "non_public",
        "school": "school",
    }
    chosen = rng.sample(grassroots, min(rules.MODEL_POINTS_TARGET, len(grassroots)))
    points = ModelPoint.objects.bulk_create(
        ModelPoint(
            organisation=o,
            org_path=o.path,
            category=categories.get(o.unit_type, "other"),
            theme=rng.choice(THEMES),
            designated_on=datetime.date(year - 1, rng.randint(3, 9), 1),
            plan="第一年夯实基础、规范阵地和制度；第二年形成特色做法，总结经验材料，申请验收。",
            status=ModelPoint.Status.ACCEPTED if n % 3 == 0 else ModelPoint.Status.CULTIVATING,
            reviewed_on=datetime.date(year, 6, 30) if n % 3 == 0 else None,
            review_note="特色鲜明，经验可推广" if n % 3 == 0 else "",
            reviewed_by="县委组织部" if n % 3 == 0 else "",
        )
        for n, o in enumerate(chosen)
    )
    ModelPointProgress.objects.bulk_create(
        ModelPointProgress(
            point=p,
            organisation_id=p.organisation_id,
            org_path=p.org_path,
            date=min(today, p.designated_on + datetime.timedelta(days=90 * k)),
            content=rng.choice(PROGRESS),
            recorded_by="系统（示范数据）",
        )
        for p in points
        for k in range(1, 4)
    )
    enterprises = [o for o in grassroots if o.unit_type in rules.INSTRUCTOR_UNIT_TYPES]
    posts = InstructorPost.objects.bulk_create(
        InstructorPost(
            organisation=o,
            org_path=o.path,
            name=f"{rng.choice('王李张刘陈杨')}{rng.choice(['建国', '晓东', '红梅', '志强', '丽华'])}",
            sent_by=rng.choice(["县委组织部", "县工商联", "县市场监管局"]),
            start_date=datetime.date(year - 1, 3, 1),
        )
        for o in enterprises[:40]
    )
    InstructorReport.objects.bulk_create(
        InstructorReport(
            post=p,
            organisation_id=p.organisation_id,
            org_path=p.org_path,
            date=datetime.date(year, m, 15),
            content="指导企业党组织开展主题党日，推动党建与生产经营融合",
            recorded_by="系统（示范数据）",
        )
        for p in posts
        for m in range(1, today.month + (today.day >= 15), 3)
    )
    return {
        "assignments": len(assignments),
        "visits": len(visits),
        "self_checks": len(by_org_quarter),
        "spot_checks": len(spots),
        "reports": len(reports),
        "points": len(points),
        "instructors": len(posts),
    }


def _visits_for(assignments, rng, today, skip_this_quarter) -> list:
    """A visit per quarter of the year so far for each assignment; the assignments in
    skip_this_quarter have none this quarter (the leader's to-do)."""
    year, quarter = today.year, quarter_of(today)
    out = []
    for a in assignments:
        for q in range(1, quarter + 1):
            if q == quarter and a.pk in skip_this_quarter:
                continue
            start, end = period_range(year, q)
            end = min(end, today)
            day = start + datetime.timedelta(days=rng.randrange(max((end - start).days, 1)))
            out.append(
                ContactVisit(
                    assignment=a,
                    organisation_id=a.organisation_id,
                    org_path=a.org_path,
                    date=day,
                    kind=rng.choice(["visit", "guidance", "lecture"]),
                    content=rng.choice(VISIT_TEXT),
                    problems=rng.choice(["", *PROBLEMS]),
                    recorded_by="系统（示范数据）",
                )
            )
    return out


def populate_leader_login(root, rng, as_of):
    """The demo login "leader" (a county leader made by the accounts builder) takes the five
    contact points of the pattern, preferring organisations no other leader contacts, with
    a year of visits; two points are not yet visited this quarter."""
    today = as_of or timezone.localdate()
    user = User.objects.filter(username="leader").first()
    if user is None or ContactAssignment.objects.filter(leader=user, year=today.year).exists():
        return {"skipped": True}
    if not RoleAssignment.objects.current().filter(user=user, role="county_leader").exists():
        return {"skipped": True}
    taken = set(ContactAssignment.objects.filter(year=today.year, org_path__startswith=root.path).values_list("organisation_id", flat=True))
    orgs = list(Organisation.objects.filter(path__startswith=root.path, status=Organisation.Status.ACTIVE).order_by("path"))
    grassroots = [o for o in orgs if o.org_type in GRASSROOTS_TYPES]
    pools = {
        "township": [o for o in orgs if o.depth == root.depth + 1 and o.org_type in ("committee", "general_branch")],
        "model_village": [o for o in grassroots if o.unit_type == "village"],
        "weak_village": [o for o in grassroots if o.unit_type == "village"],
        "state_enterprise": [o for o in grassroots if o.unit_type == "state_enterprise"],
        "non_public_enterprise": [o for o in grassroots if o.unit_type == "non_public_enterprise"],
    }
    rows = []
    for kind in rules.LEADER_PATTERN:
        pool = [o for o in pools[kind] if o.pk not in taken] or pools[kind]
        if pool:
            org = rng.choice(pool)
            taken.add(org.pk)
            rows.append(ContactAssignment(leader=user, kind=kind, organisation=org, org_path=org.path, year=today.year))
    rows = ContactAssignment.objects.bulk_create(rows)
    skip = {a.pk for a in rng.sample(rows, min(2, len(rows)))}
    visits = ContactVisit.objects.bulk_create(_visits_for(rows, rng, today, skip))
    return {"assignments": len(rows), "visits": len(visits)}


# ── 四训: a year of cadre training per township ───────────────────────────────────────
TRAINING_TOPICS = {
    "regular": ["学习党章党规，规范三会一课记录", "发展党员工作流程与档案规范", "党费收缴与管理使用", "换届选举程序与要求"],
    "special": ["基层党组织书记专题培训：抓党建促乡村振兴"],
    "rotation": ["基层党组织书记轮训：党务工作实务"],
    "general": ["通报本季度党建重点工作", "交流支部工作经验，部署下阶段任务", "学习上级文件精神，研究落实措施"],
}
TRAINING_HOURS = {"regular": Decimal("2"), "special": Decimal("8"), "rotation": Decimal("24"), "general": Decimal("2")}
TRAINING_ATTENDEES = 8  # cadres per session: the township committee and branch secretaries


def _training_day(rng, year: int, quarter: int, today: datetime.date) -> datetime.date | None:
    start, end = period_range(year, quarter)
    end = min(end, today)
    if end < start:
        return None
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def populate_trainings(root, rng, as_of):
    """四训 of every township this year so far: a 例会培训 and a 普训 each quarter (the
    普训 at a 季训会, 季谈会 or 月碰头会 in turn), the year's 专训 and a 轮训 at the county
    party school, each attended by up to TRAINING_ATTENDEES of the township's cadres
    (its committee and its branches' secretaries). Recorded through the service, so the
    attendees' hours reach their study archive as a real session's do."""
    from apps.core.actors import system_actor
    from apps.orgs.models import CommitteeMember

    from .models import CadreTraining

    if CadreTraining.objects.filter(org_path__startswith=root.path).exists():
        return {"skipped": True}
    today = as_of or timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    actor = system_actor("demo")
    townships = list(
        Organisation.objects.filter(
            path__startswith=root.path,
            depth=root.depth + 1,
            org_type__in=("committee", "general_branch"),
            status=Organisation.Status.ACTIVE,
        ).order_by("path")
    )
    seats = (
        CommitteeMember.objects.filter(
            organisation__path__startswith=root.path, end_date__isnull=True, member__status__in=("normal", "mobile")
        )
        .filter(Q(organisation__depth=root.depth + 1) | Q(role="secretary"))
        .order_by("organisation__path", "id")
        .values_list("organisation__path", "member_id")
    )
    pools: dict[int, list[int]] = {t.pk: [] for t in townships}
    for path, member_id in seats:
        for t in townships:
            if path.startswith(t.path) and member_id not in pools[t.pk]:
                pools[t.pk].append(member_id)
                break
    occasions = rules.CADRE_TRAINING_KIND_BY_CODE["general"].occasions
    made = 0
    for t in townships:
        pool = pools[t.pk]
        if not pool:
            continue
        sessions = []
        for q in range(1, quarter + 1):
            sessions.append(("regular", q, ""))
            sessions.append(("general", q, occasions[(q - 1) % len(occasions)]))
        sessions.append(("special", min(2, quarter), ""))
        sessions.append(("rotation", min(3, quarter), ""))
        for kind, q, occasion in sessions:
            day = _training_day(rng, year, q, today)
            if day is None:
                continue
            services.record_cadre_training(
                {
                    "organisation": t,
                    "kind": kind,
                    "occasion": occasion,
                    "date": day,
                    "title": rng.choice(TRAINING_TOPICS[kind]),
                    "venue": "县委党校" if kind == "rotation" else "",
                    "hours": TRAINING_HOURS[kind],
                    "attendees": rng.sample(pool, min(TRAINING_ATTENDEES, len(pool))),
                },
                actor=actor,
            )
            made += 1
    return {"trainings": made}
