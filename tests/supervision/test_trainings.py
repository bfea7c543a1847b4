"""四训: sessions recorded by the organiser, the attendees' hours credited to their study
archive, the rules as data, scope, the list with its export."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.actors import system_actor
from apps.core.scoping import ScopeError
from apps.education.models import StudyEntry
from apps.members import services as member_services
from apps.orgs.committee import add_committee_seat
from apps.supervision import services
from apps.supervision.models import CadreTraining
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")


@pytest.fixture
def township(tree):
    return tree["committees"][0]


@pytest.fixture
def cadres(tree):
    """Secretaries of the township's two branches."""
    out = []
    for branch in tree["branches"][0]:
        m = make_member(branch)
        add_committee_seat(branch, m, "secretary", actor=CLI)
        out.append(m)
    return out


def _data(org, cadres, **kw):
    return {
        "organisation": org,
        "kind": "general",
        "occasion": "季训会",
        "date": datetime.date.today() - datetime.timedelta(days=3),
        "title": "发展党员工作规程",
        "hours": "3",
        "attendees": [m.pk for m in cadres],
        **kw,
    }


def test_record_credits_every_attendee(township, cadres):
    t = services.record_cadre_training(_data(township, cadres), actor=CLI)
    assert t.attendee_count == 2 and t.occasion == "季训会"
    entries = StudyEntry.objects.filter(source_type="supervision.cadretraining", source_id=t.pk)
    assert sorted(entries.values_list("member_id", flat=True)) == sorted(m.pk for m in cadres)
    assert {str(e.hours) for e in entries} == {"3.0"} and {e.form for e in entries} == {"collective_study"}
    rotation = services.record_cadre_training(
        _data(township, cadres[:1], kind="rotation", occasion="季训会", venue="县委党校", hours="16"), actor=CLI
    )
    assert rotation.occasion == ""  # only 普训 is held at a meeting
    assert StudyEntry.objects.get(source_id=rotation.pk, source_type="supervision.cadretraining").form == "concentrated"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"kind": "party"}, "kind", "例会培训、专训、轮训或普训"),
        ({"occasion": ""}, "occasion", "季训会、季谈会、月碰头会"),
        ({"date": datetime.date.today() + datetime.timedelta(days=1)}, "date", "不能晚于今天"),
        ({"title": " "}, "title", "培训内容"),
        ({"hours": "0"}, "hours", "0.5 至"),
        ({"hours": "abc"}, "hours", "数字"),
        ({"hours": "NaN"}, "hours", "数字"),
        ({"attendees": []}, "attendees", "请选择参训人员"),
    ],
)
def test_bad_input_names_the_rule_and_writes_nothing(township, cadres, change, field, words):
    with pytest.raises(ValidationError) as exc:
        services.record_cadre_training(_data(township, cadres, **change), actor=CLI)
    assert words in " ".join(exc.value.message_dict[field])
    assert not CadreTraining.objects.exists() and not StudyEntry.objects.exists()


def test_attendees_must_be_of_the_subtree_and_members(tree, township, cadres):
    stranger = make_member(tree["branches"][1][0])
    with pytest.raises(ValidationError) as exc:
        services.record_cadre_training(_data(township, [*cadres, stranger]), actor=CLI)
    assert str(stranger.pk) in exc.value.message_dict["attendees"][0]
    member_services.change_status(cadres[0], "deceased", date=datetime.date.today(), actor=CLI)
    with pytest.raises(ValidationError) as exc:
        services.record_cadre_training(_data(township, cadres), actor=CLI)
    assert "已不在党员队伍中" in exc.value.message_dict["attendees"][0]
    assert not CadreTraining.objects.exists() and not StudyEntry.objects.exists()


def test_scope(tree, township, cadres):
    other = make_user("branch_secretary", tree["branches"][1][0])
    leader = make_user("county_leader", tree["county"])
    for who in (other, leader):
        with pytest.raises(ScopeError):
            services.record_cadre_training(_data(township, cadres), actor=who)
    assert not CadreTraining.objects.exists()


