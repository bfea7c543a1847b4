"""Role × endpoint matrix: every URL pattern and API route, discovered from the URL
resolver, is called by every role against a scoped fixture world.

World: county → 党委 C1 → branch A (+ A2); county → 党委 C2 → branch B. Objects of every
registered model exist in B (and, for the member check, a second member in A).

Proved for every route:
- the secretary of A gets no 200 for any URL whose kwargs point at B's objects, and no
  write succeeds there; kwarg-free pages never show B's data; API list routes return no
  row of B;
- a member sees only their own record (another member's URLs are not 200);
- the county leader cannot write anywhere (nothing is written; API writes answer ≥ 400);
- a committee organiser of C1 sees nothing of C2's subtree and is not refused (404) on
  pages of its own subtree that an administrator can open;
- every write endpoint is sent a VALID body (tests/access_matrix_bodies.py): B's own
  secretary (or the county administrator) succeeds with it — the change shows in the
  database, then is rolled back — and the same body from the secretary of A or the
  organiser of C1 answers 404 and changes nothing. An empty body would prove nothing
  where a form refuses it before the scope check.

New endpoints are covered automatically. A URL kwarg must be registered (which model or
which values it takes), and a write endpoint needs a body: a new domain puts both in its
own tests/<app label>/matrix.py (see _load_app_parts); anything unregistered FAILS this
test, so nothing is silently skipped.
"""

import inspect
import json
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.core.actors import system_actor
from apps.core.models import AccessLog, ChangeLog
from tests.access_matrix_bodies import NO_BODY, WRITE_BODIES, Write
from tests.factories import make_member, make_org, make_user

# ── Registries: what a URL kwarg refers to ────────────────────────────────────────────
# kwarg name → model label ("app_label.modelname"), whatever the namespace.
KWARG_MODELS = {
    "org_pk": "orgs.organisation",
    "parent_pk": "orgs.organisation",
    "organisation_pk": "orgs.organisation",
    "member_pk": "members.member",
    "user_pk": "accounts.user",
    "assignment_pk": "accounts.roleassignment",
    "token_pk": "accounts.apitoken",
    "seat_pk": "orgs.committeemember",
    # recruitment: objects nested under a development file (the factories below put them
    # on the side's own file, so a nested URL really reaches its object)
    "attachment_id": "recruitment.attachment",
    "notice_id": "recruitment.publicnotice",
    "objection_id": "recruitment.objection",
    "class_id": "education.trainingclass",  # recruitment's classes are education classes (issue 15)
}
# "pk" / "id" are ambiguous: resolved by URL name first, then by namespace, then (API
# viewsets) by the view's `queryset.model`.
PK_BY_URL_NAME: dict[str, str] = {
    # a member's request to change a reviewed field (its pk is not a member's)
    "members:decide_request": "members.memberchangerequest",
    # recruitment pages of one development file (by name, not by namespace: a later
    # recruitment/<pk> page about another model must be registered, not guessed)
    **{
        f"recruitment:{name}": "recruitment.developmentfile"
        for name in (
            "file_detail",
            "step_take",
            "attachment_download",
            "vote_new",
            "notice_new",
            "objection_new",
            "objection_resolve",
            "assessment_new",
            "transfer",
        )
    },
    # dues web pages: pk differs by page
    "dues:pay": "dues.duesline",
    "dues:pay_form": "dues.duesline",
    "dues:paid_elsewhere": "dues.duesline",
    "dues:member": "members.member",
    "dues:arrears_case": "dues.arrearscase",
    "dues:decide_reduction": "dues.reduction",
    "dues:confirm": "dues.collection",
    # excel web pages
    "excel:import_job": "excel.importjob",
    "excel:import_progress": "excel.importjob",
    "excel:import_commit": "excel.importjob",
    "excel:import_cancel": "excel.importjob",
    "excel:import_report": "excel.importjob",
    "excel:export_download": "excel.exportjob",
    "excel:export_cancel": "excel.exportjob",
    # API viewsets whose queryset is built per request (get_queryset), so the resolver
    # cannot tell their model
    "recruitment-file-detail": "recruitment.developmentfile",
    "recruitment-file-due": "recruitment.developmentfile",
    "recruitment-file-steps": "recruitment.developmentfile",
    "dues-line-detail": "dues.duesline",
    "dues-payment-detail": "dues.payment",
    "dues-declaration-detail": "dues.incomedeclaration",
    "dues-arrears-case-detail": "dues.arrearscase",
    "dues-arrears-case-decide": "dues.arrearscase",
    "dues-collection-detail": "dues.collection",
    "dues-collection-confirm": "dues.collection",
    "import-job-detail": "excel.importjob",
    "import-job-cancel": "excel.importjob",
    "import-job-commit": "excel.importjob",
    "export-job-detail": "excel.exportjob",
    "export-job-cancel": "excel.exportjob",
    "export-job-download": "excel.exportjob",
}
PK_BY_NAMESPACE = {
    "orgs": "orgs.organisation",
    "members": "members.member",
    "accounts": "accounts.user",
}


def _step_codes() -> list[str]:
    from apps.recruitment.rules import STEPS

    return [s.code for s in STEPS]


# kwargs that are values, not objects: every listed value is tried.
VALUE_KWARGS = {
    "field": ["id_number", "phone"],
    # recruitment:step_take — every step of the rule table (each is its own form/permission)
    "code": _step_codes(),
}
# Routes never walked (framework or documentation endpoints), by path prefix.
SKIP_PREFIXES = ("admin/", "static/", "media/", "i18n/", "api/schema/", "api/docs/")
# Self-service account endpoints every signed-in user may POST to (own session/password).
SELF_SERVICE = {"accounts:login", "accounts:logout", "accounts:password_change", "api-auth-token"}
# API routes whose POST is a read, not a write: it starts a background export of data the
# caller may already view (masked; full values need "export_full", refused otherwise) and
# creates only the caller's own job row. A read-only role (county leader) gets its 201 and
# its job, and nothing else may change: every other row count and the change history are
# still compared. route name → the models whose row count may grow.
READ_ONLY_POSTS = {"export-job-members": {"excel.exportjob"}}
WRITE_METHODS = ("post", "put", "patch", "delete")

