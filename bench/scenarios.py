"""The benchmark scenarios (docs/performance.md). Each figure is measured side by side with
its lower bound in the same process, interleaved, so the machine's noise hits both."""

from __future__ import annotations

import datetime
import statistics
import time

from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from apps.members import codes
from apps.orgs.models import Organisation

NOT_AVAILABLE = "not available"


def _pct(values, p):
    values = sorted(values)
    if not values:
        return None
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 3),
        "p95_ms": round(_pct(ms, 95), 3),
        "min_ms": round(min(ms), 3),
        "max_ms": round(max(ms), 3),
    }


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def side_by_side(fns: dict, repeat: int, warmup: int = 1) -> dict:
    """Run every fn `repeat` times, interleaved (a, b, a, b …); returns a summary per name."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            dt, _ = timed(fn)
            samples[name].append(dt)
    return {name: summary(s) for name, s in samples.items()}


# ---------------------------------------------------------------- fixtures for the scenarios
def pick_targets(root: Organisation) -> dict:
    """The organisations the scenarios read: the province, its first county, the first
    county's first committee, and that county's largest branch (deterministic)."""
    county = Organisation.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path").first()
    committee = Organisation.objects.filter(path__startswith=county.path, depth=county.depth + 1).order_by("path").first()
    branch = (
        Organisation.objects.filter(path__startswith=county.path, org_type="branch")
        .order_by("-direct_member_count", "path")
        .only("id", "path", "name", "direct_member_count")
        .first()
    )
    return {"province": root, "county": county, "committee": committee, "branch": branch}


def bench_users(targets: dict) -> dict:
    """A county administrator of the first county and the secretary of its largest branch,
    with API tokens (a fresh token each run: only a token's hash is stored)."""
    from apps.accounts.models import RoleAssignment, User
    from apps.accounts.services import issue_token

    users = {}
    for key, role, org in (
        ("county_admin", "county_admin", targets["county"]),
        ("branch_secretary", "branch_secretary", targets["branch"]),
    ):
        user, _ = User.objects.get_or_create(username=f"bench_{key}", defaults={"must_change_password": False, "display_name": key})
        RoleAssignment.objects.filter(user=user).exclude(organisation=org).delete()
        RoleAssignment.objects.get_or_create(user=user, role=role, organisation=org)
        users[key] = (user, issue_token(user, name="bench")[0])
    return users


# ---------------------------------------------------------------- a. party statistics
def raw_statistics_sql(org_path: str, as_of: datetime.date, using: str | None = None) -> dict:
    """The hand-written lower bound: every member figure of the annual statistics in one
    pass over the subtree's counted members, plus one pass each over categories and orgs."""
    from apps.core.dates import add_years

    counted = list(codes.COUNTED_STATUSES)
    marks = ", ".join(["%s"] * len(counted))
    cols, params = [], []

    def case(label, cond, *p):
        cols.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {label}")
        params.extend(p)

    case("women", "sex = 'F'")
    case("minority", "ethnicity <> %s", codes.HAN)
    case("probationary", "member_type = 'probationary'")
    case("youth", "birth_date > %s", add_years(as_of, -(codes.YOUTH_AGE + 1)))
    for i, (_label, lo, hi) in enumerate(codes.AGE_BANDS):
        case(f"age_{i}", "birth_date <= %s AND birth_date > %s", add_years(as_of, -lo), add_years(as_of, -(hi + 1)))
    for code, _label in codes.EDUCATION_CHOICES:
        case(f"edu_{code}", "education = %s", code)
    for code, _label in codes.OCCUPATION_CHOICES:
        case(f"occ_{code}", "occupation = %s", code)
    for code, _label, first, last in codes.JOIN_PERIODS:
        conds, p = [], []
        if first:
            conds.append("join_date >= %s")
            p.append(datetime.date.fromisoformat(first))
        if last:
            conds.append("join_date <= %s")
            p.append(datetime.date.fromisoformat(last))
        case(f"join_{code}", " AND ".join(conds), *p)
    for code in counted:
        case(f"status_{code}", "status = %s", code)
    sql = f"SELECT COUNT(*) AS total, {', '.join(cols)} FROM members_member WHERE org_path LIKE %s AND status IN ({marks})"
    like = org_path + "%"
    conn = connections[using] if using else connection
    with conn.cursor() as cursor:
        cursor.execute(sql, [*params, like, *counted])
        names = [d[0] for d in cursor.description]
        result = dict(zip(names, cursor.fetchone(), strict=True))
        cursor.execute(
            "SELECT c.code, COUNT(*) FROM members_membercategory c JOIN members_member m ON m.id = c.member_id "
            f"WHERE m.org_path LIKE %s AND m.status IN ({marks}) GROUP BY c.code",
            [like, *counted],
        )
        result["categories"] = dict(cursor.fetchall())
        cursor.execute(
            "SELECT org_type, COUNT(*) FROM orgs_organisation WHERE path LIKE %s AND status = 'active' GROUP BY org_type", [like]
        )
        result["organisations"] = dict(cursor.fetchall())
    return result


def scenario_statistics(targets: dict, repeat: int) -> dict:
    try:
        from apps.stats.selectors import party_statistics
    except ImportError as exc:
        party_statistics = None
        missing = f"{NOT_AVAILABLE}: {exc}"
    try:
        from apps.stats.selectors import member_counts, organisation_counts

        def core(org, as_of):
            return organisation_counts(org), member_counts(org, as_of)
    except ImportError:
        core = None
    today = datetime.date.today()
    out = {}
    try:  # the day's snapshot as the daily build_stats_snapshot leaves it (ADR 0011)
        from apps.stats import snapshots

        start = time.perf_counter()
        snapshots.build(margin_seconds=0)  # nothing else writes to the benchmark's database
        build_ms = round((time.perf_counter() - start) * 1000, 1)
        live = True
    except ImportError:
        build_ms, live = None, False
    for key in ("province", "county"):
        org = targets[key]
        fns = {"raw_sql": lambda org=org: raw_statistics_sql(org.path, today)}
        if party_statistics is not None:
            fns["party_statistics"] = lambda org=org: party_statistics(org)
            if live:  # the same figures counted without the snapshot
                fns["party_statistics_live"] = lambda org=org: party_statistics(org, snapshot=False)
            if core is not None:
                # the member and organisation breakdowns only — the same rows as the raw SQL;
                # party_statistics adds the extension sections (recruitment, dues …) on top
                fns["party_statistics_core"] = lambda org=org: core(org, today)
        r = side_by_side(fns, repeat)
        total = raw_statistics_sql(org.path, today)["total"]
        entry = {"org": org.name, "members_counted": total, **r}
        if build_ms is not None:
            entry["snapshot_build_ms"] = build_ms  # the whole tree's, once
        if party_statistics is None:
            entry["party_statistics"] = missing
        else:
            with CaptureQueriesContext(connection) as ctx:
                party_statistics(org)
            entry["party_statistics_queries"] = len(ctx.captured_queries)
            entry["ratio_median"] = round(r["party_statistics"]["median_ms"] / r["raw_sql"]["median_ms"], 2)
            if "party_statistics_live" in r:
                entry["ratio_live_median"] = round(r["party_statistics_live"]["median_ms"] / r["raw_sql"]["median_ms"], 2)
            if "party_statistics_core" in r:
                entry["ratio_core_median"] = round(r["party_statistics_core"]["median_ms"] / r["raw_sql"]["median_ms"], 2)
        out[key] = entry
    return out


# ---------------------------------------------------------------- e. dues (synth_province --dues)
def scenario_dues(targets: dict, repeat: int) -> dict:
    """The dues statistics section (apps.dues.stats.contribute) and the dues.collected
    health metric for the province and the county, side by side (bench/bench_dues.py adds
    CPU times)."""
    from apps.dues import stats
    from apps.supervision.metrics import dues_collected
    from bench.synth import DUES_YEAR

    today = datetime.date.today()
    out = {}
    for key in ("province", "county"):
        org = targets[key]
        fns = {
            "dues_section": lambda org=org: stats.contribute(org, today),
            "dues_collected": lambda org=org: dues_collected([org.id], DUES_YEAR, None),
        }
        entry = {"org": org.name, **side_by_side(fns, repeat)}
        for name, fn in fns.items():
            with CaptureQueriesContext(connection) as ctx:
                fn()
            entry[f"{name}_queries"] = len(ctx.captured_queries)
        out[key] = entry
    return out


# ---------------------------------------------------------------- b. member list
MEMBER_API = "/api/members/"


def member_api_available() -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(MEMBER_API)
        return True
    except Resolver404:
        return False


def list_cases(targets: dict) -> list[dict]:
    branch, county = targets["branch"], targets["county"]
    branch_pages = max(1, -(-branch.direct_member_count // 50))
    return [
        {"case": "branch_p1", "user": "branch_secretary", "params": {"org": branch.id, "status": "normal", "ordering": "name", "page": 1}},
        {
            "case": "branch_last",
            "user": "branch_secretary",
            "params": {"org": branch.id, "status": "normal", "ordering": "name", "page": branch_pages},
        },
        {"case": "county_p1", "user": "county_admin", "params": {"org": county.id, "status": "normal", "ordering": "name", "page": 1}},
        {
            "case": "county_p200",
            "user": "county_admin",
            "params": {"org": county.id, "status": "normal", "ordering": "name", "page": 200, **_keyset_cursor(county, 200)},
        },
        {
            "case": "county_filter_p1",
            "user": "county_admin",
            "params": {"org": county.id, "education": "bachelor", "ordering": "-join", "page": 1},
        },
    ]


def _keyset_cursor(county, page: int, page_size: int = 50) -> dict:
    """The cursor a keyset `next` link carries to the county's page `page` (status=normal,
    by name): deep pages are not served by number (apps.core.paging.OFFSET_PAGES)."""
    try:
        from apps.core.paging import encode_cursor
    except ImportError:  # a build without keyset paging: the page number alone
        return {}
    from apps.members.filters import ORDERING
    from apps.members.models import Member

    fields = ORDERING["name"]
    rows = Member.objects.filter(org_path__startswith=county.path, status="normal").order_by(*fields)
    before = rows[(page - 1) * page_size - 1 : (page - 1) * page_size].first()
    return {"after": encode_cursor(before, fields)} if before else {}


def _selector_page(user, params: dict, page_size: int = 50):
    """The member list without HTTP: scoping + MemberFilterSet + capped count + one page."""
    from apps.core.api.pagination import capped_count
    from apps.members.filters import MemberFilterSet
    from apps.members.models import Member

    query = {k: v for k, v in params.items() if k != "page"}
    if "status" in query:
        query["status"] = [query["status"]]
    fs = MemberFilterSet(query, queryset=Member.objects.restrict(user, "view"))
    qs = fs.qs
    page = int(params.get("page", 1))
    offset = (page - 1) * page_size
    rows = list(
        qs.values("id", "name", "sex", "birth_date", "id_number_masked", "phone_masked", "education", "member_type", "status", "join_date")[
            offset : offset + page_size
        ]
    )
    count, exact = capped_count(qs)
    return {"count": count, "count_exact": exact, "results": rows}


def scenario_member_list(targets: dict, users: dict, repeat: int) -> dict:
    from django.test import Client

    via_api = member_api_available()
    out = {"via": "api " + MEMBER_API if via_api else "selector (the API is not available in this build)"}
    clients = {key: Client(HTTP_AUTHORIZATION=f"Token {token}") for key, (_u, token) in users.items()}
    for case in list_cases(targets):
        user, _token = users[case["user"]]
        if via_api:
            client = clients[case["user"]]

            def fn(client=client, params=case["params"]):
                response = client.get(MEMBER_API, params)
                assert response.status_code == 200, (response.status_code, response.content[:300])
                return response.json()
        else:

            def fn(user=user, params=case["params"]):
                # a fresh user object per call, as per request (scope cache is per user object)
                from apps.accounts.models import User

                return _selector_page(User.objects.get(pk=user.pk), params)

        r = side_by_side({"list": fn}, repeat)["list"]
        with CaptureQueriesContext(connection) as ctx:
            data = fn()
        r["queries"] = len(ctx.captured_queries)
        r["rows"] = len(data["results"])
        r["count"] = data.get("count")
        r["params"] = case["params"]
        out[case["case"]] = r
    return out


# ---------------------------------------------------------------- c. subtree member count
def scenario_counts(targets: dict, repeat: int) -> dict:
    from apps.members.models import Member
    from apps.orgs.services import subtree_member_count

    out = {}
    for key in ("province", "county", "committee", "branch"):
        org = targets[key]

        def index_only(org=org):
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM members_member WHERE org_path LIKE %s", [org.path + "%"])
                return cursor.fetchone()[0]

        fns = {
            "subtree_member_count": lambda org=org: subtree_member_count(org),
            "count_counted_members": lambda org=org: Member.objects.counted().filter(org_path__startswith=org.path).count(),
            "count_index_only_all_rows": index_only,
        }
        r = side_by_side(fns, repeat)
        a, b = subtree_member_count(org), fns["count_counted_members"]()
        r["value"] = a
        r["agrees_with_member_table"] = a == b
        r["all_rows_under_path"] = index_only()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN SELECT COUNT(*) FROM members_member WHERE org_path LIKE %s", [org.path + "%"])
                r["index_only_plan"] = " / ".join(row[0].strip() for row in cursor.fetchall()[:3])
        out[key] = r
    return out


# ---------------------------------------------------------------- scope predicate (SQLite finding)
NOCASE_INDEX = "bench_member_org_path_nocase"


def scenario_scope_predicate(targets: dict, repeat: int) -> dict:
    """The branch page's WHERE clause as Django writes it for `org_path__startswith`
    (LIKE 'p%' ESCAPE '\\') against the equivalent range (org_path >= p AND < p || '~':
    path characters are 0-9A-Z, all below '~'). PostgreSQL turns the LIKE into an index range
    (varchar_pattern_ops); SQLite only does so when LIKE is case-sensitive, so by default it
    walks another index or the table — this measures what that costs."""
    out = {}
    for key in ("branch", "county"):
        path = targets[key].path
        like_sql = "SELECT id, name FROM members_member WHERE org_path LIKE %s ESCAPE '\\' AND status IN ('normal') ORDER BY name_pinyin, id LIMIT 51"
        range_sql = "SELECT id, name FROM members_member WHERE org_path >= %s AND org_path < %s AND status IN ('normal') ORDER BY name_pinyin, id LIMIT 51"

        def run(sql, params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        fns = {
            "like": lambda sql=like_sql, p=path: run(sql, [p + "%"]),
            "range": lambda sql=range_sql, p=path: run(sql, [p, p + "~"]),
        }
        r = side_by_side(fns, repeat)
        r["same_rows"] = fns["like"]() == fns["range"]()
        if connection.vendor == "sqlite":
            # The fix proposed in docs/performance.md: an index with NOCASE collation lets
            # SQLite's (case-insensitive) LIKE use it; paths are 0-9A-Z only, so it is exact.
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {NOCASE_INDEX} ON members_member (org_path COLLATE NOCASE, id)")
            try:
                r["like_with_nocase_index"] = side_by_side({"x": fns["like"]}, repeat)["x"]
                r["same_rows_with_nocase_index"] = fns["like"]() == fns["range"]()
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN QUERY PLAN " + like_sql, [path + "%"])
                    r["like_plan_with_nocase_index"] = " / ".join(str(row[-1]) for row in cursor.fetchall())
            finally:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP INDEX IF EXISTS {NOCASE_INDEX}")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + like_sql, [path + "%"])
                r["like_plan"] = " / ".join(str(row[-1]) for row in cursor.fetchall())
                cursor.execute("EXPLAIN QUERY PLAN " + range_sql, [path, path + "~"])
                r["range_plan"] = " / ".join(str(row[-1]) for row in cursor.fetchall())
        out[key] = r
    return out
