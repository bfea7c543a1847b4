"""API tokens: a fixed lifetime, revoked at password change, role change and logout, and
listed / revoked by their holder (web page and API), never by anyone else."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts import services
from apps.accounts.models import ApiToken
from apps.core.actors import system_actor
from apps.core.models import AccessLog
from tests.factories import make_user

SYS = system_actor("cli")

PASSWORD = "Dangjian#2026x"


@pytest.fixture
def secretary(tree):
    return make_user("branch_secretary", tree["branches"][0][0], username="sec_a")


def issue(username="sec_a", password=PASSWORD, **extra):
    response = APIClient().post(reverse("api-auth-token"), {"username": username, "password": password, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def calls(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def works(key) -> bool:
    return calls(key).get(reverse("api-auth-me")).status_code == 200


def test_token_has_a_fixed_lifetime(secretary, settings):
    body = issue()
    token = ApiToken.objects.get(pk=body["id"])
    lifetime = token.expires_at - token.created_at
    assert lifetime == datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS) == datetime.timedelta(days=30)
    assert datetime.datetime.fromisoformat(body["expires_at"]) == token.expires_at
    assert works(body["token"])
    # use does not extend it
    assert ApiToken.objects.get(pk=token.pk).expires_at == token.expires_at


def test_expired_token_answers_401_in_chinese(secretary):
    key = issue()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = calls(key).get(reverse("api-auth-me"))
    assert response.status_code == 401
    assert "已过期" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Token")


def test_lifetime_follows_the_setting(secretary, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 1
    token = ApiToken.objects.get(pk=issue()["id"])
    assert token.expires_at - token.created_at == datetime.timedelta(days=1)


def test_only_a_hash_of_the_key_is_stored(secretary):
    body = issue()
    token = ApiToken.objects.get(pk=body["id"])
    assert body["token"] not in (token.key_hash, token.key_prefix) and token.key_hash == ApiToken.digest(body["token"])
    assert calls("x" + body["token"][1:]).get(reverse("api-auth-me")).status_code == 401


def test_password_change_revokes_tokens(client, secretary):
    key = issue()["token"]
    client.force_login(secretary)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Changed#Pass-2027", "new_password2": "Changed#Pass-2027"},
    )
    assert response.status_code == 302
    assert not works(key)
    entry = AccessLog.objects.get(kind=AccessLog.Kind.TOKEN_REVOKED)
    assert entry.detail["reason"] == "修改密码" and entry.target == "sec_a"


def test_password_set_by_any_path_revokes_tokens(secretary, tree):
    key = issue()["token"]
    services.reset_password(secretary, "Temporary#2026pw", actor=make_user("county_admin", tree["county"]))
    assert not works(key)
    secretary.must_change_password = False
    secretary.save()
    key = issue(password="Temporary#2026pw")["token"]
    secretary.set_password("Another#Pass-2028")  # the admin site / changepassword path
    secretary.save()
    assert not works(key)


def test_login_hash_upgrade_does_not_revoke(client, secretary, settings):
    """A login that re-hashes the password with the preferred hasher is no password change."""
    from django.contrib.auth.hashers import make_password

    from apps.accounts.models import User

    settings.PASSWORD_HASHERS = [settings.PASSWORD_HASHERS[0], "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    key = issue()["token"]
    User.objects.filter(pk=secretary.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert client.post(reverse("accounts:login"), {"username": "sec_a", "password": PASSWORD}).status_code == 302
    assert not User.objects.get(pk=secretary.pk).password.startswith("pbkdf2_sha256$")  # upgraded
    assert works(key)


def test_role_change_revokes_tokens(secretary, tree):
    key = issue()["token"]
    services.grant_role(secretary, "branch_organiser", tree["branches"][0][1], actor=SYS)
    assert not works(key)
    key = issue()["token"]
    services.revoke_role(secretary.role_assignments.get(role="branch_organiser"), actor=SYS)
    assert not works(key)
    assert AccessLog.objects.filter(kind=AccessLog.Kind.TOKEN_REVOKED, detail__reason="角色变更").count() == 2


def test_web_logout_revokes_tokens(client, secretary):
    key = issue()["token"]
    client.force_login(secretary)
    client.post(reverse("accounts:logout"))
    assert not works(key)
    assert AccessLog.objects.filter(kind=AccessLog.Kind.TOKEN_REVOKED, detail__reason="退出登录").exists()


def test_api_logout_revokes_the_presented_token_only(secretary):
    first, second = issue()["token"], issue()["token"]
    assert calls(first).delete(reverse("api-auth-token")).status_code == 204
    assert not works(first) and works(second)


def test_holder_lists_own_tokens_not_paged(secretary, tree):
    first = issue(name="统计脚本")
    issue()
    other = make_user("branch_secretary", tree["branches"][1][0], username="other")
    issue("other")
    response = calls(first["token"]).get(reverse("api-auth-tokens"))
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list) and len(rows) == 2
    assert {r["name"] for r in rows} == {"统计脚本", ""}
    assert [r["current"] for r in rows if r["id"] == first["id"]] == [True]
    assert first["token"] not in response.content.decode()
    assert other.api_tokens.count() == 1


def test_holder_revokes_one_token_by_api(secretary, tree):
    first, second = issue(), issue()
    api = calls(first["token"])
    assert api.delete(reverse("api-auth-token-detail", kwargs={"token_pk": second["id"]})).status_code == 204
    assert works(first["token"]) and not works(second["token"])
    make_user("county_admin", tree["county"], username="boss")
    boss = issue("boss")
    # nobody else's token, not even an administrator's view of it
    response = calls(boss["token"]).delete(reverse("api-auth-token-detail", kwargs={"token_pk": first["id"]}))
    assert response.status_code == 404
    assert works(first["token"])


def test_account_page_lists_and_revokes_tokens(client, secretary, tree):
    first, second = issue(name="统计脚本"), issue()
    client.force_login(secretary)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "统计脚本" in page and first["token"][:8] in page and first["token"] not in page
    assert reverse("accounts:account") in client.get(reverse("core:home")).content.decode()
    response = client.post(reverse("accounts:token_revoke", kwargs={"token_pk": first["id"]}))
    assert response.status_code == 302
    assert not works(first["token"]) and works(second["token"])
    client.post(reverse("accounts:tokens_revoke_all"))
    assert not works(second["token"])
    # another user's token id is not found
    make_user("branch_secretary", tree["branches"][1][0], username="other")
    theirs = issue("other")
    assert client.post(reverse("accounts:token_revoke", kwargs={"token_pk": theirs["id"]})).status_code == 404
    assert works(theirs["token"])


def test_oldest_tokens_go_beyond_the_cap(secretary, settings):
    settings.API_TOKEN_MAX_PER_USER = 3
    keys = [issue()["token"] for _ in range(4)]
    assert [works(k) for k in keys] == [False, True, True, True]


def test_last_use_is_recorded(secretary):
    body = issue()
    assert ApiToken.objects.get(pk=body["id"]).last_used_at is None
    works(body["token"])
    assert ApiToken.objects.get(pk=body["id"]).last_used_at is not None


def test_admin_revocation_from_user_page_and_command_tokens(client, secretary, tree):
    key = issue()["token"]
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    page = client.get(reverse("accounts:user_detail", kwargs={"user_pk": secretary.pk})).content.decode()
    assert "1个有效" in page
    client.post(reverse("accounts:user_revoke_token", kwargs={"user_pk": secretary.pk}))
    assert not works(key)
    out = StringIO()
    call_command("unlock_user", "sec_a", stdout=out)  # nothing locked: says so, still logged
    assert "没有被锁定" in out.getvalue()
