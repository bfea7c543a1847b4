"""The bench scenarios at tiny sizes: they measure the right rows, and the figures they
compare agree (fast; the real runs are `make bench`)."""

import datetime

import pytest

from apps.members import codes
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.services import subtree_member_count
from bench import run, scenarios, synth
from bench.report import summarise

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    result = synth.build_province(800, 2, seed=2, workers=1, out=lambda *_: None)
    from apps.orgs.models import Organisation

    return scenarios.pick_targets(Organisation.objects.get(pk=result["root_id"]))


def test_targets_and_users(province):
    assert province["county"].depth == 2
    assert province["branch"].org_type == "branch"
    assert province["branch"].path.startswith(province["county"].path)
    users = scenarios.bench_users(province)
    again = scenarios.bench_users(province)  # the same users; a fresh token each run
    assert users["county_admin"][0].pk == again["county_admin"][0].pk
    from django.test import Client

    for key in (users["county_admin"][1], again["county_admin"][1]):
        assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/auth/me/").status_code == 200
    branch_user = users["branch_secretary"][0]
    visible = Member.objects.restrict(branch_user).values_list("org_path", flat=True)
    assert visible and all(p.startswith(province["branch"].path) for p in visible)


def test_raw_statistics_agree_with_the_counters(province):
    for key in ("province", "county"):
        org = province[key]
        raw = scenarios.raw_statistics_sql(org.path, datetime.date(2026, 1, 1))
        assert raw["total"] == subtree_member_count(org)
        assert sum(raw[f"edu_{c}"] for c, _ in codes.EDUCATION_CHOICES) == raw["total"]
        assert sum(v for k, v in raw.items() if k.startswith("age_")) == raw["total"]
        assert raw["organisations"]["branch"] >= 1


def test_statistics_scenario_reports_missing_selector_or_ratio(province):
    out = scenarios.scenario_statistics(province, repeat=1)
    for key in ("province", "county"):
        entry = out[key]
        assert entry["raw_sql"]["n"] == 1
        assert ("ratio_median" in entry) or entry["party_statistics"].startswith(scenarios.NOT_AVAILABLE)


def test_counts_scenario_agrees(province):
    out = scenarios.scenario_counts(province, repeat=2)
    for key in ("province", "county", "committee", "branch"):
        assert out[key]["agrees_with_member_table"] is True
        assert out[key]["all_rows_under_path"] >= out[key]["value"]


def test_member_list_scenario_constant_queries(province):
    users = scenarios.bench_users(province)
    out = scenarios.scenario_member_list(province, users, repeat=1)
    cases = {case: r for case, r in out.items() if case != "via"}
    assert max(r["queries"] for r in cases.values()) <= 10
    # pages with rows run the same queries (an empty page past the end may skip the prefetch)
    assert len({r["queries"] for r in cases.values() if r["rows"]}) == 1
    assert out["county_p1"]["rows"] == 50
    assert out["branch_p1"]["rows"] == min(50, out["branch_p1"]["count"])


def test_side_by_side_and_summary():
    calls = []
    r = scenarios.side_by_side({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeat=3, warmup=1)
    assert calls == ["a", "b"] * 4  # interleaved
    assert set(r["a"]) == {"n", "median_ms", "p95_ms", "min_ms", "max_ms"} and r["a"]["n"] == 3


def test_labels_and_text_summary():
    assert [run.label(s) for s in (20000, 200000, 1000000, 1234)] == ["20k", "200k", "1m", "1234"]
    assert run._pg_url_for("postgres://u@h:5432/dj_bench", 200000) == "postgres://u@h:5432/dj_bench_200k"
    report = {"command": "bench/run.py", "timestamp": "t", "git_commit": "abc", "machine": {}, "runs": [{"size": 20000, "error": "boom"}]}
    assert "ERROR boom" in summarise(report)


def test_scope_predicate_like_and_range_find_the_same_rows(province):
    out = scenarios.scenario_scope_predicate(province, repeat=1)
    assert out["branch"]["same_rows"] is True and out["county"]["same_rows"] is True
    if "like_with_nocase_index" in out["branch"]:  # SQLite: the proposed index finds the same rows
        assert out["branch"]["same_rows_with_nocase_index"] is True


def test_run_refuses_clearly_when_postgresql_is_unreachable(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/dj_bench")
    assert run.main(["--sizes", "20000", "--sqlite-sizes", ""]) == 2
    assert "PostgreSQL is unreachable" in capsys.readouterr().err


def test_pinned_alias_router_only_inside_the_block():
    from bench.routers import PinnedAliasRouter, pinned

    r = PinnedAliasRouter()
    assert r.db_for_read(Member) is None and r.db_for_write(Member) is None
    with pinned("s1m"):
        assert r.db_for_read(Member) == "s1m" and r.db_for_write(Member) == "s1m"
    assert r.db_for_read(Member) is None


def test_growth_markdown_renders():
    from bench.report import growth_side_by_side

    stats = {"median_ms": 2.0, "p95_ms": 3.0}
    report = {
        "growth": {
            "via": "api",
            "aliases": ["s20k", "s1m"],
            "metrics": {"m": {"s20k": stats, "s1m": stats, "growth_median": 1.0, "growth_p95": 1.0}},
        }
    }
    text = growth_side_by_side(report)
    assert "| m | 2.0 / 3.0 | 2.0 / 3.0 | 1.0× | 1.0× |" in text


def test_dues_scenario_on_a_province_with_dues():
    result = synth.build_province(300, 2, seed=6, workers=1, dues=True, out=lambda *_: None)
    targets = scenarios.pick_targets(Organisation.objects.get(pk=result["root_id"]))
    out = scenarios.scenario_dues(targets, repeat=2)
    for key in ("province", "county"):
        assert out[key]["dues_section"]["n"] == 2 and out[key]["dues_collected"]["median_ms"] > 0
        # tallies, voluntary, whether the arrears standing is current, arrears counts, open cases
        assert out[key]["dues_section_queries"] == 5 and out[key]["dues_collected_queries"] == 2
    header = {"command": "run.py --synth-dues", "timestamp": "t", "git_commit": "0" * 12, "machine": {}}
    text = summarise({**header, "runs": [{"vendor": "sqlite", "size": 300, "dues": out}]})
    assert "e. dues province" in text and "dues.collected" in text
