"""The extension points, one registry per concern. Each app fills them in its
AppConfig.ready(); the consumers (menu, export view, statistics page, demo builder, to-do
page) iterate them and import no domain app.

    from apps.core import registry

    class OrgLifeConfig(AppConfig):
        def ready(self):
            registry.nav_section("orglife", _("组织生活"), order=30)
            registry.nav("orglife", _("会议记录"), "orglife:meetings", "view", order=10)
            registry.lists.register(ListExport("orglife_meetings", "会议记录", selectors.meeting_list, COLUMNS))
            registry.stats.register(StatsSection("orglife", "组织生活", contribute=stats.contribute, cards=stats.cards))
            registry.demo.register(DemoBuilder("orglife", demo.populate, order=40))
            todo.register(selectors.todo_items)

Registering a name twice raises: two apps cannot silently shadow each other.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404


class Registry:
    """Named entries, kept in (order, registration) order."""

    def __init__(self, what: str):
        self.what = what
        self._entries: dict[str, Any] = {}

    def register(self, entry):
        name = entry.name
        if name in self._entries:
            raise ValueError(f"{self.what} {name!r} registered twice")
        self._entries[name] = entry
        return entry

    def unregister(self, name: str) -> None:  # for tests that register temporary entries
        self._entries.pop(name, None)

    def get(self, name: str):
        return self._entries[name]

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def all(self) -> list:
        return sorted(self._entries.values(), key=lambda e: getattr(e, "order", 0))

    def __iter__(self):
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._entries)


# ── navigation ────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class NavSection:
    name: str
    label: Any  # lazy translation
    order: int = 100


@dataclass(frozen=True)
class NavEntry:
    section: str
    label: Any
    url_name: str
    # None: everyone signed in; "change_self": needs the user's own member record; any
    # other action: that action on some organisation subtree.
    action: str | None = "view"
    order: int = 100

    @property
    def name(self) -> str:
        return f"{self.section}:{self.url_name}"


nav_sections = Registry("navigation section")
nav_entries = Registry("navigation entry")


def nav_section(name: str, label, *, order: int = 100) -> NavSection:
    return nav_sections.register(NavSection(name, label, order))


def nav(section: str, label, url_name: str, action: str | None = "view", *, order: int = 100) -> NavEntry:
    return nav_entries.register(NavEntry(section, label, url_name, action, order))


def navigation() -> list[tuple[NavSection, list[NavEntry]]]:
    """Sections in order, each with its entries in order (empty sections left out)."""
    by_section: dict[str, list[NavEntry]] = {}
    for entry in nav_entries:
        by_section.setdefault(entry.section, []).append(entry)
    return [(s, by_section[s.name]) for s in nav_sections if s.name in by_section]


# ── lists and their exports ───────────────────────────────────────────────────────────
@dataclass(frozen=True)
class ListExport:
    """A list screen that offers “导出Excel”: its own selector `rows(user, params)` (the
    very function the page's view calls with request.GET), its columns (header, attribute
    path or callable[, width]; personal data masked only) and `prepare(chunk)` which
    completes a chunk of rows the way the page does, with a fixed number of queries."""

    name: str
    title: str  # the page's title: sheet name, file name, access-log target
    rows: Callable[..., Iterable]
    columns: Sequence[tuple]
    prepare: Callable[[list], list] | None = None
    page: str = ""  # URL name of the screen (docs and tests)
    order: int = 100


class ListRegistry(Registry):
    def get(self, name: str) -> ListExport:
        try:
            return self._entries[name]
        except KeyError:
            raise Http404("没有这个列表的导出") from None


lists = ListRegistry("list export")


# ── statistics sections ───────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class StatsSection:
    """A section of 党内统计 contributed by a domain.

    contribute(org, as_of) → dict merged into the statistics result (a fixed number of
    aggregate queries over the subtree, whatever its size), or None/{} for nothing;
    cards(stats) → headline cards [(label, value, unit, percent|None)];
    rows(stats) → rows [(分类, 项目, 数量, 占比)] for the Excel export and the table;
    charts(stats) → {chart key: {"title", "labels", "values"}} for the dashboard;
    charted=True: contribute also takes `charted_only=True` and then computes only the
    figures `charts` needs, the other keys None (the dashboard shows only charts: it is
    spared the queries of figures it never shows).

    member_counts(as_of) → {key: Q on Member}: figures about the subtree's counted members
    that the statistics count in their own single pass over the members (no second scan
    of the member table); contribute then receives them as `members={key: count}`.

    aggregates(org, as_of) → {name: (queryset, {alias: aggregate})}: the one-row aggregates
    over the section's own tables (no GROUP BY, no annotations). party_statistics sends every
    section's together with the organisation counts as ONE statement
    (apps.core.aggregates.aggregate_together) and contribute then receives them as
    `figures={name: {alias: value}}`; called on its own, contribute sends its own. A charted
    section's aggregates also take `charted_only=True` (those its charts need)."""

    name: str
    title: str
    contribute: Callable[..., dict | None]
    cards: Callable[[dict], list[tuple]] | None = None
    rows: Callable[[dict], list[tuple]] | None = None
    charts: Callable[[dict], dict] | None = None
    order: int = 100
    charted: bool = False
    member_counts: Callable[[datetime.date], dict] | None = None
    aggregates: Callable[..., dict] | None = None


