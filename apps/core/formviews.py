"""The shapes every domain's pages repeat, written once: refuse a user without the action
anywhere (404, as outside scope), run a service on a valid POST with its Chinese messages
put back on the form (or flashed, for a button), render the one generic form page, ask
before deleting. General: no domain knowledge; the service, the messages and the redirect
stay in the domain's view, which only looks its object up (get_in_scope) and names them.

Where a helper takes `success`, it is the text flashed after the write, or a function of
what the service returned giving it; `then`/`back` are where to go: a URL, a view name,
a (view name, *args) tuple, or a function of the service's result giving one of those."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from .forms import apply_service_errors, flash_errors, form_error_text
from .scoping import ScopeError, has_action

FORM_TEMPLATE = "includes/form_page.html"
CONFIRM_DELETE_TEMPLATE = "includes/confirm_delete.html"
DELETED = "已删除“{obj}”（修改记录中保留删除前的内容）"


def _given(value, result):
    return value(result) if callable(value) else value


def go(target, result=None):
    """A redirect to `target` (see the module's note)."""
    target = _given(target, result)
    return redirect(*target) if isinstance(target, tuple) else redirect(target)


def require_action(user, action: str = "view", message: str = "您没有可查看的党组织") -> None:
    """404 (never 403) for a user holding `action` on no organisation at all."""
    if not has_action(user, action):
        raise Http404(message)


def submitted(request, form, write: Callable[[dict], object], *, scope_field: str | None = None) -> tuple[bool, object]:
    """On a POST whose form is valid, call write(cleaned_data) (a service taking the
    actor). Returns (True, result) when it wrote; (False, None) otherwise, with the
    service's refusal on the form (its transaction already rolled back; an object outside
    the user's scope is a 404; an organisation the user may see but not act on is named on
    `scope_field` when given, else at the top)."""
    if request.method != "POST" or not form.is_valid():
        return False, None
    try:
        return True, write(form.cleaned_data)
    except (ValidationError, ScopeError) as exc:
        apply_service_errors(form, exc, scope_field=scope_field)
        return False, None


def saved(request, form, write: Callable[[dict], object], *, success, then, scope_field: str | None = None):
    """`submitted`, then on a write the success message and the redirect; None when
    nothing was written (the caller renders its page with the form, refusals on it)."""
    ok, result = submitted(request, form, write, scope_field=scope_field)
    if not ok:
        return None
    messages.success(request, _given(success, result))
    return go(then, result)


def write_page(
    request,
    form,
    write: Callable[[dict], object],
    *,
    title: str,
    back: str,
    success,
    then=None,
    intro: str = "",
    submit: str = "保存",
    scope_field: str | None = None,
    template: str = FORM_TEMPLATE,
    **context,
):
    """A whole page that writes through one service: the form (GET, or a refused POST with
    the service's messages on it), or after the write the success message and a redirect
    to `then` (default `back`, the page's 取消 link). `template` and `context` for a page
    that is not the generic form page."""
    done = saved(request, form, write, success=success, then=then or back, scope_field=scope_field)
    if done is not None:
        return done
    if template == FORM_TEMPLATE:
        return form_page(request, form, title, back, intro=intro, submit=submit)
    return render(request, template, {"form": form, "title": title, "back": back, "intro": intro, "submit": submit, **context})


def act(request, write: Callable[[dict], object], *, back, success, form=None, invalid=None, then=None):
    """A button, or a small form on a detail page, that calls one service and returns to
    `back` (the view is POST only). An invalid form flashes `invalid` (a text or a
    function of the form; default: its errors as one line, labelled); the service gets the
    form's cleaned data (a new dict; {} without a form); its refusal is flashed (an object
    outside scope: 404); after the write `success` is flashed and the user goes to `then`
    (default `back`)."""
    if form is not None and not form.is_valid():
        messages.error(request, _given(invalid, form) if invalid else form_error_text(form))
        return go(back)
    try:
        result = write(dict(form.cleaned_data) if form is not None else {})
    except (ValidationError, ScopeError) as exc:
        flash_errors(request, exc)
        return go(back)
    messages.success(request, _given(success, result))
    return go(then or back, result)


def confirm_delete(
    request, obj, delete: Callable[[], object], *, what: str, back: str, note: str = "", success=None, then=None, refused=None
):
    """GET asks "确定删除…？" (templates/includes/confirm_delete.html, 取消 goes to `back`);
    POST deletes through the service: its refusal is flashed and the user goes to `refused`
    (default `back`); after the delete `success` (default "已删除“…”（修改记录中保留删除前
    的内容）") and `then` (default `back`)."""
    if request.method != "POST":
        return render(request, CONFIRM_DELETE_TEMPLATE, {"obj": obj, "what": what, "back": back, "note": note})
    try:
        result = delete()
    except (ValidationError, ScopeError) as exc:
        flash_errors(request, exc)
        return go(refused or back)
    messages.success(request, _given(success, result) if success else DELETED.format(obj=obj))
    return go(then or back, result)


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
