"""`make run` (dangjian.settings.dev) serves the application as its users see it: the
Chinese error pages, not Django's English debug pages, and the static files still load."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="127.0.0.1")
print("DEBUG", settings.DEBUG)
r = c.get("/no-such-page/")
print("404", r.status_code, "未找到" in r.content.decode(), "Page not found" in r.content.decode())
r = c.get("/static/css/app.css")
print("CSS", r.status_code, r.get("Content-Type", ""))
r = c.get("/accounts/login/", HTTP_HOST="localhost")
print("LOCALHOST", r.status_code)
"""


@pytest.mark.slow
def test_make_run_settings_show_the_chinese_pages_and_serve_static(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "dangjian.settings.dev",
        "DANGJIAN_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert lines.get("DEBUG") == "False", result.stdout + result.stderr
    assert lines.get("404") == "404 True False", result.stdout + result.stderr
    assert lines.get("CSS", "").startswith("200 text/css"), result.stdout + result.stderr
    assert lines.get("LOCALHOST") == "200", result.stdout + result.stderr
