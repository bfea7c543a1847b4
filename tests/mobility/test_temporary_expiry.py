"""A temporary branch (临时党支部) has an end date: past it, it is in the forming
organisation's to-do as expired and refuses new members; it is closed by hand (web, API)
or by the scheduled command, with a record (date, who, why) and a change-history entry."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError
from apps.mobility import selectors, services
from apps.mobility.models import MobileRecord, TemporaryBranch
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")
TODAY = timezone.localdate()
AWAY = {"reason": "外出务工", "destination": "广东省深圳市", "months": 3, "home_contact": "支部书记"}


def _away(org):
    return services.register_mobile(make_member(org), AWAY, actor=SYSTEM).member


def _branch(org, n=3, name="驻深圳临时党支部"):
    data = {"name": name, "place": "广东省深圳市", "end_date": TODAY + datetime.timedelta(days=90)}
    return services.form_temporary_branch(org, data, [_away(org) for _ in range(n)], actor=SYSTEM)


def _expire(branch, days=1):
    TemporaryBranch.objects.filter(pk=branch.pk).update(
        formed_on=TODAY - datetime.timedelta(days=200), end_date=TODAY - datetime.timedelta(days=days)
    )
    branch.refresh_from_db()
    return branch


def test_an_active_branch_takes_more_members(branch, secretary):
    b = _branch(branch)
    late = _away(branch)
    services.add_temporary_members(b, [late], actor=secretary)
    assert b.members.count() == 4
    assert ChangeLog.objects.filter(message__contains=f"编入流动党员：{late.name}").exists()
    with pytest.raises(ValidationError, match="都已在该临时党支部"):
        services.add_temporary_members(b, [late], actor=secretary)


def test_bad_additions_write_nothing(branch, far_branch, secretary):
    b = _branch(branch)
    other = _branch(branch, name="驻东莞临时党支部")
    at_home = make_member(branch)
    with pytest.raises(ValidationError, match="仍在外出中的流动党员"):
        services.add_temporary_members(b, [at_home], actor=secretary)
    with pytest.raises(ValidationError, match="已编入其他临时党支部"):
        services.add_temporary_members(b, [other.members.first().member], actor=secretary)
    with pytest.raises(ValidationError, match="请选择"):
        services.add_temporary_members(b, [], actor=secretary)
    far = _away(far_branch)
    with pytest.raises(ScopeError):
        services.add_temporary_members(b, [far], actor=make_user("branch_secretary", far_branch))
    assert b.members.count() == 3 and not MobileRecord.objects.filter(member=far, temporary_branch__isnull=False).exists()


def test_expired_refuses_members_and_is_in_the_forming_committees_todo(tree, branch, secretary, organiser, far_secretary):
    b = _expire(_branch(branch))
    assert b.expired_on(TODAY)
    with pytest.raises(ValidationError, match=r"已过撤销日期.*不能再编入党员"):
        services.add_temporary_members(b, [_away(branch)], actor=secretary)
    assert b.members.count() == 3
    for user in (secretary, organiser):
        titles = [i.title for i in selectors.todo_items(user)]
        assert any(b.name in t and "已过撤销日期" in t for t in titles), titles
    assert not any(b.name in i.title for i in selectors.todo_items(far_secretary))
    assert [x.pk for x in selectors.temporary_branches(secretary, {"status": "expired"})] == [b.pk]
    assert list(selectors.temporary_branches(far_secretary, {"status": "expired"})) == []
    # a new branch may not be formed already expired
    with pytest.raises(ValidationError, match="已过"):
        services.form_temporary_branch(
            branch,
            {
                "name": "过期",
                "place": "深圳",
                "formed_on": TODAY - datetime.timedelta(days=30),
                "end_date": TODAY - datetime.timedelta(days=1),
            },
            [_away(branch) for _ in range(3)],
            actor=secretary,
        )


def test_close_by_hand_with_a_record(branch, secretary, far_secretary):
    b = _expire(_branch(branch))
    with pytest.raises(ScopeError):
        services.close_temporary_branch(b, actor=far_secretary)
    with pytest.raises(ValidationError, match="撤销日期不能晚于今天"):
        services.close_temporary_branch(b, date=TODAY + datetime.timedelta(days=1), actor=secretary)
    with pytest.raises(ValidationError, match="不能早于成立日期"):
        services.close_temporary_branch(b, date=b.formed_on - datetime.timedelta(days=1), actor=secretary)
    b.refresh_from_db()
    assert b.status == "active"
    b = services.close_temporary_branch(b, actor=secretary)
    assert (b.status, b.closed_on, b.closed_by) == ("closed", TODAY, secretary.username)
    assert "已过撤销日期" in b.closed_note
    assert ChangeLog.objects.filter(message__startswith="撤销临时党支部").exists()
    with pytest.raises(ValidationError, match="不能重复撤销"):
        services.close_temporary_branch(b, actor=secretary)
    with pytest.raises(ValidationError, match=r"已于.*撤销"):
        services.add_temporary_members(b, [_away(branch)], actor=secretary)
    # its members keep the link as history; it is out of the to-do
    assert b.members.count() == 3
    assert not any(b.name in i.title for i in selectors.todo_items(secretary))


def test_command_closes_only_expired_ones_once(capsys, branch, far_branch):
    gone = _expire(_branch(branch))
    running = _branch(far_branch, name="驻杭州临时党支部")
    # --as-of: on a day before its end date it was not expired yet
    call_command("close_temporary_branches", "--as-of", (TODAY - datetime.timedelta(days=5)).isoformat())
    assert "共撤销 0 个" in capsys.readouterr().out
    call_command("close_temporary_branches")
    out = capsys.readouterr().out
    assert f"已撤销：{gone.name}" in out and "共撤销 1 个" in out
    gone.refresh_from_db()
    running.refresh_from_db()
    assert gone.status == "closed" and "到期自动撤销" in gone.closed_note and "命令行" in gone.closed_by
    assert running.status == "active"
    call_command("close_temporary_branches")
    assert "共撤销 0 个" in capsys.readouterr().out
    with pytest.raises(CommandError, match="不能晚于今天"):
        call_command("close_temporary_branches", "--as-of", (TODAY + datetime.timedelta(days=1)).isoformat())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("close_temporary_branches", "--as-of", "昨天")
    with pytest.raises(CommandError, match="不存在"):
        call_command("close_temporary_branches", "--user", "nobody")


def test_web_pages(branch, secretary, far_secretary):
    b = _expire(_branch(branch))
    c = Client()
    c.force_login(secretary)
    page = c.get(f"/mobility/temporary/{b.pk}/").content.decode()
    assert "已过撤销日期，不能再编入党员" in page and "撤销临时党支部" in page and 'value="members"' not in page
    listing = c.get("/mobility/temporary/?status=expired").content.decode()
    assert b.name in listing and "已过撤销日期" in listing
    refused = c.post(f"/mobility/temporary/{b.pk}/", {"op": "members", "records": [_away(branch).pk]})
    assert refused.status_code == 200 and "不能再编入党员" in refused.content.decode()
    assert b.members.count() == 3
    assert c.post(f"/mobility/temporary/{b.pk}/", {"op": "close", "note": "任务结束"}).status_code == 302
    b.refresh_from_db()
    assert b.status == "closed" and b.closed_note == "任务结束"
    other = Client()
    other.force_login(far_secretary)
    assert other.get(f"/mobility/temporary/{b.pk}/").status_code == 404
    assert other.post(f"/mobility/temporary/{b.pk}/", {"op": "close"}).status_code == 404


def test_api(branch, secretary, far_secretary):
    b = _branch(branch)
    api = APIClient()
    api.force_authenticate(secretary)
    late = _away(branch)
    answer = api.post(f"/api/mobility/temporary-branches/{b.pk}/members/", {"members": [late.pk]}, format="json")
    assert answer.status_code == 200 and answer.json()["member_count"] == 4
    _expire(b)
    refused = api.post(f"/api/mobility/temporary-branches/{b.pk}/members/", {"members": [_away(branch).pk]}, format="json")
    assert refused.status_code == 400 and "不能再编入党员" in refused.json()["status"][0]
    assert api.get("/api/mobility/temporary-branches/?status=expired").json()["results"][0]["expired"] is True
    assert api.get("/api/mobility/temporary-branches/?status=nonsense").status_code == 400
    other = APIClient()
    other.force_authenticate(far_secretary)
    assert other.post(f"/api/mobility/temporary-branches/{b.pk}/close/", {}, format="json").status_code == 404
    assert other.get(f"/api/mobility/temporary-branches/{b.pk}/").status_code == 404
    closed = api.post(f"/api/mobility/temporary-branches/{b.pk}/close/", {"note": "任务结束"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["closed_by"] == secretary.username
