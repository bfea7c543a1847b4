"""Settings for the test suite (make test): fixed keys, fast hashing, no network."""

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnop"
FIELD_ENCRYPTION_KEYS = ["j56K1TKIMdUsa5U16k6F339-6VoG80w_JgHgxMqxIf0="]
BLIND_INDEX_KEY = "test-blind-index-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DEMO_MODE = False
# An unclaimed background job runs in a thread of the test process (a child process could
# not open the test database); tests/excel cover the child's command directly.
DANGJIAN_TASK_FALLBACK_CHILD = False
AXES_ENABLED = True
