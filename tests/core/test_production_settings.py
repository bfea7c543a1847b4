import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DANGJIAN_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "dangjian.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DANGJIAN_FIELD_KEYS": "j56K1TKIMdUsa5U16k6F339-6VoG80w_JgHgxMqxIf0=",
            "DANGJIAN_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
            "DJANGO_ALLOWED_HOSTS": "dangjian.example.gov.cn",
        }
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _check(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_reports_no_warnings():
    result = _check(_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DANGJIAN_FIELD_KEYS", "DANGJIAN_BLIND_INDEX_KEY"])
def test_production_refuses_to_start_without_secrets(missing):
    result = _check(_env(**{missing: None}))
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_production_security_values():
    text = (ROOT / "dangjian/settings/production.py").read_text()
    for needle in (
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
        "SECURE_HSTS_SECONDS = 31536000",
        "DEBUG = False",
        "DEMO_MODE = False",
    ):
        assert needle in text


def test_base_security_headers(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_csrf_enforced_on_login(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 403
