"""设岗定责 / 党员示范岗 / 党员责任区 / 党员中心户: posts as data (rules.POST_KINDS,
POST_TYPE_CHOICES), members assigned with duties, 评岗 twice a year; web, API and Excel
export through the one list definition; bad input refused in Chinese with nothing saved;
other branches get 404; the list runs a fixed number of queries; the 评岗 grade reaches
the appraisal committee through registry.member_facts."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.appraisal import rules, selectors, services
from apps.appraisal.models import MemberPost, PostAssignment, PostReview
from apps.core.models import ChangeLog
from apps.members import services as member_services
from tests.appraisal.conftest import SYS
from tests.factories import make_member, make_user

TODAY = datetime.date.today()
LAST_YEAR = TODAY.year - 1
HALF = 2 if TODAY.month > 6 else 1  # the half-year we are in


def _data(**kw):
    return {
        "kind": "post",
        "post_type": "security",
        "duties": "协助村两委开展治安巡逻，调处邻里纠纷",
        "set_up_on": TODAY.replace(month=1, day=1),
        **kw,
    }


@pytest.fixture
def post(branch):
    return services.create_post(branch, _data(set_up_on=datetime.date(LAST_YEAR, 1, 2)), actor=SYS)


@pytest.fixture
def holder(branch, post):
    m = make_member(branch)
    services.assign_member(post, m, duties="每周巡逻两次", start_on=datetime.date(LAST_YEAR, 1, 5), actor=SYS)
    return m


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


# ── services: the rules as data ───────────────────────────────────────────────────────
def test_a_post_takes_its_type_name_and_is_audited(branch, secretary):
    p = services.create_post(branch, _data(), actor=secretary)
    assert p.title == "治安维稳岗" and p.kind_rule.label == "设岗定责"
    assert ChangeLog.objects.filter(object_type__endswith="memberpost", object_id=str(p.pk), action=ChangeLog.Action.CREATE).exists()


@pytest.mark.parametrize(
    "overrides,field,words",
    [
        ({"kind": "duty"}, "kind", "类别须为"),
        ({"post_type": ""}, "post_type", "须选择岗位类型"),
        ({"duties": " "}, "duties", "岗位职责"),
        ({"kind": "area", "title": "一组责任区", "coverage": ""}, "coverage", "党员责任区须写明覆盖的区域"),
        ({"kind": "household", "title": "中心户", "coverage": "二组", "households": 50}, "households", "3至30户"),
        ({"kind": "household", "title": "中心户", "coverage": "二组"}, "households", "联系的户数"),
        ({"set_up_on": TODAY + datetime.timedelta(days=1)}, "set_up_on", "不能晚于今天"),
    ],
)
def test_bad_posts_are_refused_and_nothing_is_saved(branch, secretary, overrides, field, words):
    with pytest.raises(ValidationError) as exc:
        services.create_post(branch, _data(**overrides), actor=secretary)
    assert words in exc.value.message_dict[field][0]
    assert not MemberPost.objects.exists()


def test_posts_belong_to_branches_and_titles_are_unique(committee, branch, secretary, post):
    with pytest.raises(ValidationError) as exc:
        services.create_post(committee, _data(), actor=SYS)
    assert "党支部" in exc.value.message_dict["organisation"][0]
    with pytest.raises(ValidationError) as exc:
        services.create_post(branch, _data(), actor=secretary)
    assert "同名" in exc.value.message_dict["title"][0]
    assert MemberPost.objects.count() == 1


def test_assignment_rules(branch, other_branch, post, holder, secretary):
    # a member of another branch, a suspended member, the same member twice
    outsider = make_member(other_branch)
    for m, words in ((outsider, "不是"), (holder, "已在这个岗位上")):
        with pytest.raises(ValidationError) as exc:
            services.assign_member(post, m, duties="巡逻", actor=SYS)
        assert words in exc.value.message_dict["member"][0]
    lost = make_member(branch)
    member_services.change_status(lost, "lost_contact", date=TODAY, lost_contact_reason="migrant_work", reason="失联", actor=SYS)
    with pytest.raises(ValidationError) as exc:
        services.assign_member(post, lost, duties="巡逻", actor=SYS)
    assert "失联" in exc.value.message_dict["member"][0]
    # at most MAX_POSTS_PER_MEMBER posts at a time
    for i in range(rules.MAX_POSTS_PER_MEMBER - 1):
        other = services.create_post(branch, _data(post_type="policy", title=f"政策宣传岗{i}"), actor=SYS)
        services.assign_member(other, holder, duties="宣讲", actor=SYS)
    extra = services.create_post(branch, _data(post_type="assistance"), actor=SYS)
    with pytest.raises(ValidationError) as exc:
        services.assign_member(extra, holder, duties="帮扶", actor=SYS)
    assert f"至多{rules.MAX_POSTS_PER_MEMBER}个" in exc.value.message_dict["member"][0]
    assert not extra.assignments.exists()


def test_a_central_household_has_one_holder(branch):
    p = services.create_post(branch, _data(kind="household", title="张家中心户", coverage="三组10户", households=10), actor=SYS)
    services.assign_member(p, make_member(branch), duties="联系10户群众", actor=SYS)
    with pytest.raises(ValidationError) as exc:
        services.assign_member(p, make_member(branch), duties="联系10户群众", actor=SYS)
    assert "同时由1名党员承担" in exc.value.message_dict["member"][0]


def test_review_rules(post, holder, secretary):
    a = PostAssignment.objects.get(post=post, member=holder)
    good = {"year": LAST_YEAR, "half": 2, "grade": "competent", "fulfilment": "按时巡逻", "reviewed_on": datetime.date(LAST_YEAR, 12, 28)}
    r = services.review_post(a, good, actor=secretary)
    assert r.get_grade_display() == "称职"
    for bad, field, words in (
        ({**good}, "half", "每期评岗一次"),
        ({**good, "half": 3}, "half", "上半年或下半年"),
        ({**good, "grade": "excellent!"}, "grade", "评岗等次须为"),
        ({**good, "half": 1, "reviewed_on": datetime.date(LAST_YEAR - 1, 12, 1)}, "reviewed_on", "不能早于"),
        ({**good, "year": LAST_YEAR - 1, "reviewed_on": datetime.date(LAST_YEAR, 1, 3)}, "half", "尚未在岗"),
        ({**good, "half": 1, "fulfilment": ""}, "fulfilment", "履职情况"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.review_post(a, bad, actor=secretary)
        assert words in exc.value.message_dict[field][0], (bad, exc.value.message_dict)
    assert PostReview.objects.count() == 1


def test_ending_a_post_ends_its_assignments(post, holder):
    with pytest.raises(ValidationError):
        services.end_post(post, on=datetime.date(LAST_YEAR - 1, 1, 1), actor=SYS)
    services.end_post(post, on=TODAY, actor=SYS)
    assert PostAssignment.objects.get(post=post).end_on == TODAY
    with pytest.raises(ValidationError) as exc:
        services.assign_member(post, make_member(post.organisation), duties="x", actor=SYS)
    assert "已于" in exc.value.message_dict["post"][0]


def test_review_grade_reaches_the_appraisal_committee(post, holder):
    a = PostAssignment.objects.get(post=post, member=holder)
    services.review_post(
        a, {"year": LAST_YEAR, "half": 1, "grade": "incompetent", "fulfilment": "多次缺岗", "reviewed_on": TODAY}, actor=SYS
    )
    facts = selectors.member_facts([holder.pk], LAST_YEAR)[holder.pk]
    assert ("设岗定责", "治安维稳岗（评岗：不称职）", False) in facts


# ── web ───────────────────────────────────────────────────────────────────────────────
def test_the_web_flow(client, branch, secretary):
    client.force_login(secretary)
    r = client.post(
        reverse("appraisal:post_new"),
        {
            "organisation": branch.pk,
            "kind": "household",
            "title": "李家中心户",
            "duties": "联系农户，传达政策",
            "coverage": "二组",
            "households": "12",
            "set_up_on": TODAY.isoformat(),
        },
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    p = MemberPost.objects.get(title="李家中心户")
    m = make_member(branch)
    r = client.post(reverse("appraisal:post_assign", args=[p.pk]), {"member": m.pk, "duties": "联系12户", "start_on": TODAY.isoformat()})
    assert r.status_code == 302
    a = PostAssignment.objects.get(post=p)
    r = client.post(
        reverse("appraisal:post_review", args=[p.pk]),
        {
            "assignment": a.pk,
            "year": TODAY.year,
            "half": HALF,
            "grade": "excellent",
            "fulfilment": "走访到位",
            "reviewed_on": TODAY.isoformat(),
        },
    )
    assert r.status_code == 302
    assert PostReview.objects.get(assignment=a).grade == "excellent"
    page = client.get(reverse("appraisal:post", args=[p.pk])).content.decode()
    assert m.name in page and f"{TODAY.year}年{dict(rules.REVIEW_PERIODS)[HALF]}：优秀" in page
    # the same period again: refused with the rule, shown as a message
    r = client.post(
        reverse("appraisal:post_review", args=[p.pk]),
        {"assignment": a.pk, "year": TODAY.year, "half": HALF, "grade": "competent", "fulfilment": "x", "reviewed_on": TODAY.isoformat()},
        follow=True,
    )
    assert "每期评岗一次" in r.content.decode() and PostReview.objects.count() == 1
    listing = client.get(reverse("appraisal:posts")).content.decode()
    assert "李家中心户" in listing and m.name in listing and "12户" in listing
    client.post(reverse("appraisal:assignment_end", args=[a.pk]), {"on": TODAY.isoformat()})
    assert PostAssignment.objects.get(pk=a.pk).end_on == TODAY


def test_web_bad_input_shows_the_rule(client, branch, secretary):
    client.force_login(secretary)
    r = client.post(
        reverse("appraisal:post_new"),
        {"organisation": branch.pk, "kind": "area", "duties": "包片", "set_up_on": TODAY.isoformat(), "title": "一组责任区"},
    )
    assert r.status_code == 200 and "党员责任区须写明覆盖的区域" in r.content.decode()
    assert not MemberPost.objects.exists()


def test_other_branches_get_404_and_change_nothing(client, post, holder, outsider):
    client.force_login(outsider)
    a = PostAssignment.objects.get(post=post)
    assert client.get(reverse("appraisal:post", args=[post.pk])).status_code == 404
    for url, body in (
        (reverse("appraisal:post_assign", args=[post.pk]), {"member": holder.pk, "duties": "x"}),
        (reverse("appraisal:post_review", args=[post.pk]), {"assignment": a.pk, "year": LAST_YEAR, "half": 1}),
        (reverse("appraisal:post_end", args=[post.pk]), {"on": TODAY.isoformat()}),
        (reverse("appraisal:assignment_end", args=[a.pk]), {"on": TODAY.isoformat()}),
    ):
        assert client.post(url, body).status_code == 404, url
    assert holder.name not in client.get(reverse("appraisal:posts")).content.decode()
    assert api(outsider).get(f"/api/appraisal/posts/{post.pk}/").status_code == 404
    assert api(outsider).get("/api/appraisal/posts/").json()["results"] == []
    a.refresh_from_db()
    assert a.end_on is None and not PostReview.objects.exists() and MemberPost.objects.get(pk=post.pk).ended_on is None


def test_export_through_the_list_definition(client, post, holder, secretary):
    from apps.core.models import AccessLog

    client.force_login(secretary)
    r = client.post(reverse("excel:export_appraisal_posts"))
    assert r.status_code == 200
    data = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    header = list(rows[0])
    assert header[:5] == ["名称", "类别", "岗位类型", "党支部", "在岗党员"]
    assert rows[1][0] == "治安维稳岗" and rows[1][4] == holder.name
    assert AccessLog.objects.filter(kind="export").exists()


# ── API ───────────────────────────────────────────────────────────────────────────────
def test_api_create_assign_review(branch, secretary, other_branch):
    c = api(secretary)
    r = c.post(
        "/api/appraisal/posts/", {"organisation": branch.pk, "kind": "post", "post_type": "policy", "duties": "宣讲政策"}, format="json"
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    m = make_member(branch)
    r = c.post(f"/api/appraisal/posts/{pk}/assign/", {"member": m.pk, "duties": "每月宣讲一次"}, format="json")
    assert r.status_code == 201 and r.json()["member_name"] == m.name
    aid = r.json()["id"]
    body = {
        "assignment": aid,
        "year": TODAY.year,
        "half": HALF,
        "grade": "competent",
        "fulfilment": "按时宣讲",
        "reviewed_on": TODAY.isoformat(),
    }
    assert c.post(f"/api/appraisal/posts/{pk}/review/", body, format="json").status_code == 201
    r = c.post(f"/api/appraisal/posts/{pk}/review/", body, format="json")
    assert r.status_code == 400 and "每期评岗一次" in str(r.json())
    detail = c.get(f"/api/appraisal/posts/{pk}/").json()
    assert detail["holders"][0]["member_name"] == m.name and detail["assignments"][0]["reviews"][0]["grade"] == "competent"
    # bad input and another branch's ids
    r = c.post("/api/appraisal/posts/", {"organisation": branch.pk, "kind": "area", "title": "二组责任区", "duties": "包片"}, format="json")
    assert r.status_code == 400 and "覆盖的区域" in str(r.json())
    assert (
        c.post(
            "/api/appraisal/posts/", {"organisation": other_branch.pk, "kind": "post", "post_type": "policy", "duties": "x"}, format="json"
        ).status_code
        == 404
    )
    stranger = make_member(other_branch)
    assert c.post(f"/api/appraisal/posts/{pk}/assign/", {"member": stranger.pk, "duties": "x"}, format="json").status_code == 404
    assert MemberPost.objects.count() == 1 and PostAssignment.objects.count() == 1
    listing = c.get("/api/appraisal/posts/?kind=post").json()["results"]
    assert [p["id"] for p in listing] == [pk]
    assert c.get("/api/appraisal/posts/?kind=household").json()["results"] == []


# ── a fixed number of queries whatever the row count ─────────────────────────────────
def test_list_queries_do_not_grow_with_rows(client, tree):
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    branches = [b for row in tree["branches"] for b in row]
    counts = {}
    made = 0
    for n in (2, 24):
        while made < n:
            b = branches[made % len(branches)]
            p = services.create_post(b, _data(post_type="environment", title=f"环境卫生岗{made}"), actor=SYS)
            services.assign_member(p, make_member(b), duties="保洁", actor=SYS)
            made += 1
        for name, url in (("web", reverse("appraisal:posts")), ("api", "/api/appraisal/posts/")):
            c = client if name == "web" else api(admin)
            c.get(url)  # warm: the session / token lookups are not the list's
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            counts.setdefault(name, []).append(len(ctx.captured_queries))
    assert counts["web"][0] == counts["web"][1], counts
    assert counts["api"][0] == counts["api"][1], counts


# ── uniqueness held by the database ───────────────────────────────────────────────────
def test_a_concurrent_second_holding_gets_the_same_message(monkeypatch, post, holder):
    """The loser of a race sees no holding in the sequential check; the partial unique
    constraint refuses the insert with the same Chinese message, nothing is saved."""
    from tests.uniqueness_helpers import skip_check

    skip_check(monkeypatch, PostAssignment)
    with pytest.raises(ValidationError) as exc:
        services.assign_member(post, holder, duties="再次上岗", actor=SYS)
    assert exc.value.message_dict["member"] == ["该党员已在这个岗位上"]
    assert PostAssignment.objects.filter(post=post, member=holder).count() == 1