stats = Registry("statistics section")


# ── demo data builders ────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class DemoBuilder:
    """populate(root_org, rng, as_of) adds a domain's demo data to the demo county, after
    the builders of lower `order` (each gets its own random generator from the seed)."""

    name: str
    populate: Callable[[Any, Any, datetime.date], Any]
    order: int = 100


demo = Registry("demo builder")


# ── dashboards of the home page ───────────────────────────────────────────────────────
@dataclass(frozen=True)
class HomeFigures:
    """figures(user) → [(label, value, unit, url|None)] the user acts on (empty when the
    domain has nothing for this user); shown on the home page in `order`."""

    name: str
    figures: Callable[[Any], list[tuple]]
    order: int = 100


home = Registry("home figures")


# ── facts about members, for the people who judge them ───────────────────────────────
@dataclass(frozen=True)
class MemberFacts:
    """facts(member_ids, year) → {member_id: [(label, value, ok)]}: what a domain knows
    about each member in a year (attendance, study hours, dues record …), shown to the
    committee that proposes appraisal grades, to cadre selection and to vetting. `ok` is
    True/False where the domain judges the figure against its rule, else None. A fixed
    number of queries for any number of members."""

    name: str
    title: str
    facts: Callable[[Sequence[int], int], dict[int, list[tuple]]]
    order: int = 100


member_facts = Registry("member facts")


@dataclass(frozen=True)
class MemberCheck:
    """check(member_ids, as_of) → {member_id: reason} for the members who FAIL the check
    (a sanction in force, an unqualified appraisal, dues in arrears …); members not in the
    result pass. Used by commendation vetting and cadre lists. Fixed number of queries."""

    name: str
    title: str
    check: Callable[[Sequence[int], datetime.date], dict[int, str]]
    order: int = 100


member_checks = Registry("member check")


@dataclass(frozen=True)
class ExitTrigger:
    """candidates(org_path, as_of) → iterable of (member_id, since, reason): members for
    whom a domain's rule says organisational handling is due (6 months of unpaid dues,
    6 months without party life, lost contact …). The appraisal-and-exit domain lists them
    and opens cases from them; the producing domain knows nothing of cases."""

    name: str
    title: str
    candidates: Callable[[str, datetime.date], Iterable[tuple]]
    order: int = 100


exit_triggers = Registry("exit trigger")