B_BRANCH_NAME = "乙方隔离测试党支部"
B_MEMBER_NAME = "司马乙乙"
OTHER_A_MEMBER_NAME = "欧阳甲乙"
B_USERNAME = "zz_secretary_of_b"


def _committee_role():
    from apps.orgs.rules import COMMITTEE_ROLES

    return COMMITTEE_ROLES[0][0]


# model label → factory(org, side) creating one object of that model in org.
def _make_committee_member(org, side):
    from apps.orgs.models import CommitteeMember

    return CommitteeMember.objects.create(organisation=org, member=make_member(org), role=_committee_role())


def _api_token(org, side):
    """An API token of a user of the organisation (tokens belong to their holder only)."""
    from apps.accounts.services import issue_token

    return issue_token(make_user("branch_organiser", org))[1]


def _person_name(side):
    """The person a side's record is about: B's carry B's marker name (so a list leaking
    them is caught); A's carry the "other member of A" name (so a member of A seeing
    another A member's dues/file is caught)."""
    return B_MEMBER_NAME if side == "B" else OTHER_A_MEMBER_NAME


def _person(org, side):
    return make_member(org, name=_person_name(side))


# ── recruitment: one development file per organisation (at the activist stage, so that
# notices and objections can hang on it); nested objects are put on that same file.
def _dev_file(org, side):
    from apps.recruitment.models import DevelopmentFile
    from tests.recruitment.helpers import before_step, new_file

    f = DevelopmentFile.objects.filter(organisation=org).order_by("id").first()
    if f is None:
        f = before_step(new_file(org, name=_person_name(side)), "activist_filed")
    return f


def _dev_notice(org, side):
    import datetime

    from apps.recruitment import services

    f = _dev_file(org, side)
    return f.notices.order_by("id").first() or services.create_notice(
        f, start_date=datetime.date(2023, 3, 13), place="村务公开栏", actor=system_actor("cli")
    )


def _dev_objection(org, side):
    import datetime

    from apps.recruitment import services

    notice = _dev_notice(org, side)
    return services.add_objection(
        notice, received=notice.start_date + datetime.timedelta(days=1), content="群众反映情况待核查", actor=system_actor("cli")
    )


def _dev_attachment(org, side):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.recruitment import services

    upload = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")
    return services.add_attachment(_dev_file(org, side), upload, description="入党申请书", actor=system_actor("cli"))


# ── dues: a salaried member of the side with this month's ledger line.
def _dues_member(org, side):
    import datetime

    from apps.dues import services

    m = _person(org, side)
    services.declare_income(
        m, category="salaried", base="4000.00", effective_month="2025-01", declared_on=datetime.date(2025, 1, 5), actor=system_actor("cli")
    )
    return m


def _dues_line(org, side, *, months_back=0):
    from django.utils import timezone

    from apps.dues import months as mo
    from apps.dues import services
    from apps.dues.models import DuesLine

    m = _dues_member(org, side)
    this_month = mo.month_start(timezone.localdate())
    for k in range(months_back, -1, -1):
        services.generate_month(org, mo.shift(this_month, -k), open_cases=False, actor=system_actor("cli"))
    return DuesLine.objects.get(member=m, month=this_month)


def _dues_payment(org, side):
    from apps.dues import services

    line = _dues_line(org, side)
    return services.record_payment(line.member, months=[f"{line.month:%Y-%m}"], amount=line.amount_due, actor=system_actor("cli")).payment


def _dues_declaration(org, side):
    return _dues_member(org, side).dues_declarations.get()


def _dues_arrears_case(org, side):
    from apps.dues import services
    from apps.dues.models import ArrearsCase

    line = _dues_line(org, side, months_back=7)  # seven unpaid months before this one
    services.refresh_arrears_cases(org, actor=system_actor("cli"))
    return ArrearsCase.objects.get(member=line.member)


def _dues_reduction(org, side):
    from django.utils import timezone

    from apps.dues import services

    m = _dues_member(org, side)
    month = f"{timezone.localdate():%Y-%m}"
    return services.propose_reduction(
        m, kind="exempt", start_month=month, end_month=month, reason="患重病，经支部讨论", actor=system_actor("cli")
    )


def _dues_collection(org, side):
    from django.utils import timezone

    from apps.dues import services

    _dues_line(org, side)
    return services.hand_over(
        org, f"{timezone.localdate():%Y-%m}", amount="0.00", difference_note="矩阵测试：本月尚未收缴", actor=system_actor("cli")
    )


# ── excel: jobs belong to the user who started them, over that user's organisation.
def _import_job(org, side):
    from apps.excel import services
    from tests.excel.helpers import good_row, xlsx

    user = make_user("branch_secretary", org)
    return services.start_import(user, xlsx([good_row(org, 姓名=_person_name(side))]), filename="名册.xlsx", org=org)


def _export_job(org, side):
    from apps.excel import services

    user = make_user("branch_secretary", org)
    return services.export_members_for(user, {}, force_background=True)


def _change_request(org, side):
    """A member of the side asks (self-service) to change their education."""
    from apps.members import services

    member = make_member(org, name=_person_name(side), education="high_school")
    user = make_user("member", org, member=member)
    return services.update_member_self(member, {"education": "bachelor", "reason": "取得本科学历"}, actor=user)[1][0]


