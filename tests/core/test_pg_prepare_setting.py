"""DANGJIAN_PG_PREPARE_THRESHOLD (docs/deployment.md): unset, Django's client-side binding
(nothing prepared); a number ≥ 1, server-side binding with psycopg's prepared statements;
anything else refused at start-up with the variable named. Read from the settings module
in a fresh interpreter (settings are read once per process); no database is opened."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"


def _options(threshold, url="postgres://u@127.0.0.1:5432/x"):
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "dangjian.settings.test", "DATABASE_URL": url}
    if threshold is not None:
        env["DANGJIAN_PG_PREPARE_THRESHOLD"] = threshold
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_unset_keeps_client_side_binding():
    result = _options(None)
    assert result.returncode == 0, result.stderr
    assert "server_side_binding" not in result.stdout and "prepare_threshold" not in result.stdout


def test_a_threshold_turns_on_server_side_binding_and_prepared_statements():
    result = _options("5")
    assert result.returncode == 0, result.stderr
    assert "'server_side_binding': True" in result.stdout and "'prepare_threshold': 5" in result.stdout


def test_sqlite_ignores_it():
    result = _options("5", url="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr
    assert "server_side_binding" not in result.stdout


def test_zero_and_nonsense_are_refused_with_the_variable_named():
    for bad in ("0", "abc", "-3"):
        result = _options(bad)
        assert result.returncode != 0
        assert "DANGJIAN_PG_PREPARE_THRESHOLD" in result.stderr and "ImproperlyConfigured" in result.stderr, bad
