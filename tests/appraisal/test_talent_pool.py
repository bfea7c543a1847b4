"""三培养 talent pool (issue 16): entries on the three tracks with stage, mentor and start
date, the history of stage changes (who, when, before, after), closing with an outcome;
bad input refused in Chinese with nothing saved (one open entry per member and track is a
database constraint); scoped (another branch gets 404, a member sees their own); the web
pages, the API, the Excel export through the list definition; a fixed number of queries;
`talent_pool_for` and the member facts that cadre selection reads."""

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
from apps.appraisal.models import TalentEntry, TalentStageChange
from apps.core import registry
from apps.core.models import AccessLog, ChangeLog
from tests.appraisal.conftest import SYS
from tests.factories import make_member, make_user
from tests.uniqueness_helpers import skip_check

TODAY = datetime.date.today()
START = TODAY - datetime.timedelta(days=200)
pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def member(branch):
    return make_member(branch)


@pytest.fixture
def mentor(branch):
    return make_member(branch)


def add(person, guide, actor=SYS, **kw):
    data = {"track": "backbone_to_cadre", "member": person, "mentor": guide, "start_on": START, "plan": "跟班学习村务", **kw}
    return services.add_talent(data, actor=actor)


def test_an_entry_moves_through_its_stages_with_history_and_closes(member, mentor, secretary):
    e = add(member, mentor, secretary)
    assert (e.stage, e.stage_label, e.name, e.organisation_id) == ("selected", "列入村级后备干部", member.name, member.organisation_id)
    e = services.change_talent_stage(e, "training", on=START + datetime.timedelta(days=30), note="到村委会跟班", actor=secretary)
    e = services.change_talent_stage(e, "assessed", on=START + datetime.timedelta(days=90), actor=secretary)
    history = [(c.before, c.after, c.changed_by) for c in selectors.talent_history(e)]
    assert history == [
        ("", "selected", secretary.username),
        ("selected", "training", secretary.username),
        ("training", "assessed", secretary.username),
    ]
    e = services.close_talent(e, "achieved", on=TODAY, actor=secretary)
    assert e.status == "closed" and e.outcome_label == "已进入村“两委”班子"
    with pytest.raises(ValidationError) as exc:
        services.change_talent_stage(e, "training", on=TODAY, actor=secretary)
    assert "已于" in exc.value.message_dict["status"][0]
    assert ChangeLog.objects.filter(object_type__endswith="talententry", object_id=str(e.pk)).count() == 4
    # closed: the same member may be entered again on the track
    assert add(member, mentor, start_on=TODAY).status == "open"