@dataclass(frozen=True)
class ApplicationCheck:
    """refusal(id_number_hash, on) → the reason in Chinese ('' when none) why the person
    with that ID number may not apply to join the party on that date (5 years after
    劝其退党/除名 …). The recruitment engine consults every check when it records an
    application (step 1) and refuses with the reason; the producing domain is not named
    there. One query per check."""

    name: str
    title: str
    refusal: Callable[[str, datetime.date], str]
    order: int = 100


application_checks = Registry("application check")


# ── reports upward and standardisation metrics ───────────────────────────────────────
@dataclass(frozen=True)
class ReportSection:
    """figures(org, year, month) → [(label, value)] for the organisation's subtree in that
    month: one section of the monthly report upward (月报告), assembled from data."""

    name: str
    title: str
    figures: Callable[[Any, int, int], list[tuple]]
    order: int = 100


report_sections = Registry("monthly report section")


@dataclass(frozen=True)
class OrgMetric:
    """measure(org_ids, year, quarter|None) → {org_id: (share 0..1, reason text)}: how far
    each organisation meets one of the domain's rules in the period (meetings held as
    required, dues collected, hours met …), with the reason in words. Feeds 十规范 items
    computed from data and the branch health score ("why is this branch 72?")."""

    name: str
    title: str
    measure: Callable[[Sequence[int], int, int | None], dict[int, tuple[float, str]]]
    order: int = 100


org_metrics = Registry("organisation metric")


# ── what lives in the organisation tree ──────────────────────────────────────────────
# The tree (apps.orgs) sits below every domain: the apps that keep records in
# organisations tell it, through these, what blocks a dissolution, what to warn about on an
# organisation's page and what check_org_tree must verify, so orgs imports none of them.
@dataclass(frozen=True)
class OrgHolding:
    """refusal(org_path) → '' or the Chinese reason why the organisation with that path
    (and its subtree) may not be dissolved while it still holds these records (members on
    the rolls …). Consulted by the tree's dissolve service. One query each."""

    name: str
    refusal: Callable[[str], str]
    order: int = 100


org_holdings = Registry("organisation holding")


@dataclass(frozen=True)
class OrgWarnings:
    """warnings(org) → [Chinese text]: structure rules a domain checks for one organisation
    (a branch below 3 full members, above 50 …), shown on the organisation's page."""

    name: str
    warnings: Callable[[Any], list[str]]
    order: int = 100


org_warnings = Registry("organisation warnings")


@dataclass(frozen=True)
class TreeCheck:
    """run(report, fix) for `check_org_tree`: calls report(title, rows, total=None) once per
    rule it verifies (no rows = passed; rows may be a sample when total is given); with
    fix=True it repairs what it safely can and says so with report(title, [], fixed=text)."""

    name: str
    run: Callable[..., None]
    order: int = 100


tree_checks = Registry("organisation tree check")


@dataclass(frozen=True)
class Picker:
    """field(label=, required=, user=, under=) → a form field choosing one record of a
    kind (a member …) inside the user's scope and `under`'s subtree, for forms of apps
    below the kind's own (the tree's committee form chooses members)."""

    name: str
    field: Callable[..., Any]


pickers = Registry("picker")


# ── organisational life kept as another domain's records ──────────────────────────────
@dataclass(frozen=True)
class HeldRecords:
    """held(org_ids, start, end) → iterable of (organisation_id, date): records another
    domain keeps that are organisational life of the meeting kind `kind` held by that
    organisation on that date (a 谈心谈话 recorded among the supervision records). The
    organisational-life compliance counts them with its own meetings of the kind, at most
    once per organisation and date, so a talk also recorded as a meeting counts once.
    `org_ids` is a list of ids or a subquery of them. One query per call."""

    name: str
    kind: str
    title: str
    held: Callable[[Any, datetime.date, datetime.date], Iterable[tuple[int, datetime.date]]]
    order: int = 100


held_records = Registry("held records")
