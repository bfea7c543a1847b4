import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.recruitment.models import DevelopmentStep, PublicNotice, Vote
from tests.factories import make_user
from tests.recruitment.helpers import D, applicant_data, before_step, new_file


@pytest.fixture
def api(tree):
    branch = tree["branches"][0][0]
    sec = make_user("branch_secretary", branch)
    other = make_user("branch_secretary", tree["branches"][0][1])
    organiser = make_user("committee_organiser", tree["committees"][0])

    def client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return {"branch": branch, "sec": client(sec), "other": client(other), "organiser": client(organiser), "tree": tree}


def test_create_file_and_take_steps(api):
    data = applicant_data(api["branch"])
    payload = {k: v for k, v in data.items() if k not in ("organisation", "birth_date", "sex")}
    payload.update(organisation=api["branch"].pk, application_date="2023-01-10")
    r = api["sec"].post("/api/recruitment/files/", payload, format="json")
    assert r.status_code == 201, r.data
    pk = r.data["id"]
    assert "*" in r.data["id_number_masked"]
    r = api["sec"].post(f"/api/recruitment/files/{pk}/steps/", {"code": "activist", "date": "2023-03-01", "data": {}}, format="json")
    assert r.status_code == 400 and "须先完成第2步" in str(r.data)
    r = api["sec"].post(
        f"/api/recruitment/files/{pk}/steps/",
        {"code": "talk", "date": "2023-01-20", "data": {"talker": "王", "talker_role": "secretary", "summary": "谈话"}},
        format="json",
    )
    assert r.status_code == 201 and r.data["number"] == 2
    r = api["sec"].get(f"/api/recruitment/files/{pk}/")
    assert [s["code"] for s in r.data["steps"]] == ["apply", "talk"]
    assert r.data["due"][0]["code"] == "activist"
    assert api["sec"].get("/api/recruitment/files/").data["count"] == 1


def test_other_branch_404_and_higher_step_403(api):
    f = before_step(new_file(api["branch"]), "activist_filed")
    assert api["other"].get(f"/api/recruitment/files/{f.pk}/").status_code == 404
    assert api["other"].get("/api/recruitment/files/").data["count"] == 0
    assert (
        api["other"]
        .post(f"/api/recruitment/files/{f.pk}/steps/", {"code": "activist_filed", "date": "2023-03-10"}, format="json")
        .status_code
        == 404
    )
    r = api["sec"].post(f"/api/recruitment/files/{f.pk}/steps/", {"code": "activist_filed", "date": "2023-03-10"}, format="json")
    assert r.status_code == 403 and "须由上级党委办理" in r.data["detail"]
    r = api["organiser"].post(f"/api/recruitment/files/{f.pk}/steps/", {"code": "activist_filed", "date": "2023-03-10"}, format="json")
    assert r.status_code == 201
    assert DevelopmentStep.objects.filter(file=f).count() == 4


def test_votes_and_notices(api):
    f = before_step(new_file(api["branch"]), "general_meeting", prepare=False)  # a development target
    vote = {
        "file": f.pk,
        "proposal": "admit",
        "meeting_date": "2024-05-10",
        "should_attend": 10,
        "present": 5,
        "yes": 5,
        "no": 0,
        "abstain": 0,
        "passed": True,
    }
    r = api["sec"].post("/api/recruitment/votes/", vote, format="json")
    assert r.status_code == 400 and "半数" in str(r.data)
    assert api["other"].post("/api/recruitment/votes/", {**vote, "present": 6, "yes": 6}, format="json").status_code == 400
    assert Vote.objects.count() == 0
    assert api["sec"].post("/api/recruitment/votes/", {**vote, "present": 6, "yes": 6}, format="json").status_code == 201
    assert api["other"].get("/api/recruitment/votes/").data["count"] == 0
    f = before_step(new_file(api["branch"]), "cultivate", prepare=False)
    r = api["sec"].post("/api/recruitment/notices/", {"file": f.pk, "start_date": "2025-01-03"}, format="json")
    assert r.status_code == 201 and r.data["end_date"] == "2025-01-09"
    assert api["other"].get("/api/recruitment/notices/").data["count"] == 0
    assert PublicNotice.objects.filter(file=f).count() == 1  # the first file's notice came with its journey