def test_a_non_member_backbone_is_entered_by_name_on_the_branch(branch, mentor, secretary):
    data = {
        "track": "backbone_to_member",
        "organisation": branch,
        "name": "李致富",
        "strengths": "养殖大户",
        "mentor": mentor,
        "start_on": START,
    }
    e = services.add_talent(data, actor=secretary)
    assert e.member_id is None and e.name == "李致富" and e.stage == "selected"
    e = services.change_talent_stage(e, "applied", on=TODAY, actor=secretary)
    assert e.stage_label == "已递交入党申请"


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"track": "nonsense"}, "track", "培养方向须为"),
        ({"member": None}, "member", "培养对象须为党员"),
        ({"mentor": None}, "mentor", "请选择培养联系人"),
        ({"start_on": TODAY + datetime.timedelta(days=1)}, "start_on", "不能晚于今天"),
        ({"start_on": None}, "start_on", "请填写列入日期"),
        ({"track": "backbone_to_member", "name": ""}, "member", "不选择党员"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(member, mentor, secretary, overrides, field, words):
    with pytest.raises(ValidationError) as exc:
        add(member, mentor, secretary, **overrides)
    assert words in exc.value.message_dict[field][0]
    assert not TalentEntry.objects.exists() and not TalentStageChange.objects.exists()


def test_mentor_rules(branch, member, mentor, secretary):
    with pytest.raises(ValidationError) as exc:
        add(member, member, secretary)
    assert "不能是培养对象本人" in exc.value.message_dict["mentor"][0]
    prob = make_member(branch, member_type="probationary", conversion_date=None)
    with pytest.raises(ValidationError) as exc:
        add(member, prob, secretary)
    assert "正式党员" in exc.value.message_dict["mentor"][0]
    for _ in range(3):
        add(make_member(branch), mentor, secretary)
    with pytest.raises(ValidationError) as exc:
        add(member, mentor, secretary)
    assert "不超过3人" in exc.value.message_dict["mentor"][0]
    assert TalentEntry.objects.count() == 3


def test_stage_and_close_bad_paths(member, mentor, secretary):
    e = add(member, mentor, secretary)
    for stage, on, field, words in (
        ("activist", TODAY, "stage", "培养阶段为"),
        ("selected", TODAY, "stage", "已处于"),
        ("training", START - datetime.timedelta(days=1), "on", "不能早于"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.change_talent_stage(e, stage, on=on, actor=secretary)
        assert words in exc.value.message_dict[field][0]
    with pytest.raises(ValidationError) as exc:
        services.close_talent(e, "stopped", on=TODAY, actor=secretary)
    assert "须写明原因" in exc.value.message_dict["note"][0]
    with pytest.raises(ValidationError) as exc:
        services.update_talent(e, {"stage": "assessed"}, actor=secretary)
    assert "调整培养阶段" in exc.value.message_dict["stage"][0]
    e.refresh_from_db()
    assert (e.stage, e.status) == ("selected", "open") and TalentStageChange.objects.count() == 1


def test_one_open_entry_per_member_and_track_even_when_the_check_is_skipped(monkeypatch, member, mentor, branch):
    add(member, mentor)
    with pytest.raises(ValidationError) as exc:
        add(member, make_member(branch))
    assert "已在此培养方向的人才库中" in exc.value.message_dict["member"][0]
    assert add(member, make_member(branch), track="member_to_backbone").track == "member_to_backbone"  # another track: fine
    skip_check(monkeypatch, TalentEntry)  # the database constraint alone: the same message
    with pytest.raises(ValidationError) as exc:
        add(member, make_member(branch))
    assert "已在此培养方向的人才库中" in exc.value.message_dict["member"][0]
    assert TalentEntry.objects.filter(track="backbone_to_cadre").count() == 1


def test_web_flow_and_scope(client, branch, member, mentor, secretary, outsider):
    client.force_login(secretary)
    body = {"track": "backbone_to_cadre", "member": member.pk, "mentor": mentor.pk, "start_on": START.isoformat(), "plan": "挂职"}
    r = client.post(reverse("appraisal:talent_new"), body)
    assert r.status_code == 302, r.content.decode()[-1500:]
    e = TalentEntry.objects.get()
    page = client.get(reverse("appraisal:talent", args=[e.pk])).content.decode()
    assert "列入村级后备干部" in page and mentor.name in page
    r = client.post(reverse("appraisal:talent_stage", args=[e.pk]), {"stage": "training", "on": TODAY.isoformat(), "note": "跟班"})
    assert r.status_code == 302 and TalentEntry.objects.get().stage == "training"
    other_mentor = make_member(branch)
    r = client.post(
        reverse("appraisal:talent_edit", args=[e.pk]), {"mentor": other_mentor.pk, "plan": "挂职村主任助理", "strengths": "电商"}
    )
    assert r.status_code == 302 and TalentEntry.objects.get().mentor_id == other_mentor.pk
    r = client.post(reverse("appraisal:talent_close", args=[e.pk]), {"outcome": "stopped", "on": TODAY.isoformat()}, follow=True)
    assert "须写明原因" in r.content.decode() and TalentEntry.objects.get().status == "open"
    listing = client.get(reverse("appraisal:talents")).content.decode()
    assert member.name in listing and "跟班学习、挂职锻炼" in listing
    # the same member twice on the track: the form shows the rule
    r = client.post(reverse("appraisal:talent_new"), body)
    assert r.status_code == 200 and "已在此培养方向的人才库中" in r.content.decode()
    # another branch: 404 everywhere, nothing changes
    other = client.__class__()
    other.force_login(outsider)
    for name in ("talent", "talent_edit"):
        assert other.get(reverse(f"appraisal:{name}", args=[e.pk])).status_code == 404
    assert other.post(reverse("appraisal:talent_stage", args=[e.pk]), {"stage": "assessed", "on": TODAY.isoformat()}).status_code == 404
    assert other.post(reverse("appraisal:talent_close", args=[e.pk]), {"outcome": "left", "on": TODAY.isoformat()}).status_code == 404
    assert other.post(reverse("appraisal:talent_edit", args=[e.pk]), {"mentor": mentor.pk}).status_code == 404
    assert member.name not in other.get(reverse("appraisal:talents")).content.decode()
    e.refresh_from_db()
    assert (e.stage, e.status, e.mentor_id) == ("training", "open", other_mentor.pk)


def test_api(branch, member, mentor, secretary, outsider, other_branch):
    c = api(secretary)
    body = {"track": "backbone_to_cadre", "member": member.pk, "mentor": mentor.pk, "start_on": START.isoformat()}
    r = c.post("/api/appraisal/talents/", body, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["stage_changes"][0]["after_label"] == "列入村级后备干部"
    r = c.post(f"/api/appraisal/talents/{pk}/stage/", {"stage": "nonsense", "on": TODAY.isoformat()}, format="json")
    assert r.status_code == 400 and "培养阶段为" in str(r.json())
    r = c.post(f"/api/appraisal/talents/{pk}/stage/", {"stage": "training", "on": TODAY.isoformat()}, format="json")
    assert r.status_code == 200 and r.json()["stage"] == "training" and len(r.json()["stage_changes"]) == 2
    r = c.patch(f"/api/appraisal/talents/{pk}/", {"plan": "挂职锻炼一年"}, format="json")
    assert r.status_code == 200 and r.json()["plan"] == "挂职锻炼一年"
    r = c.patch(f"/api/appraisal/talents/{pk}/", {"stage": "assessed"}, format="json")
    assert r.status_code == 400
    r = c.post(f"/api/appraisal/talents/{pk}/close/", {"outcome": "left", "on": TODAY.isoformat(), "note": "调县城工作"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    stranger = make_member(other_branch)
    assert c.post("/api/appraisal/talents/", {**body, "member": stranger.pk}, format="json").status_code == 404
    assert api(outsider).get(f"/api/appraisal/talents/{pk}/").status_code == 404
    assert api(outsider).patch(f"/api/appraisal/talents/{pk}/", {"plan": "x"}, format="json").status_code == 404
    assert (
        api(outsider).post(f"/api/appraisal/talents/{pk}/stage/", {"stage": "assessed", "on": TODAY.isoformat()}, format="json").status_code
        == 404
    )
    assert c.get("/api/appraisal/talents/?status=all").json()["count"] == 1
    assert TalentEntry.objects.get().plan == "挂职锻炼一年"


def test_a_member_sees_their_own_entries(branch, member, mentor):
    add(member, mentor)
    add(make_member(branch), mentor)
    user = make_user("member", branch, member=member)
    assert [e.member_id for e in selectors.talent_list(user)] == [member.pk]


def test_export(client, member, mentor, secretary):
    add(member, mentor)
    client.force_login(secretary)
    r = client.post(reverse("excel:export_appraisal_talents"))
    data = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert rows[0][:4] == ("姓名", "培养方向", "培养阶段", "培养联系人")
    assert rows[1][:4] == (member.name, "把党员骨干培养成村干部", "列入村级后备干部", mentor.name)
    assert AccessLog.objects.filter(kind="export").exists()


def test_list_queries_do_not_grow_with_rows(client, tree):
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    branches = [b for row in tree["branches"] for b in row]
    counts = {}
    made = 0
    for n in (2, 20):
        while made < n:
            b = branches[made % len(branches)]
            add(make_member(b), make_member(b))
            made += 1
        for name, url in (("web", reverse("appraisal:talents")), ("api", "/api/appraisal/talents/")):
            c = client if name == "web" else api(admin)
            c.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            counts.setdefault(name, []).append(len(ctx.captured_queries))
    assert counts["web"][0] == counts["web"][1] and counts["api"][0] == counts["api"][1], counts


def test_talent_pool_for_and_the_facts_cadre_selection_reads(tree, branch, other_branch, member, mentor, secretary, outsider):
    e = add(member, mentor)
    add(make_member(branch), mentor, track="member_to_backbone")
    there = make_member(other_branch)
    add(there, make_member(other_branch))
    assert {x.member_id for x in selectors.talent_pool_for(secretary, track="cadre")} == {e.member_id}
    assert {x.member_id for x in selectors.talent_pool_for(outsider, track="cadre")} == {there.pk}
    assert selectors.talent_pool_for(secretary, member_ids=[member.pk]).get() == e
    assert not selectors.talent_pool_for(secretary, track="cadre", as_of=START - datetime.timedelta(days=1)).exists()
    admin = make_user("county_admin", tree["county"])
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.talent_pool_for(admin, track="cadre"))
    assert len(rows) == 2 and len(ctx.captured_queries) <= 2
    facts = registry.member_facts.get("appraisal_talent").facts([member.pk, there.pk], TODAY.year)
    assert facts[member.pk] == [("三培养", f"把党员骨干培养成村干部·列入村级后备干部（培养联系人{mentor.name}）", None)]
    services.close_talent(e, "left", on=TODAY, actor=SYS)
    assert member.pk not in registry.member_facts.get("appraisal_talent").facts([member.pk], TODAY.year)
    assert not selectors.talent_pool_for(secretary, track="cadre").exists()
