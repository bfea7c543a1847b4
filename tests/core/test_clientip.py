"""The client's address behind a reverse proxy (apps.core.clientip): one function for the
lockout, the access log and the change history."""

import pytest
from django.core.checks import run_checks
from django.test import RequestFactory
from django.urls import reverse

from apps.core.clientip import client_ip
from apps.core.models import AccessLog, ChangeLog
from tests.factories import make_user

PROXY = "10.0.0.2"


def ip_of(remote, xff=None, real=None):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    if real is not None:
        meta["HTTP_X_REAL_IP"] = real
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_remote_addr_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert ip_of("203.0.113.7") == "203.0.113.7"
    assert ip_of("203.0.113.7", xff="198.51.100.1", real="198.51.100.2") == "203.0.113.7"


def test_headers_of_an_untrusted_peer_are_ignored(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert ip_of("203.0.113.7", xff="1.2.3.4") == "203.0.113.7"
    assert ip_of("203.0.113.7", real="1.2.3.4") == "203.0.113.7"


def test_trusted_proxy_right_most_untrusted_forwarded_address(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert ip_of(PROXY, xff="198.51.100.20") == "198.51.100.20"
    # a client-forged entry on the left is not believed: nginx appends the real peer
    assert ip_of(PROXY, xff="6.6.6.6, 198.51.100.20") == "198.51.100.20"
    assert ip_of(PROXY, xff="198.51.100.20:51234") == "198.51.100.20"


def test_chain_of_trusted_proxies_and_networks(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]
    assert ip_of("10.0.0.9", xff="6.6.6.6, 198.51.100.20, 10.0.0.5") == "198.51.100.20"
    assert ip_of("::1", xff="2001:db8::5") == "2001:db8::5"
    assert ip_of("::ffff:10.0.0.9", xff="198.51.100.20") == "198.51.100.20"
    # every hop a trusted proxy: the left-most one is as far as we can see
    assert ip_of("10.0.0.9", xff="10.0.0.3, 10.0.0.5") == "10.0.0.3"


def test_garbage_hop_stops_the_walk(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert ip_of(PROXY, xff="198.51.100.20, not-an-ip") == PROXY
    assert ip_of(PROXY, xff="") == PROXY
    assert ip_of(PROXY, real="198.51.100.30") == "198.51.100.30"
    assert ip_of(PROXY, real="junk") == PROXY


def test_bad_trusted_proxy_setting_fails_the_system_check(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "proxy.example"]
    errors = [e for e in run_checks() if e.id == "core.E020"]
    assert errors and "proxy.example" in errors[0].msg


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def test_access_log_records_the_client_behind_the_proxy(client, tree, behind_proxy):
    make_user("branch_secretary", tree["branches"][0][0], username="sec_x")
    response = client.post(
        reverse("accounts:login"),
        {"username": "sec_x", "password": "Dangjian#2026x"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20",
    )
    assert response.status_code == 302
    assert AccessLog.objects.get(kind=AccessLog.Kind.LOGIN_OK).ip == "198.51.100.20"


def test_change_history_records_the_client_behind_the_proxy(client, tree, behind_proxy):
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "newuser",
            "display_name": "新用户",
            "password": "Hongqi#Piao-2026",
            "role": "branch_secretary",
            "org_code": tree["branches"][0][0].code,
        },
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.21",
    )
    assert response.status_code == 302
    written = ChangeLog.objects.filter(object_type__in=["accounts.user", "accounts.roleassignment"])
    assert written.count() == 2 and set(written.values_list("ip", flat=True)) == {"198.51.100.21"}