FACTORIES = {
    "members.memberchangerequest": _change_request,
    "orgs.organisation": lambda org, side: org,
    "members.member": lambda org, side: make_member(org, **({"name": B_MEMBER_NAME} if side == "B" else {})),
    "accounts.user": lambda org, side: make_user("branch_secretary", org, **({"username": B_USERNAME} if side == "B" else {})),
    "accounts.roleassignment": lambda org, side: make_user("branch_organiser", org).role_assignments.get(),
    "accounts.apitoken": _api_token,
    "orgs.committeemember": _make_committee_member,
    "recruitment.developmentfile": _dev_file,
    "recruitment.attachment": _dev_attachment,
    "recruitment.publicnotice": _dev_notice,
    "recruitment.objection": _dev_objection,
    "dues.duesline": _dues_line,
    "dues.payment": _dues_payment,
    "dues.incomedeclaration": _dues_declaration,
    "dues.arrearscase": _dues_arrears_case,
    "dues.reduction": _dues_reduction,
    "dues.collection": _dues_collection,
    "excel.importjob": _import_job,
    "excel.exportjob": _export_job,
}


# ── Each domain's own part: tests/<app label>/matrix.py ───────────────────────────────
# A domain app registers what its URLs take in its own tests package, not here: the
# module may define any of KWARG_MODELS, PK_BY_URL_NAME, PK_BY_NAMESPACE, VALUE_KWARGS,
# FACTORIES (model label → factory(org, side)), WRITE_BODIES and READ_ONLY_POSTS, which
# are merged into the tables above (a name defined twice fails: no silent override).
def _merge(target: dict, part: dict, what: str, module: str) -> None:
    for key, value in part.items():
        if key in target and target[key] != value:
            raise AssertionError(f"{module}: {what}[{key!r}] is already registered")
        target[key] = value


def _load_app_parts() -> list[str]:
    import importlib

    loaded = []
    for config in apps.get_app_configs():
        name = f"tests.{config.label}.matrix"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name in (name, f"tests.{config.label}"):
                continue
            raise
        for what, table in (
            ("KWARG_MODELS", KWARG_MODELS),
            ("PK_BY_URL_NAME", PK_BY_URL_NAME),
            ("PK_BY_NAMESPACE", PK_BY_NAMESPACE),
            ("VALUE_KWARGS", VALUE_KWARGS),
            ("FACTORIES", FACTORIES),
            ("WRITE_BODIES", WRITE_BODIES),
            ("READ_ONLY_POSTS", READ_ONLY_POSTS),
        ):
            _merge(table, getattr(module, what, {}), what, name)
        loaded.append(name)
    return loaded


APP_PARTS = _load_app_parts()


# ── Discovery ─────────────────────────────────────────────────────────────────────────
@dataclass
class Route:
    name: str  # full name with namespaces
    namespace: str
    route: str  # the pattern text, for messages
    kwargs: list[str]
    callback: object = None
    is_api: bool = False
    problems: list[str] = field(default_factory=list)


