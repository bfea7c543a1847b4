from django.apps import AppConfig


class ExcelConfig(AppConfig):
    name = "apps.excel"
    label = "excel"
    verbose_name = "Excel导入导出"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.core import registry

        registry.nav("data", _("党员导入"), "excel:import", "change", order=10)
        registry.nav("data", _("导出任务"), "excel:exports", "view", order=20)
