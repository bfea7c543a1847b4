import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.core.scoping import OutOfScope, ScopeError
from apps.supervision import services
from apps.supervision.models import (
    ChecklistVersion,
    ContactAssignment,
    ContactVisit,
    Inspection,
    MonthlyReport,
    Rectification,
    SpotCheckRound,
)
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")


def _assign(leader, org, kind="model_village", year=None, actor=CLI):
    return services.assign_contact(
        {"leader": leader, "kind": kind, "organisation": org, "year": year or timezone.localdate().year}, actor=actor
    )


# ── contact duties ────────────────────────────────────────────────────────────────────
def test_assign_and_visit(leader, village, admin, secretary, tree, today):
    a = _assign(leader, village, actor=admin)
    assert (
        a.org_path == village.path and ChangeLog.objects.filter(object_type="supervision.contactassignment", object_id=str(a.pk)).exists()
    )
    # the visited organisation's committee records the visit (a leader's own account is read-only)
    organiser = make_user("committee_organiser", tree["committees"][0])
    v = services.record_visit(a, {"date": today, "kind": "guidance", "content": "指导换届准备"}, actor=organiser)
    assert v.org_path == village.path and v.recorded_by
    with pytest.raises(ScopeError):
        services.record_visit(a, {"date": today, "content": "x"}, actor=leader)


def test_pattern_rules_refuse(leader, village, branch, admin, tree):
    with pytest.raises(ValidationError) as e:
        _assign(leader, branch, kind="model_village", actor=admin)  # not a village
    assert "农村" in str(e.value.message_dict["organisation"])
    with pytest.raises(ValidationError) as e:
        _assign(leader, village, kind="township", actor=admin)  # a township must be a committee
    assert "联系乡镇" in str(e.value.message_dict["organisation"])
    plain = make_user("branch_secretary", branch)
    with pytest.raises(ValidationError) as e:
        _assign(plain, village, actor=admin)  # not a county leader
    assert "县领导" in str(e.value.message_dict["leader"])
    _assign(leader, village, actor=admin)
    second = make_org(tree["committees"][1], org_type="branch", unit_type="village")
    with pytest.raises(ValidationError) as e:
        _assign(leader, second, actor=admin)  # one model village per leader
    assert "至多1个" in str(e.value.message_dict["kind"])
    with pytest.raises(ValidationError) as e:
        _assign(leader, village, kind="weak_village", actor=admin)  # same organisation twice in a year
    assert "不能重复" in str(e.value.message_dict["organisation"])
    assert ContactAssignment.objects.count() == 1
    with pytest.raises(ValidationError) as e:
        _assign(leader, village, kind="nonsense", actor=admin)
    assert "kind" in e.value.message_dict


def test_assignment_needs_approve(leader, village, secretary, other_secretary):
    with pytest.raises(ScopeError):
        _assign(leader, village, actor=other_secretary)
    assert not ContactAssignment.objects.exists()


def test_visit_bad_input(leader, village, admin, today):
    a = _assign(leader, village, actor=admin)
    for data, field in (
        ({"date": today + datetime.timedelta(days=1), "content": "x"}, "date"),
        ({"date": datetime.date(today.year - 1, 6, 1), "content": "x"}, "date"),
        ({"date": today, "content": "  "}, "content"),
        ({"date": today, "content": "x", "kind": "party"}, "kind"),
        ({"content": "x"}, "date"),
    ):
        with pytest.raises(ValidationError) as e:
            services.record_visit(a, data, actor=admin)
        assert field in e.value.message_dict
    assert not ContactVisit.objects.exists()


def test_gaps_this_quarter(leader, village, admin, today):
    from apps.supervision import selectors

    a = _assign(leader, village, actor=admin)
    assert list(selectors.contact_gaps(leader, today)) == [a]
    items = selectors.todo_items(leader)
    assert any("尚未走访" in i.title for i in items)
    services.record_visit(a, {"date": today, "content": "走访"}, actor=admin)
    assert list(selectors.contact_gaps(leader, today)) == []


# ── checklist versions ────────────────────────────────────────────────────────────────
def _rows(version):
    return [
        dict(area=i.area, code=i.code, title=i.title, evidence=i.evidence, max_score=i.max_score, metric=i.metric)
        for i in version.items.all()
    ]


def test_default_checklist_is_ten_areas_of_100():
    v = services.current_checklist()
    assert v.number == 1 and {i.area for i in v.items.all()} == set(range(1, 11)) and v.max_total == 100


