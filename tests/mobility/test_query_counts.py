"""Every mobility screen and API list runs the same number of SQL queries whatever the
row count: measured with 3 rows, then again with 12 (and under a ceiling)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.mobility import services
from tests.factories import make_member, make_org, make_user

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")
CEILING = 20
AWAY = {"reason": "外出务工", "destination": "广东省深圳市", "months": 3, "home_contact": "支部书记"}


def _queries(client, url, pages) -> int:
    client.get(url)  # warm the session and menu caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    pages[url] = response.content.decode()
    return len(ctx)


def _same_at_two_sizes(add_rows, urls, user, api=False) -> dict[str, str]:
    """The pages (with 12 rows) after asserting their query counts."""
    client = APIClient() if api else Client()
    if api:
        client.force_authenticate(user)
    else:
        client.force_login(user)
    pages = {}
    add_rows(3)
    small = {u: _queries(client, u, pages) for u in urls}
    add_rows(9)
    large = {u: _queries(client, u, pages) for u in urls}
    assert small == large
    assert max(large.values()) <= CEILING, large
    return pages


@pytest.fixture
def tree_users(tree):
    branch, sibling = tree["branches"][0][0], tree["branches"][0][1]
    return branch, sibling, make_user("county_admin", tree["county"])


def test_register_screens(tree, tree_users):
    branch, _, admin = tree_users

    def add(n):
        for _ in range(n):
            m = make_member(branch, categories=["unemployed"])
            services.issue_non_public_card(
                m, {"number": f"FG{m.pk}", "issued_by": "县非公企业党委", "issued_on": datetime.date.today()}, actor=SYSTEM
            )
            make_org(committee, org_type="branch", unit_type="retired", name=f"离退休党支部{m.pk}")
            names.append((m.name, f"FG{m.pk}", f"离退休党支部{m.pk}"))

    committee, names = tree["committees"][0], []
    urls = [reverse("mobility:registers") + f"?tab={tab}" for tab in ("cards", "retired", "unemployed")]
    pages = list(_same_at_two_sizes(add, urls, admin).values())
    name, number, retired = names[-1]
    assert number in pages[0] and retired in pages[1] and name in pages[2]


def test_host_and_temporary_screens(tree_users):
    branch, sibling, admin = tree_users

    def add(n):
        for _ in range(n):
            r = services.register_mobile(make_member(branch), AWAY, actor=SYSTEM)
            services.register_host(r.certificate_no, r.member.name, sibling, actor=SYSTEM)
            group = [services.register_mobile(make_member(branch), AWAY, actor=SYSTEM).member for _ in range(3)]
            services.form_temporary_branch(
                branch,
                {
                    "name": f"驻深圳临时党支部{group[0].pk}",
                    "place": "广东省深圳市",
                    "end_date": datetime.date.today() + datetime.timedelta(days=90),
                },
                group,
                actor=SYSTEM,
            )

    pages = _same_at_two_sizes(add, [reverse("mobility:host"), reverse("mobility:temporary"), reverse("mobility:mobile")], admin)
    assert pages[reverse("mobility:temporary")].count("驻深圳临时党支部") >= 12


def test_detail_pages(tree_users):
    """A transfer with many steps and letters, a record with many contacts."""
    branch, sibling, admin = tree_users
    member = make_member(branch)
    t = services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=SYSTEM)
    services.decide_step(t, approve=True, actor=SYSTEM)
    t = services.decide_step(t, approve=True, actor=SYSTEM)
    record = services.register_mobile(make_member(branch), AWAY, actor=SYSTEM)

    def add(n):
        for _ in range(n):
            services.reissue_letter(t, reason="介绍信遗失", actor=SYSTEM)
            services.add_contact(record, {"kind": "report", "content": "汇报外出情况"}, actor=SYSTEM)

    urls = [reverse("mobility:transfer", args=[t.pk]), reverse("mobility:mobile_record", args=[record.pk])]
    pages = _same_at_two_sizes(add, urls, admin)
    assert pages[urls[0]].count("已作废") == 12 and pages[urls[1]].count("汇报外出情况") == 12


def test_member_self_service_page(tree_users):
    branch, sibling, _ = tree_users
    member = make_member(branch)
    user = make_user("member", branch, member=member)

    def add(n):
        for _ in range(n):
            t = services.request_transfer(member, {"to_organisation": sibling, "reason": "随迁"}, actor=user)
            services.cancel_transfer(t, reason="暂不迁居", actor=user)

    page = _same_at_two_sizes(add, [reverse("mobility:my")], user)[reverse("mobility:my")]
    assert page.count("已撤销") == 12


def test_api_lists(tree_users):
    branch, sibling, admin = tree_users

    def add(n):
        for _ in range(n):
            t = services.request_transfer(make_member(branch), {"to_organisation": sibling, "reason": "调动"}, actor=SYSTEM)
            services.decide_step(t, approve=True, actor=SYSTEM)
            services.register_mobile(make_member(branch), AWAY, actor=SYSTEM)

    pages = _same_at_two_sizes(add, ["/api/mobility/transfers/", "/api/mobility/mobile-records/"], admin, api=True)
    assert all(page.count('"id"') >= 12 for page in pages.values())


def test_register_api_lists(tree, tree_users):
    """Every register the API lists (issue 17), with the host reports on the host list and
    the temporary branches' member counts, in a fixed number of queries."""
    branch, sibling, admin = tree_users
    committee = tree["committees"][0]

    def add(n):
        for _ in range(n):
            m = make_member(branch, categories=["unemployed"])
            services.issue_non_public_card(m, {"number": f"FG{m.pk}", "issued_by": "县非公企业党委"}, actor=SYSTEM)
            make_org(committee, org_type="branch", unit_type="retired", name=f"离退休党支部{m.pk}")
            r = services.register_mobile(make_member(branch), {**AWAY, "studying_abroad": True}, actor=SYSTEM)
            services.add_contact(r, {"kind": "contact", "content": "电话联系"}, actor=SYSTEM)
            h = services.register_host(r.certificate_no, r.member.name, sibling, actor=SYSTEM)
            services.record_host_report(h, {"content": "表现良好"}, actor=SYSTEM)
            group = [services.register_mobile(make_member(branch), AWAY, actor=SYSTEM).member for _ in range(3)]
            end = datetime.date.today() + datetime.timedelta(days=90)
            services.form_temporary_branch(branch, {"name": f"临时党支部{m.pk}", "place": "深圳", "end_date": end}, group, actor=SYSTEM)

    urls = [
        "/api/mobility/cards/",
        "/api/mobility/host-registrations/",
        "/api/mobility/host-reports/",
        "/api/mobility/temporary-branches/",
        "/api/mobility/contacts/?abroad=true",
        "/api/mobility/retired-branches/",
        "/api/mobility/unemployed-members/",
        "/api/mobility/rules/",
    ]
    pages = _same_at_two_sizes(add, urls, admin, api=True)
    assert all(pages[u].count('"id"') >= 12 for u in urls[:-1])


def test_host_detail_and_temporary_detail_pages(tree_users):
    branch, sibling, admin = tree_users
    r = services.register_mobile(make_member(branch), AWAY, actor=SYSTEM)
    h = services.register_host(r.certificate_no, r.member.name, sibling, actor=SYSTEM)
    group = [services.register_mobile(make_member(branch), AWAY, actor=SYSTEM).member for _ in range(3)]
    end = datetime.date.today() + datetime.timedelta(days=400)
    b = services.form_temporary_branch(branch, {"name": "驻深圳临时党支部", "place": "深圳", "end_date": end}, group, actor=SYSTEM)
    year = [datetime.date.today().year]

    def add(n):
        for _ in range(n):
            services.add_temporary_members(b, [services.register_mobile(make_member(branch), AWAY, actor=SYSTEM).member], actor=SYSTEM)
            from apps.mobility.models import HostReport

            HostReport.objects.create(registration=h, year=year[0], date=datetime.date.today(), content="历年报告", recorded_by="x")
            year[0] -= 1

    urls = [reverse("mobility:host_registration", args=[h.pk]), reverse("mobility:temporary_branch", args=[b.pk])]
    pages = _same_at_two_sizes(add, urls, admin)
    assert pages[urls[0]].count("历年报告") == 12
