"""The bulk writer (COPY on PostgreSQL, executemany on SQLite) stores exactly what the ORM
stores: read back through the ORM, every type comes back equal."""

import datetime

from django.utils import timezone

from apps.core import bulk
from apps.core.models import ChangeLog


def test_insert_dicts_round_trips_every_type(db):
    now = timezone.now().replace(microsecond=123456)
    after = {"name": "张三\t李四\n\\x", "categories": ["rural"], "n": 1, "none": None, "date": "2020-02-29"}
    bulk.insert_dicts(
        ChangeLog,
        [
            {
                "at": now,
                "user_id": None,
                "username": "导入\\人",
                "ip": None,
                "request_id": "",
                "source": "task",
                "action": "create",
                "object_type": "members.member",
                "object_id": "1",
                "object_repr": "张三 (tab\there)",
                "org_path": "0001",
                "before": None,
                "after": after,
                "message": "Excel导入（任务#1）",
            }
        ],
    )
    row = ChangeLog.objects.get()
    assert row.at == now
    assert row.after == after and isinstance(row.after, dict), "JSON stored as an object, not a string"
    assert row.before is None
    assert row.username == "导入\\人" and row.object_repr == "张三 (tab\there)"


def test_insert_models_with_dates_and_ids(db):
    from apps.members.models import Member, MemberStatusChange
    from tests.factories import make_member, make_org

    member = make_member(make_org())
    bulk.insert_dicts(
        MemberStatusChange,
        [
            {
                "member_id": member.pk,
                "from_status": "",
                "to_status": "normal",
                "date": datetime.date(2020, 2, 29),
                "reason": "x",
                "recorded_by": "y",
            }
        ],
    )
    change = MemberStatusChange.objects.filter(member=member, reason="x").get()
    assert change.date == datetime.date(2020, 2, 29) and change.recorded_at is not None
    assert Member.objects.filter(pk=member.pk).exists()
