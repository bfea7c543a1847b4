import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core import todo
from apps.core.actors import system_actor
from apps.members.models import Member
from apps.recruitment import rules
from apps.recruitment.models import DevelopmentFile, DevelopmentStep, Holiday, RuleVersion
from tests.factories import make_member, make_user
from tests.recruitment.helpers import PLAN, D, applicant_data, before_step, new_file


@pytest.fixture
def users(tree):
    branch = tree["branches"][0][0]
    return {
        "branch": branch,
        "sec": make_user("branch_secretary", branch),
        "other": make_user("branch_secretary", tree["branches"][0][1]),
        "organiser": make_user("committee_organiser", tree["committees"][0]),
        "admin": make_user("county_admin", tree["county"]),
        "committee": tree["committees"][0],
    }


def _client(client, user):
    client.force_login(user)
    return client


def test_file_list_fixed_query_count(client, users):
    c = _client(client, users["sec"])
    new_file(users["branch"])
    for _ in range(2):
        new_file(users["branch"])
    with CaptureQueriesContext(connection) as small:
        assert c.get(reverse("recruitment:file_list")).status_code == 200
    for _ in range(27):
        new_file(users["branch"], application_date=D(2026, 1, 5))
    with CaptureQueriesContext(connection) as big:
        r = c.get(reverse("recruitment:file_list") + "?overdue=1&stage=applicant")
    assert r.status_code == 200
    assert len(big) == len(small)


def test_list_hides_other_branch_files(client, users):
    f = new_file(users["branch"], name="甲某某")
    r = _client(client, users["other"]).get(reverse("recruitment:file_list"))
    assert "甲某某" not in r.content.decode()
    r = client.get(reverse("recruitment:activists"))
    assert "甲某某" not in r.content.decode()
    assert f


@pytest.mark.parametrize(
    "name,extra",
    [("file_detail", []), ("step_take", ["talk"]), ("vote_new", []), ("notice_new", []), ("assessment_new", []), ("transfer", [])],
)
def test_other_branch_gets_404(client, users, name, extra):
    f = new_file(users["branch"])
    c = _client(client, users["other"])
    assert c.get(reverse(f"recruitment:{name}", args=[f.pk, *extra])).status_code == 404
    assert c.post(reverse(f"recruitment:{name}", args=[f.pk, *extra]), {"date": "2023-01-20"}).status_code == 404
    assert DevelopmentStep.objects.filter(file=f).count() == 1


def test_branch_secretary_refused_higher_step_clearly(client, users):
    f = before_step(new_file(users["branch"]), "activist_filed")
    r = _client(client, users["sec"]).post(reverse("recruitment:step_take", args=[f.pk, "activist_filed"]), {"date": "2023-03-10"})
    assert r.status_code == 403
    assert "须由上级党委办理" in r.content.decode()
    assert not DevelopmentStep.objects.filter(file=f, code="activist_filed").exists()


def test_refusal_shows_rule_message_and_writes_nothing(client, users):
    f = new_file(users["branch"])
    r = _client(client, users["sec"]).post(
        reverse("recruitment:step_take", args=[f.pk, "activist"]),
        {"date": "2023-03-01", "recommendation": "member", "decided_by": "committee"},
    )
    assert r.status_code == 200 and "须先完成第2步" in r.content.decode()
    assert DevelopmentStep.objects.filter(file=f).count() == 1


def _post_step(c, f, code, date, data):
    payload = {"date": date.isoformat()}
    for k, v in data.items():
        payload[k] = v
    r = c.post(reverse("recruitment:step_take", args=[f.pk, code]), payload)
    assert r.status_code == 302, r.content.decode()[-3000:]


