"""Chinese by default; English through Django's i18n (language switcher / cookie)."""

from django.conf import settings
from django.urls import reverse

from tests.factories import make_user


def test_chinese_by_default_english_on_request(client, tree):
    client.force_login(make_user("branch_secretary", tree["branches"][0][0]))
    html = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "工作台" in html and "党员名册" in html and 'lang="zh-hans"' in html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("core:home")).content.decode()
    assert "Workbench" in html and "Member registry" in html and 'lang="en"' in html


def test_language_switcher_sets_the_language(client, tree):
    client.force_login(make_user("branch_secretary", tree["branches"][0][0]))
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("core:home")})
    assert response.status_code == 302
    assert "Sign out" in client.get(reverse("core:home")).content.decode()


def test_an_english_browser_still_gets_chinese_until_the_user_chooses(client, tree):
    """Accept-Language is not followed (the English catalogue covers only the shell):
    Chinese, unless the switcher's cookie says otherwise."""
    client.force_login(make_user("branch_secretary", tree["branches"][0][0]))
    html = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "工作台" in html and 'lang="zh-hans"' in html and "Workbench" not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'lang="en"' in client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # an unknown choice: the default
    assert 'lang="zh-hans"' in client.get(reverse("core:home")).content.decode()
