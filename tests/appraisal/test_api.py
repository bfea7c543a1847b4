import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from apps.appraisal import rules, services
from apps.appraisal.models import HandlingCase
from tests.appraisal.conftest import SYS
from tests.factories import make_member


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_case_steps_through_the_api(branch, secretary, outsider):
    m = make_member(branch)
    case = services.open_case(
        m, kind=rules.CORRECTION, source="manual", source_note="x", on=timezone.localdate() - datetime.timedelta(days=5), actor=SYS
    )
    url = f"/api/appraisal/cases/{case.pk}/step/"
    today = timezone.localdate().isoformat()
    r = api(secretary).post(url, {"step": "talked", "talk_on": today, "talk_notes": "谈话"}, format="json")
    assert r.status_code == 400 and "须先完成“报基层党委备案”" in str(r.json())
    r = api(secretary).post(url, {"step": "filed", "filed_on": today}, format="json")
    assert r.status_code == 200 and r.json()["next_step"] == "talked"
    assert api(outsider).post(url, {"step": "talked", "talk_on": today, "talk_notes": "x"}, format="json").status_code == 404
    assert HandlingCase.objects.get(pk=case.pk).step == "filed"
    listing = api(secretary).get("/api/appraisal/cases/").json()
    assert [c["id"] for c in listing["results"]] == [case.pk]
    assert api(outsider).get("/api/appraisal/cases/").json()["results"] == []


def test_campaigns_branches_and_results(campaign, branch, secretary, outsider, organiser):
    assert api(secretary).get("/api/appraisal/campaigns/").json()["results"] == []  # opened above the branch
    rows = api(organiser).get("/api/appraisal/branches/?year=2025").json()["results"]
    assert len(rows) == 2 and rows[0]["phase"] == "report"
    own = api(secretary).get("/api/appraisal/branches/").json()["results"]
    assert [r["organisation"] for r in own] == [branch.pk]
    r = api(organiser).get(f"/api/appraisal/results/?year=2025&organisation={campaign.organisation_id}")
    assert r.status_code == 200 and r.json()["total"]["appraised"] == 7
    assert api(outsider).get(f"/api/appraisal/results/?year=2025&organisation={branch.pk}").status_code == 404
    assert api(organiser).get("/api/appraisal/results/?year=abc").status_code == 400
