"""Issue 15 items 4–5: the education statistics section from a fixed small number of
grouped queries (the same figures as the per-member subquery it replaced), quiz
participation and average score, plan execution rate, and the to-do items for missed plan
items and open quizzes."""

import datetime
import random
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.actors import system_actor
from apps.education import rules, selectors, services, stats, todo
from apps.education.models import StudyEntry
from tests.education.conftest import seat
from tests.education.test_quizzes import bank, quiz, right_answers
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")
FORMS = ["collective_study", "party_lecture", "training", "concentrated", "online"]


def credit(member, day, hours, form="collective_study", training_class=None):
    return StudyEntry.objects.create(
        organisation=member.organisation,
        member=member,
        date=day,
        hours=D(hours),
        form=form,
        content="学习",
        status="approved",
        training_class=training_class,
    )


def reference(org, year, as_of, values):
    """The figures as the section computed them before: correlated subqueries per member."""
    qs = selectors.progress_members(selectors.subtree_members(org), year)
    met, behind = selectors.met_condition(values), selectors.behind_condition(values, year, as_of)
    agg = qs.aggregate(
        members=Count("id"),
        met=Count("id", filter=met),
        behind=Count("id", filter=behind),
        cadres=Count("id", filter=Q(is_cadre=True)),
        cadres_met=Count("id", filter=Q(is_cadre=True) & met),
        secretaries=Count("id", filter=Q(is_secretary=True)),
        secretaries_behind=Count("id", filter=Q(is_secretary=True) & behind),
        hours=Sum("study_hours"),
    )
    dist = []
    for label, low, high in selectors.HOUR_BUCKETS:
        if high == 0:
            cond = Q(study_hours=0)
        elif high is None:
            cond = Q(study_hours__gte=low)
        else:
            cond = Q(study_hours__gte=low, study_hours__lt=high) & ~Q(study_hours=0)
        dist.append([label, qs.filter(cond).count()])
    agg["hours"] = rules.hours(agg["hours"])
    agg["distribution"] = dist
    return agg


def population(tree, n, seed):
    """n members in each first-level branch with random hours, forms, cadres and rotation."""
    rng = random.Random(seed)
    rotation = services.create_class(
        {
            "organisation": tree["county"],
            "title": "书记轮训",
            "level": "county",
            "kind": "rotation",
            "start_date": datetime.date(2025, 3, 1),
            "end_date": datetime.date(2025, 3, 3),
        },
        actor=CLI,
    )
    for branch in [row[0] for row in tree["branches"]]:
        for i in range(n):
            m = make_member(branch)
            if i == 0:
                seat(branch, m, "secretary")
            elif i == 1:
                seat(branch, m, "member")
            for _ in range(rng.randint(0, 4)):
                credit(m, datetime.date(2025, rng.randint(1, 12), 1), rng.choice([2, 4, 8, 16, 24]), rng.choice(FORMS))
            if i == 0 and rng.random() < 0.7:
                credit(m, datetime.date(2025, 3, 2), 8, "training", training_class=rotation)
            credit(m, datetime.date(2024, 6, 1), 40)  # another year: never counted


@pytest.mark.parametrize("as_of", [datetime.date(2025, 6, 30), datetime.date(2025, 12, 31)])
def test_grouped_summary_equals_the_per_member_subqueries(tree, as_of):
    population(tree, 6, seed=15)
    values = services.current_rules().all_values()
    for org in (tree["county"], tree["committees"][0], tree["branches"][0][0]):
        new = selectors.org_summary(org, 2025, as_of, values)
        old = reference(org, 2025, as_of, values)
        for key in ("members", "met", "behind", "cadres", "cadres_met", "secretaries", "secretaries_behind", "hours", "distribution"):
            assert new[key] == old[key], (org, key)
    county = selectors.org_summary(tree["county"], 2025, as_of, values)
    assert county["secretaries"] == len(tree["branches"]) and 0 < county["rotated"] <= county["secretaries"]


