import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.scoping import OutOfScope, ScopeError
from apps.supervision import services
from apps.supervision.models import InstructorPost, InstructorReport, ModelPoint, ModelPointProgress
from tests.factories import make_org

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")


def _point(org, actor=CLI, **over):
    data = {
        "organisation": org,
        "category": "village",
        "theme": "党建引领乡村振兴",
        "designated_on": datetime.date.today(),
        "plan": "两年培育",
    }
    return services.designate_point({**data, **over}, actor=actor)


def test_point_cultivated_to_accepted(branch, admin, secretary, today):
    p = _point(branch, actor=admin)
    with pytest.raises(ValidationError) as e:
        services.review_point(p, {"decision": "accepted", "review_note": "好"}, actor=admin)
    assert "尚无培育进展" in str(e.value.message_dict["decision"])
    upload = SimpleUploadedFile("经验.pdf", b"%PDF-1.4", content_type="application/pdf")
    entry = services.record_point_progress(p, {"date": today, "content": "建成党群服务中心", "material": upload}, actor=secretary)
    assert entry.material.name.endswith(".pdf")
    with pytest.raises(ScopeError):
        services.review_point(p, {"decision": "accepted", "review_note": "好"}, actor=secretary)  # the branch cannot name itself
    services.review_point(p, {"decision": "accepted", "review_note": "经验可推广"}, actor=admin)
    p.refresh_from_db()
    assert p.status == "accepted" and p.reviewed_by
    with pytest.raises(ValidationError):
        services.review_point(p, {"decision": "revoked", "review_note": "x"}, actor=admin)


def test_point_bad_input(branch, county, admin, secretary, other_secretary, today):
    with pytest.raises(ValidationError) as e:
        _point(branch, actor=admin, category="x", theme="", plan="", designated_on=today + datetime.timedelta(days=1))
    assert set(e.value.message_dict) == {"category", "theme", "plan", "designated_on"}
    with pytest.raises(ValidationError) as e:
        _point(county, actor=admin)
    assert "基层党组织" in str(e.value.message_dict["organisation"])
    p = _point(branch, actor=admin)
    with pytest.raises(ValidationError) as e:
        _point(branch, actor=admin)
    assert "不能重复" in str(e.value.message_dict["organisation"])
    bad = SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as e:
        services.record_point_progress(p, {"date": today, "content": "x", "material": bad}, actor=secretary)
    assert "PDF" in str(e.value.message_dict["material"])
    with pytest.raises(ValidationError) as e:
        services.record_point_progress(p, {"date": today - datetime.timedelta(days=400), "content": ""}, actor=secretary)
    assert set(e.value.message_dict) == {"date", "content"}
    with pytest.raises(OutOfScope):
        services.record_point_progress(p, {"date": today, "content": "x"}, actor=other_secretary)
    assert ModelPoint.objects.count() == 1 and not ModelPointProgress.objects.exists()


def test_material_download_is_scoped(client, branch, secretary, other_secretary, today):
    p = _point(branch)
    upload = SimpleUploadedFile("经验.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    entry = services.record_point_progress(p, {"date": today, "content": "x", "material": upload}, actor=CLI)
    client.force_login(secretary)
    r = client.get(reverse("supervision:point_material", args=[entry.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 x"
    client.force_login(other_secretary)
    assert client.get(reverse("supervision:point_material", args=[entry.pk])).status_code == 404
    assert client.get(reverse("supervision:point", args=[p.pk])).status_code == 404


def test_instructor_and_reports(county, admin, today, tree):
    enterprise = make_org(tree["committees"][0], org_type="branch", unit_type="non_public_enterprise", name="某科技公司党支部")
    with pytest.raises(ValidationError) as e:
        services.send_instructor(
            {"organisation": tree["branches"][0][0], "name": "李指导", "sent_by": "县工商联", "start_date": today}, actor=admin
        )
    assert "非公有制企业" in str(e.value.message_dict["organisation"])
    post = services.send_instructor({"organisation": enterprise, "name": "李指导", "sent_by": "县工商联", "start_date": today}, actor=admin)
    with pytest.raises(ValidationError) as e:
        services.send_instructor({"organisation": enterprise, "name": "李指导", "sent_by": "县工商联", "start_date": today}, actor=admin)
    assert "不能重复" in str(e.value.message_dict["name"])
    with pytest.raises(ValidationError) as e:
        services.record_instructor_report(post, {"date": today - datetime.timedelta(days=1), "content": ""}, actor=admin)
    assert set(e.value.message_dict) == {"date", "content"}
    services.record_instructor_report(post, {"date": today, "content": "指导换届", "problems": "支部活动少"}, actor=admin)
    assert InstructorPost.objects.count() == 1 and InstructorReport.objects.count() == 1


@pytest.mark.parametrize("name", ["supervision:points", "supervision:instructors"])
def test_point_and_instructor_lists_fixed_queries(client, admin, county, name, today):
    client.force_login(admin)

    def count(n):
        for _ in range(n):
            org = make_org(county, org_type="branch", unit_type="non_public_enterprise")
            services.record_point_progress(_point(org), {"date": today, "content": "x"}, actor=CLI)
            post = services.send_instructor(
                {"organisation": org, "name": "王指导", "sent_by": "县委组织部", "start_date": today}, actor=CLI
            )
            services.record_instructor_report(post, {"date": today, "content": "x"}, actor=CLI)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    assert count(2) == count(12)


def test_stats_section_counts_subtree(county, branch, other_branch, today):
    from apps.supervision import stats

    _point(branch)
    _point(other_branch)
    services.review_point(
        ModelPoint.objects.get(organisation=other_branch), {"decision": "revoked", "review_note": "条件不具备"}, actor=CLI
    )
    s = stats.contribute(county, today)["supervision"]
    assert s["points_cultivating"] == 1 and s["points_accepted"] == 0
    rows = {(a, b): c for a, b, c, _ in stats.rows(stats.contribute(county, today))}
    assert rows[("示范点", "培育中")] == 1
    assert stats.contribute(branch, today)["supervision"]["points_cultivating"] == 1


def test_staffing_counts_seats_and_gaps(client, tree, admin, other_secretary):
    from apps.orgs.models import CommitteeMember
    from apps.supervision import selectors
    from tests.factories import make_member

    b1, b2 = tree["branches"][0]
    CommitteeMember.objects.create(organisation=b1, member=make_member(b1), role="secretary")
    CommitteeMember.objects.create(organisation=b1, member=make_member(b1), role="organisation")
    CommitteeMember.objects.create(organisation=b2, member=make_member(b2), role="secretary", end_date=datetime.date(2020, 1, 1))
    rows = {r["org"]: r for r in selectors.staffing(tree["county"])}
    c1 = rows[tree["committees"][0]]
    assert c1["counts"] == [("书记", 1), ("副书记", 0), ("组织委员", 1)] and c1["grassroots"] == 3
    assert b2.name in c1["no_secretary"] and b1.name not in c1["no_secretary"]
    client.force_login(other_secretary)
    assert client.get(reverse("supervision:staffing"), {"org": tree["committees"][0].pk}).status_code == 404
    client.force_login(admin)
    assert b2.name in client.get(reverse("supervision:staffing"), {"org": tree["committees"][0].pk}).content.decode()
