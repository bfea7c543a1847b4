"""Headers that protect personal data: no caching of signed-in answers, a validated
request id, and the API description behind a login."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.models import AccessLog
from tests.factories import api_token, make_member, make_user


@pytest.fixture
def secretary(tree):
    make_member(tree["branches"][0][0])
    return make_user("branch_secretary", tree["branches"][0][0], username="sec_h")


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_signed_in_pages_are_not_stored(client, secretary):
    client.force_login(secretary)
    for url in (reverse("core:home"), reverse("members:list"), reverse("accounts:account")):
        response = client.get(url)
        assert response.status_code == 200 and _no_store(response), url


def test_api_answers_with_a_token_are_not_stored(secretary):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(secretary)}")
    for url in ("/api/members/", reverse("api-auth-me")):
        response = api.get(url)
        assert response.status_code == 200 and _no_store(response), url


def test_a_view_cannot_loosen_no_store(client, secretary, settings):
    """Even an answer that set its own caching (e.g. a download) is no-store when signed in."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from apps.core.middleware import NoStoreForSignedInMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    request = RequestFactory().get("/")
    request.user = secretary
    response = NoStoreForSignedInMiddleware(view)(request)
    assert response["Cache-Control"] == "no-store" and "public" not in response["Cache-Control"]


def test_static_files_stay_cacheable(client, secretary):
    client.force_login(secretary)  # served by WhiteNoise before the middleware
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and not _no_store(static)


def test_valid_request_id_is_kept(client, secretary):
    response = client.post(
        reverse("accounts:login"), {"username": "sec_h", "password": "Dangjian#2026x"}, HTTP_X_REQUEST_ID="trace-2026.12_a"
    )
    assert response["X-Request-ID"] == "trace-2026.12_a"
    assert AccessLog.objects.get(kind=AccessLog.Kind.LOGIN_OK).request_id == "trace-2026.12_a"


@pytest.mark.parametrize("supplied", ["a" * 65, "<script>alert(1)</script>", "id with space", "请求编号", "x\u200by", "../../etc"])
def test_invalid_request_id_is_replaced(client, secretary, supplied):
    response = client.post(reverse("accounts:login"), {"username": "sec_h", "password": "Dangjian#2026x"}, HTTP_X_REQUEST_ID=supplied)
    fresh = response["X-Request-ID"]
    assert fresh != supplied and re.fullmatch(r"[0-9a-f]{32}", fresh)
    assert AccessLog.objects.get(kind=AccessLog.Kind.LOGIN_OK).request_id == fresh


def test_api_schema_and_docs_need_a_login(client, secretary):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code in (401, 403)
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 302 and reverse("accounts:login") in docs["Location"]
    client.force_login(secretary)
    assert client.get(reverse("api-schema")).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200


def test_api_schema_needs_a_login_under_production_settings():
    """The same URL configuration serves production: the protection is not a dev setting."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.core.test_production_settings import _env

    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='dangjian.example.gov.cn').get('/api/schema/', secure=True);"
        "print(r.status_code)"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=_env(), capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] in ("401", "403"), result.stdout + result.stderr