def test_save_checklist_new_version_keeps_old(admin, county):
    v1 = services.current_checklist()
    rows = _rows(v1)
    rows[0]["max_score"] = 20
    v2 = services.save_checklist(rows, note="组织设置加分", actor=admin)
    assert v2.number == 2 and v2.max_total == 110 and v1.items.count() == 10
    assert services.current_checklist() == v2


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r[0].update(max_score=0), "分值"),
        (lambda r: r[0].update(area=11), "规范领域"),
        (lambda r: r[1].update(code=r[0]["code"]), "重复"),
        (lambda r: r[0].update(metric="nope.metric"), "没有登记"),
        (lambda r: r[0].update(title=""), "检查内容"),
        (lambda r: r.clear(), "至少"),
        (lambda r: None, "没有变化"),
    ],
)
def test_save_checklist_refuses(admin, county, change, message):
    rows = _rows(services.current_checklist())
    change(rows)
    with pytest.raises(ValidationError) as e:
        services.save_checklist(rows, actor=admin)
    assert message in str(e.value.message_dict["items"])
    assert ChecklistVersion.objects.count() == 1


def test_only_configure_edits_checklist(secretary, county):
    rows = _rows(services.current_checklist())
    rows[0]["max_score"] = 5
    with pytest.raises(ScopeError):
        services.save_checklist(rows, actor=secretary)


# ── inspections and score arithmetic ──────────────────────────────────────────────────
def test_self_check_scores_with_version(branch, secretary, admin, county, fixed_metric, this_quarter):
    year, q = this_quarter
    rows = _rows(services.current_checklist())
    rows[0]["metric"] = "test.fixed"  # organisation setup: 10 points from data
    v2 = services.save_checklist(rows, actor=admin)
    fixed_metric[branch.pk] = (0.75, "按期换届3个中的2个多")
    insp = services.start_self_check(branch, year, q, actor=secretary)
    assert insp.version == v2
    computed = insp.scores.get(item__code="org_setup")
    assert computed.computed and computed.score == Decimal("7.50") and "75% × 10分 = 7.50分" in computed.reason
    manual = {s.item_id: {"score": str(s.item.max_score - 1)} for s in insp.scores.select_related("item") if not s.computed}
    insp = services.save_scores(insp, manual, submit=True, actor=secretary)
    # from data (7.50 for the fixed metric, plus any other item a registered metric
    # scored) + (each manual item: full marks − 1)
    scored = list(insp.scores.select_related("item"))
    expected = sum(s.score for s in scored if s.computed) + sum(Decimal(s.item.max_score - 1) for s in scored if not s.computed)
    assert insp.total == expected and insp.status == "submitted" and insp.max_total == 100
    # a new checklist version does not touch the submitted score
    rows[1]["max_score"] = 30
    services.save_checklist(rows, actor=admin)
    insp.refresh_from_db()
    assert insp.version == v2 and insp.total == expected


def test_metric_not_registered_falls_back_to_inspector(branch, secretary, this_quarter):
    year, q = this_quarter
    insp = services.start_self_check(branch, year, q, actor=secretary)
    dues = insp.scores.get(item__code="dues")
    # dues.collected is registered but the branch has no ledger: the inspector scores it
    assert not dues.computed and "由检查人评分" in dues.reason


def test_save_scores_refuses(branch, secretary, other_secretary, this_quarter):
    year, q = this_quarter
    insp = services.start_self_check(branch, year, q, actor=secretary)
    item = insp.scores.filter(computed=False).select_related("item").first()
    for value, message in (("abc", "须为数字"), ("-1", "之间"), (str(item.item.max_score + 1), "之间"), ("NaN", "之间")):
        with pytest.raises(ValidationError) as e:
            services.save_scores(insp, {item.item_id: {"score": value}}, actor=secretary)
        assert message in str(e.value.message_dict["scores"])
    with pytest.raises(ValidationError) as e:
        services.save_scores(insp, {item.item_id: {"score": "1"}}, submit=True, actor=secretary)
    assert "尚未评分" in str(e.value.message_dict["scores"])
    computed_total = sum((s.score for s in insp.scores.filter(computed=True)), Decimal(0))
    insp.refresh_from_db()
    assert insp.status == "draft" and insp.total == computed_total  # nothing of the refused input kept
    with pytest.raises(OutOfScope):
        services.save_scores(insp, {}, actor=other_secretary)


def test_self_check_once_per_quarter_and_not_future(branch, secretary, this_quarter, tree):
    year, q = this_quarter
    services.start_self_check(branch, year, q, actor=secretary)
    with pytest.raises(ValidationError) as e:
        services.start_self_check(branch, year, q, actor=secretary)
    assert "已经开始" in str(e.value.message_dict["quarter"])
    with pytest.raises(ValidationError) as e:
        services.start_self_check(branch, year + 1, 1, actor=secretary)
    assert "尚未开始" in str(e.value.message_dict["quarter"])
    with pytest.raises(ValidationError):
        services.start_self_check(tree["county"], year, q, actor=CLI)  # the county does not self-check
    assert Inspection.objects.count() == 1


