"""Registered list exports (apps.excel.lists): each export holds exactly the rows of its
screen for the same query string, stays within the user's scope (an ?org= outside it is
a 404 where the page's is), writes the access log, runs a fixed number of queries
whatever the row count, and turns into a background job above the threshold."""

import datetime
import io

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.actors import system_actor
from apps.core.models import AccessLog
from apps.dues import months as mo
from apps.dues import services as dues_services
from apps.excel import lists, services
from apps.excel.models import ExportJob, JobStatus
from apps.members import services as member_services
from apps.orgs.models import Organisation
from apps.recruitment import services as recruitment_services
from tests.dues.conftest import salaried
from tests.factories import make_member, make_org, make_user
from tests.recruitment.helpers import before_step, new_file

B_NAME = "乙方导出测试党支部"
B_PERSON = "司马乙丙"
B_USER = "zz_export_b"


# ---------------------------------------------------------------------------- world


def populate(org, tag: str, *, person: str | None = None, username: str | None = None):
    """One of everything every registered list shows, in org: development files at two
    stages and two sources, a training class, a plan, a member with eight unpaid months
    (arrears, a case), a reduction, a hand-over, a change request, a term due, a user,
    an access-log entry. Names carry the tag so rows can be told apart."""
    today = timezone.localdate()
    person = person or f"{tag}甲"
    # 发展党员
    new_file(org, name=f"{tag}申请人")
    before_step(new_file(org, name=person), "activist_filed")
    before_step(new_file(org, name=f"{tag}积极分子", source="non_public_backbone"), "activist_filed")
    recruitment_services.create_training_class(
        {
            "organisation": org,
            "name": f"{tag}培训班",
            "start_date": datetime.date(2026, 3, 2),
            "end_date": datetime.date(2026, 3, 4),
            "days": 3,
            "hours": 24,
        },
        actor=system_actor("cli"),
    )
    recruitment_services.save_plan({"organisation": org, "kind": "annual", "start_year": today.year, "total": 3}, actor=system_actor("cli"))
    # 党费: eight months unpaid up to this one → arrears and a case
    m = salaried(org, name=person)
    this_month = mo.month_start(today)
    for k in range(7, -1, -1):
        dues_services.generate_month(org, mo.shift(this_month, -k), open_cases=False, actor=system_actor("cli"))
    dues_services.refresh_arrears_cases(org, actor=system_actor("cli"))
    dues_services.propose_reduction(
        m, kind="exempt", start_month=f"{today:%Y-%m}", end_month=f"{today:%Y-%m}", reason="患重病", actor=system_actor("cli")
    )
    dues_services.hand_over(org, f"{today:%Y-%m}", amount="0.00", difference_note="本月尚未收缴", actor=system_actor("cli"))
    # 党员信息修改申请
    asker = make_member(org, name=person, education="high_school")
    member_user = make_user("member", org, member=asker)
    member_services.update_member_self(asker, {"education": "bachelor", "reason": "取得本科学历"}, actor=member_user)
    # 换届提醒
    Organisation.objects.filter(pk=org.pk).update(term_start=datetime.date(2021, 1, 1), term_end=today + datetime.timedelta(days=30))
    # 用户、敏感操作日志
    make_user("branch_organiser", org, username=username or f"u_{tag}")
    AccessLog.record(AccessLog.Kind.REVEAL_ID, target=f"党员 {person}（#{m.pk}）身份证号", org_path=org.path)


