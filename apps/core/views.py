from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.accounts.scoping import visible_orgs

from . import todo as todo_registry


@require_safe
@login_required
def home(request):
    roots = visible_orgs(request.user).order_by("depth", "path")[:1]
    return render(
        request, "core/home.html", {"root": roots[0] if roots else None, "todo_items": todo_registry.items_for(request.user)[:10]}
    )


@require_safe
@login_required
def todo(request):
    return render(request, "core/todo.html", {"items": todo_registry.items_for(request.user)})