def _kwarg_names(pattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def discover(patterns=None, prefix="", namespaces=(), inherited=()) -> list[Route]:
    routes = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + str(p.pattern).lstrip("^").rstrip("$")
        if text.startswith(SKIP_PREFIXES):
            continue
        kwargs = [*inherited, *_kwarg_names(p)]
        if isinstance(p, URLResolver):
            ns = (*namespaces, p.namespace) if p.namespace else namespaces
            routes.extend(discover(p.url_patterns, text, ns, kwargs))
        elif isinstance(p, URLPattern):
            if "format" in kwargs:  # DRF format-suffix duplicates of routes walked anyway
                continue
            full = ":".join([*namespaces, p.name]) if p.name else ""
            route = Route(full, ":".join(namespaces), text, kwargs, p.callback, is_api=text.startswith("api/"))
            if not p.name:
                route.problems.append(f"URL “{text}” 没有 name：请为它命名，访问矩阵测试才能覆盖它")
            routes.append(route)
    return routes


def model_for(route: Route, kwarg: str) -> str | None:
    if kwarg in KWARG_MODELS:
        return KWARG_MODELS[kwarg]
    if kwarg in ("pk", "id"):
        if route.name in PK_BY_URL_NAME:
            return PK_BY_URL_NAME[route.name]
        if route.namespace in PK_BY_NAMESPACE:
            return PK_BY_NAMESPACE[route.namespace]
        cls = getattr(route.callback, "cls", None) or getattr(route.callback, "view_class", None)
        queryset = getattr(cls, "queryset", None)
        if queryset is not None:
            return queryset.model._meta.label_lower
        model = getattr(cls, "model", None)
        if model is not None:
            return model._meta.label_lower
    return None


# ── The world ─────────────────────────────────────────────────────────────────────────
class World:
    def __init__(self, tree):
        self.county = tree["county"]
        self.c1, self.c2 = tree["committees"]
        self.a = tree["branches"][0][0]
        self.b = make_org(self.c2, org_type="branch", name=B_BRANCH_NAME)
        self.member_a = make_member(self.a)
        self.other_member_a = make_member(self.a, name=OTHER_A_MEMBER_NAME)
        self.users = {
            "secretary_a": make_user("branch_secretary", self.a, username="matrix_sec_a"),
            "organiser_c1": make_user("committee_organiser", self.c1, username="matrix_org_c1"),
            "leader": make_user("county_leader", self.county, username="matrix_leader"),
            "admin": make_user("county_admin", self.county, username="matrix_admin"),
            "member_a": make_user("member", self.a, username="matrix_member_a", member=self.member_a),
            # B's own secretary: the positive control of the cross-branch write proofs
            "secretary_b": make_user("branch_secretary", self.b, username="matrix_sec_b"),
        }
        self._objects: dict[tuple[str, str], object] = {("members.member", "A-other"): self.other_member_a}
        self._frozen = False

    def populate(self) -> "World":
        """An object of every registered model on both sides, then no more: the shared
        world of this module is built once (see _shared_world), and an object created
        later inside one test would be rolled back with it while still cached here."""
        for side in ("B", "A"):
            for label in FACTORIES:
                self.obj(label, side)
        self._frozen = True
        return self

    def org(self, side):
        return {"A": self.a, "A-other": self.a, "B": self.b}[side]

    def obj(self, label: str, side: str):
        key = (label, side)
        if key not in self._objects:
            assert not self._frozen, f"共享测试数据中没有 {key}：请在 World.populate 中创建它"
            self._objects[key] = FACTORIES[label](self.org(side), side)
        return self._objects[key]

    def b_markers(self) -> list[str]:
        return [B_BRANCH_NAME, self.b.code, B_MEMBER_NAME, B_USERNAME]


def client_for(user) -> Client:
    c = Client(REMOTE_ADDR="10.8.8.8")
    c.force_login(user)
    return c


def build_calls(world: World, routes: list[Route], side: str, problems: list[str], *, only_models=None):
    """[(route, url)] for every route whose kwargs can point at `side` objects."""
    calls = []
    for route in routes:
        problems.extend(route.problems)
        if route.problems:
            continue
        value_sets = [{}]
        skip = False
        for kw in route.kwargs:
            if kw in VALUE_KWARGS:
                value_sets = [{**vs, kw: v} for vs in value_sets for v in VALUE_KWARGS[kw]]
                continue
            label = model_for(route, kw)
            if label is None:
                problems.append(
                    f"URL “{route.name}”（{route.route}）的参数“{kw}”未登记：请在 tests/test_access_matrix.py 的 "
                    f"KWARG_MODELS / PK_BY_URL_NAME / PK_BY_NAMESPACE / VALUE_KWARGS 中登记它指向哪个模型"
                )
                skip = True
                break
            try:
                apps.get_model(label)
            except LookupError:
                problems.append(f"参数“{kw}”登记的模型“{label}”不存在")
                skip = True
                break
            if label not in FACTORIES:
                problems.append(f"模型“{label}”（URL “{route.name}”的参数“{kw}”）没有测试数据工厂：请在 FACTORIES 中登记")
                skip = True
                break
            if only_models is not None and label not in only_models:
                skip = True
                break
            obj = world.obj(label, side)
            value_sets = [{**vs, kw: obj.pk} for vs in value_sets]
        if skip:
            continue
        for vs in value_sets:
            calls.append((route, reverse(route.name, kwargs=vs) if vs else reverse(route.name)))
    return calls


def _counts(ignore=frozenset()):
    """A fingerprint of "something was written": history rows, grants, and row counts
    (except those of the `ignore` models).

    The same counts as `ChangeLog.objects.count()`, `AccessLog.objects.filter(kind__in=…)
    .count()` and `Model.objects.count()` for every FACTORIES model, in ONE query (each
    queryset's own SQL, so a filtering default manager still counts what it did): it runs
    before and after every write of the sweeps, and the 76 separate COUNTs were 45% of
    test_secretary_of_a_gets_nothing_of_b's time (cProfile)."""
    querysets = [
        ChangeLog.objects.all(),
        AccessLog.objects.filter(kind__in=["role_grant", "role_revoke", "import"]),
        *(apps.get_model(label).objects.all() for label in FACTORIES if label not in ignore),
    ]
    parts, params = [], []
    for qs in querysets:
        sql, p = qs.values("pk").query.get_compiler(connection.alias).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) _c)")
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    return counts[0], counts[1], tuple(counts[2:])


def _call(client, method, url, is_api):
    if is_api:
        return getattr(client, method)(url, data="{}", content_type="application/json")
    return getattr(client, method)(url, data={}) if method == "post" else getattr(client, method)(url)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


# ── Shared world: built once per module (per xdist worker), not once per test ─────────
# Building it (tree, users, an object of every model on both sides) takes seconds, and the
# sweeps are split into many cases (ROUTE_GROUPS) so that `-n 2` can spread them. Every
# test still runs in its own transaction (pytest-django's savepoint inside the module's
# one), so whatever a test writes is rolled back before the next one.
@pytest.fixture(scope="module")
def _matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def _media_root(settings, _matrix_media):
    """Overrides tests/conftest.py: the shared world's files (attachments, import and
    export files) must stay readable in every test of the module."""
    settings.MEDIA_ROOT = _matrix_media


@pytest.fixture(scope="module")
def _shared_world(django_db_setup, django_db_blocker, _matrix_media):
    from django.test.utils import override_settings

    from tests.factories import make_tree

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(MEDIA_ROOT=_matrix_media):
                world = World(make_tree()).populate()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(_shared_world, db):
    return _shared_world


ALL_ROUTES = discover()


def _route_group(route: Route) -> str:
    """The domain a route belongs to: its first path segment, API routes by the segment
    after api/ (api/auth is accounts', api/imports and api/exports are excel's)."""
    parts = route.route.split("/")
    seg = parts[1] if route.is_api else parts[0]
    return {"auth": "accounts", "imports": "excel", "exports": "excel", "": "home"}.get(seg, seg)


def _split_routes(routes: list[Route], size: int = 30) -> dict[str, list[Route]]:
    """route group id → routes: one group per domain, large domains in parts of `size`
    routes (deterministic, so that every xdist worker collects the same cases)."""
    by_domain: dict[str, list[Route]] = {}
    for route in routes:
        by_domain.setdefault(_route_group(route), []).append(route)
    groups = {}
    for domain, found in sorted(by_domain.items()):
        parts = [found[i : i + size] for i in range(0, len(found), size)]
        for n, part in enumerate(parts, 1):
            groups[domain if len(parts) == 1 else f"{domain}-{n}"] = part
    return groups