@pytest.fixture
def world(tree):
    a = tree["branches"][0][0]
    c1, c2 = tree["committees"]
    b = make_org(c2, org_type="branch", name=B_NAME)
    populate(a, "甲")
    populate(b, "乙", person=B_PERSON, username=B_USER)
    return {
        "tree": tree,
        "a": a,
        "b": b,
        "c1": c1,
        "admin": make_user("county_admin", tree["county"]),
        "secretary_a": make_user("branch_secretary", a),
        "organiser_c1": make_user("committee_organiser", c1),
    }


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def sheet(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def column(rows, header) -> list:
    i = rows[0].index(header)
    return [r[i] for r in rows[1:]]


def cells(rows) -> str:
    return "\n".join(str(c) for r in rows for c in r if c is not None)


# ---------------------------------------------------------------------------- the cases
# name → (query string with a filter that leaves some rows out, how to read the screen's
# rows from its context, the export column holding the same value). Every registered
# export must be listed (test_every_registered_export_is_tested).


def _today_month():
    return f"{timezone.localdate():%Y-%m}"


CASES = {
    "recruitment_files": (lambda w: "stage=activist&q=甲", lambda ctx: [r["f"].name for r in ctx["rows"]], "姓名"),
    "recruitment_activists": (
        lambda w: f"org={w['a'].pk}&source=returned_youth",
        lambda ctx: [f.name for f in ctx["page"].rows],
        "姓名",
    ),
    "recruitment_training": (lambda w: "", lambda ctx: [c.title for c in ctx["page"].rows], "班次"),
    "recruitment_plans": (lambda w: "", lambda ctx: [p["plan"].organisation.name for p in ctx["progress"]], "组织"),
    "dues_arrears": (lambda w: f"org={w['a'].pk}", lambda ctx: [r["member"].name for r in ctx["page"].rows], "党员"),
    "dues_arrears_cases": (lambda w: "", lambda ctx: [c.member.name for c in ctx["cases"].rows], "党员"),
    "dues_reductions": (lambda w: "", lambda ctx: [r.member.name for r in ctx["page"].rows], "党员"),
    "dues_collections": (
        lambda w: f"org={w['c1'].pk}&month={_today_month()}",
        lambda ctx: [c["org"].name for c in ctx["children"]],
        "组织",
    ),
    "dues_disclosure": (lambda w: f"org={w['c1'].pk}", lambda ctx: [r["org"].name for r in ctx["rows"]], "党组织"),
    "members_change_requests": (lambda w: "", lambda ctx: [r.member.name for r in ctx["page"].rows], "党员"),
    "orgs_terms": (lambda w: "", lambda ctx: [o.name for o in ctx["rows"]], "组织"),
    "core_todo": (lambda w: "", lambda ctx: [i.title for i in ctx["items"]], "事项"),
    "accounts_users": (lambda w: "q=u_", lambda ctx: [u.username for u in ctx["page"]["rows"]], "账号"),
    "accounts_changelog": (
        lambda w: "object_type=members.member",
        lambda ctx: [e.object_repr for e in ctx["page"]["rows"]],
        "对象",
    ),
    "accounts_accesslog": (lambda w: "kind=reveal_id", lambda ctx: [e.target for e in ctx["page"]["rows"]], "对象"),
}
# Lists whose page chooses an organisation by ?org= and answers 404 outside the scope.
ORG_CHOOSING = {"recruitment_files", "recruitment_activists", "dues_arrears", "dues_collections", "dues_disclosure"}


# The lists of the domains this file populates. Domains added later (care, supervision…)
# test their own exports' rows in their own tests (tests/<domain>); here they still go
# through the scope check (nothing of B) and, when the world gives them rows, the
# fixed-query check.
CORE_APPS = ("recruitment_", "dues_", "members_", "orgs_", "core_", "accounts_")


def _core(name: str) -> bool:
    return name.startswith(CORE_APPS)


def test_every_registered_export_is_tested():
    assert set(CASES) == {e.name for e in lists.all_entries() if _core(e.name)}
    for e in lists.all_entries():
        assert reverse(f"excel:export_{e.name}") == f"/excel/export/{e.name}/"
        assert e.page, f"{e.name}: the screen it exports"


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_rows_equal_the_screen_rows(world, name):
    query, screen_rows, header = CASES[name]
    entry = lists.get(name)
    c = client_for(world["admin"])
    q = query(world)
    page = c.get(reverse(entry.page) + (f"?{q}" if q else ""))
    assert page.status_code == 200
    shown = screen_rows(page.context)
    assert shown, f"{name}: the screen shows no row for the test's filter"
    exported = column(sheet(c.post(reverse(f"excel:export_{name}") + (f"?{q}" if q else ""))), header)
    assert exported == shown, f"{name}: export ≠ screen"
    if q:
        unfiltered = column(sheet(c.post(reverse(f"excel:export_{name}"))), header)
        assert unfiltered != exported, f"{name}: the test's filter should change the rows"


def test_export_button_carries_the_page_filters(world):
    c = client_for(world["admin"])
    html = c.get(reverse("recruitment:file_list") + "?stage=activist&q=甲&page=1").content.decode()
    assert 'href="/excel/export/recruitment_files/?stage=activist&amp;q=%E7%94%B2"' in html


@pytest.mark.parametrize("who", ["secretary_a", "organiser_c1"])
def test_other_branch_rows_never_exported(world, who):
    c = client_for(world[who])
    markers = [B_NAME, B_PERSON, B_USER, world["b"].code]
    for entry in lists.all_entries():
        url = reverse(f"excel:export_{entry.name}")
        response = c.post(url)
        if entry.name.startswith("accounts_") and who == "secretary_a":
            assert response.status_code == 403  # no user management / audit: as on the screen
            continue
        rows = sheet(response)
        assert not [m for m in markers if m in cells(rows)], f"{who} {entry.name}: B's rows exported"
        assert len(rows) > 1 or entry.name in ("dues_collections",) or not _core(entry.name), f"{who} {entry.name}: own rows expected"
        # Pointing the page's ?org= at B: a 404 where the page chooses an organisation,
        # otherwise still nothing of B.
        response = c.post(f"{url}?org={world['b'].pk}")
        if entry.name in ORG_CHOOSING:
            assert response.status_code == 404, f"{who} {entry.name}?org=B"
        elif response.status_code == 200:
            assert not [m for m in markers if m in cells(sheet(response))]


def test_personal_data_masked(world):
    from apps.recruitment.models import DevelopmentFile

    f = DevelopmentFile.objects.filter(organisation=world["a"]).first()
    rows = sheet(client_for(world["admin"]).post(reverse("excel:export_recruitment_files") + "?status=active"))
    text = cells(rows)
    assert f.id_number_masked in text and f.reveal_id_number() not in text and f.reveal_phone() not in text


def test_access_log_written_with_filters_and_rows(world):
    c = client_for(world["secretary_a"])
    before = AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).count()
    rows = sheet(c.post(reverse("excel:export_recruitment_files") + "?stage=activist&page=2"))
    entry = AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).latest("id")
    assert AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).count() == before + 1
    assert entry.user == world["secretary_a"] and entry.target == "发展档案导出"
    assert entry.detail == {"filters": {"stage": "activist"}, "rows": len(rows) - 1, "full_pii": False, "list": "recruitment_files"}
    assert entry.org_path == world["a"].path


