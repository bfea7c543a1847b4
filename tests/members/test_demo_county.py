"""The demo county: the seed report's figures, exactly, for any seed and as-of date."""

import datetime
import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.core import crypto
from apps.core.dates import add_years
from apps.core.models import ChangeLog
from apps.members import codes, demo, idnumber
from apps.members.models import Member, MemberCategory
from apps.orgs.models import CommitteeMember, Organisation
from apps.orgs.services import structure_warnings, subtree_member_count, term_state
from apps.stats.selectors import party_statistics

AS_OF = datetime.date(2026, 6, 30)


@pytest.fixture(scope="module")
def plan():
    return demo.plan_county(11, AS_OF)


def _counted(plan):
    return [m for m in plan.members if m.status in codes.COUNTED_STATUSES]


def test_plan_hits_the_seed_figures(plan):
    types_ = [o.org_type for o in plan.orgs]
    assert types_.count("committee") == 39
    assert types_.count("general_branch") == 42
    assert sum(types_.count(t) for t in ("branch", "joint_branch", "temporary_branch")) == 744
    assert types_.count("county_committee") == 1
    counted = _counted(plan)
    assert len(counted) == 20135
    assert sum("rural" in m.categories for m in counted) == 10150
    assert sum(m.sex == "F" for m in counted) == 3107
    assert sum(idnumber.age_on(m.birth_date, AS_OF) <= 35 for m in counted) == 5583
    assert sum(m.education in codes.HIGH_SCHOOL_OR_ABOVE for m in counted) == 11069


def test_plan_is_deterministic():
    a = demo.plan_county(5, AS_OF)
    b = demo.plan_county(5, AS_OF)
    c = demo.plan_county(6, AS_OF)
    first = [(m.name, crypto.blind_index(m.id_number)) for m in a.members[:20]]
    assert first == [(m.name, crypto.blind_index(m.id_number)) for m in b.members[:20]]
    assert [o.name for o in a.orgs] == [o.name for o in b.orgs]
    assert first != [(m.name, crypto.blind_index(m.id_number)) for m in c.members[:20]]


def test_id_numbers_valid_unique_and_agree_with_the_record(plan):
    numbers = [m.id_number for m in plan.members]
    assert len(set(numbers)) == len(numbers)
    for m in plan.members:
        facts = idnumber.parse(m.id_number, today=AS_OF)
        assert facts.area_code == demo.AREA_CODE
        assert facts.birth_date == m.birth_date and facts.sex == m.sex


def test_extension_id_numbers_never_collide(plan):
    taken = {m.id_number for m in plan.members}
    extra = {demo.extension_id_number(m.birth_date, m.sex, k) for m in plan.members[:500] for k in (0, 99)}
    assert not taken & extra
    for number in list(extra)[:50]:
        assert idnumber.parse(number, today=AS_OF).area_code == demo.AREA_CODE
    with pytest.raises(ValueError):
        demo.extension_id_number(AS_OF, "M", 100)


def test_names_are_plausible(plan):
    for m in plan.members:
        assert 2 <= len(m.name) <= 3 and not any(ch.isdigit() or ch.isascii() for ch in m.name)
    assert len({m.name[0] for m in plan.members}) > 50


def test_dates_are_consistent(plan):
    year_ago = add_years(AS_OF, -1)
    for m in plan.members:
        assert m.application_date <= m.join_date <= AS_OF
        assert idnumber.age_on(m.birth_date, m.application_date) >= 18
        assert idnumber.age_on(m.birth_date, m.join_date) >= 18
        if m.member_type == "full":
            assert m.conversion_date == add_years(m.join_date, 1) <= AS_OF
        else:
            assert m.conversion_date is None and m.join_date > year_ago
        if "pre_1949" in m.categories:
            assert m.join_date < datetime.date(1949, 10, 1)
        else:
            assert m.join_date >= datetime.date(1949, 10, 1)
        assert m.join_date <= m.status_since <= AS_OF
        if m.status == "lost_contact":
            assert m.lost_contact_reason
    assert sum(m.member_type == "probationary" for m in plan.members) == demo.PROBATIONARY


def test_occupations_follow_the_unit(plan):
    village = [m for m in _counted(plan) if plan.orgs[m.org].unit_type == "village"]
    farmers = sum(m.occupation == "farmer" for m in village)
    assert farmers / len(village) > 0.75
    government = [m for m in _counted(plan) if plan.orgs[m.org].unit_type == "government"]
    assert not any(m.occupation == "farmer" for m in government)
    minority = sum(m.ethnicity != codes.HAN for m in plan.members)
    assert 0 < minority < 0.03 * len(plan.members)


def test_branch_sizes_mostly_3_to_50_with_outliers(plan):
    sizes = [o.size for o in plan.orgs if o.org_type in ("branch", "joint_branch")]
    inside = sum(3 <= s <= 50 for s in sizes)
    assert inside / len(sizes) > 0.98
    assert any(s > 50 for s in sizes) and any(s < 3 for s in sizes)


def test_exactly_k_is_exact():
    rng = random.Random(1)
    weights = [rng.random() * 3 for _ in range(1000)] + [0.0] * 10
    for k in (0, 1, 500, 1005):
        assert sum(demo.exactly_k(random.Random(k), weights, k)) == k
    with pytest.raises(ValueError):
        demo.exactly_k(rng, [1.0], 2)