def test_page_records_lists_exports_and_404(client, tree, township, cadres):
    organiser = make_user("committee_organiser", township)
    client.force_login(organiser)
    url = reverse("supervision:trainings")
    page = client.get(url).content.decode()
    assert cadres[0].name in page and "季训会" in page  # the cadres offered as attendees
    body = {
        "org": township.pk,
        "kind": "general",
        "occasion": "",
        "date": datetime.date.today().isoformat(),
        "title": "党费收缴",
        "hours": "2",
        "attendees": [cadres[0].pk],
    }
    r = client.post(url, body)
    assert r.status_code == 200 and "季训会、季谈会、月碰头会" in r.content.decode()  # the rule, shown
    r = client.post(url, {**body, "occasion": "月碰头会"})
    assert r.status_code == 302 and CadreTraining.objects.count() == 1
    page = client.get(url).content.decode()
    assert "党费收缴" in page
    export = client.post(reverse("excel:export_supervision_trainings") + f"?org={township.pk}")
    assert export.status_code == 200  # a small list: at once, through the list definition
    rows = list(load_workbook(io.BytesIO(export.content), read_only=True).active.iter_rows(values_only=True))
    assert any(row[4] == "党费收缴" and row[3] == "月碰头会" for row in rows)
    # another township's secretary: the organisation does not exist for them
    other = make_user("branch_secretary", tree["branches"][1][0])
    client.force_login(other)
    assert client.get(url, {"org": township.pk}).status_code == 404
    assert client.post(url, {**body, "occasion": "月碰头会"}).status_code == 404
    assert CadreTraining.objects.count() == 1


def test_list_fixed_queries_at_two_sizes(client, township, cadres, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    organiser = make_user("committee_organiser", township)
    client.force_login(organiser)
    services.record_cadre_training(_data(township, cadres), actor=CLI)
    url = reverse("supervision:trainings")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(15):
        services.record_cadre_training(_data(township, cadres, title=f"第{n}讲"), actor=CLI)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "第14讲" in client.get(url).content.decode()


def test_api_create_list_and_scope(client, tree, township, cadres):
    from tests.factories import api_token

    organiser = make_user("committee_organiser", township)
    other = make_user("branch_secretary", tree["branches"][1][0])
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(organiser)}"}
    body = {"organisation": township.pk, "kind": "rotation", "date": datetime.date.today().isoformat(), "title": "党校轮训"}
    r = client.post(
        "/api/supervision/trainings/", {**body, "hours": "0", "attendees": [cadres[0].pk]}, content_type="application/json", **auth
    )
    assert r.status_code == 400 and "0.5 至" in r.json()["hours"][0]
    r = client.post(
        "/api/supervision/trainings/", {**body, "hours": "8", "attendees": [m.pk for m in cadres]}, content_type="application/json", **auth
    )
    assert r.status_code == 201 and r.json()["attendee_count"] == 2
    assert StudyEntry.objects.filter(source_type="supervision.cadretraining").count() == 2
    listed = client.get("/api/supervision/trainings/", {"organisation": township.pk}, **auth).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["title"] for row in rows] == ["党校轮训"]
    other_auth = {"HTTP_AUTHORIZATION": f"Token {api_token(other)}"}
    r = client.post(
        "/api/supervision/trainings/", {**body, "hours": "8", "attendees": [cadres[0].pk]}, content_type="application/json", **other_auth
    )
    assert r.status_code == 404
    assert (
        client.get(f"/api/supervision/trainings/{r.json().get('id', 0) or CadreTraining.objects.get().pk}/", **other_auth).status_code
        == 404
    )


# ── per township: the report, its export, the statistics figure, the demo ─────────────
@pytest.fixture
def two_townships(tree, township, cadres):
    """Township 1: a 例会培训 and a 普训 (2 cadres each); township 2: one 轮训 of one cadre."""
    other_cadre = make_member(tree["branches"][1][0])
    add_committee_seat(tree["branches"][1][0], other_cadre, "secretary", actor=CLI)
    services.record_cadre_training(_data(township, cadres, kind="regular", occasion="", hours="2"), actor=CLI)
    services.record_cadre_training(_data(township, cadres), actor=CLI)  # 普训, 3 hours
    services.record_cadre_training(
        _data(tree["committees"][1], [other_cadre], kind="rotation", occasion="", hours="24", venue="县委党校"), actor=CLI
    )
    return tree["committees"]


def test_per_township_figures_and_shortfalls(tree, two_townships):
    from apps.supervision import selectors

    admin = make_user("county_admin", tree["county"])
    rows = selectors.training_units(admin, {"org": tree["county"].pk})
    assert [r["org"] for r in rows] == two_townships
    first, second = rows
    assert first["held"] == {"regular": 1, "special": 0, "rotation": 0, "general": 1}
    assert first["people"] == 4 and str(first["hours"]) == "10.0"  # 2×2 + 2×3 hours credited
    assert second["held"]["rotation"] == 1 and second["people"] == 1 and str(second["hours"]) == "24.0"
    # below the yearly expectation of an organiser (4 例会, 1 专训, 1 轮训, 4 普训)
    assert first["short"] == ["例会培训", "专训", "轮训", "普训"] and "轮训" not in second["short"]
    # a year without sessions: zeros
    assert all(r["total"] == 0 for r in selectors.training_units(admin, {"org": tree["county"].pk, "year": "2001"}))


