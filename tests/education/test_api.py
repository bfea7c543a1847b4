import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.education import services
from apps.education.models import StudyEntry
from tests.factories import make_member

D = Decimal
pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_create_list_and_decide(branch, secretary, organiser, outsider):
    m = make_member(branch)
    c = api(secretary)
    r = c.post(
        "/api/education/entries/",
        {"member": m.pk, "date": TODAY.isoformat(), "form": "online", "hours": "3", "content": "网上学习"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["hours"] == "3.0" and r.json()["status"] == "approved"
    bad = c.post(
        "/api/education/entries/",
        {"member": m.pk, "date": TODAY.isoformat(), "form": "online", "hours": "-1", "content": "x"},
        format="json",
    )
    assert bad.status_code == 400 and "学时不能为负数" in json.dumps(bad.json(), ensure_ascii=False)
    big = c.post(
        "/api/education/entries/",
        {"member": m.pk, "date": TODAY.isoformat(), "form": "concentrated", "duration": "full_day", "days": 3, "content": "集中培训"},
        format="json",
    ).json()
    assert big["status"] == "pending" and big["hours"] == "24.0"
    assert c.post(f"/api/education/entries/{big['id']}/decide/", {"approve": True}, format="json").status_code == 404
    ok = api(organiser).post(f"/api/education/entries/{big['id']}/decide/", {"approve": True, "note": "同意"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert len(c.get("/api/education/entries/").json()["results"]) == 2
    # another branch: nothing listed, nothing created, detail 404
    o = api(outsider)
    assert o.get("/api/education/entries/").json()["results"] == []
    assert o.get(f"/api/education/entries/{big['id']}/").status_code == 404
    assert (
        o.post(
            "/api/education/entries/",
            {"member": m.pk, "date": TODAY.isoformat(), "form": "online", "hours": "1", "content": "x"},
            format="json",
        ).status_code
        == 404
    )
    assert StudyEntry.objects.count() == 2


def test_progress_and_classes(branch, secretary, outsider):
    m = make_member(branch, name="接口党员")
    services.add_entry({"member": m, "date": TODAY, "form": "online", "hours": "5", "content": "网上学习"}, actor=secretary)
    rows = api(secretary).get("/api/education/progress/", {"year": TODAY.year}).json()["results"]
    row = next(r for r in rows if r["member"] == m.pk)
    assert (row["hours"], row["required"], row["shortfall"]) == ("5.0", 32, "27.0")
    assert api(secretary).get("/api/education/progress/", {"year": "abc"}).json()["results"] == []
    assert api(outsider).get("/api/education/progress/", {"org": branch.pk}).status_code == 404
    cls = services.create_class(
        {"organisation": branch, "title": "接口班", "level": "branch", "start_date": TODAY, "end_date": TODAY}, actor=secretary
    )
    services.add_session(cls, {"date": TODAY, "topic": "党章", "lecturer": "书记", "hours": "2"}, actor=secretary)
    data = api(secretary).get(f"/api/education/classes/{cls.pk}/").json()
    assert data["title"] == "接口班" and data["sessions"][0]["hours"] == "2.0"
    assert api(outsider).get(f"/api/education/classes/{cls.pk}/").status_code == 404


def test_study_hours_command(tree, branch, secretary, capsys):
    m = make_member(branch, name="命令党员")
    services.add_entry(
        {"member": m, "date": datetime.date(TODAY.year, 1, 2), "form": "online", "hours": "6", "content": "学习"}, actor=secretary
    )
    call_command("study_hours", "--org", tree["county"].code, "--year", str(TODAY.year), "--json")
    out = json.loads(capsys.readouterr().out)
    me = next(r for r in out["members"] if r["member_id"] == m.pk)
    assert (me["hours"], me["required"], me["shortfall"]) == ("6.0", 32, "26.0")
    assert out["organisations"][0]["code"] == tree["county"].code
    call_command("study_hours", "--org", branch.code, "--year", str(TODAY.year))
    assert "命令党员" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("study_hours", "--org", "NOPE", "--year", "2025")
