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
            "todo_items": todo_registry.items_for(request.user)[:10],
        },
    )


@require_safe
@login_required
def todo(request):
    return render(request, "core/todo.html", {"items": todo_registry.items_for(request.user)})
