from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self):
        from django.core.checks import register

        from .clientip import check_trusted_proxies

        register(check_trusted_proxies)
        from .sqlite_paths import ensure_nocase_path_indexes

        post_migrate.connect(ensure_nocase_path_indexes, dispatch_uid="core.sqlite_nocase_paths")