def test_full_journey_through_the_web(client, users, django_user_model):
    branch = users["branch"]
    people = [make_member(branch), make_member(branch)]
    sec, organiser = users["sec"], users["organiser"]
    c = _client(client, sec)
    data = applicant_data(branch)
    form = {k: v for k, v in data.items() if k not in ("organisation", "birth_date", "sex")}
    form.update(organisation=branch.pk, application_date="2023-01-10", ethnicity="汉族")
    r = c.post(reverse("recruitment:file_new"), form)
    assert r.status_code == 302
    f = DevelopmentFile.objects.get()
    for code, date, step_data in PLAN:
        rule = rules.STEP_BY_CODE[code]
        if step_data == "contacts":
            step_data = {"contacts": [people[0].pk]}
        elif step_data == "introducers":
            step_data = {"introducers": [p.pk for p in people]}
        if code == "cultivate":
            for d, evaluator in (("2023-09-01", "member"), ("2024-03-01", "mass")):
                r = c.post(
                    reverse("recruitment:assessment_new", args=[f.pk]), {"date": d, "period": "半年", "evaluator": evaluator, "score": "90"}
                )
                assert r.status_code == 302
        if code == "target":
            assert (
                c.post(reverse("recruitment:notice_new", args=[f.pk]), {"start_date": "2024-03-04", "place": "公示栏"}).status_code == 302
            )
        if code in ("general_meeting", "conversion_meeting"):
            proposal = "admit" if code == "general_meeting" else "convert"
            vote = {
                "proposal": proposal,
                "meeting_date": date.isoformat(),
                "should_attend": 10,
                "present": 6,
                "written_opinions": 0,
                "yes": 6,
                "no": 0,
                "abstain": 0,
                "passed": "on",
            }
            r = c.post(reverse("recruitment:vote_new", args=[f.pk]), {**vote, "present": 5, "yes": 5})
            assert r.status_code == 200 and "超过应到人数的半数" in r.content.decode()
            assert c.post(reverse("recruitment:vote_new", args=[f.pk]), vote).status_code == 302
        actor = organiser if rule.performer == "higher" else sec
        _post_step(_client(client, actor), f, code, date, {k: v for k, v in step_data.items() if v is not None})
        c = _client(client, sec)
    f.refresh_from_db()
    assert f.status == "closed" and f.stage == "full"
    m = Member.objects.get(pk=f.member_id)
    assert m.member_type == "full" and m.join_date == D(2024, 5, 10) and m.conversion_date == D(2025, 5, 10)
    page = c.get(reverse("recruitment:file_detail", args=[f.pk])).content.decode()
    assert page.count('class="done"') == 25
    assert DevelopmentStep.objects.get(file=f, code="approval").approved_by == organiser


def test_flowchart_shows_due_and_overdue(client, users):
    f = new_file(users["branch"])
    page = _client(client, users["sec"]).get(reverse("recruitment:file_detail", args=[f.pk])).content.decode()
    assert 'class="overdue" id="step-talk"' in page and "2023-02-10" in page
    assert 'class="waiting" id="step-activist"' in page


def test_todo_lists_overdue_steps_with_responsibility(users):
    from apps.orgs.models import CommitteeMember

    secretary = make_member(users["branch"], name="赵书记")
    CommitteeMember.objects.create(organisation=users["branch"], member=secretary, role="secretary")
    new_file(users["branch"], name="钱某某")
    items = [i for i in todo.items_for(users["sec"]) if i.module == "发展党员"]
    assert items and items[0].overdue and "钱某某" in items[0].title and "赵书记" in items[0].org
    assert not [i for i in todo.items_for(users["other"]) if i.module == "发展党员"]


def test_pages_render(client, users):
    f = before_step(new_file(users["branch"]), "target")
    c = _client(client, users["admin"])
    for name in ("activists", "plans", "monthly", "settings", "rule_table"):
        assert c.get(reverse(f"recruitment:{name}")).status_code == 200, name
    assert c.get(reverse("recruitment:monthly") + "?view=circular&month=2024-06").status_code == 200
    r = c.post(
        reverse("recruitment:plans"),
        {
            "organisation": users["branch"].pk,
            "kind": "annual",
            "start_year": 2024,
            "total": 12,
            "women": 0,
            "youth": 0,
            "high_school_plus": 0,
            "college_plus": 0,
            "farmers": 0,
            "non_public": 0,
        },
    )
    assert r.status_code == 302
    r = c.post(reverse("recruitment:publish_circular"), {"org": users["committee"].pk, "month": "2024-06"})
    assert r.status_code == 302
    page = c.get(reverse("recruitment:activists")).content.decode()
    assert 'id="activist-total">1<' in page
    assert f


def test_settings_page_configure_only(client, users):
    assert _client(client, users["sec"]).get(reverse("recruitment:settings")).status_code == 404
    c = _client(client, users["admin"])
    values = {s.key: s.default for s in rules.SETTINGS}
    values.update(notice_workdays=7, note="改为7个工作日", form="rules")
    assert c.post(reverse("recruitment:settings"), values).status_code == 302
    assert RuleVersion.objects.order_by("-id").first().value("notice_workdays") == 7
    assert c.post(reverse("recruitment:settings"), {"form": "holiday", "date": "2026-10-01", "name": "国庆节"}).status_code == 302
    assert Holiday.objects.filter(date=D(2026, 10, 1)).exists()


