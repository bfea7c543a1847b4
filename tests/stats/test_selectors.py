import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.dates import add_years
from apps.members import services as member_services
from apps.members.models import Member
from apps.stats import selectors
from apps.stats.selectors import child_rows, party_statistics, percent
from tests.factories import make_member, make_org


def _item(items, code):
    return next(i for i in items if i["code"] == code)


def _born(age: int, extra_days: int = 0) -> datetime.date:
    """Birth date of someone exactly `age` today (extra_days > 0: a little younger)."""
    return add_years(timezone.localdate(), -age) + datetime.timedelta(days=extra_days)


@pytest.fixture
def populated(tree):
    """Hand-counted members: branch A1 (5), A2 (2), B1 (1 + 1 suspended, 1 deceased)."""
    a1, a2 = tree["branches"][0]
    b1, _b2 = tree["branches"][1]
    join = datetime.date(2015, 7, 1)
    conv = datetime.date(2016, 7, 1)
    m = {}
    m["exactly35"] = make_member(
        a1,
        sex="F",
        birth_date=_born(35),
        join_date=join,
        conversion_date=conv,
        education="high_school",
        occupation="farmer",
        categories=["rural"],
    )
    m["turned36"] = make_member(
        a1,
        sex="M",
        birth_date=_born(36),
        join_date=join,
        conversion_date=conv,
        education="junior_or_below",
        occupation="farmer",
        categories=["rural", "hardship"],
    )
    m["almost36"] = make_member(
        a1,
        sex="M",
        birth_date=_born(36, 1),
        join_date=join,
        conversion_date=conv,
        education="college",
        occupation="manager",
        ethnicity="畲族",
    )
    m["young"] = make_member(
        a1,
        sex="F",
        birth_date=_born(25),
        join_date=timezone.localdate() - datetime.timedelta(days=30),
        conversion_date=None,
        member_type="probationary",
        education="bachelor",
        occupation="professional",
    )
    m["old"] = make_member(
        a1,
        sex="M",
        birth_date=datetime.date(1928, 3, 1),
        join_date=datetime.date(1948, 5, 1),
        conversion_date=datetime.date(1949, 5, 1),
        education="secondary_vocational",
        occupation="retired",
        categories=["pre_1949", "retired"],
        ethnicity="回族",
    )
    m["a2_1"] = make_member(
        a2,
        sex="F",
        birth_date=_born(61),
        join_date=datetime.date(1990, 1, 1),
        conversion_date=datetime.date(1991, 1, 1),
        education="postgraduate",
        occupation="civil_servant",
    )
    m["a2_2"] = make_member(
        a2,
        sex="M",
        birth_date=_born(60),
        join_date=datetime.date(2013, 1, 1),
        conversion_date=datetime.date(2014, 1, 1),
        education="junior_or_below",
        occupation="other",
    )
    m["b_mobile"] = make_member(
        b1, sex="M", birth_date=_born(40), join_date=join, conversion_date=conv, education="junior_or_below", occupation="farmer"
    )
    member_services.change_status(m["b_mobile"], "mobile", date=timezone.localdate(), reason="外出务工", actor=system_actor("cli"))
    susp = make_member(b1, sex="F", birth_date=_born(45), join_date=join, conversion_date=conv)
    member_services.change_status(
        susp, "suspended", date=timezone.localdate(), reason="失联满6个月", actor=system_actor("cli"), engine="appraisal"
    )
    dead = make_member(b1, sex="F", birth_date=_born(80), join_date=datetime.date(1970, 1, 1), conversion_date=datetime.date(1971, 1, 1))
    member_services.change_status(dead, "deceased", date=timezone.localdate(), reason="病故", actor=system_actor("cli"))
    return m


