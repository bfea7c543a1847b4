import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.actors import system_actor
from apps.core.models import AccessLog
from apps.supervision import services
from apps.supervision.models import ChecklistVersion, ContactVisit, Inspection, MonthlyReport, Rectification
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")


def login(client, user):
    client.force_login(user)
    return client


def _assignment(leader, org, kind="section_point"):
    return services.assign_contact({"leader": leader, "kind": kind, "organisation": org, "year": timezone.localdate().year}, actor=CLI)


def test_assign_through_the_page(client, admin, leader, village):
    login(client, admin)
    r = client.post(
        reverse("supervision:contacts"),
        {"leader": leader.pk, "kind": "model_village", "organisation": village.pk, "year": timezone.localdate().year},
    )
    assert r.status_code == 302
    page = client.get(reverse("supervision:contacts")).content.decode()
    assert "示范村党支部" in page and "未走访" in page and "尚未安排联系乡镇" in page


def test_assign_bad_input_shows_rule(client, admin, leader, branch):
    login(client, admin)
    r = client.post(
        reverse("supervision:contacts"), {"leader": leader.pk, "kind": "model_village", "organisation": branch.pk, "year": 2026}
    )
    assert r.status_code == 200 and "农村" in r.content.decode()


def test_visit_through_the_page_and_other_branch_404(client, admin, secretary, other_secretary, branch, today):
    a = _assignment(admin, branch)
    login(client, secretary)
    r = client.post(reverse("supervision:contact", args=[a.pk]), {"date": today.isoformat(), "kind": "visit", "content": "走访"})
    assert r.status_code == 302 and ContactVisit.objects.count() == 1
    r = client.post(
        reverse("supervision:contact", args=[a.pk]),
        {"date": (today + datetime.timedelta(days=2)).isoformat(), "kind": "visit", "content": "x"},
    )
    assert r.status_code == 200 and "不能晚于今天" in r.content.decode()
    login(client, other_secretary)
    assert client.get(reverse("supervision:contact", args=[a.pk])).status_code == 404
    assert client.post(reverse("supervision:contact", args=[a.pk]), {"date": today.isoformat(), "content": "x"}).status_code == 404
    assert ContactVisit.objects.count() == 1


def test_leader_sees_own_contact_and_gap_on_home(client, leader, village, today):
    a = _assignment(leader, village, kind="model_village")
    login(client, leader)
    assert client.get(reverse("supervision:contact", args=[a.pk])).status_code == 200
    home = client.get(reverse("core:home")).content.decode()
    assert "本季度未走访的联系点" in home and "尚未走访" in home


def test_self_check_flow_through_pages(client, secretary, branch, this_quarter):
    year, q = this_quarter
    login(client, secretary)
    r = client.post(reverse("supervision:selfcheck_new"), {"org": branch.pk, "year": year, "quarter": q})
    insp = Inspection.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("supervision:inspection", args=[insp.pk])
    manual = list(insp.scores.filter(computed=False).select_related("item"))
    body = {f"score-{s.item_id}": str(s.item.max_score) for s in manual}
    r = client.post(reverse("supervision:inspection", args=[insp.pk]), {**body, f"score-{manual[0].item_id}": "999", "submit": "1"})
    assert r.status_code == 200 and "之间" in r.content.decode()
    insp.refresh_from_db()
    assert insp.status == "draft"
    r = client.post(reverse("supervision:inspection", args=[insp.pk]), {**body, "submit": "1"})
    insp.refresh_from_db()
    computed = sum(s.score for s in insp.scores.filter(computed=True))
    assert r.status_code == 302 and insp.status == "submitted" and insp.total == sum(s.item.max_score for s in manual) + computed
    r = client.post(reverse("supervision:rectify", args=[insp.pk]), {"problem": "记录不全", "deadline": timezone.localdate().isoformat()})
    assert r.status_code == 302
    rect = Rectification.objects.get()
    r = client.post(
        reverse("supervision:rectification_done", args=[rect.pk]), {"done_on": timezone.localdate().isoformat(), "done_note": "已补"}
    )
    rect.refresh_from_db()
    assert r.status_code == 302 and rect.status == "done"


def test_other_branch_cannot_open_inspection(client, secretary, other_secretary, branch, this_quarter):
    insp = services.start_self_check(branch, *this_quarter, actor=secretary)
    login(client, other_secretary)
    for name in ("supervision:inspection", "supervision:rectify"):
        assert client.get(reverse(name, args=[insp.pk])).status_code in (404, 405)
        assert client.post(reverse(name, args=[insp.pk]), {"problem": "x", "deadline": "2030-01-01"}).status_code == 404
    assert not Rectification.objects.exists()
    assert client.get(reverse("supervision:health"), {"org": branch.pk}).status_code == 404
    assert client.get(reverse("supervision:report"), {"org": branch.pk}).status_code == 404


def test_spot_check_and_evaluate_pages(client, admin, county, tree, this_quarter):
    year, q = this_quarter
    login(client, admin)
    r = client.post(reverse("supervision:spotcheck_new"), {"org": county.pk, "year": year, "quarter": q, "per_township": 1, "seed": "页面"})
    assert r.status_code == 302
    spots = list(Inspection.objects.filter(kind="spot_check"))
    assert len(spots) == 2
    for insp in spots:
        body = {f"score-{s.item_id}": "1" for s in insp.scores.filter(computed=False)}
        assert client.post(reverse("supervision:inspection", args=[insp.pk]), {**body, "submit": "1"}).status_code == 302
    r = client.post(reverse("supervision:evaluate"), {"org": county.pk, "year": year})
    assert r.status_code == 302
    page = client.get(reverse("supervision:ranking"), {"org": county.pk, "year": year}).content.decode()
    assert all(i.organisation.name in page for i in spots)
    r = client.post(reverse("supervision:evaluate"), {"org": county.pk, "year": year + 1})
    assert r.status_code == 200 and "年度" in r.content.decode()


