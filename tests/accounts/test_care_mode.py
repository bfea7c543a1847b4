"""长辈模式 (large text, high contrast, fewer choices): a preference on the account that
only its own user switches; applied by a class on <body> and a local stylesheet."""

import pytest
from django.urls import reverse

from apps.accounts import services
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError
from tests.factories import make_member, make_user

CSS = "css/care-mode.css"


@pytest.fixture
def member_user(tree):
    branch = tree["branches"][0][0]
    return make_user("member", branch, member=make_member(branch))


def test_off_by_default_and_nothing_loaded(client, member_user):
    client.force_login(member_user)
    html = client.get(reverse("members:me")).content.decode()
    assert not member_user.care_mode
    assert 'class="care-mode"' not in html and CSS not in html


def test_member_finds_the_switch_in_their_menu_and_switches_it_on_and_off(client, member_user):
    client.force_login(member_user)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("accounts:care_mode") in home and "长辈模式" in home
    response = client.post(reverse("accounts:care_mode"), {"care_mode": "on", "next": reverse("members:me")})
    assert response.status_code == 302 and response["Location"] == reverse("members:me")
    member_user.refresh_from_db()
    assert member_user.care_mode
    html = client.get(reverse("members:me")).content.decode()
    assert '<body class="care-mode"' in html and CSS in html
    log = ChangeLog.objects.filter(message="开启长辈模式").get()
    assert log.object_id == str(member_user.pk) and log.action == ChangeLog.Action.UPDATE
    client.post(reverse("accounts:care_mode"), {"care_mode": "off"})
    member_user.refresh_from_db()
    assert not member_user.care_mode
    assert ChangeLog.objects.filter(message="关闭长辈模式").count() == 1


def test_any_user_can_switch_their_own_from_my_account(client, tree):
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "开启长辈模式" in page
    client.post(reverse("accounts:care_mode"), {"care_mode": "on", "next": reverse("accounts:account")})
    admin.refresh_from_db()
    assert admin.care_mode


def test_bad_value_is_refused_in_chinese_and_nothing_changes(client, member_user):
    client.force_login(member_user)
    response = client.post(reverse("accounts:care_mode"), {"care_mode": "maybe"})
    assert response.status_code == 400
    assert "长辈模式：请选择“开启”或“关闭”" in response.content.decode()
    member_user.refresh_from_db()
    assert not member_user.care_mode and not ChangeLog.objects.filter(message__contains="长辈模式").exists()


def test_next_to_another_site_is_ignored(client, member_user):
    client.force_login(member_user)
    response = client.post(reverse("accounts:care_mode"), {"care_mode": "on", "next": "https://example.com/"})
    assert response["Location"] == reverse("accounts:care_mode")


def test_anonymous_is_sent_to_login(client):
    response = client.post(reverse("accounts:care_mode"), {"care_mode": "on"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_only_the_user_switches_their_own(tree, member_user):
    """An administrator (or another branch's secretary) cannot set it for someone else:
    refused, nothing written; the web endpoint has no parameter naming another user."""
    admin = make_user("county_admin", tree["county"])
    other = make_user("branch_secretary", tree["branches"][1][0])
    for actor in (admin, other):
        with pytest.raises(ScopeError):
            services.set_care_mode(member_user, True, actor=actor)
    member_user.refresh_from_db()
    assert not member_user.care_mode and not ChangeLog.objects.filter(message__contains="长辈模式").exists()


def test_service_refuses_a_non_boolean(member_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.set_care_mode(member_user, "on", actor=member_user)
    assert "长辈模式" in str(exc.value)
