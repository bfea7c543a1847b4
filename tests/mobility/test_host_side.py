"""The host side (流入地): the incoming mobile members registered with the host's subtree
(masked: no phone, no ID number) with their home organisation; the host's yearly report
to the home organisation, which the home organisation sees on the member's record."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.core.dates import add_months
from apps.core.scoping import ScopeError
from apps.mobility import selectors, services
from apps.mobility.models import HostRegistration, HostReport
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")
TODAY = timezone.localdate()
AWAY = {"reason": "外出务工", "destination": "浙江省宁波市", "months": 5, "home_contact": "王支书", "home_contact_phone": "13900001111"}


@pytest.fixture
def incoming(far_branch, branch):
    """A member of the far branch (home) registered with `branch` (host)."""
    record = services.register_mobile(make_member(far_branch, name="慕容复"), AWAY, actor=SYSTEM)
    return services.register_host(record.certificate_no, record.member.name, branch, actor=SYSTEM)


def test_host_list_is_scoped_to_the_hosts_subtree(incoming, secretary, organiser, far_secretary, sibling):
    rows = list(selectors.host_registrations(secretary))
    assert [r.pk for r in rows] == [incoming.pk]
    assert rows[0].record.organisation == incoming.record.organisation  # the home branch
    assert [r.pk for r in selectors.host_registrations(organiser)] == [incoming.pk]
    # the home side does not see the host's register; another branch of the host's committee neither
    assert list(selectors.host_registrations(far_secretary)) == []
    assert list(selectors.host_registrations(make_user("branch_secretary", sibling))) == []


def test_yearly_report_reaches_home(tree, incoming, secretary, far_secretary):
    record = incoming.record
    report = services.record_host_report(incoming, {"content": "按时参加组织生活，带头完成志愿服务"}, actor=secretary)
    assert (report.year, report.date, report.recorded_by) == (TODAY.year, TODAY, secretary.username)
    record.refresh_from_db()
    # counts as the member's yearly report at home
    assert record.last_report_on == TODAY and record.next_due == add_months(TODAY, services.rule_values()["report_months"])
    # both sides see it, nobody else
    assert [r.pk for r in selectors.host_reports(secretary)] == [report.pk]
    assert [r.pk for r in selectors.host_reports(far_secretary, {"record": str(record.pk)})] == [report.pk]
    assert list(selectors.host_reports(make_user("branch_secretary", tree["branches"][1][1]))) == []
    home = Client()
    home.force_login(far_secretary)
    page = home.get(f"/mobility/mobile/{record.pk}/").content.decode()
    assert "流入地党组织的年度报告" in page and "带头完成志愿服务" in page and incoming.organisation.name in page


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"content": ""}, "content", "请填写该党员在流入地"),
        ({"content": "好", "year": 1990}, "year", "年度须在流入地登记当年"),
        ({"content": "好", "year": "去年"}, "year", "应为四位年份"),
        ({"content": "好", "date": TODAY + datetime.timedelta(days=1)}, "date", "报告日期不能晚于今天"),
        ({"content": "好", "date": TODAY - datetime.timedelta(days=400)}, "date", "不能早于流入地登记日期"),
    ],
)
def test_bad_reports_write_nothing(incoming, secretary, data, field, message):
    with pytest.raises(ValidationError) as exc:
        services.record_host_report(incoming, data, actor=secretary)
    assert message in "".join(exc.value.message_dict[field])
    assert not HostReport.objects.exists()
    incoming.record.refresh_from_db()
    assert incoming.record.last_report_on is None


def test_one_report_a_year_and_only_by_the_host(incoming, secretary, far_secretary):
    services.record_host_report(incoming, {"content": "表现良好"}, actor=secretary)
    with pytest.raises(ValidationError, match="已报告过"):
        services.record_host_report(incoming, {"content": "再报一次"}, actor=secretary)
    with pytest.raises(ScopeError):  # the home side reads, does not write the host's report
        services.record_host_report(incoming, {"content": "代写", "year": TODAY.year - 1}, actor=far_secretary)
    assert HostReport.objects.count() == 1


def test_concurrent_duplicate_gets_the_same_message(monkeypatch, incoming, secretary):
    """The loser of a race passes the sequential check; the constraint refuses it with
    the same message, and nothing of its write stays (the record's report date neither)."""
    from apps.core.models import ChangeLog
    from tests.uniqueness_helpers import skip_check

    services.record_host_report(incoming, {"content": "表现良好"}, actor=secretary)
    history = ChangeLog.objects.count()
    skip_check(monkeypatch, HostReport)
    with pytest.raises(ValidationError) as exc:
        services.record_host_report(incoming, {"content": "并发"}, actor=secretary)
    assert exc.value.message_dict == {"year": [f"{TODAY.year}年度已报告过该党员的表现情况，每年一份"]}
    assert HostReport.objects.count() == 1 and ChangeLog.objects.count() == history


def test_overdue_host_reports_in_the_hosts_todo(incoming, secretary, far_secretary):
    HostRegistration.objects.filter(pk=incoming.pk).update(registered_on=TODAY - datetime.timedelta(days=400))
    assert [h.pk for h in selectors.host_registrations(secretary, {"overdue": "1"})] == [incoming.pk]
    titles = [i.title for i in selectors.todo_items(secretary)]
    assert any("慕容复" in t and "未向流出地报告" in t for t in titles)
    assert not any("未向流出地报告" in i.title for i in selectors.todo_items(far_secretary))
    services.record_host_report(incoming, {"content": "表现良好"}, actor=secretary)
    assert list(selectors.host_registrations(secretary, {"overdue": "1"})) == []


def test_host_pages(incoming, secretary, far_secretary):
    c = Client()
    c.force_login(secretary)
    listing = c.get("/mobility/host/").content.decode()
    assert "慕容复" in listing and incoming.record.organisation.name in listing and "未报告" in listing
    assert "13900001111" not in listing
    page = c.get(f"/mobility/host/{incoming.pk}/").content.decode()
    assert "流出地党组织" in page and "13900001111" not in page and incoming.record.member.reveal_id_number() not in page
    bad = c.post(f"/mobility/host/{incoming.pk}/", {"content": ""})
    assert bad.status_code == 200 and "请填写该党员在流入地" in bad.content.decode()
    assert c.post(f"/mobility/host/{incoming.pk}/", {"content": "表现良好"}).status_code == 302
    assert HostReport.objects.count() == 1
    other = Client()
    other.force_login(far_secretary)
    assert other.get(f"/mobility/host/{incoming.pk}/").status_code == 404
    assert other.post(f"/mobility/host/{incoming.pk}/", {"content": "越权"}).status_code == 404
    assert HostReport.objects.count() == 1


def test_api(incoming, secretary, far_secretary):
    api = APIClient()
    api.force_authenticate(secretary)
    row = api.get("/api/mobility/host-registrations/").json()["results"][0]
    assert row["member_name"] == "慕容复" and row["home_organisation_name"] == incoming.record.organisation.name
    assert row["last_report_year"] is None and "13900001111" not in str(row)
    created = api.post(f"/api/mobility/host-registrations/{incoming.pk}/reports/", {"content": "表现良好"}, format="json")
    assert created.status_code == 201 and created.json()["home_organisation_name"] == incoming.record.organisation.name
    again = api.post(f"/api/mobility/host-registrations/{incoming.pk}/reports/", {"content": "再报"}, format="json")
    assert again.status_code == 400 and "已报告过" in again.json()["year"][0]
    assert api.get("/api/mobility/host-registrations/").json()["results"][0]["last_report_year"] == TODAY.year
    assert len(api.get(f"/api/mobility/host-registrations/{incoming.pk}/reports/").json()["results"]) == 1
    home = APIClient()
    home.force_authenticate(far_secretary)
    assert home.get(f"/api/mobility/host-registrations/{incoming.pk}/").status_code == 404
    assert home.post(f"/api/mobility/host-registrations/{incoming.pk}/reports/", {"content": "x"}, format="json").status_code == 404
    seen = home.get(f"/api/mobility/host-reports/?record={incoming.record_id}").json()["results"]
    assert [r["content"] for r in seen] == ["表现良好"]
