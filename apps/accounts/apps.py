from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from axes.signals import user_locked_out

        from . import signals

        user_locked_out.connect(signals.log_locked_out, dispatch_uid="accounts_log_locked_out")
