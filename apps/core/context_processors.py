from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from . import registry
from .scoping import user_scope

# url name → its URL, per URLconf and script prefix: the menu's ≈ 100 entries were
# reversed on every page (≈ 2 ms of CPU; docs/performance.md, "Roster web page").
_URLS: dict[tuple, str | None] = {}
_URLS_MAX = 4096  # bounded whatever script prefixes a front server passes through


def _url(name: str) -> str | None:
    key = (name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    try:
        return _URLS[key]
    except KeyError:
        pass
    try:
        url = reverse(name)
    except NoReverseMatch:
        url = None
    if len(_URLS) >= _URLS_MAX:
        _URLS.clear()
    _URLS[key] = url
    return url


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    current = request.path
    sections = []
    allowed: dict = {}  # action → may use (one scope per action, not per entry)
    for section, entries in registry.navigation():
        items = []
        for entry in entries:
            label, name, action = entry.label, entry.url_name, entry.action
            url = _url(name)
            if url is None:
                continue
            if action not in allowed:
                allowed[action] = _may_use(user, action)
            if not allowed[action]:
                continue
            items.append({"label": label, "url": url, "active": False})
        if items:
            sections.append({"title": section.label, "items": items})
    # Highlight the one entry whose URL is the longest prefix of the current path
    # (/dues/arrears/ lights 欠缴提醒, not also 党费台账 at /dues/).
    candidates = [i for sec in sections for i in sec["items"] if current == i["url"] or (i["url"] != "/" and current.startswith(i["url"]))]
    if candidates:
        max(candidates, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_sections": sections}


def _may_use(user, action) -> bool:
    if action is None:
        return True
    scope = user_scope(user, action)
    if action == "change_self":
        return scope.member_id is not None
    return scope.everything or bool(scope.paths)
