"""Read side of the account and audit pages: the users list, the change history and the
access log, filtered by their search forms. The pages and their Excel exports
(apps.excel.lists) both call these with the page's query parameters."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q

from apps.core.models import AccessLog, ChangeLog
from apps.core.scoping import has_action, restrict_by_path

from . import services
from .forms import AccessLogFilterForm, ChangeLogFilterForm, UserSearchForm
from .history import filter_by_period
from .models import RoleAssignment
from .roles import AUDIT, MANAGE_USERS


def require(user, action: str) -> None:
    if not has_action(user, action):
        raise PermissionDenied("您没有此功能的权限")


def _form(form_class, params):
    return form_class(params or None)


def user_list(user, params, form=None):
    """用户与角色: users in the user's MANAGE_USERS scope (?q= &inactive=on), with their
    current role assignments prefetched."""
    require(user, MANAGE_USERS)
    form = form or _form(UserSearchForm, params)
    qs = services.users_in_scope(user)
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if not form.cleaned_data["inactive"]:
            qs = qs.filter(is_active=True)
    else:
        qs = qs.filter(is_active=True)
    current = RoleAssignment.objects.current().select_related("organisation").order_by("organisation__path")
    return qs.order_by("username").prefetch_related(Prefetch("role_assignments", queryset=current, to_attr="current_assignments"))


def changelog_list(user, params, form=None):
    """变更历史 search in the user's AUDIT scope; a wrong filter finds nothing."""
    require(user, AUDIT)
    form = form or _form(ChangeLogFilterForm, params)
    qs = restrict_by_path(ChangeLog.objects.all(), user, AUDIT, "org_path")
    if form.is_valid():
        d = form.cleaned_data
        if d["object_type"]:
            qs = qs.filter(object_type=d["object_type"].strip().lower())
        if d["object_id"]:
            qs = qs.filter(object_id=d["object_id"].strip())
        if d["action"]:
            qs = qs.filter(action=d["action"])
        if d["user"]:
            qs = qs.filter(username=d["user"].strip())
        if d["request_id"]:
            qs = qs.filter(request_id=d["request_id"].strip())
        qs = filter_by_period(qs, "at", d["date_from"], d["date_to"])
    elif form.is_bound:
        qs = qs.none()  # a wrong filter shows its error, not every row
    return qs.order_by("-at", "-id")


def accesslog_list(user, params, form=None):
    """敏感操作日志 search in the user's AUDIT scope; a wrong filter finds nothing."""
    require(user, AUDIT)
    form = form or _form(AccessLogFilterForm, params)
    qs = restrict_by_path(AccessLog.objects.all(), user, AUDIT, "org_path")
    if form.is_valid():
        d = form.cleaned_data
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["user"]:
            qs = qs.filter(username=d["user"].strip())
        if d["target"]:
            qs = qs.filter(target__icontains=d["target"].strip())
        if d["request_id"]:
            qs = qs.filter(request_id=d["request_id"].strip())
        qs = filter_by_period(qs, "at", d["date_from"], d["date_to"])
    elif form.is_bound:
        qs = qs.none()
    return qs.order_by("-at", "-id")
