"""Every member's arrears standing (apps.dues.standing): the services keep it (the conftest
checks every row against the lines after every dues test), the readers use it only while it
is current for the cutoff and then give what the live count of the lines gives, the daily
command rebuilds it when the month moves on, check_org_tree reports and repairs drift, and
a payment committed during a rebuild is not lost."""

import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.actors import system_actor
from apps.dues import months as mo
from apps.dues import selectors, services, standing, stats, tally
from apps.dues.models import ArrearsStanding, ArrearsStandingBuild, DuesLine, Payment, PaymentMonth, Reduction
from apps.members import services as member_services
from apps.members.models import Member
from tests.dues.conftest import salaried
from tests.factories import make_tree, make_user
from tests.uniqueness_helpers import race

CLI = system_actor("cli")
TODAY = datetime.date(2026, 6, 15)  # cutoff: May 2026
CUTOFF = datetime.date(2026, 5, 1)
pytestmark = pytest.mark.django_db


def generate(org, first: str, last: str, today=TODAY):
    month, end = mo.parse_month(first), mo.parse_month(last)
    while month <= end:
        services.generate_month(org, month, today=today, open_cases=False, actor=CLI)
        month = mo.shift(month, 1)


def live(as_of, path="", minimum=3) -> list[dict]:
    """The members in arrears counted from the lines: members of the subtree now, all of
    their lines (the definition arrears_rows reads from the standing)."""
    members = Member.objects.filter(org_path__startswith=path).values("pk")
    return list(selectors.arrears_queryset(DuesLine.objects.filter(member_id__in=members), as_of, minimum))


def kept(as_of, path="", minimum=3) -> list[dict]:
    assert standing.current(selectors.arrears_cutoff(as_of))
    return list(selectors.arrears_rows(as_of, path=path, minimum=minimum))


def counts_of(rows) -> dict:
    return {code: sum(r["months"] >= n for r in rows) for n, code in ((3, "warning"), (5, "escalation"), (6, "case"))}


