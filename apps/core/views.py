from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import registry
from . import todo as todo_registry


def home_figures(user) -> list[tuple]:
    """The few figures each domain gives this user to act on (apps.core.registry.home):
    (label, value, unit, url|None), in the domains' order."""
    figures = []
    for entry in registry.home:
        figures += entry.figures(user)
    return figures


@require_safe
@login_required
def home(request):
    roots = apps.get_model("orgs", "Organisation").objects.restrict(request.user, "view").order_by("depth", "path")[:1]
    return render(
        request,
        "core/home.html",
        {
            "root": roots[0] if roots else None,
            "figures": home_figures(request.user),
            "todo_groups": todo_registry.grouped(todo_registry.items_for(request.user)),
        },
    )


@require_safe
@login_required
def todo(request):
    """我的待办: every kind of work waiting for the user's role, grouped by kind with counts;
    ?module= and ?overdue=1 filter."""
    items = todo_registry.items_for(request.user)
    module = request.GET.get("module", "")
    overdue = request.GET.get("overdue") == "1"
    modules = {}
    for item in items:
        modules[item.module] = modules.get(item.module, 0) + item.count
    shown = todo_registry.filtered(items, module=module, overdue=overdue)
    return render(
        request,
        "core/todo.html",
        {
            "items": shown,
            "groups": todo_registry.grouped(shown),
            "modules": sorted(modules.items()),
            "module": module,
            "overdue_only": overdue,
            "total": sum(i.count for i in items),
            "overdue_total": sum(i.count for i in items if i.overdue),
        },
    )
