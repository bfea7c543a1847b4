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
