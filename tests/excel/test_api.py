import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.core.models import AccessLog
from apps.excel.models import ExportJob, ImportJob, JobStatus
from apps.members.models import Member
from tests.excel.helpers import good_row, xlsx
from tests.factories import make_member, make_user


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_import_preview_progress_commit(branch):
    secretary = make_user("branch_secretary", branch)
    c = api(secretary)
    r = c.post("/api/imports/", {"file": SimpleUploadedFile("a.xlsx", xlsx([good_row(branch)])), "dry_run": "true"}, format="multipart")
    assert r.status_code == 201, r.content
    job_id = r.json()["id"]
    r = c.get(f"/api/imports/{job_id}/")
    body = r.json()
    assert body["status"] == "previewed" and body["summary"]["to_create"] == 1 and body["percent"] == 100
    assert Member.objects.count() == 0
    r = c.post(f"/api/imports/{job_id}/commit/")
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert Member.objects.count() == 1


def test_import_errors_listed(branch):
    secretary = make_user("branch_secretary", branch)
    r = api(secretary).post(
        "/api/imports/", {"file": SimpleUploadedFile("a.xlsx", xlsx([good_row(branch, 性别="未知")]))}, format="multipart"
    )
    body = r.json()
    assert body["status"] == "invalid" and body["errors"][0]["row"] == 2 and body["errors"][0]["header"] == "性别"
    r = api(secretary).post(f"/api/imports/{body['id']}/commit/")
    assert r.status_code == 400


def test_other_branch_gets_404(tree, branch):
    secretary = make_user("branch_secretary", branch)
    other = make_user("branch_secretary", tree["branches"][1][0])
    r = api(secretary).post("/api/imports/", {"file": SimpleUploadedFile("a.xlsx", xlsx([good_row(branch)]))}, format="multipart")
    job_id = r.json()["id"]
    assert api(other).get(f"/api/imports/{job_id}/").status_code == 404
    assert api(other).post(f"/api/imports/{job_id}/commit/").status_code == 404
    assert api(other).post(f"/api/imports/{job_id}/cancel/").status_code == 404
    assert api(other).get("/api/imports/").json()["results"] == []
    r = api(other).post(
        "/api/imports/", {"file": SimpleUploadedFile("a.xlsx", xlsx([good_row(branch)])), "org_code": branch.code}, format="multipart"
    )
    assert r.status_code == 400 and "不在您的维护范围内" in str(r.json())
    assert ImportJob.objects.count() == 1


def test_import_refused_for_read_only_user(tree, branch):
    leader = make_user("county_leader", tree["county"])
    r = api(leader).post("/api/imports/", {"file": SimpleUploadedFile("a.xlsx", xlsx([good_row(branch)]))}, format="multipart")
    assert r.status_code == 403


def test_export_job_and_download(tree, branch):
    make_member(branch, member_type="probationary", conversion_date=None)
    make_member(branch)
    make_member(tree["branches"][1][0])
    secretary = make_user("branch_secretary", branch)
    c = api(secretary)
    r = c.post("/api/exports/members/", {"filters": {"member_type": "probationary"}}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "done" and body["rows_total"] == 1 and body["download_url"]
    d = c.get(body["download_url"])
    assert d.status_code == 200 and d["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AccessLog.objects.filter(kind="export", detail__rows=1).exists()
    other = make_user("branch_secretary", tree["branches"][1][0])
    assert api(other).get(f"/api/exports/{body['id']}/").status_code == 404
    assert api(other).get(body["download_url"]).status_code == 404


def test_full_export_refused_without_export_full(branch):
    organiser = make_user("branch_organiser", branch)
    r = api(organiser).post("/api/exports/members/", {"full": True}, format="json")
    assert r.status_code == 403 and not ExportJob.objects.exists()
    secretary = make_user("branch_secretary", branch)
    r = api(secretary).post("/api/exports/members/", {"full": True}, format="json")
    assert r.status_code == 201 and r.json()["full_pii"] is True and r.json()["status"] == JobStatus.DONE
    assert AccessLog.objects.filter(kind="export_full").exists()


def test_read_only_leader_may_start_a_masked_export_only(tree, branch):
    """The access matrix declares POST /api/exports/members/ a read (READ_ONLY_POSTS): a
    county leader gets a masked export of what they may view and nothing else is written;
    full values stay refused."""
    from apps.core.models import ChangeLog

    make_member(branch)
    leader = make_user("county_leader", tree["county"])
    history = ChangeLog.objects.count()
    r = api(leader).post("/api/exports/members/", {"full": True}, format="json")
    assert r.status_code == 403 and not ExportJob.objects.exists()
    r = api(leader).post("/api/exports/members/", {}, format="json")
    assert r.status_code == 201 and r.json()["full_pii"] is False and r.json()["rows_total"] == 1
    assert ExportJob.objects.get().user == leader
    assert ChangeLog.objects.count() == history


def test_queued_job_reads_with_a_null_summary(branch):
    """A job still waiting for a worker has no summary yet: the API says null (it used to
    answer 500 while a job was queued)."""
    secretary = make_user("branch_secretary", branch)
    job = ImportJob.objects.create(user=secretary, org_path=branch.path, filename="a.xlsx")
    c = api(secretary)
    r = c.get(f"/api/imports/{job.pk}/")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "queued" and r.json()["summary"] is None
    listing = c.get("/api/imports/")
    assert listing.status_code == 200 and listing.json()["results"][0]["summary"] is None
