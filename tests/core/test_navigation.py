from django.urls import reverse

from tests.factories import make_member, make_user


def test_member_sees_only_own_entries(client, tree):
    branch = tree["branches"][0][0]
    member = make_member(branch)
    client.force_login(make_user("member", branch, member=member))
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("members:me") in html and reverse("core:todo") in html
    for name in ("orgs:tree", "members:list", "stats:dashboard", "recruitment:file_list", "dues:ledger"):
        assert f'href="{reverse(name)}"' not in html, name


def test_secretary_sees_branch_screens_not_self_service(client, tree):
    client.force_login(make_user("branch_secretary", tree["branches"][0][0]))
    html = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("members:list")}"' in html and f'href="{reverse("dues:ledger")}"' in html
    assert f'href="{reverse("members:me")}"' not in html
    assert f'href="{reverse("accounts:changelog")}"' not in html  # audit is not a branch action


def test_only_the_closest_menu_entry_is_highlighted(client, tree):
    client.force_login(make_user("branch_secretary", tree["branches"][0][0]))
    html = client.get(reverse("dues:arrears")).content.decode()
    nav = html[html.index('<nav class="sidenav"') : html.index("</nav>", html.index('<nav class="sidenav"'))]
    assert nav.count('class="active"') == 1
    assert f'href="{reverse("dues:arrears")}" class="active"' in nav


def test_menu_urls_are_reversed_once_per_urlconf_and_script_prefix(rf, tree, monkeypatch):
    """apps.core.context_processors caches the menu's reversed URLs; a deployment under a
    sub-path (SCRIPT_NAME) gets its own prefix, and a name that does not reverse stays out."""
    from django.urls import get_script_prefix, set_script_prefix

    from apps.core import context_processors, registry

    request = rf.get("/")
    request.user = make_user("branch_secretary", tree["branches"][0][0])
    calls = []
    real_reverse = context_processors.reverse
    monkeypatch.setattr(context_processors, "reverse", lambda name: calls.append(name) or real_reverse(name))
    context_processors._URLS.clear()

    def urls():
        return [item["url"] for section in context_processors.navigation(request)["nav_sections"] for item in section["items"]]

    first = urls()
    assert reverse("members:list") in first and calls
    reversed_once = len(calls)
    assert urls() == first and len(calls) == reversed_once  # the second page reverses nothing
    old = get_script_prefix()
    set_script_prefix("/dj/")
    try:
        assert urls() == ["/dj" + url for url in first]
    finally:
        set_script_prefix(old)
    assert urls() == first
    section = next(e.section for e in registry.nav_entries if e.url_name == "members:list")
    missing = registry.NavEntry(section=section, label="不存在", url_name="members:nope")
    monkeypatch.setattr(registry, "nav_entries", [*registry.nav_entries, missing])
    assert urls() == first and urls() == first  # a name that does not reverse is left out, also from the cache
    assert calls.count("members:nope") == 1


def test_menu_url_cache_stays_bounded(monkeypatch):
    from django.urls import get_script_prefix, set_script_prefix

    from apps.core import context_processors

    monkeypatch.setattr(context_processors, "_URLS_MAX", 5)
    context_processors._URLS.clear()
    old, path = get_script_prefix(), reverse("members:list")
    try:
        for i in range(12):
            set_script_prefix(f"/p{i}/")
            assert context_processors._url("members:list") == f"/p{i}{path}"
            assert len(context_processors._URLS) <= 5
    finally:
        set_script_prefix(old)
    assert context_processors._url("members:nope") is None