def test_plans_and_monthly_report(api, capsys):
    tree = api["tree"]
    r = api["organiser"].post(
        "/api/recruitment/plans/", {"organisation": api["branch"].pk, "kind": "annual", "start_year": 2024, "total": 12}, format="json"
    )
    assert r.status_code == 201
    r = api["sec"].post(
        "/api/recruitment/plans/",
        {"organisation": tree["county"].pk, "kind": "three_year", "start_year": 2024, "total": 100},
        format="json",
    )
    assert r.status_code == 404  # the county is outside a branch secretary's view: as if it did not exist
    r = api["organiser"].get("/api/recruitment/plans/")
    assert r.data["results"][0]["progress"][0]["key"] == "total"
    assert api["other"].get("/api/recruitment/plans/").data["count"] == 0
    code = tree["committees"][0].code
    r = api["organiser"].get(f"/api/recruitment/reports/monthly/?org={code}&month=2024-06")
    assert r.status_code == 200 and r.data["lagging_units"] == [api["branch"].code]
    assert api["other"].get(f"/api/recruitment/reports/monthly/?org={code}&month=2024-06").status_code == 404
    call_command("development_report", "--org", code, "--month", "2024-06", "--json")
    out = capsys.readouterr().out
    assert '"lagging_units"' in out and api["branch"].code in out
    assert D(2024, 6, 1)


def test_due_endpoint_scoped(api):
    f = new_file(api["branch"])
    r = api["sec"].get(f"/api/recruitment/files/{f.pk}/due/")
    assert r.status_code == 200 and r.data[0]["code"] == "talk" and r.data[0]["overdue"]
    assert api["other"].get(f"/api/recruitment/files/{f.pk}/due/").status_code == 404
    assert api["other"].get(f"/api/recruitment/files/{f.pk}/steps/").status_code == 404


def test_an_organisation_outside_scope_is_answered_as_not_found(api):
    """Posting another branch's organisation id must not reveal that it exists or its
    name (it used to answer 403 “<name>不在您的维护权限范围内”, so ids could be probed)."""
    elsewhere = api["tree"]["branches"][1][0]  # a branch of the other committee
    data = applicant_data(elsewhere)
    payload = {k: v for k, v in data.items() if k not in ("organisation", "birth_date", "sex")}
    payload.update(organisation=elsewhere.pk, application_date="2023-01-10")
    plan = {"organisation": elsewhere.pk, "kind": "annual", "start_year": 2024, "total": 12}
    for url, body in (("/api/recruitment/files/", payload), ("/api/recruitment/plans/", plan)):
        r = api["sec"].post(url, body, format="json")
        assert r.status_code == 404, (url, r.data)
        assert elsewhere.name not in str(r.data)
    # An id that does not exist gets the very same answer (status and body), for both.
    for url, body in (("/api/recruitment/files/", payload), ("/api/recruitment/plans/", plan)):
        outside = api["sec"].post(url, body, format="json")
        missing = api["sec"].post(url, {**body, "organisation": 999999}, format="json")
        assert (missing.status_code, missing.data) == (outside.status_code, outside.data) == (404, outside.data), url


def test_require_org_action_hides_what_the_user_cannot_see(tree):
    from apps.core.scoping import OutOfScope, ScopeError, require_org_action

    branch, elsewhere = tree["branches"][0][0], tree["branches"][1][0]
    secretary = make_user("branch_secretary", branch)
    leader = make_user("county_leader", tree["county"])
    require_org_action(secretary, branch, "change")
    with pytest.raises(OutOfScope) as exc:
        require_org_action(secretary, elsewhere, "change")
    assert elsewhere.name not in exc.value.message
    with pytest.raises(ScopeError) as exc:  # visible, but no right to change: named
        require_org_action(leader, elsewhere, "change")
    assert not isinstance(exc.value, OutOfScope) and elsewhere.name in exc.value.message
