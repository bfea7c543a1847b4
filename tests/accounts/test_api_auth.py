import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts import services
from apps.core.actors import system_actor
from apps.core.models import AccessLog
from tests.factories import api_token, make_user

SYS = system_actor("cli")

PASSWORD = "Dangjian#2026x"


@pytest.fixture
def api():
    return APIClient(REMOTE_ADDR="10.1.1.1")


@pytest.fixture
def secretary(tree):
    return make_user("branch_secretary", tree["branches"][0][0], username="sec_a")


def issue(api, username="sec_a", password=PASSWORD):
    return api.post(reverse("api-auth-token"), {"username": username, "password": password}, format="json")


def test_issue_use_and_revoke_token(api, secretary, tree):
    response = issue(api)
    assert response.status_code == 200
    token = response.json()["token"]
    assert AccessLog.objects.filter(kind=AccessLog.Kind.TOKEN_ISSUED, user=secretary).exists()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get(reverse("api-auth-me"))
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "sec_a" and body["roles"][0]["role"] == "branch_secretary"
    assert body["roles"][0]["organisation_name"] == tree["branches"][0][0].name
    assert [r["code"] for r in body["scope_roots"]] == [tree["branches"][0][0].code]
    assert "view" in body["actions"] and "manage_users" not in body["actions"]
    assert api.delete(reverse("api-auth-token")).status_code == 204
    assert AccessLog.objects.filter(kind=AccessLog.Kind.TOKEN_REVOKED, user=secretary).exists()
    assert api.get(reverse("api-auth-me")).status_code == 401


def test_bad_credentials(api, secretary):
    response = issue(api, password="wrong")
    assert response.status_code == 400 and "不正确" in response.json()["detail"]
    assert AccessLog.objects.filter(kind=AccessLog.Kind.LOGIN_FAILED, username="sec_a").exists()
    assert issue(api, password="").status_code == 400


def test_token_endpoint_locks_out_after_five_failures(api, secretary):
    for _ in range(5):
        issue(api, password="wrong")
    response = issue(api)
    assert response.status_code in (403, 429)
    assert "token" not in response.content.decode()
    assert AccessLog.objects.filter(kind=AccessLog.Kind.LOCKED_OUT).exists()


def test_token_lockout_json_with_callable(api, secretary, settings):
    settings.AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
    for _ in range(5):
        issue(api, password="wrong")
    response = issue(api)
    assert response.status_code == 429 and "锁定" in response.json()["detail"]


def test_deactivated_user_token_refused_next_request(api, secretary, tree):
    token = issue(api).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api-auth-me")).status_code == 200
    secretary.is_active = False
    secretary.save(update_fields=["is_active"])
    assert api.get(reverse("api-auth-me")).status_code == 401


def test_ended_role_gone_on_next_api_request(api, secretary):
    api.force_login(secretary)
    assert api.get(reverse("api-auth-me")).json()["roles"]
    services.revoke_role(secretary.role_assignments.get(), actor=SYS)
    body = api.get(reverse("api-auth-me")).json()
    assert body["roles"] == [] and body["scope_roots"] == [] and body["actions"] == []


def test_inactive_user_cannot_get_token(api, secretary):
    secretary.is_active = False
    secretary.save()
    assert issue(api).status_code == 400


def test_admin_revokes_other_users_token(client, api, secretary, tree):
    token = issue(api).json()["token"]
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    response = client.post(reverse("accounts:user_revoke_token", kwargs={"user_pk": secretary.pk}))
    assert response.status_code == 302
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api-auth-me")).status_code == 401
    log = AccessLog.objects.get(kind=AccessLog.Kind.TOKEN_REVOKED)
    assert log.user == admin and log.target == "sec_a"


def test_other_branch_secretary_cannot_revoke_token(client, secretary, tree):
    other = make_user("branch_secretary", tree["branches"][1][0])
    client.force_login(other)
    response = client.post(reverse("accounts:user_revoke_token", kwargs={"user_pk": secretary.pk}))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("demo_mode", [False, True])
def test_initial_password_must_be_changed_before_api_use(api, tree, settings, demo_mode):
    """Enforced for every flagged account, under the demo settings of `make run` too."""
    settings.DEMO_MODE = demo_mode
    user = services.create_user("fresh", "Hongqi#Piao-2026", role="branch_secretary", org=tree["branches"][0][0], actor=SYS)
    response = issue(api, "fresh", "Hongqi#Piao-2026")
    assert response.status_code == 403 and "修改初始密码" in response.json()["detail"]
    # a token issued earlier is refused as well (403, Chinese), and so is the session
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    response = api.get(reverse("api-auth-me"))
    assert response.status_code == 403 and "修改初始密码" in response.json()["detail"]
    api.credentials()
    api.force_login(user)
    response = api.get("/api/orgs/")
    assert response.status_code == 403 and "修改初始密码" in response.json()["detail"]