def test_attachment_upload_and_scoped_download(client, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = new_file(users["branch"])
    c = _client(client, users["sec"])
    upload = SimpleUploadedFile("talk.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = c.post(
        reverse("recruitment:step_take", args=[f.pk, "talk"]),
        {
            "date": "2023-01-20",
            "talker": "王",
            "talker_role": "secretary",
            "summary": "谈话",
            "attachment": upload,
            "attachment_note": "谈话记录",
        },
    )
    assert r.status_code == 302
    a = f.attachments.get()
    assert a.step.code == "talk"
    url = reverse("recruitment:attachment_download", args=[f.pk, a.pk])
    assert c.get(url).status_code == 200
    assert _client(client, users["other"]).get(url).status_code == 404


def test_activists_page_fixed_queries(client, users):
    c = _client(client, users["admin"])
    before_step(new_file(users["branch"]), "activist_filed")
    with CaptureQueriesContext(connection) as small:
        c.get(reverse("recruitment:activists"))
    for _ in range(5):
        before_step(new_file(users["branch"]), "activist_filed")
    with CaptureQueriesContext(connection) as big:
        r = c.get(reverse("recruitment:activists"))
    assert 'id="activist-total">6<' in r.content.decode()
    assert len(big) == len(small)


def test_training_class_and_enrolment(client, users):
    from apps.education.models import ClassSession, TrainingClass
    from apps.recruitment.models import TrainingRecord

    f = before_step(new_file(users["branch"]), "activist_filed")
    c = _client(client, users["sec"])
    r = c.post(
        reverse("recruitment:training"),
        {
            "organisation": users["branch"].pk,
            "name": "2024年第一期",
            "start_date": "2024-04-01",
            "end_date": "2024-04-03",
            "days": 3,
            "hours": 24,
        },
    )
    assert r.status_code == 302
    # One class mechanism: the class is an education class of the kind 入党积极分子培训班,
    # its three days three sessions of 8 hours at branch level.
    tc = TrainingClass.objects.get()
    assert (tc.kind, tc.level, tc.title) == ("activist", "branch", "2024年第一期")
    assert list(ClassSession.objects.filter(training_class=tc).values_list("hours", flat=True)) == [8, 8, 8]
    assert _client(client, users["other"]).get(reverse("recruitment:training_enrol", args=[tc.pk])).status_code == 404
    other = _client(client, users["other"])
    assert other.post(reverse("recruitment:training_enrol", args=[tc.pk]), {"files": [f.pk]}).status_code == 404
    assert not TrainingRecord.objects.exists()
    c = _client(client, users["sec"])
    assert f.name in c.get(reverse("recruitment:training_enrol", args=[tc.pk])).content.decode()
    assert c.post(reverse("recruitment:training_enrol", args=[tc.pk]), {"files": [f.pk]}).status_code == 302
    record = TrainingRecord.objects.get(file=f)
    assert record.training_class == tc and (record.days, record.hours) == (0, 0)
    page = c.get(reverse("recruitment:training")).content.decode()
    assert "入党积极分子培训班" in page and "3天/24" in page
    # education's class page counts the development files and links back to the enrolment page
    detail = c.get(reverse("education:class_detail", args=[tc.pk])).content.decode()
    assert "入党积极分子、发展对象：1人" in detail and reverse("recruitment:training_enrol", args=[tc.pk]) in detail


def test_monthly_and_plans_pages_fixed_queries(client, users, tree):
    from apps.recruitment import services

    c = _client(client, users["admin"])
    services.save_plan({"organisation": tree["committees"][0], "kind": "annual", "start_year": 2024, "total": 5}, actor=system_actor("cli"))
    before_step(new_file(users["branch"]), "higher_talk")
    urls = [reverse("recruitment:monthly") + "?month=2024-06&view=circular", reverse("recruitment:plans")]
    with CaptureQueriesContext(connection) as small:
        for u in urls:
            assert c.get(u).status_code == 200
    services.save_plan({"organisation": tree["committees"][1], "kind": "annual", "start_year": 2024, "total": 5}, actor=system_actor("cli"))
    for _ in range(4):
        before_step(new_file(tree["branches"][1][0]), "higher_talk")
    with CaptureQueriesContext(connection) as big:
        for u in urls:
            assert c.get(u).status_code == 200
    assert len(big) == len(small)


def test_monthly_report_xlsx(client, users):
    import io

    from openpyxl import load_workbook

    r = _client(client, users["admin"]).get(reverse("recruitment:monthly") + "?month=2024-06&format=xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert ws.cell(1, 1).value == "单位" and ws.max_row >= 2
    # issue 12 item 23: a Chinese file name (not development-2024-06.xlsx)
    from urllib.parse import quote

    disposition = r["Content-Disposition"]
    assert "attachment" in disposition and quote("2024年6月发展党员月报告.xlsx") in disposition and "development" not in disposition


def test_other_branch_404_on_objections_circular_and_plans(client, users, tree):
    from apps.recruitment import services

    f = before_step(new_file(users["branch"]), "target")
    notice = f.notices.get()
    objection = services.add_objection(notice, received=D(2024, 3, 5), content="反映问题", actor=system_actor("cli"))
    services.save_plan({"organisation": users["branch"], "kind": "annual", "start_year": 2024, "total": 3}, actor=system_actor("cli"))
    c = _client(client, users["other"])
    assert c.get(reverse("recruitment:objection_new", args=[f.pk, notice.pk])).status_code == 404
    assert (
        c.post(
            reverse("recruitment:objection_resolve", args=[f.pk, objection.pk]), {"resolved": "2024-03-06", "resolution": "x"}
        ).status_code
        == 404
    )
    assert c.post(reverse("recruitment:publish_circular"), {"org": tree["committees"][0].pk, "month": "2024-06"}).status_code == 404
    page = c.get(reverse("recruitment:plans")).content.decode()
    assert users["branch"].name not in page
    page = c.get(reverse("recruitment:monthly") + f"?org={tree['committees'][0].pk}").content.decode()
    assert users["branch"].name not in page
    objection.refresh_from_db()
    assert objection.resolved is None


def test_objection_flow_in_the_web(client, users):
    f = before_step(new_file(users["branch"]), "target")
    notice = f.notices.get()
    c = _client(client, users["sec"])
    assert (
        c.post(reverse("recruitment:objection_new", args=[f.pk, notice.pk]), {"received": "2024-03-05", "content": "反映问题"}).status_code
        == 302
    )
    r = c.post(reverse("recruitment:step_take", args=[f.pk, "target"]), {"date": "2024-03-15", "decided_by": "committee"})
    assert "异议尚未核查处理完毕" in r.content.decode()
    o = notice.objections.get()
    assert (
        c.post(reverse("recruitment:objection_resolve", args=[f.pk, o.pk]), {"resolved": "2024-03-06", "resolution": "不属实"}).status_code
        == 302
    )
    assert (
        c.post(reverse("recruitment:step_take", args=[f.pk, "target"]), {"date": "2024-03-15", "decided_by": "committee"}).status_code
        == 302
    )


def test_todo_says_how_many_more_files_are_due(users, monkeypatch):
    """The to-do list lists the most urgent files and says how many more there are."""
    from apps.recruitment import selectors

    monkeypatch.setattr(selectors, "TODO_FILES", 1)
    new_file(users["branch"], name="钱某某")
    new_file(users["branch"], name="孙某某")
    items = [i for i in todo.items_for(users["sec"]) if i.kind == "发展步骤到期"]
    assert len(items) == 2
    summary = [i for i in items if i.title.startswith("另有")]
    assert len(summary) == 1 and "另有1份" in summary[0].title and summary[0].url == reverse("recruitment:file_list")


def test_todo_ready_steps_fixed_queries(users):
    """The files whose next step may be taken now: the rule version is read once, not once
    per file (the county administrator's home page read it 20 times)."""
    import datetime

    from django.utils import timezone

    from apps.recruitment import selectors

    def ready_queries():
        DevelopmentFile.objects.update(next_deadline=None)  # no deadline presses: "ready" files
        on = timezone.localdate()
        with CaptureQueriesContext(connection) as ctx:
            items = selectors._ready_items(users["sec"], on, on + datetime.timedelta(days=30))
        return len(ctx.captured_queries), len(items)

    new_file(users["branch"])
    ready_queries()  # first call: the rule version's first read
    small, n_small = ready_queries()
    for _ in range(4):
        new_file(users["branch"])
    big, n_big = ready_queries()
    assert n_big == n_small + 4 and big == small
