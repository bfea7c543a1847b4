"""The to-do list: each domain registers a provider returning items due in the user's
scope; the page shows them together. A provider is `fn(user) -> list[TodoItem]`."""

from collections.abc import Callable
from dataclasses import dataclass

_providers = []


@dataclass
class TodoItem:
    module: str  # 发展党员 / 党费 / 组织 …
    title: str
    url: str
    due: object = None  # date
    overdue: bool = False
    org: str = ""


def register(provider):
    _providers.append(provider)
    return provider


def items_for(user) -> list[TodoItem]:
    items: list[TodoItem] = []
    for provider in _providers:
        items.extend(provider(user))
    return sorted(items, key=lambda i: (not i.overdue, str(i.due or "9999")))


def first_of(queryset, limit: int, items: list, *, module: str, url: str, due, describe: Callable[[str], str]) -> list:
    """The first `limit` rows of a kind of to-do. When there are more, a line saying how
    many more and where (describe("12") or describe("超过9900"), linking to url) is added
    to items, so the list never stops silently. One query, plus a bounded count then."""
    from .api.pagination import capped_count

    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows
    total, exact = capped_count(queryset)
    more = f"{'' if exact else '超过'}{total - limit}"
    items.append(TodoItem(module=module, title=describe(more), url=url, due=due))
    return rows[:limit]
