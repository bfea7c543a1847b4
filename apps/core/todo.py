"""The to-do list: each domain registers a provider returning items due in the user's
scope; the page shows them together, grouped by module and kind with counts, and can be
filtered. A provider is `fn(user) -> list[TodoItem]`."""

from collections.abc import Callable
from dataclasses import dataclass, field

_providers = []


@dataclass
class TodoItem:
    module: str  # 发展党员 / 党费 / 组织 …
    title: str
    url: str
    due: object = None  # date
    overdue: bool = False
    org: str = ""
    kind: str = ""  # the kind of work inside the module (减免审批, 换届 …); groups the list
    count: int = 1  # how many pieces of work the line stands for ("另有12份…" lines: 12)

    @property
    def group(self) -> str:
        return self.kind or self.module


@dataclass
class TodoGroup:
    module: str
    kind: str
    items: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.kind if self.kind and self.kind != self.module else self.module

    @property
    def count(self) -> int:
        return sum(i.count for i in self.items)

    @property
    def overdue(self) -> int:
        return sum(i.count for i in self.items if i.overdue)


def register(provider):
    _providers.append(provider)
    return provider


def items_for(user) -> list[TodoItem]:
    items: list[TodoItem] = []
    for provider in _providers:
        items.extend(provider(user))
    return sorted(items, key=lambda i: (not i.overdue, str(i.due or "9999")))


def grouped(items: list[TodoItem]) -> list[TodoGroup]:
    """Items by (module, kind), groups with overdue work first, then the larger ones;
    inside a group the items keep their order (overdue first, then by due date)."""
    groups: dict[tuple[str, str], TodoGroup] = {}
    for item in items:
        key = (item.module, item.group)
        groups.setdefault(key, TodoGroup(item.module, item.group)).items.append(item)
    return sorted(groups.values(), key=lambda g: (-g.overdue, -g.count, g.module, g.label))


def filtered(items: list[TodoItem], *, module: str = "", overdue: bool = False) -> list[TodoItem]:
    return [i for i in items if (not module or i.module == module) and (not overdue or i.overdue)]


def first_of(queryset, limit: int, items: list, *, module: str, url: str, due, describe: Callable[[str], str], kind: str = "") -> list:
    """The first `limit` rows of a kind of to-do. When there are more, a line saying how
    many more and where (describe("12") or describe("超过9900"), linking to url) is added
    to items, so the list never stops silently. One query, plus a bounded count then."""
    from .api.pagination import capped_count

    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows
    total, exact = capped_count(queryset)
    more = f"{'' if exact else '超过'}{total - limit}"
    items.append(TodoItem(module=module, title=describe(more), url=url, due=due, kind=kind, count=total - limit))
    return rows[:limit]


def add_first(
    items: list, queryset, *, module: str, url: str, due, describe: Callable[[str], str], each: Callable, kind: str = "", limit: int = 10
) -> None:
    """A provider's usual step: the first `limit` rows of a kind of to-do (first_of, with
    its line for the rest), each row an item: each(row) → the item's title, url, due and
    the optional overdue/org, as keywords; module and kind are this call's."""
    for row in first_of(queryset, limit, items, module=module, url=url, due=due, describe=describe, kind=kind):
        items.append(TodoItem(module=module, kind=kind, **each(row)))
