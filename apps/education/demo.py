"""Demo data: a year of study for the demo county.

`populate(root_org, rng, as_of)` adds, for the calendar year of as_of up to that day:
the county party school's rotation class for grassroots secretaries (most attend), one
township party-school class per 党委 and a few branch classes, each with its curriculum,
enrolment and per-session attendance credited to the study archive; and for every member
two study entries (collective study, online study, self-study; a concentrated course for
cadres) at a pace that leaves a visible minority (about one in eight) behind on hours.
Counting uses the current rule version. Study entries and enrolments are written with a
plain executemany of precomputed rows (the ORM's per-object preparation cost seconds);
the per-record audit entries of the services are not written for generated history.
Does nothing when the county already has classes. Budget: ≤ 3 s on the demo county.
"""

import datetime
import json
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from apps.members.models import Member
from apps.orgs.models import CommitteeMember, Organisation

from . import rules
from .models import ClassSession, EducationPlan, Enrolment, StudyEntry, TrainingClass
from .services import current_rules

BATCH = 5000
TOPICS = [
    "学习党章党规",
    "学习习近平新时代中国特色社会主义思想",
    "学习党的二十大精神",
    "学习《中国共产党纪律处分条例》",
    "党史学习",
    "学习《中国共产党支部工作条例（试行）》",
    "乡村振兴政策学习",
    "基层治理专题学习",
]
LECTURERS = ["县委党校王老师", "县委党校李老师", "县委组织部张科长", "镇党委刘书记", "县委宣传部陈老师"]


def populate(root_org: Organisation, rng: random.Random, as_of: datetime.date) -> dict:
    import time

    started = time.monotonic()
    result = _guarded(root_org, rng, as_of)
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def _guarded(root_org, rng, as_of) -> dict:
    # Education's own records, not its training classes: the recruitment builder (run
    # before this one) files its activist and development classes there too, and a guard
    # on the classes skipped this whole builder.
    if EducationPlan.objects.filter(org_path__startswith=root_org.path).exists():
        return {"skipped": True}
    with transaction.atomic():
        return _populate(root_org, rng, as_of)


