"""Venues, the courseware library and education joint meetings: bad input refused with the
field named and nothing written, scoping (404 across branches), the list definition feeding
page, API and export, and query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.scoping import ScopeError
from apps.education import services
from apps.education.models import Courseware, JointMeeting, Venue
from tests.factories import api_token

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")
TODAY = timezone.localdate()


def client(user):
    c = Client()
    c.force_login(user)
    return c


def venue(org, n=0):
    return services.add_venue({"organisation": org, "kind": "activity_room", "name": f"党员活动室{n}", "seats": 40}, actor=CLI)


def test_bad_input_is_refused_and_nothing_written(branch, secretary, other_branch):
    with pytest.raises(ValidationError) as exc:
        services.add_venue({"organisation": branch, "kind": "gym", "name": "", "seats": -3, "investment": "-1"}, actor=secretary)
    errors = exc.value.message_dict
    assert "类型“gym”不是有效取值" in errors["kind"][0] and errors["name"] == ["名称为必填项"]
    assert errors["seats"] == ["座位数不能为负数"] and errors["investment"] == ["投入不能为负数"]
    with pytest.raises(ValidationError) as exc:
        services.add_courseware({"organisation": branch, "title": "党课", "minutes": 0, "link": "javascript:alert(1)"}, actor=secretary)
    assert exc.value.message_dict == {"minutes": ["时长须在1～600分钟之间"], "link": ["内网地址须为 http(s) 地址或文件路径"]}
    with pytest.raises(ValidationError) as exc:
        services.add_joint_meeting({"organisation": branch, "date": TODAY + datetime.timedelta(days=1), "topic": ""}, actor=secretary)
    assert set(exc.value.message_dict) == {"date", "topic", "attendees", "decisions"}
    venue(branch)
    with pytest.raises(ValidationError, match="同名的学习阵地"):
        venue(branch)
    with pytest.raises(ScopeError):
        services.add_venue({"organisation": other_branch, "kind": "media_room", "name": "越权"}, actor=secretary)
    assert Venue.objects.count() == 1 and not Courseware.objects.exists() and not JointMeeting.objects.exists()


def test_pages_api_and_export(branch, secretary, outsider):
    venue(branch)
    services.add_courseware({"organisation": branch, "title": "学习党章", "minutes": 45, "link": "http://intranet/k/1.mp4"}, actor=CLI)
    services.add_joint_meeting(
        {"organisation": branch, "date": TODAY, "topic": "部署冬春训", "attendees": "组织部、宣传部、党校", "decisions": "三月开班"},
        actor=CLI,
    )
    c = client(secretary)
    for name, text in (("venues", "党员活动室0"), ("courseware", "学习党章"), ("joint_meetings", "部署冬春训")):
        assert text in c.get(reverse(f"education:{name}")).content.decode()
        assert text not in client(outsider).get(reverse(f"education:{name}")).content.decode()
        export = c.post(reverse(f"excel:export_education_{name}"))
        assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token(secretary)}")
    assert [r["name"] for r in api.get("/api/education/venues/").json()["results"]] == ["党员活动室0"]
    other = Client(HTTP_AUTHORIZATION=f"Token {api_token(outsider)}")
    assert other.get("/api/education/venues/").json()["results"] == []
    assert other.get(f"/api/education/venues/{Venue.objects.get().pk}/").status_code == 404


def test_new_form_refuses_another_branch(branch, secretary, other_branch):
    r = client(secretary).post(reverse("education:venue_new"), {"organisation": other_branch.pk, "kind": "media_room", "name": "越权"})
    assert r.status_code == 200 and not Venue.objects.exists()
    ok = client(secretary).post(reverse("education:venue_new"), {"organisation": branch.pk, "kind": "media_room", "name": "电教室"})
    assert ok.status_code == 302 and Venue.objects.get().name == "电教室"


@pytest.mark.parametrize("name", ["venues", "courseware", "joint_meetings"])
def test_resource_pages_run_a_fixed_number_of_queries(branch, secretary, django_assert_max_num_queries, name):
    def fill(start, n):
        for i in range(start, start + n):
            venue(branch, i)
            services.add_courseware({"organisation": branch, "title": f"课件{i}", "minutes": 30, "link": f"http://intranet/{i}"}, actor=CLI)
            services.add_joint_meeting(
                {"organisation": branch, "date": TODAY, "topic": f"议题{i}", "attendees": "各单位", "decisions": "落实"}, actor=CLI
            )

    c = client(secretary)
    url = reverse(f"education:{name}")
    fill(0, 2)
    c.get(url)
    with django_assert_max_num_queries(30) as small:
        assert c.get(url).status_code == 200
    fill(2, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert c.get(url).status_code == 200
