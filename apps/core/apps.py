from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self):
        from django.core.checks import register

        from . import exports  # noqa: F401  (the to-do list's export)
        from .clientip import check_trusted_proxies
        from .keycheck import record_after_migrate  # also registers the key system check
        from .navigation import register_core

        register(check_trusted_proxies)
        from .sqlite_paths import ensure_nocase_path_indexes

        register_core()

        post_migrate.connect(ensure_nocase_path_indexes, dispatch_uid="core.sqlite_nocase_paths")
        post_migrate.connect(record_after_migrate, sender=self, dispatch_uid="core.record_key_fingerprints")
        from .defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="core.ensure_defaults")
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_session_refreshed

        user_logged_in.connect(mark_session_refreshed, dispatch_uid="core.session_refreshed_at_login")