def test_hand_counted_county(tree, populated):
    stats = party_statistics(tree["county"])
    m = stats["members"]
    assert m["total"] == 8  # suspended and deceased are not counted
    assert m["women"]["count"] == 3 and m["women"]["percent"] == 37.5
    assert m["minority"]["count"] == 2
    assert {i["code"]: i["count"] for i in m["minority"]["by_ethnicity"]} == {"畲族": 1, "回族": 1}
    # Age boundaries: exactly 35 today counts, 36 today does not, 36 tomorrow still 35.
    assert m["aged_35_or_under"]["count"] == 3  # exactly35, almost36, young
    bands = {i["label"]: i["count"] for i in m["age_bands"]}
    assert bands == {
        "30岁及以下": 1,
        "31至35岁": 2,
        "36至40岁": 2,
        "41至45岁": 0,
        "46至50岁": 0,
        "51至55岁": 0,
        "56至60岁": 1,
        "61岁及以上": 2,
    }
    assert m["high_school_or_above"]["count"] == 5
    assert m["college_or_above"]["count"] == 3
    assert _item(m["education"], "junior_or_below")["count"] == 3
    assert _item(m["occupation"], "farmer")["count"] == 3
    assert _item(m["member_type"], "probationary")["count"] == 1
    assert _item(m["categories"], "rural")["count"] == 2 and m["rural"]["count"] == 2
    assert _item(m["categories"], "pre_1949")["count"] == 1
    assert _item(m["join_period"], "before_1949")["count"] == 1
    assert _item(m["join_period"], "to_1978")["count"] == 0
    assert _item(m["join_period"], "to_2012")["count"] == 1
    assert _item(m["join_period"], "since_2012")["count"] == 6
    assert _item(m["status"], "mobile")["count"] == 1
    o = stats["organisations"]
    assert o["total"] == 6  # 2 党委 + 4 党支部; the county committee itself is not grassroots
    assert {i["code"]: i["count"] for i in o["by_level"]} == {"committee": 2, "general_branch": 0, "branch": 4}


def test_subtree_and_joint_branches(tree, populated):
    committee = tree["committees"][0]
    joint = make_org(committee, org_type="joint_branch", name="联合党支部", unit_type="non_public_enterprise")
    make_org(tree["branches"][0][0], org_type="party_group", name="第一党小组")
    make_member(joint, sex="M")
    stats = party_statistics(committee)
    assert stats["members"]["total"] == 8
    o = stats["organisations"]
    # the committee itself + A1, A2 + the joint branch (counted as 党支部); the party group is not
    assert {i["code"]: i["count"] for i in o["by_level"]} == {"committee": 1, "general_branch": 0, "branch": 3}
    assert _item(o["branches_by_type"], "joint_branch")["count"] == 1
    assert _item(o["by_unit_type"], "non_public_enterprise")["count"] == 1
    assert o["party_groups"] == 1
    other = party_statistics(tree["committees"][1])
    assert other["members"]["total"] == 1


def test_as_of_moves_the_age_boundary(tree, populated):
    # A year ago, "exactly35" was 34 and "turned36" was 35.
    stats = party_statistics(tree["county"], add_years(timezone.localdate(), -1))
    assert stats["as_of"] == add_years(timezone.localdate(), -1).isoformat()
    bands = {i["label"]: i["count"] for i in stats["members"]["age_bands"]}
    assert bands["31至35岁"] == 3


def test_empty_subtree_gives_zero_shares(tree):
    stats = party_statistics(tree["branches"][0][0])
    assert stats["members"]["total"] == 0
    assert stats["members"]["women"]["percent"] == 0.0


def test_percent_rounds_half_up():
    assert percent(10150, 20135) == 50.4
    assert percent(11069, 20135) == 55.0
    assert percent(1, 8) == 12.5
    assert percent(1, 0) == 0.0


def test_query_count_is_constant(tree):
    """The same number of queries for 5 and 50 members: 4 for the base breakdowns
    (organisations, members, ethnicity, categories) plus a fixed number per extension."""
    branch = tree["branches"][0][0]
    counts = []
    total = 0
    for n in (5, 45):
        for i in range(n):
            make_member(branch, categories=["rural"] if i % 2 else [], ethnicity="回族" if i % 3 == 0 else "汉族")
        total += n
        with CaptureQueriesContext(connection) as ctx:
            stats = party_statistics(tree["county"])
        assert stats["members"]["total"] == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    base = [q for q in ctx.captured_queries if "members_member" in q["sql"] or "orgs_organisation" in q["sql"]]
    assert len(base) >= 4


# The statements party_statistics sends for a county (no snapshot of the day: its lookup and
# the members counted live), issue 13: each is a round trip and a planning (≈ 1.5 ms under
# load). 50 → 19 on the synthetic province when the sections' aggregates went into one.
PARTY_STATISTICS_QUERIES = 18
# tables only read by the one statement of every section's aggregates (StatsSection.aggregates)
AGGREGATED_ONLY = ("care_", "democracy_", "mobility_", "appraisal_", "recruitment_", "supervision_")


