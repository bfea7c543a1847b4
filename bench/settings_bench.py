"""Settings for `make bench`: the production-like stack (DEBUG off) with a bench-only
URLconf that adds the bare JSON view the member-list API is compared against."""

from dangjian.settings.base import *  # noqa: F403

DEBUG = False
DEMO_MODE = False
ROOT_URLCONF = "bench.urls_bench"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
AXES_ENABLED = False  # wrk sends thousands of requests from one address
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
