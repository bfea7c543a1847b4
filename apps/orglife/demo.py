"""Demo data: a plausible year of organisational life for the demo county.

`populate(root_org, rng, as_of)` gives every branch the twelve months ending with the
previous month: a 主题党日 each month, a 支部委员会 each month where the branch has a
committee, a 支部党员大会 and a 党课 each quarter, and last year's 组织生活会 and
民主评议党员; the 党委/总支 above them a committee meeting each month and (党委) the
leadership group's 民主生活会 each December; every party group a 党小组会 each month. About nine branches in ten keep to the frequencies; the others skip some
months. Attendance rows (present, on leave, absent, mobile members attending where they
stay) are written for the 主题党日 and committee meetings; a handful of members are absent
without leave for 3, 5 and 6+ months, so warnings, the branch cases and the exit trigger
appear. The quarterly
and annual meetings carry their head counts only (attendance_taken False, counted True):
writing every member's row for them would triple the rows without showing anything new.

Rows are built in memory and written with bulk_create (no per-row audit entries)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from apps.core.actors import system_actor
from apps.members.models import Member
from apps.orgs.models import CommitteeMember, Organisation

from . import compliance, rules, services
from .models import Attendance, Meeting

BATCH = 5000
THEMES = [
    "学习贯彻党的二十大精神",
    "重温入党誓词",
    "党史学习教育",
    "志愿服务进社区",
    "学习《中国共产党章程》",
    "廉政警示教育",
    "乡村振兴实践活动",
    "学习党的创新理论",
]
LECTURES = ["坚定理想信念，践行初心使命", "加强党性修养", "新时代党的建设总要求", "全面从严治党永远在路上"]
PLACES = ["党员活动室", "村委会会议室", "党群服务中心", "会议室"]
LEAVE_REASONS = ["外出务工", "生病住院", "出差", "照顾家人"]
HOSTS = ["厦门市思明区流动党员党支部", "泉州市晋江市流动党员党总支", "广东省东莞市福建商会党支部"]


def populate(root_org: Organisation, rng: random.Random, as_of: datetime.date) -> dict:
    if Meeting.objects.filter(org_path__startswith=root_org.path).exists():
        return {"skipped": True}
    with transaction.atomic():
        return _populate(root_org, rng, as_of)


def _months(as_of):
    first = as_of.replace(day=1)
    out = []
    for i in range(12, 0, -1):
        y, m = first.year, first.month - i
        while m <= 0:
            y, m = y - 1, m + 12
        out.append(datetime.date(y, m, 1))
    return out


def _populate(root_org, rng, as_of):
    version = services.current_version()
    months = _months(as_of)
    branches = list(
        Organisation.objects.filter(
            path__startswith=root_org.path, org_type__in=rules.KIND_BY_CODE["theme_day"].applies_to, status="active"
        )
        .order_by("path")
        .values("id", "path")
    )
    members_by_org: dict[int, list[dict]] = {}
    for m in (
        Member.objects.filter(org_path__startswith=root_org.path, status__in=rules.CALLED_STATUSES)
        .order_by("id")
        .values("id", "organisation_id", "status", "member_type", "join_date")
    ):
        members_by_org.setdefault(m["organisation_id"], []).append(m)
    committee: dict[int, list[int]] = {}
    for org_id, member_id in CommitteeMember.objects.filter(
        organisation__path__startswith=root_org.path, end_date__isnull=True
    ).values_list("organisation_id", "member_id"):
        committee.setdefault(org_id, []).append(member_id)
    everyone = [m["id"] for ms in members_by_org.values() for m in ms]
    rng.shuffle(everyone)
    n = len(everyone)
    streak = {}
    k3, k5, k6 = max(1, n // 1500), max(1, n // 3000), max(1, n // 3000)
    for mid in everyone[:k3]:
        streak[mid] = 3
    for mid in everyone[k3 : k3 + k5]:
        streak[mid] = 5
    for mid in everyone[k3 + k5 : k3 + k5 + k6]:
        streak[mid] = rng.randint(6, 8)

    lagging = {b["id"] for b in branches if rng.random() < 0.1}
    now = timezone.now()
    meetings: list[dict] = []
    plans: list[tuple[dict, list[dict]]] = []  # (meeting, members due)

    def meeting(branch, kind, day, **extra):
        hours = Decimal(version.kind(kind)["hours"])
        m = {
            **MEETING_DEFAULTS,
            "organisation_id": branch["id"],
            "org_path": branch["path"],
            "kind": kind,
            "rule_version_id": version.pk,
            "held_on": day,
            "start_time": datetime.time(9, 0),
            "end_time": (datetime.datetime(2000, 1, 1, 9) + datetime.timedelta(hours=float(hours))).time(),
            "hours": hours,
            "place": rng.choice(PLACES),
            "created_at": now,
            "updated_at": now,
            **extra,
        }
        meetings.append(m)
        return m

    for b in branches:
        ms = members_by_org.get(b["id"], [])
        if not ms:
            continue
        skip = set(rng.sample(range(12), rng.randint(1, 4))) if b["id"] in lagging else set()
        seats = set(committee.get(b["id"], ()))
        for i, month in enumerate(months):
            if i in skip:
                continue
            day = month.replace(day=min(28, 5 + b["id"] % 20))
            theme = rng.choice(THEMES)
            m = meeting(b, "theme_day", day, topic=theme, theme=theme, content=f"开展“{theme}”主题党日活动")
            plans.append((m, [x for x in ms if x["join_date"] <= day]))
            if seats:
                m = meeting(b, "branch_committee", day.replace(day=max(1, day.day - 2)), topic="研究本月支部工作")
                plans.append((m, [x for x in ms if x["id"] in seats]))
            heads = {"should_attend": len(ms), "present": max(1, len(ms) * 9 // 10)}
            if compliance.period_of(rules.QUARTERLY, month)[1].month == month.month:
                d2 = day.replace(day=min(28, day.day + 1))
                meeting(b, "general_meeting", d2, topic="支部党员大会：通报季度工作", **heads)
                lecture = rng.choice(LECTURES)
                meeting(b, "party_lecture", d2, topic=lecture, lecturer="支部书记", lecture_topic=lecture, **heads)
            if month.month == 12 and b["id"] not in lagging:
                meeting(b, "life_meeting", day.replace(day=28), topic="年度组织生活会", **heads)
                meeting(b, "member_appraisal", day.replace(day=28), topic="年度民主评议党员", **heads)

    # 党委/总支 committee meetings each month and the leadership group's 民主生活会 each
    # year (head counts only) for the organisations above the branches.
    holders = (
        Organisation.objects.filter(path__startswith=root_org.path, org_type__in=rules.COMMITTEE_HOLDERS, status="active")
        .order_by("path")
        .values("id", "path", "org_type")
    )
    democratic = rules.KIND_BY_CODE["democratic_life"].applies_to
    for h in holders:
        seats = committee.get(h["id"], ())
        if not seats:
            continue
        heads = {"should_attend": len(seats), "present": len(seats) - (1 if len(seats) > 4 else 0)}
        for month in months:
            day = month.replace(day=min(28, 3 + h["id"] % 20))
            meeting(h, "committee_meeting", day, topic="研究部署本月党建工作", quorum_met=True, **heads)
            if month.month == 12 and h["org_type"] in democratic:
                meeting(h, "democratic_life", day.replace(day=26), topic="年度领导班子民主生活会", **heads)

    # 党小组会 each month for every party group (head counts only); about one group in ten
    # skips a few months, like the branches.
    groups = {
        g["party_group_id"]: g["n"]
        for g in Member.objects.filter(party_group__path__startswith=root_org.path, status__in=rules.CALLED_STATUSES)
        .values("party_group_id")
        .annotate(n=Count("id"))
    }
    for g in (
        Organisation.objects.filter(path__startswith=root_org.path, org_type="party_group", status="active")
        .order_by("path")
        .values("id", "path")
    ):
        n = groups.get(g["id"], 0)
        if not n:
            continue
        skip = set(rng.sample(range(12), rng.randint(1, 3))) if rng.random() < 0.1 else set()
        for i, month in enumerate(months):
            if i not in skip:
                day = month.replace(day=min(28, 8 + g["id"] % 18))
                meeting(g, "group_meeting", day, topic="党小组学习讨论", should_attend=n, present=max(1, n - (n > 5)))

    last = len(months)
    for m, due in plans:
        month = m["held_on"].replace(day=1)
        age = last - months.index(month)  # 1 = the latest complete month
        counts = dict.fromkeys(STATUSES, 0)
        marks = []
        committee_meeting = m["kind"] == "branch_committee"
        for x in due:
            status, reason, host = rules.PRESENT, "", ""
            if streak.get(x["id"], 0) >= age:
                status = rules.ABSENT
            elif committee_meeting:
                # the committee meets with its members (a rare leave): below quorum is the
                # exception, not a side effect of the branch's random absentees
                if rng.random() < 0.03:
                    status, reason = rules.LEAVE, rng.choice(LEAVE_REASONS)
            elif x["status"] == "mobile":
                status, host = rules.ELSEWHERE, rng.choice(HOSTS)
            else:
                r = rng.random()
                if r < 0.05:
                    status, reason = rules.LEAVE, rng.choice(LEAVE_REASONS)
                elif r < 0.07:
                    status = rules.ABSENT
            counts[status] += 1
            marks.append((x["id"], month, status, reason, host))
        m["marks"] = marks
        m.update(
            attendance_taken=True,
            should_attend=len(due),
            present=counts[rules.PRESENT],
            elsewhere=counts[rules.ELSEWHERE],
            on_leave=counts[rules.LEAVE],
            absent=counts[rules.ABSENT],
        )
        if m["kind"] == "branch_committee":
            m["quorum_met"] = rules.quorum_met(m["present"], m["should_attend"], "half")
            m["counted"] = m["quorum_met"] is not False
    written = _write(meetings)
    # the branch's case for the members at 6 months (as the daily command would open them)
    cases = services.open_absence_cases(root_org, as_of=as_of, actor=system_actor("demo"))
    return {"cases": cases, "meetings": len(meetings), "attendance": written, "lagging_branches": len(lagging), "six_months": k6}


STATUSES = [s for s, _ in rules.ATTENDANCE_CHOICES]
MEETING_DEFAULTS = {
    "status": Meeting.Status.HELD,
    "host": "支部书记",
    "recorder": "组织委员",
    "content": "",
    "minutes": "",
    "resolutions": "",
    "lecturer": "",
    "lecture_topic": "",
    "theme": "",
    "has_vote": False,
    "is_election": False,
    "attendance_taken": False,
    "should_attend": 0,
    "present": 0,
    "elsewhere": 0,
    "on_leave": 0,
    "absent": 0,
    "excluded": 0,
    "quorum_met": None,
    "counted": True,
    "created_by": "系统（示范数据）",
}


def _cached(adapt):
    """The adapter, converting each distinct value once: the rows share a few dozen dates,
    times and one timestamp (time-zone handling alone cost ~2 s per demo)."""
    seen: dict = {}

    def convert(value):
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = adapt(value)
            return result

    return convert


def _write(meetings: list[dict]) -> int:
    """Meetings and their attendance with one executemany per batch: the ORM's
    bulk_create costs several times more per row for these hundreds of thousands of rows.
    Meeting ids are assigned here (a fresh demo database, inside one transaction) and the
    sequence is reset afterwards; values go through the backend's adapters."""
    ops = connection.ops
    q = ops.quote_name
    fields = [f for f in Meeting._meta.concrete_fields if not f.primary_key]
    start = (Meeting.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    adapters = []
    for f in fields:
        internal = f.get_internal_type()
        if internal == "DateField":
            adapters.append(_cached(ops.adapt_datefield_value))
        elif internal == "TimeField":
            adapters.append(_cached(ops.adapt_timefield_value))
        elif internal == "DateTimeField":
            adapters.append(_cached(ops.adapt_datetimefield_value))
        elif internal == "DecimalField":
            adapters.append(_cached(lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)))
        else:
            adapters.append(None)
    month_value = _cached(ops.adapt_datefield_value)
    columns = ["id", *(f.column for f in fields)]
    meeting_sql = (
        f"INSERT INTO {q(Meeting._meta.db_table)} ({', '.join(q(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    att_cols = ["meeting_id", "organisation_id", "org_path", "member_id", "month", "status", "reason", "host_org"]
    att_sql = (
        f"INSERT INTO {q(Attendance._meta.db_table)} ({', '.join(q(c) for c in att_cols)}) VALUES ({', '.join(['%s'] * len(att_cols))})"
    )
    written = 0
    rows, atts = [], []
    with connection.cursor() as cursor:
        for i, m in enumerate(meetings):
            pk = start + i
            rows.append((pk, *(a(m[f.attname]) if a else m[f.attname] for f, a in zip(fields, adapters, strict=True))))
            for member_id, month, status, reason, host in m.get("marks", ()):
                atts.append((pk, m["organisation_id"], m["org_path"], member_id, month_value(month), status, reason, host))
            if len(atts) >= BATCH or len(rows) >= BATCH:
                cursor.executemany(meeting_sql, rows)
                cursor.executemany(att_sql, atts)
                written += len(atts)
                rows, atts = [], []
        if rows:
            cursor.executemany(meeting_sql, rows)
        if atts:
            cursor.executemany(att_sql, atts)
            written += len(atts)
        for sql in ops.sequence_reset_sql(no_style(), [Meeting]):
            cursor.execute(sql)
    return written
