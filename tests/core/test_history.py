"""One readable history for every page: labels, choice labels, names, local times."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.actors import system_actor
from apps.core.history import attach_readable, record_history
from apps.core.models import ChangeLog
from apps.members import services
from tests.factories import make_member


def test_relations_choices_and_times_are_readable(tree):
    a, b = tree["branches"][0][0], tree["branches"][0][1]
    m = make_member(a, education="high_school")
    services.update_member(m, {"education": "college"}, actor=system_actor("cli"))
    services.move_member(m, b, date=datetime.date(2025, 3, 1), reason="工作调动", actor=system_actor("cli"))
    entries = record_history(m)
    move = next(e for e in entries if "组织关系调整" in e.message)
    rows = {r["field"]: r for r in move.readable}
    assert rows["organisation"]["before"] == a.name and rows["organisation"]["after"] == b.name
    edu = next(e for e in entries if any(r["field"] == "education" for r in e.readable))
    row = next(r for r in edu.readable if r["field"] == "education")
    assert (row["label"], row["before"], row["after"]) == ("学历", "高中", "大学专科")
    assert all("T" not in r["after"] for e in entries for r in e.readable if r["field"] == "updated_at")


def test_names_fetched_once_per_related_model(tree):
    branches = [b for pair in tree["branches"] for b in pair]
    members = [make_member(branches[0]) for _ in range(6)]
    for i, m in enumerate(members):
        services.move_member(m, branches[1 + i % 3], date=datetime.date(2025, 3, 1), actor=system_actor("cli"))
    entries = list(ChangeLog.objects.filter(object_type="members.member"))
    with CaptureQueriesContext(connection) as ctx:
        attach_readable(entries)
    assert len(ctx.captured_queries) == 1  # organisations, in one query
    assert {e.source_label for e in entries} <= {"系统", "网页", "命令行", "接口", "后台任务", "演示数据"}


def test_record_page_says_when_older_history_exists(tree, client):
    """A member page shows the newest 30 entries; with more, it says so, and an auditor
    gets a link to the whole history (a branch secretary, without the audit right, not)."""
    from tests.factories import make_user

    branch = tree["branches"][0][0]
    member = make_member(branch)
    for i in range(30):
        services.update_member(member, {"remarks": f"第{i}次"}, actor=system_actor("cli"))
    assert ChangeLog.objects.filter(object_id=str(member.pk), object_type="members.member").count() == 31
    entries = record_history(member, limit=30)
    assert len(entries) == 30 and entries.more and entries.full_url == ""

    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    body = client.get(f"/members/{member.pk}/").content.decode()
    assert "仅显示最近 30 条" in body
    assert f"object_type=members.member&amp;object_id={member.pk}" in body
    full = client.get(f"/accounts/changelog/?object_type=members.member&object_id={member.pk}")
    assert full.status_code == 200

    secretary = make_user("branch_secretary", branch)
    client.force_login(secretary)
    body = client.get(f"/members/{member.pk}/").content.decode()
    assert "仅显示最近 30 条" in body and "查看全部变更记录" not in body
    assert len(record_history(make_member(branch), limit=30)) == 1 and not record_history(member, limit=40).more
