"""Everything the care domain contributes to the rest of the product (called from ready())."""

from django.utils.translation import gettext_lazy as _

from apps.core import registry


def register() -> None:
    registry.nav("care", _("走访记录"), "care:visits", "view", order=10)
    registry.nav("care", _("走访慰问清单"), "care:checklist", "view", order=20)
    registry.nav("care", _("困难党员"), "care:hardships", "view", order=30)
    registry.nav("care", _("三包结对"), "care:pairings", "view", order=40)
    registry.nav("care", _("互助基金"), "care:funds", "view", order=50)
    registry.nav("care", _("生活补助"), "care:subsidies", "view", order=60)
    from . import exports  # noqa: F401  (registers the list exports)