ROUTE_GROUPS = _split_routes(ALL_ROUTES)
route_groups = pytest.mark.parametrize("group", sorted(ROUTE_GROUPS))


@pytest.fixture
def routes():
    found = discover()
    assert any(r.name == "accounts:users" for r in found), "URL discovery found nothing"
    return found


def test_route_groups_cover_every_route(routes):
    """The parametrised sweeps walk every discovered route exactly once."""
    grouped = [(r.name, r.route) for g in ROUTE_GROUPS.values() for r in g]
    assert sorted(grouped) == sorted((r.name, r.route) for r in routes)
    assert len(ROUTE_GROUPS) >= 10


def _report(problems):
    assert not problems, "访问矩阵发现问题：\n" + "\n".join(dict.fromkeys(problems))


def test_every_kwarg_is_registered(world, routes):
    problems = []
    build_calls(world, routes, "B", problems)
    _report(problems)


@route_groups
def test_secretary_of_a_gets_nothing_of_b(world, group):
    _report(check_secretary_of_a_gets_nothing_of_b(world, ROUTE_GROUPS[group]))


def check_secretary_of_a_gets_nothing_of_b(world, routes) -> list[str]:
    problems: list[str] = []
    user = world.users["secretary_a"]
    client = client_for(user)
    markers = world.b_markers()
    for route, url in build_calls(world, routes, "B", problems):
        if not route.kwargs:
            continue
        response = client.get(url)
        if response.status_code == 200:
            problems.append(f"{url}（{route.name}）：A支部书记 GET 指向B支部对象得到 200")
        if route.name in SELF_SERVICE:
            continue
        for method in WRITE_METHODS if route.is_api else ("post",):
            before = _counts()
            response = _call(client, method, url, route.is_api)
            if response.status_code < 400 or _counts() != before:
                problems.append(f"{url}（{route.name}）：A支部书记 {method.upper()} B支部对象未被拒绝（{response.status_code}）")
    for route, url in build_calls(world, routes, "A", problems):
        if route.kwargs:
            continue
        response = client.get(url)
        if response.status_code == 200:
            body = _body(response)
            leaked = [m for m in markers if m in body]
            if leaked:
                problems.append(f"{url}（{route.name}）：A支部书记的页面含B支部数据 {leaked}")
    return problems


def test_api_list_routes_return_no_rows_of_b(world, routes):
    _report(check_api_list_routes_return_no_rows_of_b(world, routes))


def check_api_list_routes_return_no_rows_of_b(world, routes) -> list[str]:
    problems: list[str] = []
    # Give B rows of every registered model before listing.
    for label in FACTORIES:
        world.obj(label, "B")
    client = client_for(world.users["secretary_a"])
    lists = [r for r in routes if r.is_api and r.name.endswith("-list") and not r.problems]
    for route in lists:
        calls = build_calls(world, [route], "A", problems)
        for _, url in calls:
            response = client.get(url, HTTP_ACCEPT="application/json")
            if response.status_code == 200:
                leaked = [m for m in world.b_markers() if m in _body(response)]
                if leaked:
                    problems.append(f"{url}（{route.name}）：A支部书记的接口列表含B支部数据 {leaked}")
    return problems


