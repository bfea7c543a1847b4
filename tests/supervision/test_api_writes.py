"""The write API: contact visits, self-checks and scores, rectifications, monthly reports
through the same services as the pages (rules, scope, history)."""

import datetime

import pytest
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.supervision import services
from apps.supervision.models import ContactVisit, Inspection, MonthlyReport, Rectification
from tests.factories import api_token

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")


def api(client, user):
    key = api_token(user)

    class Caller:
        def post(self, url, body):
            return client.post(url, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")

        def get(self, url, params=None):
            return client.get(url, params or {}, HTTP_AUTHORIZATION=f"Token {key}")

    return Caller()


@pytest.fixture
def assignment(admin, branch):
    data = {"leader": admin, "kind": "section_point", "organisation": branch, "year": timezone.localdate().year}
    return services.assign_contact(data, actor=CLI)


def test_record_visit_good_bad_and_out_of_scope(client, assignment, secretary, other_secretary, leader, today):
    me = api(client, secretary)
    url = f"/api/supervision/contacts/{assignment.pk}/visits/"
    r = me.post(url, {"date": today.isoformat(), "kind": "lecture", "content": "讲专题党课"})
    assert r.status_code == 201, r.content
    assert r.json()["kind_display"] == "讲党课" and ContactVisit.objects.get().recorded_by
    assert ChangeLog.objects.filter(object_type__contains="contactvisit").exists()
    r = me.post(url, {"date": (today + datetime.timedelta(days=1)).isoformat(), "content": "x"})
    assert r.status_code == 400 and "不能晚于今天" in r.json()["date"][0]
    r = me.post(url, {"date": today.isoformat(), "kind": "party", "content": ""})
    assert r.status_code == 400 and set(r.json()) == {"kind", "content"}
    assert ContactVisit.objects.count() == 1
    # another branch: as if it did not exist; the county leader sees it but cannot write
    assert api(client, other_secretary).post(url, {"date": today.isoformat(), "content": "x"}).status_code == 404
    assert api(client, leader).post(url, {"date": today.isoformat(), "content": "x"}).status_code == 403
    assert ContactVisit.objects.count() == 1


def test_self_check_scores_submit_and_rectify(client, branch, secretary, other_secretary, admin, this_quarter, today):
    year, quarter = this_quarter
    me = api(client, secretary)
    r = me.post("/api/supervision/inspections/self-check/", {"organisation": branch.pk, "year": year, "quarter": quarter})
    assert r.status_code == 201, r.content
    insp_id = r.json()["id"]
    manual = [row for row in r.json()["scores"] if not row["computed"]]
    assert manual
    again = me.post("/api/supervision/inspections/self-check/", {"organisation": branch.pk, "year": year, "quarter": quarter})
    assert again.status_code == 400 and "已经开始" in again.json()["quarter"][0]
    url = f"/api/supervision/inspections/{insp_id}/scores/"
    # out of range: nothing saved
    bad = me.post(url, {"scores": [{"item": manual[0]["item"], "score": "999"}]})
    assert bad.status_code == 400 and "分之间" in bad.json()["scores"][0]
    # submit with an item missing: refused, naming the item
    half = me.post(url, {"scores": [{"item": manual[0]["item"], "score": "1"}], "submit": True})
    assert half.status_code == 400 and "尚未评分" in half.json()["scores"][0]
    assert Inspection.objects.get(pk=insp_id).status == "draft"
    body = {"scores": [{"item": row["item"], "score": str(row["max_score"]), "evidence": "会议记录本"} for row in manual], "submit": True}
    done = me.post(url, body)
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    assert float(done.json()["total"]) >= sum(row["max_score"] for row in manual)
    assert me.post(url, body).status_code == 400  # submitted: no more changes
    # rectification on it and done
    r = me.post(f"/api/supervision/inspections/{insp_id}/rectifications/", {"problem": "记录不全", "deadline": today.isoformat()})
    assert r.status_code == 201
    rect_id = r.json()["id"]
    late = me.post(f"/api/supervision/inspections/{insp_id}/rectifications/", {"problem": "x", "deadline": "2001-01-01"})
    assert late.status_code == 400 and "不能早于今天" in late.json()["deadline"][0]
    assert api(client, other_secretary).post(f"/api/supervision/rectifications/{rect_id}/done/", {"done_note": "x"}).status_code == 404
    empty = me.post(f"/api/supervision/rectifications/{rect_id}/done/", {})
    assert empty.status_code == 400 and set(empty.json()) == {"done_on", "done_note"}
    ok = me.post(f"/api/supervision/rectifications/{rect_id}/done/", {"done_on": today.isoformat(), "done_note": "已补齐"})
    assert ok.status_code == 200 and Rectification.objects.get(pk=rect_id).status == "done"
    # another branch cannot start a self-check here nor score it
    other = api(client, other_secretary)
    assert (
        other.post("/api/supervision/inspections/self-check/", {"organisation": branch.pk, "year": year, "quarter": quarter}).status_code
        == 404
    )
    assert other.post(url, body).status_code == 404


def test_monthly_report_through_the_api(client, branch, secretary, other_secretary, today):
    last = today.replace(day=1) - datetime.timedelta(days=1)
    me = api(client, secretary)
    body = {"organisation": branch.pk, "year": last.year, "month": last.month}
    r = me.post("/api/supervision/reports/", {**body, "submit": True})
    assert r.status_code == 400 and "本月主要工作" in r.json()["work_done"][0]
    r = me.post("/api/supervision/reports/", {**body, "work_done": "召开支委会", "submit": True})
    assert r.status_code == 201 and r.json()["status"] == "submitted" and r.json()["sections"] is not None
    assert me.post("/api/supervision/reports/", {**body, "work_done": "改"}).status_code == 400
    assert api(client, other_secretary).post("/api/supervision/reports/", {**body, "work_done": "x"}).status_code == 404
    assert MonthlyReport.objects.count() == 1
    bad = me.post("/api/supervision/reports/", {"organisation": branch.pk, "year": last.year, "month": 13})
    assert bad.status_code == 400 and "month" in bad.json()
