from django.apps import AppConfig


class ExcelConfig(AppConfig):
    name = "apps.excel"
    label = "excel"
    verbose_name = "Excel导入导出"