def test_per_township_scope(tree, two_townships):
    """A township's organiser sees their branches' rows, never the other township's; asking
    for it is a 404 (the page's and the export's selector alike)."""
    from django.http import Http404

    from apps.supervision import selectors

    organiser = make_user("committee_organiser", two_townships[0])
    rows = selectors.training_units(organiser, {})
    assert {r["org"].pk for r in rows} <= {two_townships[0].pk, *(b.pk for b in tree["branches"][0])}
    assert rows[0]["own"] and rows[0]["people"] == 4  # sessions the township held itself: 本级
    with pytest.raises(Http404):
        selectors.training_units(organiser, {"org": two_townships[1].pk})


def test_page_and_export_of_the_per_township_table(client, tree, two_townships):
    client.force_login(make_user("county_admin", tree["county"]))
    page = client.get(reverse("supervision:trainings"), {"org": tree["county"].pk}).content.decode()
    assert "各单位开展情况" in page and two_townships[1].name in page
    assert reverse("education:entries") in page  # each session's attendances open its credited hours
    export = client.post(reverse("excel:export_supervision_training_units") + f"?org={tree['county'].pk}")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content), read_only=True).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "单位")
    assert header[2:6] == ("例会培训（次）", "专训（次）", "轮训（次）", "普训（次）")
    line = next(r for r in rows if r and r[0] == two_townships[1].name)
    assert line[4] == 1 and line[8] == 24.0
    # another township's secretary cannot export the county's table
    client.force_login(make_user("branch_secretary", tree["branches"][1][0]))
    assert client.post(reverse("excel:export_supervision_training_units") + f"?org={tree['county'].pk}").status_code == 404


def test_per_township_fixed_queries_at_two_sizes(tree, two_townships, cadres, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.supervision import selectors
    from tests.factories import make_org

    admin = make_user("county_admin", tree["county"])
    with CaptureQueriesContext(connection) as small:
        selectors.training_units(admin, {"org": tree["county"].pk})
    for n in range(3):
        t = make_org(tree["county"], org_type="committee", name=f"新增第{n}镇党委")
        m = make_member(make_org(t))
        services.record_cadre_training(_data(t, [m], kind="special", occasion=""), actor=CLI)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(selectors.training_units(admin, {"org": tree["county"].pk})) == 5


def test_statistics_section_counts_the_year_and_the_hours(tree, two_townships):
    from apps.stats.selectors import flat_rows, party_statistics
    from apps.supervision.dashboard import domain_charts

    stats = party_statistics(tree["county"], datetime.date.today())
    s = stats["supervision"]
    assert s["trainings"] == [
        {"label": "例会培训", "count": 1},
        {"label": "专训", "count": 0},
        {"label": "轮训", "count": 1},
        {"label": "普训", "count": 1},
    ]
    assert s["training_people"] == 5 and s["training_hours"] == 34.0
    # the statistics page, its export and the dashboard's charts: labelled rows, a 四训 chart
    year = datetime.date.today().year
    rows = {(r[0], r[1]): r[2] for r in flat_rows(stats) if r[0] == f"四训·{year}年"}  # the section's own rows
    assert rows[(f"四训·{year}年", "轮训（次）")] == 1
    assert rows[(f"四训·{year}年", "记入学时")] == 34.0 and rows[(f"四训·{year}年", "参训（人次）")] == 5
    assert not any(label.isascii() for _section, label in rows)  # no raw keys on the page
    charts = {c["title"]: c for c in domain_charts(stats)}
    assert charts[f"四训·{year}年"]["labels"][:4] == ["例会培训（次）", "专训（次）", "轮训（次）", "普训（次）"]
    # a township's statistics count its own subtree only
    assert party_statistics(two_townships[1], datetime.date.today())["supervision"]["training_people"] == 1


def test_demo_trainings_a_year_per_township_with_hours(tree, cadres):
    import random

    from django.utils import timezone

    from apps.supervision import demo

    today = timezone.localdate()
    quarters = (today.month - 1) // 3 + 1
    result = demo.populate_trainings(tree["county"], random.Random(3), today)
    township = tree["committees"][0]  # the one with cadres; the other has none and is left out
    held = dict(CadreTraining.objects.filter(organisation=township).values_list("kind").annotate(n=Count("id")))
    assert held == {"regular": quarters, "general": quarters, "special": 1, "rotation": 1}
    assert result["trainings"] == 2 * quarters + 2
    assert set(CadreTraining.objects.filter(kind="general").values_list("occasion", flat=True)) <= {"季训会", "季谈会", "月碰头会"}
    assert StudyEntry.objects.filter(source_type="supervision.cadretraining").count() == sum(
        CadreTraining.objects.values_list("attendee_count", flat=True)
    )
    assert demo.populate_trainings(tree["county"], random.Random(3), today) == {"skipped": True}