def test_a_subtree_groups_only_its_members_entries_and_counts_those_who_moved_in(tree):
    """Below the root only the subtree's members' entries are grouped (a semi-join on the
    member, not on where an entry was recorded): a member who moved in brings the hours
    recorded at their old branch; the branch they left no longer counts them."""
    from apps.members import services as member_services

    population(tree, 3, seed=7)
    values = services.current_rules().all_values()
    as_of = datetime.date(2025, 12, 31)
    (a1, _a2), (b1, _b2) = tree["branches"]
    mover = make_member(a1)
    credit(mover, datetime.date(2025, 5, 1), 33)
    member_services.move_member(mover, b1, date=datetime.date(2025, 6, 1), reason="调动", actor=CLI)
    for org in (tree["committees"][0], tree["committees"][1], a1, b1):
        new = selectors.org_summary(org, 2025, as_of, values)
        old = reference(org, 2025, as_of, values)
        assert (new["members"], new["hours"], new["distribution"]) == (old["members"], old["hours"], old["distribution"]), org
    with CaptureQueriesContext(connection) as ctx:
        selectors.path_standings(tree["committees"][0].path, 2025, selectors.Bar.of(values, rules.elapsed_share(2025, as_of)))
    grouped = next(q["sql"] for q in ctx.captured_queries if "education_studyentry" in q["sql"])
    assert grouped.count('"members_member"') >= 3  # the semi-joins of the entries and the seats, and the join


def test_thresholds_are_exact_to_the_tenth_of_an_hour(tree):
    """On 14 March 2025 73 of 365 days are gone: the pace is 32 × 0.2 = 6.4 hours for a
    member and 56 × 0.2 = 11.2 for a committee member. One tenth below is behind, the
    pace itself is not; 32.0 hours meet the year, 31.9 do not."""
    as_of = datetime.date(2025, 3, 14)
    assert rules.elapsed_share(2025, as_of) == D("0.2")
    branch = tree["branches"][0][0]
    hours = {"6.3": "behind", "6.4": "on pace", "31.9": "not met", "32.0": "met"}
    for h in hours:
        credit(make_member(branch), datetime.date(2025, 1, 10), h)
    cadre_behind, cadre_on_pace = make_member(branch), make_member(branch)
    for m, h in ((cadre_behind, "11.1"), (cadre_on_pace, "11.2")):
        seat(branch, m, "member")
        credit(m, datetime.date(2025, 1, 10), h)
    values = services.current_rules().all_values()
    summary = selectors.org_summary(branch, 2025, as_of, values)
    assert summary["members"] == 6
    # behind: 6.3 and the cadre's 11.1 (6.4, 31.9, 32.0 and 11.2 are at or above the pace)
    assert (summary["behind"], summary["cadres"], summary["met"]) == (2, 2, 1)
    assert summary == {**summary, **{k: v for k, v in reference(branch, 2025, as_of, values).items()}}


def test_section_runs_a_fixed_number_of_queries(tree):
    as_of = datetime.date(2025, 6, 30)
    population(tree, 1, seed=1)
    stats.contribute(tree["county"], as_of)
    with CaptureQueriesContext(connection) as small:
        stats.contribute(tree["county"], as_of)
    for branch in [row[0] for row in tree["branches"]]:  # five more members each, with hours
        for i in range(5):
            credit(make_member(branch), datetime.date(2025, 4, 1), 4 * i)
    with CaptureQueriesContext(connection) as big:
        section = stats.contribute(tree["county"], as_of)["education"]
    assert len(big) == len(small) <= 8
    assert section["members"] == 6 * len(tree["branches"])


