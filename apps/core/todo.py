"""The to-do list: each domain registers a provider returning items due in the user's
scope; the page shows them together. A provider is `fn(user) -> list[TodoItem]`."""

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