def _content(response) -> str:
    """The text of a page, JSON answer or .xlsx download (every cell)."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        data = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
        wb = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    return _body(response)


@route_groups
def test_query_parameters_do_not_widen_scope(world, group):
    _report(check_query_parameters_do_not_widen_scope(world, ROUTE_GROUPS[group]))


def check_query_parameters_do_not_widen_scope(world, routes) -> list[str]:
    """Kwarg-free pages, API lists and exports choose what they show by query parameters
    (?org=, ?organisation=, ?member=, ?file=). Pointing those at B must not show B's data
    to the secretary of A or the organiser of C1 (a 404, or their own scope, is fine)."""
    problems: list[str] = []
    for label in FACTORIES:
        world.obj(label, "B")
    b = world.b
    queries = {
        f"org={b.pk}": world.b_markers(),
        f"organisation={b.pk}": world.b_markers(),
        f"org={b.code}": [m for m in world.b_markers() if m != b.code],  # the code itself is echoed in the filter form
        f"member={world.obj('members.member', 'B').pk}": world.b_markers(),
        f"file={world.obj('recruitment.developmentfile', 'B').pk}": world.b_markers(),
        # search boxes and the organisation picker (orgs:picker answers ?q=; list filters
        # take a typed ?org_text=): the searched text may be echoed, nothing else of B
        f"q={B_BRANCH_NAME}": [m for m in world.b_markers() if m != B_BRANCH_NAME],
        f"q={b.code}": [m for m in world.b_markers() if m != b.code],
        f"q={B_MEMBER_NAME}": [m for m in world.b_markers() if m != B_MEMBER_NAME],
        f"org_text={b.code}": [m for m in world.b_markers() if m != b.code],
    }
    for who in ("secretary_a", "organiser_c1"):
        client = client_for(world.users[who])
        for route, url in build_calls(world, routes, "A", problems):
            if route.kwargs:
                continue
            for query, markers in queries.items():
                response = client.get(f"{url}?{query}", HTTP_ACCEPT="application/json" if route.is_api else "text/html")
                if response.status_code == 200:
                    leaked = [m for m in markers if m in _content(response)]
                    if leaked:
                        problems.append(f"{url}?{query}（{route.name}）：{who} 通过查询参数看到B支部数据 {leaked}")
    return problems


@route_groups
def test_member_sees_only_own_record(world, group):
    _report(check_member_sees_only_own_record(world, ROUTE_GROUPS[group]))


def check_member_sees_only_own_record(world, routes) -> list[str]:
    problems: list[str] = []
    client = client_for(world.users["member_a"])
    # B: everything of another branch. A-other: another member of the member's own branch.
    # A: every record of the member's own branch about someone else (another member's
    # dues, a development file, a user account, …), not the branch itself.
    others_in_a = set(FACTORIES) - {"orgs.organisation"}
    for side in ("B", "A-other", "A"):
        only = {"A-other": {"members.member"}, "A": others_in_a}.get(side)
        for route, url in build_calls(world, routes, side, problems, only_models=only):
            if not route.kwargs:
                continue
            response = client.get(url)
            if response.status_code == 200:
                problems.append(f"{url}（{route.name}）：党员本人 GET 他人/他支部对象得到 200")
    for route, url in build_calls(world, routes, "A", problems):
        if route.kwargs:
            continue
        response = client.get(url)
        if response.status_code == 200:
            body = _body(response)
            leaked = [m for m in [*world.b_markers(), OTHER_A_MEMBER_NAME] if m in body]
            if leaked:
                problems.append(f"{url}（{route.name}）：党员本人的页面含他人数据 {leaked}")
    return problems


@route_groups
def test_county_leader_cannot_write(world, group):
    _report(check_county_leader_cannot_write(world, ROUTE_GROUPS[group]))


def check_county_leader_cannot_write(world, routes) -> list[str]:
    problems: list[str] = []
    leader = world.users["leader"]
    client = client_for(leader)
    for side in ("A", "B"):
        for route, url in build_calls(world, routes, side, problems):
            if route.name in SELF_SERVICE:
                continue
            if side == "A" and route.kwargs:
                continue  # objects of B are enough: the leader's scope is the whole tree
            if client.session.get("_auth_user_id") != str(leader.pk):
                client = client_for(leader)  # every route is called signed in (a call may end the session)
            for method in WRITE_METHODS if route.is_api else ("post",):
                read_only_post = READ_ONLY_POSTS.get(route.name) if method == "post" else None
                ignore = read_only_post or frozenset()
                before = _counts(ignore)
                response = _call(client, method, url, route.is_api)
                # API writes must be refused outright; a web page may re-render on POST
                # (e.g. a read-only page ignoring the method) as long as nothing is written.
                if route.is_api and response.status_code < 400 and not read_only_post:
                    problems.append(f"{url}（{route.name}）：县领导 {method.upper()} 未被拒绝（{response.status_code}）")
                if _counts(ignore) != before:
                    problems.append(f"{url}（{route.name}）：县领导 {method.upper()} 写入了数据")
    return problems


@route_groups
def test_committee_organiser_sees_only_subtree(world, group):
    _report(check_committee_organiser_sees_only_subtree(world, ROUTE_GROUPS[group]))


def check_committee_organiser_sees_only_subtree(world, routes) -> list[str]:
    problems: list[str] = []
    organiser = client_for(world.users["organiser_c1"])
    admin = client_for(world.users["admin"])
    for route, url in build_calls(world, routes, "B", problems):
        if not route.kwargs:
            continue
        if organiser.get(url).status_code == 200:
            problems.append(f"{url}（{route.name}）：党委组织员 GET 其他党委下的对象得到 200")
    for route, url in build_calls(world, routes, "A", problems):
        response = organiser.get(url)
        if not route.kwargs:
            if response.status_code == 200:
                leaked = [m for m in world.b_markers() if m in _body(response)]
                if leaked:
                    problems.append(f"{url}（{route.name}）：党委组织员的页面含其他党委的数据 {leaked}")
            continue
        if response.status_code == 404 and admin.get(url).status_code == 200:
            problems.append(f"{url}（{route.name}）：党委组织员打不开本党委下的对象（404），管理员可以")
    return problems


def test_org_picker_is_walked(routes):
    """The organisation picker's suggestions (apps.orgs.picker) take no URL kwarg: the
    checks above call it with ?q= (B's name, code, member) as every kwarg-free route."""
    assert any(r.name == "orgs:picker" and not r.kwargs for r in routes)


def test_unregistered_kwarg_fails_with_instructions(world):
    route = Route("demo:thing", "demo", "demo/<int:widget_pk>/", ["widget_pk"])
    problems: list[str] = []
    build_calls(world, [route], "B", problems)
    assert problems and "widget_pk" in problems[0] and "登记" in problems[0]


def test_skip_list_is_explicit():
    assert set(SKIP_PREFIXES) == {"admin/", "static/", "media/", "i18n/", "api/schema/", "api/docs/"}
    assert all(re.fullmatch(r"[a-z0-9/]+", p) for p in SKIP_PREFIXES)


def test_the_matrix_catches_a_leaky_view(world, settings):
    """Self-test: an unscoped view and an unscoped list are reported, not passed."""
    settings.ROOT_URLCONF = "tests.matrix_leaky_urls"
    routes = discover()
    assert {r.name for r in routes} == {
        "leaky:member",
        "leaky:members",
        "leaky:members_by_org",
        "leaky:member_write",
        "leaky:member_write_checked",
        "leaky:member_phone",
    }
    problems = check_secretary_of_a_gets_nothing_of_b(world, routes)
    assert any("leaky:member）" in p and "200" in p for p in problems)
    assert any("leaky:members" in p and "B支部数据" in p for p in problems)
    assert any("leaky:member_write" in p for p in check_county_leader_cannot_write(world, routes))
    assert any("leaky:member）" in p for p in check_member_sees_only_own_record(world, routes))


def test_the_matrix_catches_a_query_parameter_leak(world, settings):
    settings.ROOT_URLCONF = "tests.matrix_leaky_urls"
    problems = check_query_parameters_do_not_widen_scope(world, discover())
    assert any("leaky:members_by_org" in p and B_MEMBER_NAME in p for p in problems)


def test_the_matrix_catches_plain_personal_data(world, settings):
    settings.ROOT_URLCONF = "tests.matrix_leaky_urls"
    problems = check_personal_data_masked(world, discover())
    assert any("leaky:member_phone" in p for p in problems)


# Routes that show a full ID number / phone on purpose (each call is logged as a reveal).
PLAIN_PERSONAL_DATA_ALLOWED = {"members:reveal", "member-reveal"}


def check_personal_data_masked(world, routes) -> list[str]:
    """No page or API answer shows a plain ID number or phone, even to a role that may
    reveal them, except the reveal routes themselves."""
    problems: list[str] = []
    member = world.obj("members.member", "B")
    applicant = world.obj("recruitment.developmentfile", "B")  # an applicant's file holds the same data
    plain = [member.reveal_id_number(), member.reveal_phone(), applicant.reveal_id_number(), applicant.reveal_phone()]
    admin = client_for(world.users["admin"])
    for side in ("B", "A"):
        for route, url in build_calls(world, routes, side, problems):
            if route.name in PLAIN_PERSONAL_DATA_ALLOWED or (side == "A" and route.kwargs):
                continue
            response = admin.get(url, HTTP_ACCEPT="application/json" if route.is_api else "text/html")
            if response.status_code == 200:
                body = _body(response)
                shown = [p for p in plain if p and p in body]
                if shown:
                    problems.append(
                        f"{url}（{route.name}）：页面/接口显示了完整的身份证号或手机号（应脱敏，查看完整值须经记录的“查看”操作）"
                    )
    return problems


@route_groups
def test_personal_data_masked_everywhere(world, group):
    _report(check_personal_data_masked(world, ROUTE_GROUPS[group]))


# ── Cross-branch writes with valid bodies (tests/access_matrix_bodies.py) ─────────────
REFUSING_USERS = ("secretary_a", "organiser_c1")  # a branch of C1, and the committee above it
# Who proves a body valid unless the case names someone: B's own secretary for B's
# objects; the county administrator when the URL is about A and the body names B.
POSITIVE_ACTOR = {"B": "secretary_b", "A": "admin"}


def write_methods(route: Route) -> list[str]:
    """The write methods a route accepts: API routes from their view's handlers; web pages
    that read POST data (a function view mentioning POST, or a class view with post())."""
    cls = getattr(route.callback, "cls", None) or getattr(route.callback, "view_class", None)
    if route.is_api:
        actions = getattr(route.callback, "actions", None)
        if actions:
            return [m for m in WRITE_METHODS if m in actions]
        return [m for m in WRITE_METHODS if hasattr(cls, m)]
    if cls is not None:
        return ["post"] if hasattr(cls, "post") else []
    return ["post"] if "POST" in inspect.getsource(inspect.unwrap(route.callback)) else []


def write_key(route: Route, method: str) -> str:
    return f"{method.upper()} {route.name}" if route.is_api else route.name


def write_endpoints(routes, bodies, no_body, problems) -> list[tuple[Route, str, Write]]:
    """(route, method, case) for every write endpoint; unregistered ones are problems."""
    found = []
    for route in routes:
        if route.problems:
            problems.extend(route.problems)
            continue
        for method in write_methods(route):
            key = write_key(route, method)
            if key in no_body:
                continue
            cases = bodies.get(key)
            if cases is None:
                problems.append(
                    f"写操作“{key}”（{route.route}）没有登记有效请求体：请在 tests/access_matrix_bodies.py 的 WRITE_BODIES 中"
                    f"登记（或在 NO_BODY 中说明为何不涉及其他支部）"
                )
                continue
            found.extend((route, method, case) for case in (cases if isinstance(cases, list) else [cases]))
    return found


def _refusal_text(response) -> str:
    """The messages of a refused write: form errors and flash messages, or the API answer."""
    text = _body(response)
    found = re.findall(r'class="(?:error|errorlist|msg[^"]*|messages?[^"]*)"[^>]*>(.*?)</', text, re.S)
    found = [re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found]
    return "；".join(f for f in found if f)[:400] or text[-300:]


def _fingerprint(objs: dict) -> tuple:
    """What a write would change: the row count of every table (one query), the newest id
    of every table with an integer key, and every field of the objects the call is about."""
    tables = [m for m in apps.get_models() if m._meta.app_label != "sessions" and m._meta.managed and not m._meta.proxy]
    q = connection.ops.quote_name
    parts = []
    for m in tables:
        parts.append(f"(SELECT COUNT(*) FROM {q(m._meta.db_table)})")
        if isinstance(m._meta.pk, models.AutoField | models.BigAutoField):
            parts.append(f"(SELECT MAX({q(m._meta.pk.column)}) FROM {q(m._meta.db_table)})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        counts = cursor.fetchone()
    rows = tuple(sorted((k, tuple(type(o).objects.filter(pk=o.pk).values())) for k, o in objs.items()))
    return counts, rows


def _send(client, method, url, body, *, is_api, multipart):
    for value in body.values():
        if hasattr(value, "seek"):
            value.seek(0)
    if is_api and not multipart:
        return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, data=body)


def _attempt(client, method, url, body, objs, *, is_api, multipart):
    """Send the body inside a savepoint that is always rolled back: (status, changed)."""
    with transaction.atomic():
        before = _fingerprint(objs)
        response = _send(client, method, url, body, is_api=is_api, multipart=multipart)
        changed = _fingerprint(objs) != before
        transaction.set_rollback(True)
    return response, changed


def _resolve(world, route: Route, case: Write, problems) -> tuple[str, dict] | None:
    """The URL of the call and the objects it is about (URL objects plus fresh extras)."""
    objs, url_kwargs = {}, {}
    for kw in route.kwargs:
        if kw in case.values:
            url_kwargs[kw] = case.values[kw]
            continue
        if kw in VALUE_KWARGS:
            problems.append(f"“{route.name}”的参数“{kw}”是取值参数：请在其 Write 的 values 中给出一个值")
            return None
        obj = case.fresh[kw](world) if kw in case.fresh else world.obj(model_for(route, kw), case.url_side)
        objs[kw] = obj
        url_kwargs[kw] = obj.pk
    for kw, make in case.fresh.items():
        if kw not in objs:
            objs[kw] = make(world)
    return reverse(route.name, kwargs=url_kwargs) if url_kwargs else reverse(route.name), objs


def check_cross_branch_writes(world, routes, bodies=WRITE_BODIES, no_body=NO_BODY) -> list[str]:
    """Every write endpoint, with a body that works: an in-scope user sending it succeeds
    (the change shows in the database; rolled back), and the same body from a user of
    another branch is refused (404 for a URL pointing at B) and changes nothing."""
    problems: list[str] = []
    for route, method, case in write_endpoints(routes, bodies, no_body, problems):
        name = write_key(route, method) + (f"［{case.label}］" if case.label else "")
        resolved = _resolve(world, route, case, problems)
        if resolved is None:
            continue
        url, objs = resolved
        body = case.body(world, objs)
        actor = case.actor(world, objs) if callable(case.actor) else world.users[case.actor or POSITIVE_ACTOR[case.url_side]]
        send = {"is_api": route.is_api, "multipart": case.multipart}
        response, changed = _attempt(client_for(actor), method, url, body, objs, **send)
        if response.status_code >= 400 or not changed:
            problems.append(
                f"{name}：对照组（{actor.username}）发送的请求体没有生效（{response.status_code}，"
                f"{'有' if changed else '无'}写入），请修正 tests/access_matrix_bodies.py 中的请求体：{_refusal_text(response)}"
            )
            continue
        expected = case.refused if case.url_side == "A" else (404,)
        for who in REFUSING_USERS:
            response, changed = _attempt(client_for(world.users[who]), method, url, body, objs, **send)
            if response.status_code not in expected:
                problems.append(f"{name}：{who} 用有效请求体写B支部的对象，得到 {response.status_code}（应为 {expected}）")
            if changed:
                problems.append(f"{name}：{who} 用有效请求体写B支部的对象，数据被改动了")
    return problems


def test_every_write_endpoint_has_a_body(world, routes):
    problems: list[str] = []
    write_endpoints(routes, WRITE_BODIES, NO_BODY, problems)
    keys = {write_key(r, m) for r in routes for m in write_methods(r)}
    stale = sorted(set(WRITE_BODIES) - keys) + sorted(set(NO_BODY) - keys)
    problems += [f"tests/access_matrix_bodies.py 登记了不存在的写操作“{k}”" for k in stale]
    _report(problems)


@route_groups
def test_cross_branch_writes_with_valid_bodies(world, group):
    _report(check_cross_branch_writes(world, ROUTE_GROUPS[group]))


def test_export_job_filtered_on_b_exports_nothing_of_b(world):
    """POST /api/exports/members/ is a read (NO_BODY): the same filters that export B's
    members for the administrator export nothing of B for the users of C1."""
    from apps.excel.models import ExportJob

    member_b = world.obj("members.member", "B")
    body = json.dumps({"filters": {"org": str(world.b.pk)}, "full": False})

    def exported(who) -> str | None:
        response = client_for(world.users[who]).post(reverse("export-job-members"), data=body, content_type="application/json")
        if response.status_code != 201:
            return None
        job = ExportJob.objects.get(pk=response.json()["id"])
        if not job.file:
            return ""
        from openpyxl import load_workbook

        with job.file.open("rb") as fh:
            wb = load_workbook(fh, read_only=True)
            return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)

    assert member_b.name in exported("admin")  # the filter body is valid
    for who in REFUSING_USERS:
        text = exported(who)
        assert text is None or member_b.name not in text, who