def test_quiz_participation_and_average_score(tree, branch, other_branch):
    bank(branch, n=3)
    qz = quiz(branch)
    takers = [make_user("member", branch, member=make_member(branch)) for _ in range(2)]
    make_member(branch)  # a member who did not take it
    for user, right in zip(takers, (True, False), strict=True):
        a = services.start_attempt(qz, actor=user)
        services.submit_attempt(a, right_answers(a) if right else {}, actor=user)
    outsider = make_user("member", other_branch, member=make_member(other_branch))
    bank(other_branch, n=3)
    oq = quiz(other_branch)
    a = services.start_attempt(oq, actor=outsider)
    services.submit_attempt(a, right_answers(a), actor=outsider)
    year = timezone.localdate().year
    figures = selectors.quiz_figures(branch, year)
    assert (figures["quiz_takers"], figures["quiz_papers"], figures["quiz_average"]) == (2, 2, D("50.0"))
    section = stats.contribute(branch)["education"]
    assert (section["quiz_takers"], section["quiz_rate"], section["quiz_average"]) == (2, round(100 * 2 / 3, 1), "50.0")
    rows = stats.rows(stats.contribute(branch))
    assert ("考学", "参加考学（人）", 2, round(100 * 2 / 3, 1)) in rows
    assert ("考学", "考学平均成绩（分）", "50.0", None) in rows
    cards = dict((c[0], c[1]) for c in stats.cards(stats.contribute(branch)))
    assert cards["考学平均成绩"] == "50.0"


def test_plan_execution_rate(tree, branch, other_branch):
    as_of = datetime.date(2025, 6, 15)
    plan = services.create_plan({"organisation": branch, "title": "年度计划", "start_year": 2025}, actor=CLI)
    m = make_member(branch)
    for month in (3, 4, 5, 9):
        services.add_plan_item(plan, {"month": month, "topic": f"{month}月学习", "audience": "all", "hours": "2"}, actor=CLI)
    credit(m, datetime.date(2025, 3, 10), 2)  # March executed (collective study in the month)
    credit(m, datetime.date(2025, 9, 10), 2)  # September done early: due and done
    other = services.create_plan({"organisation": other_branch, "title": "别支部计划", "start_year": 2025}, actor=CLI)
    services.add_plan_item(other, {"month": 1, "topic": "别处", "audience": "all", "hours": "2"}, actor=CLI)
    figures = selectors.plan_figures(branch, 2025, as_of)
    assert figures == {"plan_items": 4, "plan_due": 4, "plan_done": 2, "plan_rate": 50.0}
    # the same as the plan page's own execution figures
    execution = selectors.plan_execution(selectors.plan_items(plan, as_of))
    assert (execution["due"], execution["done"], execution["rate"]) == (4, 2, 50.0)
    rows = stats.rows(stats.contribute(branch, as_of))
    assert ("教育培训计划", "已执行计划项目（个）", 2, 50.0) in rows


def test_todo_missed_plan_items_of_last_month(tree, branch, other_branch, secretary, outsider):
    today = timezone.localdate()
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    plan = services.create_plan({"organisation": branch, "title": "年度计划", "start_year": last.year}, actor=CLI)
    services.add_plan_item(plan, {"year": last.year, "month": last.month, "topic": "上月学习", "audience": "all", "hours": "2"}, actor=CLI)
    titles = [i.title for i in todo.items(secretary)]
    expected = f"{branch.name}：{last.year}年{last.month}月有1个教育计划项目未执行"
    assert expected in titles
    assert not any("教育计划项目未执行" in t for t in (i.title for i in todo.items(outsider)))
    credit(make_member(branch), last.replace(day=5), 2)  # collective study in that month: executed
    assert expected not in [i.title for i in todo.items(secretary)]


def test_todo_open_quiz_not_taken(tree, branch, other_branch):
    bank(branch, n=3)
    qz = quiz(branch, title="七一考学")
    user = make_user("member", branch, member=make_member(branch))
    elsewhere = make_user("member", other_branch, member=make_member(other_branch))
    assert [i.title for i in todo.items(user)] == ["考学“七一考学”尚未参加"]
    assert todo.items(elsewhere) == []
    services.start_attempt(qz, actor=user)
    assert todo.items(user) == []
