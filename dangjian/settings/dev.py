"""Settings for `make run`: the embedded SQLite database and the demo county."""

from dangjian.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
DEMO_MODE = env_bool("DANGJIAN_DEMO_MODE", True)
# `make run` starts no background worker: the web process runs an import or export job
# itself after this many seconds (base: 3 s, to leave a running db_worker the first claim).
DANGJIAN_TASK_FALLBACK_SECONDS = 1