def test_self_check_unique_constraint_message(branch, secretary, this_quarter, monkeypatch):
    """Two saves racing: the DB constraint answers with the same message as the check."""
    year, q = this_quarter
    services.start_self_check(branch, year, q, actor=secretary)
    from apps.supervision.models import Inspection as I

    real = I.objects.filter

    def blind(*args, **kwargs):
        if kwargs.get("kind") == I.Kind.SELF_CHECK and "organisation" in kwargs:
            return real(pk=-1)
        return real(*args, **kwargs)

    monkeypatch.setattr(I.objects, "filter", blind)
    with pytest.raises(ValidationError) as e:
        services.start_self_check(branch, year, q, actor=secretary)
    assert "已经开始" in str(e.value.message_dict["quarter"])


# ── spot checks: reproducible sampling ────────────────────────────────────────────────
def _big_tree(county):
    for t in range(3):
        township = make_org(county, org_type="committee", name=f"抽样{t}镇党委")
        for b in range(6):
            make_org(township, org_type="branch", name=f"抽样{t}镇第{b}支部")


def test_sample_reproducible_with_seed(county, this_quarter):
    _big_tree(county)
    year, q = this_quarter
    a = services.draw_sample(county, year, q, "seed-1", 2)
    b = services.draw_sample(county, year, q, "seed-1", 2)
    c = services.draw_sample(county, year, q, "seed-2", 2)
    assert [o.pk for o in a] == [o.pk for o in b]
    assert [o.pk for o in a] != [o.pk for o in c]
    # two per township: 2 committees of the test tree (2 branches each) + 3 of 6 branches
    townships = services.townships_of(county)
    assert len(townships) == 5
    for t in townships:
        assert len([o for o in a if o.path.startswith(t.path)]) == 2
    assert len(a) == 10 and len({o.pk for o in a}) == 10


def test_spot_check_round(county, admin, this_quarter):
    _big_tree(county)
    year, q = this_quarter
    rnd = services.start_spot_check(county, year, q, seed="abc", per_township=2, actor=admin)
    assert rnd.seed == "abc" and len(rnd.sample) == Inspection.objects.filter(round=rnd, kind="spot_check").count()
    assert rnd.sample == [o.pk for o in services.draw_sample(county, year, q, "abc", 2)]
    with pytest.raises(ValidationError) as e:
        services.start_spot_check(county, year, q, seed="abc", actor=admin)
    assert "已经抽查" in str(e.value.message_dict["quarter"])
    with pytest.raises(ValidationError) as e:
        services.start_spot_check(county, year, max(1, q - 1) if q > 1 else q, per_township=0, actor=admin)
    assert "per_township" in e.value.message_dict or "quarter" in e.value.message_dict
    assert SpotCheckRound.objects.count() == 1


def test_blank_seed_is_made_up_and_recorded(county, admin, this_quarter):
    year, q = this_quarter
    rnd = services.start_spot_check(county, year, q, actor=admin)
    assert rnd.seed and rnd.sample == [o.pk for o in services.draw_sample(county, year, q, rnd.seed, rnd.per_township)]


def test_spot_check_needs_approve(county, secretary, branch, this_quarter):
    year, q = this_quarter
    with pytest.raises(ScopeError):
        services.start_spot_check(county, year, q, actor=secretary)


# ── year-end evaluation ───────────────────────────────────────────────────────────────
def _submitted(org, kind, q, total, max_total=100, version=None, rnd=None):
    return Inspection.objects.create(
        organisation=org,
        kind=kind,
        year=2025,
        quarter=q,
        version=version or services.current_checklist(),
        total=Decimal(total),
        max_total=Decimal(max_total),
        status="submitted",
        round=rnd,
    )


def test_year_end_arithmetic(branch, county, admin):
    _submitted(branch, "self_check", 1, "80")
    _submitted(branch, "self_check", 2, "90")
    # a self-check under a later version with 110 full marks counts as a percentage
    _submitted(branch, "self_check", 3, "99", max_total=110)
    rnd = SpotCheckRound.objects.create(organisation=county, year=2025, quarter=3, seed="s", per_township=2, sample=[branch.pk])
    _submitted(branch, "spot_check", 3, "70", rnd=rnd)
    (result,) = services.evaluate_year(county, 2025, actor=admin)
    # self average (80 + 90 + 90) / 3 = 86.67; × 0.4 + 70 × 0.6 = 34.668 + 42 = 76.67
    assert result.breakdown["parts"]["self_check"]["average"] == "86.67"
    assert result.total == Decimal("76.67") and result.max_total == 100 and result.grade == "良好"
    # evaluated again: updated, not duplicated
    services.evaluate_year(county, 2025, actor=admin)
    assert Inspection.objects.filter(kind="year_end").count() == 1