def test_unknown_list_and_get_only_shows_the_button(world):
    """Issue 12 item 7: a GET (a link, a prefetch, a crawler) exports nothing and queues
    nothing; the page's button POSTs to the same URL and query string."""
    c = client_for(world["admin"])
    assert c.get("/excel/export/nothing_here/").status_code == 404
    before = AccessLog.objects.count()
    url = reverse("excel:export_recruitment_files") + "?stage=activist"
    page = c.get(url)
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "导出Excel：发展档案" in html and 'method="post"' in html and 'action="/excel/export/recruitment_files/?stage=activist"' in html
    assert "1 项筛选条件" in html
    assert AccessLog.objects.count() == before and not ExportJob.objects.exists()
    assert c.put(url).status_code == 405
    assert sheet(c.post(url))[0][0] == "姓名"
    assert AccessLog.objects.count() == before + 1


def _queries(user, name, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        data, _filename = services.export_list_for(user, name, QueryDict(params))
    rows = sum(1 for _ in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows()) - 1
    return len(ctx.captured_queries), rows


def test_query_count_fixed_whatever_the_row_count(world):
    """Each export runs as many queries for one round of data as for two."""
    admin = world["admin"]
    params = {e.name: "" for e in lists.all_entries()}
    # lists with a row per organisation below the chosen one: the new branch is one more child of C1
    params["dues_collections"] = params["supervision_training_units"] = f"org={world['c1'].pk}"
    first = {name: _queries(admin, name, q) for name, q in params.items()}
    populate(make_org(world["c1"], org_type="branch", name="甲方第三党支部"), "丙")
    admin = type(admin).objects.get(pk=admin.pk)  # a fresh user: no cached role assignments
    world["admin"] = admin
    second = {name: _queries(admin, name, q) for name, q in params.items()}
    for name in params:
        (q1, n1), (q2, n2) = first[name], second[name]
        if not _core(name) and n2 == 0:
            continue  # this world holds none of that domain's rows (its own tests count them)
        assert n2 > n1 > 0, f"{name}: rows {n1} → {n2}"
        assert q2 == q1, f"{name}: {q1} queries for {n1} rows, {q2} for {n2}"


def test_large_export_runs_as_a_background_job(world, monkeypatch):
    monkeypatch.setattr(services, "SYNC_EXPORT_MAX_ROWS", 2)
    c = client_for(world["admin"])
    response = c.post(reverse("excel:export_recruitment_files") + "?status=active")
    assert response.status_code == 302 and response["Location"] == reverse("excel:exports")
    job = ExportJob.objects.get()
    assert job.kind == ExportJob.Kind.LIST and job.list_name == "recruitment_files" and job.params == {"status": "active"}
    assert job.status == JobStatus.DONE and job.rows_done == job.rows_total == 6 and job.label == "发展档案"
    page = c.get(reverse("excel:exports")).content.decode()
    assert "发展档案" in page and reverse("excel:export_download", args=[job.pk]) in page
    rows = sheet(c.get(reverse("excel:export_download", args=[job.pk])))
    assert len(rows) == 7 and rows[0][0] == "姓名"
    log = AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).latest("id")
    assert log.detail["rows"] == 6 and log.detail["job"] == job.pk and log.detail["filters"] == {"status": "active"}
    # the job is the user's own, in their scope
    other = client_for(world["secretary_a"])
    assert other.get(reverse("excel:export_download", args=[job.pk])).status_code == 404


