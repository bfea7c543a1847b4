"""监督管理 (issue 16): 重大事项报告 answered by the branch, 谈心谈话 with the pair, topics
and follow-up, 听取群众意见 verified with the outcome; bad input refused in Chinese with
nothing saved; scoped (another branch gets 404, a member sees their own), audited,
exported through the list definition, a fixed number of queries; the year's figures
reach the appraisal committee through registry.member_facts."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.appraisal import selectors, services
from apps.appraisal.models import SupervisionRecord
from apps.core.models import AccessLog, ChangeLog
from tests.appraisal.conftest import SYS
from tests.factories import make_member, make_user

TODAY = datetime.date.today()


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def member(branch):
    return make_member(branch)


def _report(member, actor=SYS, **kw):
    data = {"kind": "major_report", "matter": "abroad", "on": TODAY, "content": "拟于下月因私赴新加坡探亲", **kw}
    return services.record_supervision(member, data, actor=actor)


def test_a_report_is_answered_and_closed(member, secretary):
    r = _report(member, secretary)
    assert r.status == "open" and r.matter_label == "因私出国（境）"
    with pytest.raises(ValidationError) as exc:
        services.conclude_supervision(r, {"follow_up": ""}, actor=secretary)
    assert "答复" in exc.value.message_dict["follow_up"][0]
    r = services.conclude_supervision(r, {"follow_up": "已阅知，提醒遵守出国（境）纪律", "closed_on": TODAY}, actor=secretary)
    assert r.status == "closed" and r.closed_on == TODAY
    with pytest.raises(ValidationError) as exc:
        services.conclude_supervision(r, {"follow_up": "再次"}, actor=secretary)
    assert "已于" in exc.value.message_dict["status"][0]
    assert ChangeLog.objects.filter(object_type__endswith="supervisionrecord", object_id=str(r.pk)).count() == 2


def test_a_talk_needs_two_people_and_is_closed_when_recorded(branch, member, secretary):
    talker = make_member(branch)
    data = {"kind": "heart_to_heart_talk", "on": TODAY, "content": "谈工作打算和家庭困难", "follow_up": "协调解决子女入学"}
    with pytest.raises(ValidationError) as exc:
        services.record_supervision(member, data, actor=secretary)
    assert "谈话双方" in exc.value.message_dict["counterpart"][0]
    with pytest.raises(ValidationError) as exc:
        services.record_supervision(member, {**data, "counterpart": member}, actor=secretary)
    assert "同一名党员" in exc.value.message_dict["counterpart"][0]
    r = services.record_supervision(member, {**data, "counterpart": talker}, actor=secretary)
    assert r.status == "closed" and r.counterpart == talker and r.matter == ""
    assert SupervisionRecord.objects.count() == 1


def test_an_opinion_is_verified_before_it_is_closed(member, secretary):
    data = {"kind": "public_opinion", "matter": "forum", "on": TODAY, "content": "群众反映该党员长期不参加村里公益活动"}
    r = services.record_supervision(member, data, actor=secretary)
    with pytest.raises(ValidationError) as exc:
        services.conclude_supervision(r, {"follow_up": "已谈话"}, actor=secretary)
    assert "核实结果" in exc.value.message_dict["verification"][0]
    with pytest.raises(ValidationError) as exc:
        services.conclude_supervision(r, {"verification": "true"}, actor=secretary)
    assert "处理结果" in exc.value.message_dict["follow_up"][0]
    with pytest.raises(ValidationError) as exc:
        services.conclude_supervision(r, {"verification": "untrue", "closed_on": TODAY - datetime.timedelta(days=3)}, actor=secretary)
    assert "不能早于" in exc.value.message_dict["closed_on"][0]
    assert SupervisionRecord.objects.get(pk=r.pk).status == "open"
    r = services.conclude_supervision(r, {"verification": "true", "follow_up": "支部书记谈话提醒"}, actor=secretary)
    assert r.get_verification_display() == "属实"
    facts = selectors.member_facts([member.pk], TODAY.year)[member.pk]
    assert ("群众意见", "核实属实1件", False) in facts


@pytest.mark.parametrize(
    "overrides,field,words",
    [
        ({"kind": "gossip"}, "kind", "类别须为"),
        ({"matter": "holiday"}, "matter", "请选择事项类别"),
        ({"content": "  "}, "content", "报告的事项"),
        ({"on": TODAY + datetime.timedelta(days=1)}, "on", "不能晚于今天"),
        ({"kind": "public_opinion", "matter": "abroad"}, "matter", "请选择意见来源"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(member, secretary, overrides, field, words):
    with pytest.raises(ValidationError) as exc:
        _report(member, secretary, **overrides)
    assert words in exc.value.message_dict[field][0]
    assert not SupervisionRecord.objects.exists()


def test_web_flow_and_scope(client, branch, member, secretary, outsider):
    client.force_login(secretary)
    r = client.post(
        reverse("appraisal:supervision_new"),
        {"kind": "major_report", "member": member.pk, "matter": "business", "on": TODAY.isoformat(), "content": "配偶开办农家乐"},
    )
    assert r.status_code == 302, r.content.decode()[-1500:]
    rec = SupervisionRecord.objects.get()
    r = client.post(
        reverse("appraisal:supervision_conclude", args=[rec.pk]), {"follow_up": "", "closed_on": TODAY.isoformat()}, follow=True
    )
    assert "请填写党组织对所报告事项的答复" in r.content.decode()
    client.post(reverse("appraisal:supervision_conclude", args=[rec.pk]), {"follow_up": "已阅知", "closed_on": TODAY.isoformat()})
    assert SupervisionRecord.objects.get(pk=rec.pk).status == "closed"
    listing = client.get(reverse("appraisal:supervision")).content.decode()
    assert member.name in listing and "配偶开办农家乐" in listing
    # bad input on the form shows the rule
    r = client.post(
        reverse("appraisal:supervision_new"),
        {"kind": "heart_to_heart_talk", "member": member.pk, "on": TODAY.isoformat(), "content": "谈心"},
    )
    assert r.status_code == 200 and "谈话双方" in r.content.decode()
    # another branch: 404 and nothing changes
    other = client.__class__()
    other.force_login(outsider)
    assert other.get(reverse("appraisal:supervision_record", args=[rec.pk])).status_code == 404
    assert other.post(reverse("appraisal:supervision_conclude", args=[rec.pk]), {"follow_up": "x"}).status_code == 404
    assert member.name not in other.get(reverse("appraisal:supervision")).content.decode()
    assert SupervisionRecord.objects.count() == 1


def test_api(branch, member, secretary, outsider, other_branch):
    c = api(secretary)
    talker = make_member(branch)
    body = {"kind": "heart_to_heart_talk", "member": member.pk, "counterpart": talker.pk, "on": TODAY.isoformat(), "content": "谈学习"}
    r = c.post("/api/appraisal/supervision/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["counterpart_name"] == talker.name and r.json()["status"] == "closed"
    r = c.post("/api/appraisal/supervision/", {**body, "kind": "public_opinion", "matter": "visit", "counterpart": None}, format="json")
    pk = r.json()["id"]
    r = c.post(f"/api/appraisal/supervision/{pk}/conclude/", {"verification": "partly"}, format="json")
    assert r.status_code == 400 and "处理结果" in str(r.json())
    r = c.post(f"/api/appraisal/supervision/{pk}/conclude/", {"verification": "partly", "follow_up": "批评教育"}, format="json")
    assert r.status_code == 200 and r.json()["verification"] == "partly"
    stranger = make_member(other_branch)
    assert c.post("/api/appraisal/supervision/", {**body, "member": stranger.pk}, format="json").status_code == 404
    assert api(outsider).get(f"/api/appraisal/supervision/{pk}/").status_code == 404
    assert api(outsider).post(f"/api/appraisal/supervision/{pk}/conclude/", {"follow_up": "x"}, format="json").status_code == 404
    assert [x["kind"] for x in c.get("/api/appraisal/supervision/?kind=public_opinion").json()["results"]] == ["public_opinion"]
    assert SupervisionRecord.objects.count() == 2


def test_a_member_sees_their_own_records(client, branch, member):
    _report(member)
    _report(make_member(branch), content="他人的报告")
    user = make_user("member", branch, member=member)
    rows = list(selectors.supervision_list(user))
    assert [r.member_id for r in rows] == [member.pk]


def test_export(client, member, secretary):
    _report(member)
    client.force_login(secretary)
    r = client.post(reverse("excel:export_appraisal_supervision"))
    data = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert rows[0][:3] == ("日期", "类别", "党员") and rows[1][2] == member.name and rows[1][5] == "因私出国（境）"
    assert AccessLog.objects.filter(kind="export").exists()


def test_list_queries_do_not_grow_with_rows(client, tree):
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    branches = [b for row in tree["branches"] for b in row]
    counts = {}
    made = 0
    for n in (2, 24):
        while made < n:
            b = branches[made % len(branches)]
            data = {"kind": "heart_to_heart_talk", "on": TODAY, "content": "谈心", "counterpart": make_member(b)}
            services.record_supervision(make_member(b), data, actor=SYS)
            made += 1
        for name, url in (("web", reverse("appraisal:supervision")), ("api", "/api/appraisal/supervision/")):
            c = client if name == "web" else api(admin)
            c.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            counts.setdefault(name, []).append(len(ctx.captured_queries))
    assert counts["web"][0] == counts["web"][1] and counts["api"][0] == counts["api"][1], counts


def test_open_records_are_on_the_to_do_list_with_the_answer_due(member, secretary, outsider):
    old = _report(member, on=TODAY - datetime.timedelta(days=40))
    _report(member, kind="public_opinion", matter="visit", content="反映不交党费")
    items = [i for i in selectors.todo_items(secretary) if i.module == "监督管理"]
    assert len(items) == 2
    late = next(i for i in items if i.url.endswith(f"/{old.pk}/"))
    assert late.overdue and "待答复" in late.title and late.due == old.on + datetime.timedelta(days=30)
    assert any("待核实" in i.title and not i.overdue for i in items)
    services.conclude_supervision(old, {"follow_up": "已阅知"}, actor=secretary)
    assert len([i for i in selectors.todo_items(secretary) if i.module == "监督管理"]) == 1
    assert not [i for i in selectors.todo_items(outsider) if i.module == "监督管理"]