def test_party_statistics_sends_a_fixed_number_of_statements(tree, populated):
    """The organisation counts and every section's one-row aggregates in ONE statement
    (apps.core.aggregates), then each section's grouped queries: a fixed count, whatever
    the data (lower it when a section sends fewer)."""
    with CaptureQueriesContext(connection) as ctx:
        stats = party_statistics(tree["county"])
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) == PARTY_STATISTICS_QUERIES, "\n".join(s[:120] for s in sqls)
    together = [s for s in sqls if s.startswith("SELECT * FROM (")]
    assert len(together) == 1 and '"orgs_organisation"' in together[0]
    assert not [s for s in sqls if s is not together[0] and any(f'"{t}' in s for t in AGGREGATED_ONLY)]
    # the figures sent together equal each part's own: the organisation counts and every
    # section called on its own (which then sends its aggregates itself)
    from apps.core import registry

    assert stats["organisations"] == selectors.organisation_counts(tree["county"]) and stats["organisations"]["total"] == 6
    for section in registry.stats.all():
        for key, figures in (section.contribute(tree["county"], timezone.localdate()) or {}).items():
            assert stats[key] == figures, section.name
    with CaptureQueriesContext(connection) as dashboard:
        party_statistics(tree["county"], charted=True)
    assert len(dashboard.captured_queries) < PARTY_STATISTICS_QUERIES


def test_child_rows_one_grouped_query(tree, populated):
    with CaptureQueriesContext(connection) as ctx:
        rows = child_rows(tree["county"])
    assert len(ctx.captured_queries) == 2
    assert [(r["org"].pk, r["members"], r["grassroots"]) for r in rows] == [
        (tree["committees"][0].pk, 7, 3),  # the committee itself + 2 branches
        (tree["committees"][1].pk, 1, 3),
    ]


def test_registered_sections_contribute_their_sections(tree, monkeypatch):
    from apps.core import registry

    section = registry.StatsSection("tests_fake", "测试", lambda org, as_of: {"tests_fake": {"label": "测试节", "developed": 3}})
    registry.stats.register(section)
    try:
        stats = party_statistics(tree["county"])
        assert stats["tests_fake"] == {"label": "测试节", "developed": 3}
        assert ("测试节", "developed", 3, "") in selectors.flat_rows(stats)
        # the real sections are registered by their apps, not listed in stats
        assert {"development", "dues"} <= {s.name for s in registry.stats}
    finally:
        registry.stats.unregister("tests_fake")


def test_a_section_registered_twice_is_refused():
    from apps.core import registry

    with pytest.raises(ValueError, match="registered twice"):
        registry.stats.register(registry.StatsSection("dues", "again", lambda org, as_of: {}))


def test_one_pass_over_the_members(tree, monkeypatch):
    """Issue 13: the base breakdowns, every ethnicity, every category and the members
    developed this year come from ONE query over the member table (the development
    section's member figures are counted in that same pass)."""
    from apps.core import registry

    branch = tree["branches"][0][0]
    make_member(branch, categories=["rural", "hardship"], ethnicity="回族", increase_method="developed")
    make_member(branch, categories=["retired"], ethnicity="藏族")
    make_member(branch)
    monkeypatch.setattr(registry.stats, "all", lambda: [registry.stats.get("development")])
    with CaptureQueriesContext(connection) as ctx:
        stats = party_statistics(tree["county"])
    member_scans = [q for q in ctx.captured_queries if 'FROM "members_member"' in q["sql"]]
    assert len(member_scans) == 1
    assert not [q for q in ctx.captured_queries if "members_membercategory" in q["sql"]]
    cats = {i["code"]: i["count"] for i in stats["members"]["categories"]}
    assert (cats["rural"], cats["hardship"], cats["retired"], cats["mobile"]) == (1, 1, 1, 0)
    assert {i["code"]: i["count"] for i in stats["members"]["minority"]["by_ethnicity"]} == {"回族": 1, "藏族": 1}
    assert stats["development"]["developed_since"]["total"] == Member.objects.filter(increase_method="developed").count()


def test_chosen_breakdowns_only_and_the_same_figures(tree, populated):
    """The dashboard asks for the breakdowns it shows: those equal the full statistics',
    the others are absent (and absent from the flat rows), and the single pass counts
    fewer conditions."""
    county = tree["county"]
    full = party_statistics(county)
    with CaptureQueriesContext(connection) as all_of_it:
        party_statistics(county)
    with CaptureQueriesContext(connection) as some:
        part = party_statistics(county, breakdowns=("age_bands", "education"))
    for key in ("total", "age_bands", "aged_35_or_under", "education", "high_school_or_above", "college_or_above"):
        assert part["members"][key] == full["members"][key]
    assert not {"by_sex", "minority", "occupation", "categories", "member_type", "join_period", "status"} & part["members"].keys()
    sections = {row[0] for row in selectors.flat_rows(part)}
    assert {"党员·年龄", "党员·学历"} <= sections and not {"党员·性别", "党员·民族", "党员·职业"} & sections
    # the single pass: the aggregate whose first figure is the members' total
    member_pass = [q["sql"] for q in some.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "total"')]
    full_pass = [q["sql"] for q in all_of_it.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "total"')]
    assert len(member_pass) == len(full_pass) == 1
    assert member_pass[0].count("FILTER") < full_pass[0].count("FILTER")
