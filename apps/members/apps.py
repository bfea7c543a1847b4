from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "apps.members"
    label = "members"
    verbose_name = "党员"

    def ready(self):
        from apps.core import crypto

        from . import signals, todo  # noqa: F401
        from .models import Member

        crypto.register_encrypted(Member, ("id_number_enc", "id_number_hash"), ("phone_enc", "phone_hash"))
