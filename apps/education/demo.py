"""Demo data: a year of study for the demo county.

`populate(root_org, rng, as_of)` adds, for the calendar year of as_of up to that day:
the county party school's rotation class for grassroots secretaries (most attend), one
township party-school class per 党委 and a few branch classes, each with its curriculum,
enrolment and per-session attendance credited to the study archive; and for every member
monthly study entries (collective study, online study, self-study) at a pace that leaves
a visible minority (about one in eight) behind on hours. Counting uses the current rule
version. Rows are written with bulk_create; the per-record audit entries of the services
are not written for generated history. Does nothing when the county already has classes.
"""

import datetime
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from apps.members.models import Member
from apps.orgs.models import CommitteeMember, Organisation

from . import rules
from .models import ClassSession, Enrolment, StudyEntry, TrainingClass
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
    if TrainingClass.objects.filter(org_path__startswith=root_org.path).exists():
        return {"skipped": True}
    with transaction.atomic():
        return _populate(root_org, rng, as_of)


def _day(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


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
    enrolments: list[Enrolment] = []
    credited: dict[int, Decimal] = {}

    def entry(mid, day, hours, form, content, organiser, **extra):
        _id, org_id, path = by_id[mid]
        credited[mid] = credited.get(mid, Decimal(0)) + hours
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
    member_ids_by_path = sorted(by_id.values(), key=lambda m: m[2])
    for i, com in enumerate(sorted(committees, key=lambda o: o.path)):
        start = min(as_of, datetime.date(year, 3 + i % 8, 10 + i % 10))
        pool = [m[0] for m in member_ids_by_path if m[2].startswith(com.path)]
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
    for br in branches[:: max(1, len(branches) // 12)][:12]:
        pool = [m[0] for m in members if m[1] == br.pk]
        start = min(as_of, datetime.date(year, 6, 20))
        plans.append((br, "branch", "general", f"{br.short_name or br.name}专题学习班", start, ["half_day"], pool))
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
            enrolments.append(
                Enrolment(
                    training_class=cls,
                    member_id=mid,
                    organisation_id=org_id,
                    org_path=path,
                    class_org=org,
                    class_org_path=org.path,
                    attended_hours=attended,
                    status=(Enrolment.Status.COMPLETED if done else Enrolment.Status.NOT_COMPLETED)
                    if finished
                    else Enrolment.Status.ENROLLED,
                    certificate_no=f"{year}-{cls.pk:04d}-{k + 1:03d}" if done else "",
                )
            )
    in_class = {row[2] for row in entries}
    # ── monthly study: pace per member; about one in eight falls behind ──
    share = rules.elapsed_share(year, as_of)
    # one entry every fourth month (the latest month always), to keep the demo small
    months = [datetime.date(year, m, 1) for m in range(as_of.month, 0, -4)][::-1]
    for mid, org_id, _path in members:
        required = values["cadre_hours"] if mid in cadres else values["ordinary_hours"]
        pace = rng.uniform(0.3, 0.8) if rng.random() < 0.125 else rng.uniform(1.02, 1.35)
        target = Decimal(required) * share * Decimal(str(round(pace, 2)))
        still = target - credited.get(mid, Decimal(0))
        if still <= 0:
            continue
        per_month = rules.hours(still / len(months))
        org_name = orgs[org_id].name if org_id in orgs else ""
        for i, month in enumerate(months):
            last = month.replace(day=28) if month.month != as_of.month else as_of
            day = _day(rng, month, min(last, as_of))
            form = ("collective_study", "online", "self_study")[i % 3]
            if i == 0 and mid in cadres and mid not in in_class:
                form = "concentrated"  # the cadres' concentrated course, at township level
            hours = max(Decimal("0.5"), per_month)
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
    _insert_entries(entries)
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    return {"classes": len(plans), "entries": len(entries), "enrolments": len(enrolments)}


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
    "origin",
    "source_type",
    "source_id",
    "training_class",
    "status",
    "rule_version",
    "decision_note",
    "created_at",
]


def _insert_entries(rows: list[tuple]) -> None:
    """Plain executemany: the ORM's per-object preparation of ~100k study entries took
    ~20 s on SQLite, far above the demo's budget (values are already adapted above)."""
    meta = StudyEntry._meta
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in ENTRY_FIELDS)
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(ENTRY_FIELDS))})"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[i : i + BATCH])
