"""Settings for `make run`: the embedded SQLite database and the demo county."""

from dangjian.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
DEMO_MODE = env_bool("DANGJIAN_DEMO_MODE", True)
