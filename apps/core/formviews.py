"""The shape every domain's form page repeats, written once: refuse a user without the
action anywhere (404, as outside scope), run a service on a valid POST with its Chinese
messages put back on the form, and render the one generic form page. General: no domain
knowledge; the service, the messages and the redirect stay in the domain's view."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render

from .forms import apply_service_errors
from .scoping import ScopeError, has_action

FORM_TEMPLATE = "includes/form_page.html"


def require_action(user, action: str = "view", message: str = "您没有可查看的党组织") -> None:
    """404 (never 403) for a user holding `action` on no organisation at all."""
    if not has_action(user, action):
        raise Http404(message)


def submitted(request, form, write: Callable[[dict], object]) -> tuple[bool, object]:
    """On a POST whose form is valid, call write(cleaned_data) (a service taking the
    actor). Returns (True, result) when it wrote; (False, None) otherwise, with the
    service's refusal on the form (its transaction already rolled back; an object outside
    the user's scope is a 404)."""
    if request.method != "POST" or not form.is_valid():
        return False, None
    try:
        return True, write(form.cleaned_data)
    except (ValidationError, ScopeError) as exc:
        apply_service_errors(form, exc)
        return False, None


def form_page(request, form, title: str, back: str, *, intro: str = "", submit: str = "保存"):
    """The generic form page (title, an optional explanation, the fields, 保存/取消)."""
    return render(request, FORM_TEMPLATE, {"form": form, "title": title, "back": back, "intro": intro, "submit": submit})


def list_page(request, template: str, rows, *, echo: tuple = ("q",), action: str = "view", **context):
    """A list screen: 404 for a user who may `action` nowhere, the rows paged
    (apps.core.paging), the filter values of `echo` given back to the filter form, and
    can_change for the page's 新增 buttons; `context` adds the page's own."""
    from .paging import page_of

    require_action(request.user, action)
    values = {name: request.GET.get(name, "") for name in echo}
    return render(
        request,
        template,
        {
            "page": page_of(rows(request) if callable(rows) else rows, request),
            **values,
            "can_change": has_action(request.user, "change"),
            **context,
        },
    )
