"""Issue 12 item 16: a member (role 党员, own record only) follows every link on their own
pages — the home page, the menu and what those pages link to — and none answers 404
(/dues/disclosure/?org=… and /orgs/<id>/ did)."""

import re
from urllib.parse import urljoin, urlsplit

from django.utils import timezone

from apps.core.actors import system_actor
from apps.dues import months as mo
from apps.dues import services as dues_services
from tests.dues.conftest import salaried
from tests.factories import make_user

HREF = re.compile(r'href="([^"#]+)"')
SKIP = ("/static/", "/accounts/logout", "/media/", "mailto:", "javascript:", "/api/")


def test_every_link_on_a_members_own_pages_answers(client, tree):
    branch = tree["branches"][0][0]
    member = salaried(branch, name="张党员")
    dues_services.generate_month(branch, mo.month_start(timezone.localdate()), actor=system_actor("cli"))
    client.force_login(make_user("member", branch, member=member))
    start = ["/", "/members/me/", "/dues/me/", f"/members/{member.pk}/", f"/dues/members/{member.pk}/", f"/education/members/{member.pk}/"]
    seen, queue, broken = set(), list(start), []
    while queue and len(seen) < 80:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        r = client.get(url)
        if r.status_code == 404:
            broken.append(url)
            continue
        if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
            continue
        for href in HREF.findall(r.content.decode()):
            href = href.replace("&amp;", "&")
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or any(parts.path.startswith(s) or href.startswith(s) for s in SKIP):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert {"/members/me/", "/dues/me/"} <= seen
    assert not broken, broken