def test_year_end_self_only(branch, county, admin):
    _submitted(branch, "self_check", 1, "55")
    (result,) = services.evaluate_year(county, 2025, actor=admin)
    assert result.total == Decimal("55.00") and "全年无抽查" in result.breakdown["reason"] and result.grade == "不合格"


def test_year_end_refuses_without_data(county, admin):
    with pytest.raises(ValidationError) as e:
        services.evaluate_year(county, 2025, actor=admin)
    assert "没有已提交" in str(e.value.message_dict["year"])


def test_ranking_ties_share_rank(tree, county, admin):
    from apps.supervision import selectors

    b1, b2 = tree["branches"][0]
    b3 = tree["branches"][1][0]
    for org, total in ((b1, "80"), (b2, "80"), (b3, "90")):
        _submitted(org, "self_check", 1, total)
    services.evaluate_year(county, 2025, actor=admin)
    rows = selectors.ranking(county, 2025)
    assert [(r["org"], r["rank"]) for r in rows] == [(b3, 1), (b1, 2), (b2, 2)]


# ── rectification ─────────────────────────────────────────────────────────────────────
def test_rectification_to_done(branch, secretary, this_quarter, today):
    year, q = this_quarter
    insp = services.start_self_check(branch, year, q, actor=secretary)
    with pytest.raises(ValidationError) as e:
        services.add_rectification(insp, {"problem": "", "deadline": today - datetime.timedelta(days=1)}, actor=secretary)
    assert set(e.value.message_dict) == {"problem", "deadline"}
    r = services.add_rectification(insp, {"problem": "会议记录不全", "deadline": today}, actor=secretary)
    with pytest.raises(ValidationError) as e:
        services.complete_rectification(r, {"done_on": today + datetime.timedelta(days=1), "done_note": ""}, actor=secretary)
    assert set(e.value.message_dict) == {"done_on", "done_note"}
    services.complete_rectification(r, {"done_on": today, "done_note": "已补齐"}, actor=secretary)
    r.refresh_from_db()
    assert r.status == "done"
    with pytest.raises(ValidationError):
        services.complete_rectification(r, {"done_on": today, "done_note": "again"}, actor=secretary)


def test_overdue_rectification_in_todo(branch, secretary, this_quarter, today):
    from apps.supervision import selectors

    year, q = this_quarter
    insp = services.start_self_check(branch, year, q, actor=secretary)
    r = services.add_rectification(insp, {"problem": "党费公开不及时", "deadline": today}, actor=secretary)
    Rectification.objects.filter(pk=r.pk).update(deadline=today - datetime.timedelta(days=3))
    assert any("整改超期" in i.title and i.overdue for i in selectors.todo_items(secretary))


# ── monthly report ────────────────────────────────────────────────────────────────────
def _last_month(today):
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.year, last.month


def test_report_draft_then_submit_freezes_sections(branch, secretary, today):
    y, m = _last_month(today)
    r = services.save_report(branch, y, m, {"work_done": ""}, actor=secretary)
    assert r.status == "draft" and r.sections == []
    with pytest.raises(ValidationError) as e:
        services.save_report(branch, y, m, {"work_done": ""}, submit=True, actor=secretary)
    assert "work_done" in e.value.message_dict
    r = services.save_report(branch, y, m, {"work_done": "召开支委会"}, submit=True, actor=secretary)
    titles = [s["title"] for s in r.sections]
    assert r.status == "submitted" and "党费收缴" in titles and "发展党员" in titles
    with pytest.raises(ValidationError) as e:
        services.save_report(branch, y, m, {"work_done": "改"}, actor=secretary)
    assert "已经提交" in str(e.value.message_dict["month"])
    assert MonthlyReport.objects.count() == 1


