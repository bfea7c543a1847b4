import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from apps.core.actors import system_actor
from apps.education import services
from apps.education.models import ClassSession, Enrolment, StudyEntry, TrainingClass
from tests.factories import make_member, make_user

D = Decimal
pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def client(user):
    c = Client()
    c.force_login(user)
    return c


def add(member, hours=2, day=None, **kw):
    return StudyEntry.objects.create(
        organisation=member.organisation, member=member, date=day or TODAY, hours=D(hours), form="self_study", content="自学党章", **kw
    )


def test_progress_page_lists_members_with_checks(branch, secretary):
    m = make_member(branch, name="学时甲")
    add(m, 40)
    r = client(secretary).get(reverse("education:progress"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "学时甲" in body and "40.0" in body and f"{TODAY.year}年学时进度" in body


def test_progress_behind_filter(branch, secretary):
    if TODAY.timetuple().tm_yday < 30:
        pytest.skip("early January: nobody is behind the pace yet")
    ahead, behind = make_member(branch, name="进度快"), make_member(branch, name="进度慢")
    add(ahead, 60)
    r = client(secretary).get(reverse("education:progress"), {"behind": "1"})
    body = r.content.decode()
    assert "进度慢" in body and "进度快" not in body
    assert behind.pk


def test_manual_entry_form_good_and_bad(branch, secretary):
    m = make_member(branch)
    c = client(secretary)
    url = f"{reverse('education:entry_new')}?org={branch.pk}"
    assert c.get(url).status_code == 200
    bad = c.post(
        url, {"member": m.pk, "date": TODAY.isoformat(), "form": "self_study", "duration": "actual", "hours": "-3", "content": "x"}
    )
    assert bad.status_code == 200 and "学时不能为负数" in bad.content.decode()
    assert not StudyEntry.objects.exists()
    ok = c.post(url, {"member": m.pk, "date": TODAY.isoformat(), "form": "self_study", "duration": "half_day", "content": "学习条例"})
    assert ok.status_code == 302
    assert StudyEntry.objects.get().hours == D("4.0")


def test_large_claim_approved_by_committee_page(branch, secretary, organiser):
    m = make_member(branch)
    e = services.add_entry(
        {"member": m, "date": TODAY, "form": "concentrated", "duration": "full_day", "days": 2, "content": "集中轮训"}, actor=secretary
    )
    assert e.status == "pending"
    # the branch cannot approve its own claim (no approve right: 404)
    assert client(secretary).post(reverse("education:entry_decide", args=[e.pk]), {"approve": "1"}).status_code == 404
    c = client(organiser)
    assert "集中轮训" in c.get(reverse("education:entries")).content.decode()
    r = c.post(reverse("education:entry_decide", args=[e.pk]), {"approve": "1", "note": "同意"})
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.status == "approved"


def test_cross_branch_404(branch, other_branch, secretary, outsider):
    m = make_member(branch)
    e = add(m)
    cls = services.create_class(
        {"organisation": branch, "title": "支部班", "level": "branch", "start_date": TODAY, "end_date": TODAY}, actor=secretary
    )
    s = services.add_session(cls, {"date": TODAY, "topic": "党章", "lecturer": "书记", "hours": "2"}, actor=secretary)
    c = client(outsider)
    assert c.get(reverse("education:member", args=[m.pk])).status_code == 404
    assert c.get(reverse("education:class_detail", args=[cls.pk])).status_code == 404
    assert c.get(reverse("education:session_attendance", args=[s.pk])).status_code == 404
    assert c.get(reverse("education:progress"), {"org": branch.pk}).status_code == 404
    assert (
        c.post(reverse("education:class_session", args=[cls.pk]), {"date": TODAY, "topic": "x", "lecturer": "y", "hours": "1"}).status_code
        == 404
    )
    assert c.post(reverse("education:session_attendance", args=[s.pk]), {"present": [m.pk]}).status_code == 404
    assert c.post(reverse("education:entry_decide", args=[e.pk]), {"approve": "1"}).status_code == 404
    assert "支部班" not in c.get(reverse("education:classes")).content.decode()
    assert ClassSession.objects.count() == 1 and not StudyEntry.objects.filter(source_id__isnull=False).exists()


def test_class_pages_flow(tree, branch, admin):
    c = client(admin)
    r = c.post(
        reverse("education:class_new"),
        {
            "organisation": tree["county"].pk,
            "title": "书记轮训",
            "level": "county",
            "kind": "rotation",
            "start_date": TODAY,
            "end_date": TODAY,
        },
    )
    cls = TrainingClass.objects.get()
    assert r.status_code == 302 and r.url == reverse("education:class_detail", args=[cls.pk])
    c.post(
        reverse("education:class_session", args=[cls.pk]),
        {"date": TODAY.isoformat(), "topic": "党章", "lecturer": "王", "duration": "full_day"},
    )
    session = ClassSession.objects.get()
    m = make_member(branch, name="轮训学员")
    c.post(reverse("education:class_quota", args=[cls.pk]), {"organisation": tree["committees"][0].pk, "seats": 5})
    c.post(reverse("education:class_enrol", args=[cls.pk]), {"member": m.pk})
    assert Enrolment.objects.get().quota_org == tree["committees"][0]
    page = c.get(reverse("education:session_attendance", args=[session.pk]))
    assert "轮训学员" in page.content.decode()
    stranger = make_member(branch)
    refused = c.post(reverse("education:session_attendance", args=[session.pk]), {"present": [stranger.pk]})
    assert "未报名本班" in refused.content.decode() and not StudyEntry.objects.exists()
    r = c.post(reverse("education:session_attendance", args=[session.pk]), {"present": [m.pk], "hours": "8"})
    assert r.status_code == 302 and StudyEntry.objects.get(member=m).hours == D("8.0")
    c.post(reverse("education:class_finish", args=[cls.pk]))
    assert Enrolment.objects.get().status == "completed"
    detail = c.get(reverse("education:class_detail", args=[cls.pk])).content.decode()
    assert "已结业" in detail


def test_member_sees_own_archive_only(branch):
    me, other = make_member(branch, name="本人甲"), make_member(branch, name="别人乙")
    add(me, 3)
    user = make_user("member", branch, member=me)
    c = client(user)
    r = c.get(reverse("education:my"))
    assert r.status_code == 302
    page = c.get(r.url)
    assert page.status_code == 200 and "本人甲" in page.content.decode() and "3.0" in page.content.decode()
    assert c.get(reverse("education:member", args=[other.pk])).status_code == 404


def test_rules_page(admin, secretary):
    page = client(secretary).get(reverse("education:rules"))
    assert page.status_code == 200 and "集中培训（次）" in page.content.decode() and "（次）（次）" not in page.content.decode()
    assert client(secretary).post(reverse("education:rules"), {"note": "x"}).status_code == 404
    c = client(admin)
    values = {k: v for k, v in services.current_rules().all_values().items()}
    r = c.post(reverse("education:rules"), {**values, "ordinary_hours": 36, "note": "县里要求"})
    assert r.status_code == 302 and services.current_rules().all_values()["ordinary_hours"] == 36
    bad = c.post(reverse("education:rules"), {**values, "half_day_hours": 6, "full_day_hours": 5, "note": "错误"})
    assert "半天折算学时不能多于全天" in bad.content.decode()


@pytest.mark.parametrize("url_name", ["education:progress", "education:entries", "education:classes"])
def test_list_queries_do_not_grow(branch, secretary, django_assert_max_num_queries, url_name):
    c = client(secretary)

    def fill(n):
        for _ in range(n):
            m = make_member(branch)
            add(m, 3)
        services.create_class(
            {"organisation": branch, "title": f"班{n}", "level": "branch", "start_date": TODAY, "end_date": TODAY},
            actor=system_actor("cli"),
        )

    fill(2)
    c.get(reverse(url_name))  # warm caches (session, roles)
    with django_assert_max_num_queries(30) as small:
        assert c.get(reverse(url_name)).status_code == 200
    fill(25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert c.get(reverse(url_name)).status_code == 200
