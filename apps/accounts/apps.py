from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from axes.signals import user_locked_out

        from apps.core.scoping import set_scope_resolver

        from . import signals
        from .scoping import resolve_scope

        set_scope_resolver(resolve_scope)

        from django.utils.translation import gettext_lazy as _

        from apps.core import registry

        from . import demo, exports  # noqa: F401

        registry.demo.register(registry.DemoBuilder("accounts", demo.populate, order=1000))  # logins last: they pick filled branches
        registry.nav("system", _("用户与角色"), "accounts:users", "manage_users", order=10)
        registry.nav("registry", _("长辈模式（大字）"), "accounts:care_mode", "change_self", order=99)
        registry.nav("system", _("变更历史"), "accounts:changelog", "audit", order=20)
        registry.nav("system", _("敏感操作日志"), "accounts:accesslog", "audit", order=30)

        user_locked_out.connect(signals.log_locked_out, dispatch_uid="accounts_log_locked_out")
