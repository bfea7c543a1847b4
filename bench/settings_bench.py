"""Settings for `make bench`: the production-like stack (DEBUG off) with a bench-only
URLconf that adds the bare JSON view the member-list API is compared against."""

from dangjian.settings.base import *  # noqa: F403

DEBUG = False
DEMO_MODE = False
ROOT_URLCONF = "bench.urls_bench"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
AXES_ENABLED = False  # wrk sends thousands of requests from one address
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# `bench/run.py --growth`: one alias per province size ("20k=postgres://…,1m=postgres://…"),
# queries pinned to one of them at a time by bench.routers.PinnedAliasRouter.
import dj_database_url  # noqa: E402

from dangjian.env import env  # noqa: E402

for _item in filter(None, env("BENCH_GROWTH_DBS", "").split(",")):
    _alias, _url = _item.split("=", 1)
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=60)  # noqa: F405
if env("BENCH_GROWTH_DBS", ""):
    DATABASE_ROUTERS = ["bench.routers.PinnedAliasRouter", *DATABASE_ROUTERS]  # noqa: F405

# bench/http_ab.py: keep each worker's connection for the whole run (the product's 60 s
# would reconnect mid-run, and the CPU read from the backends' /proc entries would miss it).
if env("BENCH_CONN_MAX_AGE", ""):
    DATABASES["default"]["CONN_MAX_AGE"] = int(env("BENCH_CONN_MAX_AGE"))  # noqa: F405
