"""Settings for `make run`: the embedded SQLite database and the demo county.

`make run` serves the application as its users will see it: DEBUG is off, so a missing
page, a refusal or an error shows the Chinese 404/403/500 pages, not Django's English
debug pages (DJANGO_DEBUG=1 brings those back for a developer). Static files are served
by WhiteNoise straight from the source folders (finders) and re-read on every request, so
no collectstatic is needed and edited CSS shows at once.
"""

from dangjian.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
DEMO_MODE = env_bool("DANGJIAN_DEMO_MODE", True)
# `make run` starts no background worker: the web process runs an import or export job
# itself after this many seconds (base: 3 s, to leave a running db_worker the first claim).
DANGJIAN_TASK_FALLBACK_SECONDS = 1