def test_demo_builders_run_in_order_with_their_own_generators():
    from apps.core.registry import DemoBuilder

    calls = []

    def builder(name, order):
        return DemoBuilder(name, lambda root, rng, as_of: calls.append((name, root, as_of, rng.random())), order=order)

    a, b = builder("tests_a", 20), builder("tests_b", 10)
    ran = demo.run_extensions("ROOT", 3, AS_OF, [b, a])
    assert ran == ["tests_b", "tests_a"]
    assert [c[0] for c in calls] == ran and all(c[1] == "ROOT" and c[2] == AS_OF for c in calls)
    # Each builder gets its own seeded generator: reproducible, independent of the others.
    calls.clear()
    demo.run_extensions("ROOT", 3, AS_OF, [a])
    alone = calls[0][3]
    calls.clear()
    demo.run_extensions("ROOT", 3, AS_OF, [b, a])
    assert calls[1][3] == alone


def test_the_apps_register_their_demo_builders():
    from apps.core import registry

    names = [b.name for b in registry.demo]
    # The demo logins pick branches the others filled: accounts after every data builder.
    # A builder that needs the logins themselves (supervision's contact points, order 1010)
    # declares an order above accounts' 1000 and runs after it.
    assert names.index("recruitment") < names.index("dues") < names.index("accounts")
    accounts = names.index("accounts")
    assert all(b.order > 1000 for b in registry.demo.all()[accounts + 1 :])


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_county_in_the_database():
    """The whole county through the command and the statistics (one build per suite)."""
    out = io.StringIO()
    call_command("demo_county", "--seed", "2005", stdout=out)
    assert "20135" in out.getvalue()
    root = Organisation.objects.get(code=demo.ROOT_CODE)
    assert root.name == demo.COUNTY_NAME and root.is_root()

    stats = party_statistics(root, timezone.localdate())
    o, m = stats["organisations"], stats["members"]
    assert o["total"] == 825
    assert {i["code"]: i["count"] for i in o["by_level"]} == {"committee": 39, "general_branch": 42, "branch": 744}
    assert m["total"] == 20135
    assert m["rural"]["count"] == 10150 and m["rural"]["percent"] == 50.4
    assert m["women"]["count"] == 3107 and m["women"]["percent"] == 15.4
    assert m["aged_35_or_under"]["count"] == 5583 and m["aged_35_or_under"]["percent"] == 27.7
    assert m["high_school_or_above"]["count"] == 11069 and m["high_school_or_above"]["percent"] == 55.0

    # The tree is sound (treebeard's own view of it) and the counters agree with the rows.
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    assert subtree_member_count(root) == 20135
    # The base county's rows, plus the one member the appraisal demo adds and removes (除名).
    assert Member.objects.filter(org_path__startswith=root.path).exclude(status="removed").count() == 20135 + sum(
        n for _, n in demo.EXTRA_UNCOUNTED
    )
    assert Member.objects.filter(org_path__startswith=root.path, status="removed").count() == 1
    sample = Member.objects.order_by("id")[:50]
    for member in sample:
        assert member.org_path == member.organisation.path
        assert member.id_number_hash == crypto.blind_index(member.reveal_id_number())
        assert member.name_pinyin and member.name_initials
    assert MemberCategory.objects.filter(code="rural", member__status__in=codes.COUNTED_STATUSES).count() == 10150
    # Member.category_bits (the statistics' one pass) says the same as the category rows
    held = {}
    for member_id, code in MemberCategory.objects.values_list("member_id", "code"):
        held[member_id] = held.get(member_id, 0) | codes.CATEGORY_BITS[code]
    assert dict(Member.objects.exclude(category_bits=0).values_list("id", "category_bits")) == held
    grouped = Member.objects.exclude(party_group=None).select_related("party_group")[:200]
    assert grouped and all(g.party_group.org_type == "party_group" and g.party_group.path.startswith(g.org_path) for g in grouped)

    # Committees, terms and structure warnings exist as in a real county.
    branches = Organisation.objects.filter(org_type="branch")
    assert CommitteeMember.objects.filter(role="secretary", organisation__org_type="branch").count() >= 700
    states = [term_state(b) for b in branches.order_by("path")[:300]]
    assert "overdue" in states and "ok" in states
    warned = [b for b in branches.filter(direct_member_count__gt=50)] + [b for b in branches.filter(direct_member_count__lt=3)]
    assert warned and all(structure_warnings(b) for b in warned)

    # One summary history entry for the bulk load.
    assert ChangeLog.objects.filter(object_type="orgs.organisation").count() == 1

    # pick_demo_orgs gives the places for the demo accounts.
    picked = demo.pick_demo_orgs()
    assert picked["county"] == root
    assert (
        picked["committee"].org_type == "committee"
        and picked["committee"].depth == root.depth + 1
        and picked["committee"].path.startswith(root.path)
    )
    assert picked["branch"].path.startswith(picked["committee"].path) and picked["branch"].direct_member_count >= 3
    assert not picked["other_branch"].path.startswith(picked["committee"].path)

    # Every domain builder left its records: the education builder was once skipped
    # because the recruitment builder's training classes (filed in education) tripped its
    # guard, and 19,224 of the county's members then showed no study hour at all.
    from apps.dues import tally
    from apps.education.models import EducationPlan, Quiz, StudyEntry

    studied = StudyEntry.objects.filter(status="approved", date__year=timezone.localdate().year).values("member_id").distinct().count()
    assert studied > 20135 * 0.9
    assert EducationPlan.objects.exists() and Quiz.objects.exists()
    assert tally.drift() == ([], 0)  # the dues builder's monthly tallies agree with its lines

    # --if-empty does nothing now; a second plain run refuses clearly.
    out = io.StringIO()
    call_command("demo_county", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="已存在"):
        call_command("demo_county", stdout=io.StringIO())
    assert Organisation.objects.filter(org_type="county_committee").count() == 1