def test_report_refuses_future_and_other_branch(branch, secretary, other_secretary, today):
    nxt = (today.replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
    with pytest.raises(ValidationError):
        services.save_report(branch, nxt.year, nxt.month, {"work_done": "x"}, actor=secretary)
    with pytest.raises(OutOfScope):
        services.save_report(branch, *_last_month(today), {"work_done": "x"}, actor=other_secretary)
    assert not MonthlyReport.objects.exists()


def test_circular_lists_lagging(tree, county, secretary, branch, today, only_fixed_metric):
    from apps.supervision import selectors

    y, m = _last_month(today)
    committee, other = tree["committees"]
    only_fixed_metric[committee.pk] = (1.0, "全部达标")
    only_fixed_metric[other.pk] = (1.0, "全部达标")
    org_sec = make_user("committee_organiser", committee)
    services.save_report(committee, y, m, {"work_done": "研究党建"}, submit=True, actor=org_sec)
    c = selectors.circular(county, y, m)
    rows = {r["org"]: r for r in c["rows"]}
    assert rows[committee]["submitted"] and not rows[other]["submitted"]
    assert [r["org"] for r in c["lagging"]] == [other]
    assert c["submitted"] == 1 and rows[committee]["health"] == 100
    assert c["lagging"][0]["reasons"] == ["未提交月报告"]
    # a township whose health falls below the line is lagging too, with the reason
    only_fixed_metric[committee.pk] = (0.5, "半数未达标")
    c = selectors.circular(county, y, m)
    lagging = {r["org"]: r["reasons"] for r in c["lagging"]}
    assert lagging[committee] == ["健康度50分，低于60分"]
    assert [r["org"] for r in c["ranked"]] == [other, committee]


# ── health score ──────────────────────────────────────────────────────────────────────
def test_health_lines_add_up(branch, only_fixed_metric, this_quarter):
    """“Why is this branch 72?”: each metric's worth scaled to 100 by its weight, earned =
    worth × share, the lines add up to the score; a metric without data is named."""
    from apps.core import registry
    from apps.supervision import selectors

    year, q = this_quarter
    only_fixed_metric[branch.pk] = (0.5, "应开3次，实开1次半")
    registry.org_metrics._entries["dues.collected"] = registry.OrgMetric(
        "dues.collected", "党费", lambda ids, y, q: {i: (0.9, "应交10人次，已交9人次") for i in ids}
    )
    registry.org_metrics._entries["test.none"] = registry.OrgMetric("test.none", "无数据指标", lambda ids, y, q: {})
    h = selectors.health([branch], year, q)[branch.pk]
    # weights: test.fixed 15 (default), dues.collected 20 → worth 42.9 and 57.1
    lines = {line["metric"]: line for line in h["lines"]}
    assert lines["test.fixed"]["worth"] == Decimal("42.9") and lines["test.fixed"]["earned"] == Decimal("21.4")
    assert lines["dues.collected"]["worth"] == Decimal("57.1") and lines["dues.collected"]["earned"] == Decimal("51.4")
    # 15/35 × 50 + 20/35 × 90 = 21.43 + 51.43 = 72.86 → 73
    assert h["score"] == 73 and h["exact"] == Decimal("72.9") and h["missing"] == ["无数据指标"]
    assert h["lines"][0]["metric"] == "test.fixed"  # the biggest loss first
    assert "应开3次" in h["lines"][0]["reason"]


# ── CLI ───────────────────────────────────────────────────────────────────────────────
def test_inspection_scores_command(branch, county, admin, secretary, this_quarter, today):
    import io
    import json

    from django.core.management import CommandError, call_command

    year, q = this_quarter
    insp = services.start_self_check(branch, year, q, actor=secretary)
    manual = {s.item_id: {"score": "2"} for s in insp.scores.filter(computed=False)}
    services.save_scores(insp, manual, submit=True, actor=secretary)
    services.add_rectification(insp, {"problem": "阵地使用率低", "deadline": today}, actor=secretary)
    out = io.StringIO()
    call_command("inspection_scores", "--org", county.code, "--year", str(year), "--quarter", str(q), "--json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert row["code"] == branch.code and row["rank"] == 1 and row["total"] == str(insp.total) and len(row["items"]) == 10
    assert row["open_rectifications"] == [{"problem": "阵地使用率低", "deadline": today.isoformat()}]
    text = io.StringIO()
    call_command("inspection_scores", "--org", branch.code, "--year", str(year), stdout=text)
    assert "第1名" in text.getvalue() and "整改中：阵地使用率低" in text.getvalue()
    with pytest.raises(CommandError, match="季度"):
        call_command("inspection_scores", "--org", branch.code, "--year", str(year), "--quarter", "5")
    with pytest.raises(CommandError, match="不存在"):
        call_command("inspection_scores", "--org", "NOPE", "--year", str(year))
    other = make_user("branch_secretary", make_org(county, org_type="branch"))
    with pytest.raises(CommandError, match="权限范围"):
        call_command("inspection_scores", "--org", branch.code, "--year", str(year), "--user", other.username)