def _populate(root_org, rng, as_of):
    version = current_rules()
    values = version.all_values()
    year = as_of.year
    year_start = datetime.date(year, 1, 1)
    members = list(
        Member.objects.counted()
        .filter(org_path__startswith=root_org.path, join_date__lte=as_of)
        .order_by("id")
        .values_list("id", "organisation_id", "org_path")
    )
    if not members:
        return {"entries": 0}
    by_id = {m[0]: m for m in members}
    orgs = {o.pk: o for o in Organisation.objects.filter(path__startswith=root_org.path)}
    secretaries = [
        mid
        for mid in CommitteeMember.objects.filter(
            organisation__path__startswith=root_org.path, role=rules.SECRETARY_ROLE, end_date__isnull=True
        ).values_list("member_id", flat=True)
        if mid in by_id
    ]
    cadres = set(
        CommitteeMember.objects.filter(
            organisation__path__startswith=root_org.path, organisation__org_type__in=rules.CADRE_ORG_TYPES, end_date__isnull=True
        ).values_list("member_id", flat=True)
    )
    entries: list[tuple] = []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt_date = connection.ops.adapt_datefield_value
    enrolments: list[tuple] = []
    credited: dict[int, float] = {}

    def entry(mid, day, hours, form, content, organiser, **extra):
        _id, org_id, path = by_id[mid]
        credited[mid] = credited.get(mid, 0.0) + float(hours)
        entries.append(
            (
                org_id,
                path,
                mid,
                adapt_date(day),
                str(hours),
                form,
                content,
                organiser,
                extra.get("participants", ""),
                "",
                extra.get("score"),
                extra.get("origin", "manual"),
                extra.get("source_type", ""),
                extra.get("source_id"),
                extra.get("training_class_id"),
                StudyEntry.Status.APPROVED,
                version.pk,
                "",
                now,
            )
        )

    # ── classes: (organiser, level, kind, title, start, session hours, attendees) ──
    plans = []
    county_start = min(as_of, datetime.date(year, 4, 14))
    if county_start >= year_start and secretaries:
        attendees = [mid for mid in sorted(set(secretaries)) if rng.random() < 0.85]
        plans.append((root_org, "county", "rotation", f"{year}年基层党组织书记轮训班", county_start, ["full_day", "full_day"], attendees))
    committees = [o for o in orgs.values() if o.org_type == "committee"]
    # members bucketed under each committee in one pass (a prefix lookup per member)
    committee_paths = {o.path for o in committees}
    steps = sorted({len(p) for p in committee_paths})
    under: dict[str, list[int]] = {}
    for mid, _org_id, path in members:
        for n in steps:
            if path[:n] in committee_paths:
                under.setdefault(path[:n], []).append(mid)
    for i, com in enumerate(sorted(committees, key=lambda o: o.path)):
        start = min(as_of, datetime.date(year, 3 + i % 8, 10 + i % 10))
        pool = under.get(com.path, [])
        attendees = rng.sample(pool, min(len(pool), 30))
        if attendees:
            plans.append(
                (
                    com,
                    "township",
                    "general",
                    f"{year}年{com.short_name or com.name}党员冬春训班",
                    start,
                    ["half_day", "half_day", "actual"],
                    attendees,
                )
            )
    branches = sorted((o for o in orgs.values() if o.is_branch and o.direct_member_count), key=lambda o: o.path)
    chosen = branches[:: max(1, len(branches) // 12)][:12]
    by_org: dict[int, list[int]] = {o.pk: [] for o in chosen}
    for mid, org_id, _path in members:
        if org_id in by_org:
            by_org[org_id].append(mid)
    for br in chosen:
        pool = by_org[br.pk]
        start = min(as_of, datetime.date(year, 6, 20))
        plans.append((br, "branch", "general", f"{br.short_name or br.name}专题学习班", start, ["half_day"], pool))
    made: list[TrainingClass] = []
    for org, level, kind, title, start, durations, attendees in plans:
        end = start + datetime.timedelta(days=len(durations) - 1)
        finished = end < as_of
        cls = TrainingClass.objects.create(
            organisation=org,
            title=title[:120],
            level=level,
            kind=kind,
            start_date=start,
            end_date=end,
            plan=f"培训对象：{'基层党组织书记' if kind == 'rotation' else '党员'}；培训内容：{TOPICS[0]}、{TOPICS[2]}",
            status=TrainingClass.Status.FINISHED if finished else TrainingClass.Status.OPEN,
            finished_on=end if finished else None,
        )
        made.append(cls)
        sessions = []
        for j, duration in enumerate(durations):
            hours = rules.count_hours(duration, Decimal(2), values)
            sessions.append(
                ClassSession(
                    training_class=cls,
                    date=min(as_of, start + datetime.timedelta(days=j)),
                    topic=TOPICS[(j + len(title)) % len(TOPICS)],
                    lecturer=LECTURERS[j % len(LECTURERS)],
                    duration=duration,
                    hours=hours,
                    attendance_taken=True,
                )
            )
        sessions = ClassSession.objects.bulk_create(sessions)
        total = sum(s.hours for s in sessions)
        for k, mid in enumerate(attendees):
            attended = Decimal(0)
            for s in sessions:
                if rng.random() < 0.93:
                    attended += s.hours
                    entry(
                        mid,
                        s.date,
                        s.hours,
                        "training",
                        f"{title}：{s.topic}",
                        org.name,
                        origin="class",
                        source_type="education.classsession",
                        source_id=s.pk,
                        training_class_id=cls.pk,
                    )
            done = finished and attended * 100 >= total * values["completion_percent"]
            _id, org_id, path = by_id[mid]
            status = (Enrolment.Status.COMPLETED if done else Enrolment.Status.NOT_COMPLETED) if finished else Enrolment.Status.ENROLLED
            enrolments.append(
                (
                    org_id,
                    path,
                    cls.pk,
                    mid,
                    org.pk,
                    org.path,
                    str(status),
                    str(attended),
                    f"{year}-{cls.pk:04d}-{k + 1:03d}" if done else "",
                    now,
                )
            )
    in_class = {row[2] for row in entries}
    quiz_result = _quiz(root_org, rng, as_of, members, entry)
    plan_items = _plan(root_org, as_of, made)
    # ── monthly study: pace per member; about one in eight falls behind ──
    share_f = float(rules.elapsed_share(year, as_of))
    # one entry an ordinary member in a month of the year so far (spread over the months,
    # so every month has study), two a cadre (the concentrated course early, then the
    # latest month): enough for the archive and the pace, small enough for the demo budget
    month_spans = []
    for m in range(1, as_of.month + 1):
        first = datetime.date(year, m, 1)
        last = min(datetime.date(year, m, 28), as_of)
        month_spans.append((first, max(0, (last - first).days)))
    cadre_spans = [month_spans[max(0, as_of.month // 2 - 1)], month_spans[-1]]
    forms = ("collective_study", "online", "self_study")
    for mid, org_id, _path in members:
        is_cadre = mid in cadres
        required = values["cadre_hours"] if is_cadre else values["ordinary_hours"]
        pace = rng.uniform(0.3, 0.8) if rng.random() < 0.125 else rng.uniform(1.02, 1.35)
        still = required * share_f * pace - credited.get(mid, 0.0)
        if still <= 0:
            continue
        spans = cadre_spans if is_cadre else [month_spans[int(rng.random() * len(month_spans))]]
        hours = max(0.5, round(still / len(spans), 1))
        org_name = orgs[org_id].name if org_id in orgs else ""
        for i, (month, span) in enumerate(spans):
            day = month + datetime.timedelta(days=int(rng.random() * (span + 1)))
            form = forms[(mid + i) % 3]
            if i == 0 and is_cadre and mid not in in_class:
                form = "concentrated"  # the cadres' concentrated course, at township level
            entry(
                mid,
                day,
                hours,
                form,
                TOPICS[(mid + i) % len(TOPICS)],
                org_name if form == "collective_study" else "本人",
                origin="manual",
                participants="本支部党员" if form == "collective_study" else "",
            )
    _insert_rows(StudyEntry, ENTRY_FIELDS, entries)
    _insert_rows(Enrolment, ENROLMENT_FIELDS, enrolments)
    return {"classes": len(plans), "entries": len(entries), "enrolments": len(enrolments), "plan_items": plan_items, **quiz_result}


QUESTIONS = {
    "党章党规": [
        ("single", "党的最高理想和最终目标是", ["实现共产主义", "全面建成小康社会", "实现现代化", "乡村振兴"], "A"),
        ("single", "预备党员的预备期为", ["半年", "一年", "两年", "三年"], "B"),
        ("truefalse", "党员有权向党的上级组织提出请求、申诉和控告", None, "A"),
        ("multiple", "“三会一课”中的“三会”是", ["支部党员大会", "支部委员会", "党小组会", "座谈会"], "ABC"),
        ("single", "党支部党员大会一般每季度召开", ["1次", "2次", "3次", "4次"], "A"),
        ("truefalse", "党员连续6个月不参加党的组织生活，又不交纳党费，被认为是自行脱党", None, "A"),
    ],
    "党史": [
        ("single", "中国共产党第一次全国代表大会召开于", ["1919年", "1921年", "1927年", "1935年"], "B"),
        ("single", "遵义会议召开于", ["1934年", "1935年", "1936年", "1937年"], "B"),
        ("truefalse", "古田会议确立了思想建党、政治建军的原则", None, "A"),
        ("multiple", "党的三大优良作风是", ["理论联系实际", "密切联系群众", "批评与自我批评", "艰苦奋斗"], "ABC"),
        ("single", "党的十一届三中全会召开于", ["1976年", "1978年", "1980年", "1982年"], "B"),
        ("truefalse", "中华人民共和国成立于1949年10月1日", None, "A"),
    ],
    "理论学习": [
        (
            "single",
            "新时代党的建设总要求以什么为主线",
            ["加强党的长期执政能力建设、先进性和纯洁性建设", "作风建设", "制度建设", "组织建设"],
            "A",
        ),
        ("multiple", "“四个意识”包括", ["政治意识", "大局意识", "核心意识", "看齐意识"], "ABCD"),
        ("truefalse", "“两个维护”是党的政治建设的首要任务", None, "A"),
        ("single", "全面从严治党的根本是", ["加强党的全面领导", "反腐败", "思想建党", "制度治党"], "A"),
        ("multiple", "“四个自信”包括", ["道路自信", "理论自信", "制度自信", "文化自信"], "ABCD"),
        ("truefalse", "党的群众路线是一切为了群众，一切依靠群众，从群众中来，到群众中去", None, "A"),
    ],
}
QUIZ_DRAW = {"党章党规": 4, "党史": 3, "理论学习": 3}
QUIZ_SHARE = 0.08  # about one member in twelve has taken the county's quiz so far


def _quiz(root_org, rng, as_of, members, entry) -> dict:
    """The county's question bank, one county quiz open around as_of, and the attempts of
    a sample of members (best of two; passes credited 2 hours once, like the service)."""
    from .models import Question, Quiz, QuizAttempt

    bank = []
    for category, rows in QUESTIONS.items():
        for kind, text, options, answer in rows:
            bank.append(
                Question(
                    organisation=root_org,
                    org_path=root_org.path,
                    kind=kind,
                    category=category,
                    difficulty="medium",
                    text=text,
                    options=options or list(rules.TRUE_FALSE_OPTIONS),
                    answer=answer,
                )
            )
    bank = Question.objects.bulk_create(bank)
    opens = max(datetime.date(as_of.year, 1, 1), as_of - datetime.timedelta(days=30))
    quiz = Quiz.objects.create(
        organisation=root_org,
        title=f"{as_of.year}年全县党员应知应会知识测试",
        draw=QUIZ_DRAW,
        time_limit=30,
        attempts_allowed=2,
        pass_score=60,
        hours=Decimal(2),
        opens_on=opens,
        closes_on=as_of + datetime.timedelta(days=10),
    )
    by_category: dict[str, list] = {}
    for q in bank:
        # (id, answer, a wrong answer: an option not in the key, or — every option right —
        # an incomplete choice); plain tuples, model equality is slow in the loop below
        wrong = next((x for x in rules.LETTERS[: len(q.options)] if x not in q.answer), q.answer[0])
        by_category.setdefault(q.category, []).append((q.pk, q.answer, wrong))
    now = timezone.now()
    span = max(1, (as_of - opens).days)
    adapt = connection.ops.adapt_datetimefield_value
    base = timezone.make_aware(datetime.datetime.combine(opens, datetime.time(9)))
    rows = []
    for mid, org_id, path in members:
        if rng.random() >= QUIZ_SHARE:
            continue
        paper = [q for category, n in QUIZ_DRAW.items() for q in rng.sample(by_category[category], n)]
        skill = rng.random()
        chance = 0.45 + 0.55 * skill
        answers = {}
        correct = 0
        for pk, answer, wrong in paper:
            if rng.random() < chance:
                answers[str(pk)] = answer
                correct += 1
            else:
                answers[str(pk)] = wrong
        score = rules.quiz_score(correct, len(paper))
        started = min(now, base + datetime.timedelta(days=int(rng.random() * span), minutes=int(rng.random() * 600)))
        submitted = started + datetime.timedelta(minutes=5 + int(rng.random() * 20))
        passed = score >= quiz.pass_score
        rows.append(
            (
                org_id,
                path,
                quiz.pk,
                mid,
                1,
                json.dumps([q[0] for q in paper]),
                json.dumps(answers),
                adapt(started),
                adapt(started + datetime.timedelta(minutes=quiz.time_limit)),
                adapt(submitted),
                str(score),
                correct,
                passed,
                True,
            )
        )
        if passed:
            entry(
                mid,
                timezone.localdate(submitted),
                Decimal(2),
                "quiz",
                f"考学：{quiz.title}",
                root_org.name,
                origin="quiz",
                source_type="education.quiz",
                source_id=quiz.pk,
                score=str(score),
            )
    _insert_rows(QuizAttempt, ATTEMPT_FIELDS, rows)
    return {"questions": len(bank), "quiz_attempts": len(rows)}


ATTEMPT_FIELDS = [
    "organisation",
    "org_path",
    "quiz",
    "member",
    "number",
    "question_ids",
    "answers",
    "started_at",
    "deadline",
    "submitted_at",
    "score",
    "correct",
    "passed",
    "is_best",
]


def _plan(root_org, as_of, made: list) -> int:
    """The county's annual education plan: the secretaries' rotation (its class), the
    townships' winter-spring training, quarterly collective study and the county quiz."""
    from .models import PlanItem

    year = as_of.year
    plan = EducationPlan.objects.create(
        organisation=root_org, kind="annual", title=f"{year}年全县党员教育培训计划", start_year=year, end_year=year
    )
    rotation = next((c for c in made if c.kind == rules.ROTATION_KIND), None)
    items = [
        PlanItem(
            plan=plan,
            year=year,
            month=4,
            topic="基层党组织书记轮训",
            audience="secretaries",
            level="county",
            form="training",
            hours=Decimal(16),
            training_class=rotation,
        ),
        PlanItem(plan=plan, year=year, month=3, topic="党员冬春训", audience="all", level="township", form="training", hours=Decimal(10)),
        *[
            PlanItem(
                plan=plan, year=year, month=m, topic=TOPICS[i], audience="all", level="branch", form="collective_study", hours=Decimal(4)
            )
            for i, m in enumerate((3, 6, 9, 12))
        ],
        PlanItem(
            plan=plan,
            year=year,
            month=as_of.month,
            topic="党员应知应会知识测试",
            audience="all",
            level="county",
            form="quiz",
            hours=Decimal(2),
        ),
    ]
    PlanItem.objects.bulk_create(items)
    return len(items)


ENTRY_FIELDS = [
    "organisation",
    "org_path",
    "member",
    "date",
    "hours",
    "form",
    "content",
    "organiser",
    "participants",
    "reflection",
    "score",
    "origin",
    "source_type",
    "source_id",
    "training_class",
    "status",
    "rule_version",
    "decision_note",
    "created_at",
]


ENROLMENT_FIELDS = [
    "organisation",
    "org_path",
    "training_class",
    "member",
    "class_org",
    "class_org_path",
    "status",
    "attended_hours",
    "certificate_no",
    "created_at",
]


def _insert_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Plain executemany: the ORM's per-object preparation of ~50k study entries took
    seconds, far above the demo's budget (values are already adapted above)."""
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in fields)
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[i : i + BATCH])