def test_checklist_edit_page(client, admin, secretary, county):
    version = services.current_checklist()
    body = {"note": "调整"}
    for n, i in enumerate(version.items.all()):
        body.update({f"item-{n}-{k}": getattr(i, k) for k in ("area", "code", "title", "evidence", "max_score", "metric")})
    body["item-0-max_score"] = "12"
    login(client, secretary)
    assert client.post(reverse("supervision:checklist"), body).status_code == 404
    assert "修订（保存为新版本）" not in client.get(reverse("supervision:checklist")).content.decode()
    login(client, admin)
    bad = {**body, "item-1-max_score": "0"}
    r = client.post(reverse("supervision:checklist"), bad)
    assert r.status_code == 200 and "分值须为" in r.content.decode() and ChecklistVersion.objects.count() == 1
    assert client.post(reverse("supervision:checklist"), body).status_code == 302
    assert services.current_checklist().number == 2 and services.current_checklist().max_total == 102


def test_health_page_explains_the_score(client, secretary, branch, fixed_metric, this_quarter):
    fixed_metric[branch.pk] = (0.72, "本季度应开支委会3次，实开2次")
    login(client, secretary)
    page = client.get(reverse("supervision:health"), {"org": branch.pk}).content.decode()
    assert "为什么是" in page and "本季度应开支委会3次，实开2次" in page and "72%" in page


def test_report_page_submit_and_summary(client, secretary, branch, tree, admin, today):
    last = today.replace(day=1) - datetime.timedelta(days=1)
    login(client, secretary)
    url = reverse("supervision:report")
    r = client.post(url, {"org": branch.pk, "year": last.year, "month": last.month, "work_done": "", "submit": "1"})
    assert r.status_code == 200 and "本月主要工作" in r.content.decode()
    r = client.post(url, {"org": branch.pk, "year": last.year, "month": last.month, "work_done": "召开支委会", "submit": "1"})
    assert r.status_code == 302 and MonthlyReport.objects.get().status == "submitted"
    login(client, admin)
    page = client.get(url, {"org": tree["committees"][0].pk, "year": last.year, "month": last.month}).content.decode()
    assert "月通报" in page and branch.name in page and "未提交" in page


def test_export_writes_access_log(client, admin, branch, this_quarter):
    services.start_self_check(branch, *this_quarter, actor=CLI)
    login(client, admin)
    r = client.get(reverse("excel:export_supervision_inspections"))
    assert r.status_code == 200
    data = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert rows[0][0] == "组织" and rows[1][0] == branch.name
    assert AccessLog.objects.filter(kind="export").exists()


# ── fixed number of queries whatever the number of rows ───────────────────────────────
def _fill(county, n, admin):
    year = timezone.localdate().year
    for _ in range(n):
        org = make_org(county, org_type="branch")
        cadre = make_user("county_admin", county)
        a = services.assign_contact({"leader": cadre, "kind": "section_point", "organisation": org, "year": year}, actor=CLI)
        services.record_visit(a, {"date": timezone.localdate(), "content": "走访"}, actor=CLI)
        insp = services.start_self_check(org, year - 1, 4, actor=CLI)
        services.add_rectification(insp, {"problem": "问题", "deadline": timezone.localdate()}, actor=CLI)
        services.save_report(org, year - 1, 12, {"work_done": "工作"}, actor=CLI)


@pytest.mark.parametrize(
    "name, params",
    [
        ("supervision:contacts", {}),
        ("supervision:inspections", {}),
        ("supervision:rectifications", {}),
        ("supervision:reports", {}),
    ],
)
def test_lists_fixed_queries(client, admin, county, name, params):
    login(client, admin)

    def count(n):
        _fill(county, n, admin)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name), params).status_code == 200
        return len(ctx.captured_queries)

    small = count(2)
    large = count(12)
    assert large == small


def test_list_query_budget(client, admin, county, django_assert_max_num_queries):
    _fill(county, 5, admin)
    login(client, admin)
    with django_assert_max_num_queries(25):
        client.get(reverse("supervision:contacts"))
    with django_assert_max_num_queries(25):
        client.get(reverse("supervision:inspections"))


def test_api_lists_are_scoped(client, secretary, other_secretary, branch, this_quarter):
    services.start_self_check(branch, *this_quarter, actor=secretary)
    login(client, other_secretary)
    data = client.get("/api/supervision/inspections/").json()
    assert (data["results"] if isinstance(data, dict) else data) == []
    assert client.get("/api/supervision/inspections/", {"organisation": branch.pk}).status_code == 404
    assert client.get("/api/supervision/health/", {"organisation": branch.pk}).status_code == 404
    login(client, secretary)
    data = client.get("/api/supervision/health/", {"organisation": branch.pk, "year": this_quarter[0]}).json()
    assert data["organisation"] == branch.pk and "lines" in data
    assert client.get("/api/supervision/health/", {"organisation": branch.pk, "quarter": "9"}).status_code == 400
