"""Login lockout behind the reverse proxy: per username + client address, so nobody can
keep someone else's account locked; an administrator can lift a lock (web, CLI), audited."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.models import AccessLog
from tests.factories import make_user

PASSWORD = "Dangjian#2026x"
PROXY = "127.0.0.1"
ATTACKER = "198.51.100.66"
OWNER = "203.0.113.10"


@pytest.fixture(autouse=True)
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


@pytest.fixture
def victim(tree):
    return make_user("county_admin", tree["county"], username="victim")


def login(client, username, password, address, *, forged=""):
    """A login through the reverse proxy: nginx appends the peer's address."""
    xff = f"{forged}, {address}" if forged else address
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)


def lock_from(client, username, address):
    for _ in range(5):
        login(client, username, "wrong-password", address)


def test_attacker_locks_only_their_own_address(client, victim):
    lock_from(client, "victim", ATTACKER)
    assert login(client, "victim", PASSWORD, ATTACKER).status_code == 429
    # the owner, from elsewhere, behind the same proxy, is not locked
    assert login(client, "victim", PASSWORD, OWNER).status_code == 302
    entry = AccessLog.objects.filter(kind=AccessLog.Kind.LOCKED_OUT).first()
    assert entry is not None and entry.ip == ATTACKER


def test_forged_forwarded_for_does_not_escape_the_lock(client, victim):
    lock_from(client, "victim", ATTACKER)
    # the attacker writes another address into X-Forwarded-For; the proxy appends the real one
    assert login(client, "victim", PASSWORD, ATTACKER, forged=OWNER).status_code == 429


def test_api_token_endpoint_locks_per_address_too(victim):
    api = APIClient(REMOTE_ADDR=PROXY)
    for _ in range(5):
        api.post(reverse("api-auth-token"), {"username": "victim", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR=ATTACKER)
    locked = api.post(reverse("api-auth-token"), {"username": "victim", "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR=ATTACKER)
    assert locked.status_code in (403, 429) and "token" not in locked.json()
    ok = api.post(reverse("api-auth-token"), {"username": "victim", "password": PASSWORD}, format="json", HTTP_X_FORWARDED_FOR=OWNER)
    assert ok.status_code == 200 and ok.json()["token"]


def test_administrator_unlocks_from_the_users_page(client, tree, victim):
    lock_from(client, "victim", ATTACKER)
    admin = make_user("county_admin", tree["county"], username="boss")
    staff = APIClient()  # a separate browser for the administrator
    staff.force_login(admin)
    page = staff.get(reverse("accounts:users")).content.decode()
    assert "登录已锁定" in page and reverse("accounts:user_unlock", kwargs={"user_pk": victim.pk}) in page
    detail = staff.get(reverse("accounts:user_detail", kwargs={"user_pk": victim.pk})).content.decode()
    assert ATTACKER in detail and "解除登录锁定" in detail
    response = staff.post(reverse("accounts:user_unlock", kwargs={"user_pk": victim.pk}), {"next": "list"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:users")
    assert login(client, "victim", PASSWORD, ATTACKER).status_code == 302
    entry = AccessLog.objects.get(kind=AccessLog.Kind.UNLOCKED)
    assert entry.user == admin and entry.target == "victim" and entry.detail["addresses"] == [ATTACKER]
    assert "登录已锁定" not in staff.get(reverse("accounts:users")).content.decode()


def test_unlock_needs_the_users_scope(client, tree):
    target = make_user("branch_secretary", tree["branches"][1][0], username="far_away")
    lock_from(client, "far_away", ATTACKER)
    organiser = make_user("committee_organiser", tree["committees"][0])  # another committee
    secretary = make_user("branch_secretary", tree["branches"][1][0])  # no manage_users
    for who in (organiser, secretary):
        other = APIClient()
        other.force_login(who)
        assert other.post(reverse("accounts:user_unlock", kwargs={"user_pk": target.pk})).status_code == 404
    assert login(client, "far_away", PASSWORD, ATTACKER).status_code == 429
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.UNLOCKED).exists()


def test_unlock_user_command(client, victim):
    lock_from(client, "victim", ATTACKER)
    out = StringIO()
    call_command("unlock_user", "victim", stdout=out)
    assert "已解除" in out.getvalue() and "1个地址" in out.getvalue()
    assert login(client, "victim", PASSWORD, ATTACKER).status_code == 302
    entry = AccessLog.objects.get(kind=AccessLog.Kind.UNLOCKED)
    assert entry.target == "victim" and entry.detail["addresses"] == [ATTACKER]
    with pytest.raises(CommandError, match="不存在"):
        call_command("unlock_user", "nobody")


def test_unlock_user_command_as_a_user_checks_scope(client, tree, victim):
    lock_from(client, "victim", ATTACKER)
    make_user("branch_secretary", tree["branches"][0][0], username="small")
    with pytest.raises(CommandError):
        call_command("unlock_user", "victim", "--as", "small")
    assert login(client, "victim", PASSWORD, ATTACKER).status_code == 429
