from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "apps.care"
    label = "care"
    verbose_name = "关怀激励"

    def ready(self):
        from apps.core import defaults

        defaults.register_migration_seed("care", "0002_default_occasions")
        defaults.register_migration_seed("care", "0004_default_commendation_kinds")

        from apps.core import crypto

        from . import registrations
        from .models import Household

        crypto.register_encrypted(Household, ("phone_enc", "phone_hash"))

        registrations.register()
