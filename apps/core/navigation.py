"""The left navigation's skeleton: the sections in their order, and core's own entries.
Every app registers its entries in its AppConfig.ready() with `registry.nav(...)`; a new
domain may add a section of its own with `registry.nav_section(...)`.

An entry whose URL name is not installed is left out, and so is one the user cannot use:
"change_self" entries need a member's own record, every other action needs that action
on some organisation subtree (a member's "view" on their own record does not show the
organisation-wide screens). None: always."""

from django.utils.translation import gettext_lazy as _

from . import registry

# (name, label, order): domains fill them; an empty section is not shown.
SECTIONS = [
    ("workbench", _("工作台"), 0),
    ("registry", _("组织与党员"), 10),
    ("recruitment", _("发展党员"), 20),
    ("orglife", _("组织生活"), 30),
    ("education", _("学习教育"), 40),
    ("management", _("党员管理"), 50),
    ("mobility", _("流动与转接"), 60),
    ("care", _("关怀激励"), 70),
    ("democracy", _("党内民主"), 80),
    ("supervision", _("领导指导"), 90),
    ("dues", _("党费"), 100),
    ("data", _("数据"), 110),
    ("system", _("系统"), 120),
]


def register_core() -> None:
    for name, label, order in SECTIONS:
        registry.nav_section(name, label, order=order)
    registry.nav("workbench", _("首页"), "core:home", None, order=0)
    registry.nav("workbench", _("我的待办"), "core:todo", None, order=10)
    registry.nav("system", _("接口文档"), "api-docs", "view", order=100)