def test_background_job_keeps_the_users_scope(world, monkeypatch):
    monkeypatch.setattr(services, "SYNC_EXPORT_MAX_ROWS", 1)
    job = services.export_list_for(world["secretary_a"], "recruitment_files", QueryDict("status=active"))
    assert isinstance(job, ExportJob) and job.status == JobStatus.DONE and job.org_path == world["a"].path
    with job.file.open("rb") as fh:
        text = cells([list(r) for r in load_workbook(fh, read_only=True).active.iter_rows(values_only=True)])
    assert "甲申请人" in text and B_PERSON not in text and "乙申请人" not in text


@pytest.mark.parametrize("limit,background", [(2, False), (1, True)])
def test_grouped_rows_counted_as_the_screen_shows_them(world, monkeypatch, limit, background):
    """The arrears are grouped rows (one per member, many ledger lines each): the size
    that decides on a background job is the number of members listed, not of lines."""
    monkeypatch.setattr(services, "SYNC_EXPORT_MAX_ROWS", limit)
    result = services.export_list_for(world["admin"], "dues_arrears", QueryDict(""))
    assert isinstance(result, ExportJob) is background
    if background:
        assert result.rows_total == 2 and result.status == JobStatus.DONE  # the job counts them all once it runs
        assert AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, detail__rows=2, detail__job=result.pk).exists()