def test_unregistered_write_endpoint_fails_with_instructions(world, settings):
    settings.ROOT_URLCONF = "tests.matrix_leaky_urls"
    problems = check_cross_branch_writes(world, discover(), bodies={}, no_body={})
    assert any("leaky:member_write”" in p and "WRITE_BODIES" in p for p in problems)
    assert any("leaky:member_write_checked”" in p for p in problems)
    assert not any("leaky:members”" in p for p in problems)  # a page that does not read POST is no write


def test_the_matrix_catches_a_write_that_validates_before_scoping(world, settings):
    """The hole an empty body leaves: a view that refuses an empty POST (400) before it
    would (not) check scope. The empty-body sweep passes it; a valid body does not."""
    settings.ROOT_URLCONF = "tests.matrix_leaky_urls"
    routes = [r for r in discover() if r.name == "leaky:member_write_checked"]
    swept = check_secretary_of_a_gets_nothing_of_b(world, routes)
    assert not any("member_write_checked" in p and "POST" in p for p in swept)
    bodies = {"leaky:member_write_checked": Write(lambda w, o: {"remarks": "矩阵改动"})}
    problems = check_cross_branch_writes(world, routes, bodies=bodies, no_body={})
    assert any("secretary_a" in p and "得到 200" in p for p in problems)
    assert any("secretary_a" in p and "数据被改动了" in p for p in problems)


def test_a_body_that_does_not_work_is_reported(world, settings):
    """The positive control: a body the in-scope user cannot use proves nothing."""
    settings.ROOT_URLCONF = "tests.matrix_leaky_urls"
    routes = [r for r in discover() if r.name == "leaky:member_write_checked"]
    problems = check_cross_branch_writes(world, routes, bodies={"leaky:member_write_checked": Write(lambda w, o: {})}, no_body={})
    assert len(problems) == 1 and "对照组" in problems[0] and "没有生效" in problems[0]
