"""e. Growth measured side by side: the same requests against every province size in ONE
process, interleaved (20k, 200k, 1M, 20k, 200k, 1M …), so the machine's load hits every
size alike. Each size's own run (bench/run.py) gives the absolute figures; this gives the
growth ratios."""

from __future__ import annotations

from bench import scenarios
from bench.routers import pinned


def run_growth(aliases: list[str], repeat: int) -> dict:
    from django.test import Client

    from apps.orgs.models import Organisation
    from apps.orgs.services import subtree_member_count

    setup = {}
    for alias in aliases:
        with pinned(alias):
            root = Organisation.objects.get(code="S1R1P")
            targets = scenarios.pick_targets(root)
            users = scenarios.bench_users(targets)
            setup[alias] = (targets, users)
    try:
        from apps.stats.selectors import party_statistics
    except ImportError:
        party_statistics = None
    api = scenarios.member_api_available()

    def list_call(alias, who, case):
        targets, users = setup[alias]
        user, token = users[who]
        params = next(c["params"] for c in scenarios.list_cases(targets) if c["case"] == case)
        if api:
            client = Client(HTTP_AUTHORIZATION=f"Token {token}")

            def fn():
                with pinned(alias):
                    response = client.get(scenarios.MEMBER_API, params)
                    assert response.status_code == 200, response.status_code
        else:

            def fn():
                from apps.accounts.models import User

                with pinned(alias):
                    scenarios._selector_page(User.objects.get(pk=user.pk), params)

        return fn

    def pinned_call(alias, f):
        def fn():
            with pinned(alias):
                f()

        return fn

    metrics = {
        "member list branch page 1": lambda a: list_call(a, "branch_secretary", "branch_p1"),
        "member list county page 1": lambda a: list_call(a, "county_admin", "county_p1"),
        "member list county page 200": lambda a: list_call(a, "county_admin", "county_p200"),
        "subtree count county (counters)": lambda a: pinned_call(a, lambda: subtree_member_count(setup[a][0]["county"])),
        "subtree count branch (counters)": lambda a: pinned_call(a, lambda: subtree_member_count(setup[a][0]["branch"])),
        "statistics county (raw SQL)": lambda a: pinned_call(a, lambda: _raw_on(a, setup[a][0]["county"].path)),
    }
    if party_statistics is not None:
        metrics["statistics county (party_statistics)"] = lambda a: pinned_call(a, lambda: party_statistics(setup[a][0]["county"]))
    out = {"via": "api" if api else "selector", "aliases": aliases, "metrics": {}}
    for name, make in metrics.items():
        r = scenarios.side_by_side({a: make(a) for a in aliases}, repeat)
        first, last = r[aliases[0]], r[aliases[-1]]
        r["growth_median"] = round(last["median_ms"] / first["median_ms"], 2) if first["median_ms"] else None
        r["growth_p95"] = round(last["p95_ms"] / first["p95_ms"], 2) if first["p95_ms"] else None
        out["metrics"][name] = r
    return out


def _raw_on(alias, path):
    import datetime

    return scenarios.raw_statistics_sql(path, datetime.date.today(), using=alias)