def test_random_writes_keep_the_standing_equal_to_the_live_count(tree, monkeypatch):
    """Members paying, not paying, paying elsewhere, exempted, re-declaring, across a year
    boundary and two branches of two committees; after a rebuild and after more writes,
    the standing's rows and counts are the live ones for every organisation."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)  # the services without a `today`
    rng = random.Random(2026)
    branches = [tree["branches"][0][0], tree["branches"][0][1], tree["branches"][1][0]]
    people = [(salaried(b, rng.choice(["3000", "4000", "9000"])), b) for b in branches for _ in range(6)]
    mobile = people[0][0]
    member_services.change_status(mobile, "mobile", date=datetime.date(2025, 6, 1), reason="外出务工", actor=CLI)
    for b in branches:
        generate(b, "2025-10", "2026-06")
    months = [mo.shift(datetime.date(2025, 10, 1), i) for i in range(9)]

    def some_writes(n):
        for _ in range(n):
            m, _ = rng.choice(people)
            unpaid = list(DuesLine.objects.filter(member=m, status="unpaid").order_by("month"))
            if not unpaid:
                continue
            action = rng.random()
            if action < 0.55:
                chosen = unpaid[: rng.randint(1, min(3, len(unpaid)))]
                amount = sum(line.amount_due for line in chosen)
                services.record_payment(m, months=[f"{x.month:%Y-%m}" for x in chosen], amount=str(amount), today=TODAY, actor=CLI)
            elif action < 0.65 and m.pk == mobile.pk:
                services.mark_paid_elsewhere(rng.choice(unpaid), note="厦门", actor=CLI)
            elif action < 0.8:
                start = rng.choice(months)
                if Reduction.objects.filter(member=m, start_month__lte=mo.shift(start, 1), end_month__gte=start).exists():
                    continue  # one reduction per period
                r = services.propose_reduction(
                    m, kind="exempt", start_month=f"{start:%Y-%m}", end_month=f"{mo.shift(start, 1):%Y-%m}", reason="重病住院", actor=CLI
                )
                services.decide_reduction(r, approve=True, actor=CLI, today=TODAY)
            else:
                services.declare_income(m, category="salaried", base="5000", effective_month=f"{rng.choice(months):%Y-%m}", actor=CLI)

    some_writes(25)
    assert not standing.current(CUTOFF)  # never built: the readers count live
    assert list(selectors.arrears_rows(TODAY)) == live(TODAY)
    standing.rebuild(TODAY)
    some_writes(40)
    paths = ["", tree["county"].path, *(c.path for c in tree["committees"]), *(b.path for b in branches)]
    assert any(live(TODAY, minimum=1)), "the scenario must leave members in arrears"
    for path in paths:
        for minimum in (1, 3, 6):
            assert kept(TODAY, path, minimum) == live(TODAY, path, minimum), (path, minimum)
        assert selectors.arrears_counts(TODAY, path=path) == counts_of(live(TODAY, path))


def test_a_member_counts_where_they_are_held_now_with_all_their_lines(tree):
    """A member who leaves with three unpaid months and misses three more at the new branch
    is six months behind at the new branch (where the case opens), none at the old."""
    old, new = tree["branches"][0][0], tree["branches"][1][0]
    m = salaried(old, "4000")
    generate(old, "2025-12", "2026-02")
    member_services.move_member(m, new, date=datetime.date(2026, 2, 20), reason="工作调动", actor=CLI)
    generate(new, "2026-03", "2026-05")
    standing.rebuild(TODAY)
    for path, months in ((new.path, 6), (old.path, None), (tree["county"].path, 6)):
        rows = kept(TODAY, path)
        assert rows == live(TODAY, path)
        assert (rows[0]["months"] if rows else None) == months
    assert services.refresh_arrears_cases(new, as_of=TODAY, actor=CLI) == 1
    assert services.refresh_arrears_cases(old, as_of=TODAY, actor=CLI) == 0


def test_the_standing_counts_only_for_its_cutoff(tree, branch):
    m = salaried(branch, "4000")
    generate(branch, "2026-01", "2026-06")
    standing.rebuild(TODAY)
    assert kept(TODAY) == live(TODAY) and kept(TODAY)[0]["months"] == 5
    # a month later the June line counts too: the June standing is not current, the
    # readers count live (6 months) until the daily command rebuilds it
    july = datetime.date(2026, 7, 3)
    assert not standing.current(selectors.arrears_cutoff(july))
    assert [r["months"] for r in selectors.arrears_rows(july)] == [6]
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a: july)
        call_command("dues_arrears", stdout=out)
        assert "重新计算党员欠缴状况：1名党员有欠缴" in out.getvalue()
        assert "6个月以上1人" in out.getvalue()
        out = io.StringIO()
        call_command("dues_arrears", stdout=out)  # current now: not rebuilt twice
        assert "重新计算" not in out.getvalue()
    assert kept(july) == live(july) and kept(july)[0]["months"] == 6
    assert list(ArrearsStandingBuild.objects.values_list("cutoff", flat=True)) == [datetime.date(2026, 6, 1)]
    # a row left at another cutoff (a service given another day) makes it not current
    ArrearsStanding.objects.filter(member=m).update(cutoff=CUTOFF, months=5, last_unpaid=CUTOFF)  # true at May
    assert not standing.current(datetime.date(2026, 6, 1))


def test_paying_the_current_month_or_generating_it_writes_no_standing(tree, branch):
    m = salaried(branch, "4000")
    generate(branch, "2026-05", "2026-06")
    assert list(ArrearsStanding.objects.values_list("member_id", "months")) == [(m.pk, 1)]  # May, up to the cutoff
    ArrearsStanding.objects.all().delete()
    services.record_payment(m, months=["2026-06"], amount="40.00", today=TODAY, actor=CLI)  # June: after the cutoff
    assert not ArrearsStanding.objects.exists()
    services.record_payment(m, months=["2026-05"], amount="40.00", today=TODAY, actor=CLI)
    assert list(ArrearsStanding.objects.values_list("member_id", "months")) == [(m.pk, 0)]


def test_scope_status_and_search_on_the_standing(tree, branch, other_branch, secretary):
    a = salaried(branch, "4000", name="欧阳明")
    b = salaried(branch, "4000")
    c = salaried(other_branch, "4000")
    for org in (branch, other_branch):
        generate(org, "2026-01", "2026-05")
    standing.rebuild(TODAY)
    assert {r["member_id"] for r in selectors.arrears_rows(TODAY)} == {a.pk, b.pk, c.pk}
    assert {r["member_id"] for r in selectors.arrears_for(secretary, None, TODAY)} == {a.pk, b.pk}  # not the other branch's
    assert [r["member_id"] for r in selectors.arrears_for(secretary, None, TODAY, q="oym")] == [a.pk]
    assert selectors.arrears_counts(TODAY, user=secretary, action="change") == {"warning": 2, "escalation": 2, "case": 0}
    Member.objects.filter(pk=b.pk).update(status="deceased")  # ended members are not counted
    assert {r["member_id"] for r in selectors.arrears_for(secretary, None, TODAY)} == {a.pk}
    assert [r["member_id"] for r in live(TODAY, branch.path)] == [a.pk]


def test_the_statistics_read_the_standing_in_a_fixed_number_of_queries(tree):
    county = tree["county"]
    few = [salaried(tree["branches"][0][0], "4000") for _ in range(2)]
    generate(tree["branches"][0][0], "2026-01", "2026-05")
    standing.rebuild(TODAY)
    with CaptureQueriesContext(connection) as small:
        before = selectors.arrears_counts(TODAY, path=county.path)
    for b in (tree["branches"][0][1], tree["branches"][1][0]):
        for _ in range(4):
            salaried(b, "4000")
        generate(b, "2026-02", "2026-05")
    with CaptureQueriesContext(connection) as big:
        after = selectors.arrears_counts(TODAY, path=county.path)
    assert len(small.captured_queries) == len(big.captured_queries) == 2
    assert before == {"warning": len(few), "escalation": len(few), "case": 0}
    assert after == {"warning": 10, "escalation": 2, "case": 0} == counts_of(live(TODAY, county.path))
    figures = stats.contribute(county, TODAY)["dues"]
    assert (figures["arrears_warning"], figures["arrears_escalation"], figures["arrears_case"]) == (10, 2, 0)


def test_the_to_do_list_counts_from_the_standing(tree, branch, secretary):
    from django.utils import timezone

    from apps.dues.selectors import todo_items

    today = timezone.localdate()  # the to-do list is today's (and so are the role assignments)
    cutoff = selectors.arrears_cutoff(today)
    for _ in range(2):
        salaried(branch, "4000", month=f"{mo.shift(cutoff, -4):%Y-%m}")
    generate(branch, f"{mo.shift(cutoff, -3):%Y-%m}", f"{cutoff:%Y-%m}", today=today)
    standing.rebuild(today)
    with CaptureQueriesContext(connection) as ctx:
        titles = [i.title for i in todo_items(secretary)]
    assert "2名党员连续欠缴党费3至4个月，请谈话提醒" in titles
    assert sum("dues_arrearsstanding" in q["sql"] for q in ctx.captured_queries) == 2  # current?, the counts
    assert not any('FROM "dues_duesline"' in q["sql"] for q in ctx.captured_queries)


def test_check_org_tree_reports_and_repairs_the_standing(branch):
    m = salaried(branch, "4000")
    generate(branch, "2026-01", "2026-05")
    standing.rebuild(TODAY)
    assert standing.drift() == ([], 0)
    ArrearsStanding.objects.filter(member=m).update(months=9)
    sample, total = standing.drift()
    assert total == 1 and "记录连续欠缴 9 个月，台账为 5 个月" in sample[0]
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_org_tree", stdout=out)
    assert "党员欠缴状况与党费台账不一致" in out.getvalue()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)
        call_command("check_org_tree", "--fix-counts", stdout=io.StringIO())
    assert standing.drift() == ([], 0)
    assert ArrearsStanding.objects.get(member=m).months == 5


@pytest.mark.django_db(transaction=True)
def test_a_payment_committed_during_a_rebuild_is_not_lost():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test database cannot run concurrent writers from two threads")
    tree = make_tree()
    branch = tree["branches"][0][0]
    members = [salaried(branch, "4000") for _ in range(3)]
    generate(branch, "2026-02", "2026-05")
    make_user("branch_secretary", branch)

    def run(i):
        if i == 0:
            return standing.rebuild(TODAY)
        return services.record_payment(members[i], months=["2026-02", "2026-03"], amount="80.00", today=TODAY, actor=CLI)

    for _ in range(3):
        results = race(run, 3)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert standing.drift() == ([], 0)
        assert kept(TODAY) == live(TODAY)
        DuesLine.objects.filter(member__in=members[1:]).update(status="unpaid", payment=None, paid_on=None)
        PaymentMonth.objects.all().delete()
        Payment.objects.all().delete()
        tally.rebuild()
        standing.rebuild(TODAY)
