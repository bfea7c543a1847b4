from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.core.history import attach_readable
from apps.core.models import AccessLog, ChangeLog
from apps.core.scoping import ScopeError, get_in_scope, has_action, restrict_by_path
from apps.orgs.models import Organisation

from . import lockout, selectors, services
from .forms import AccessLogFilterForm, ChangeLogFilterForm, CreateUserForm, GrantRoleForm, UserSearchForm
from .models import ApiToken, RoleAssignment
from .roles import AUDIT, MANAGE_USERS
from .scoping import visible_orgs

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    """The login form; AuthenticationForm passes the request to authenticate(), so
    django-axes counts failures and the middleware answers a locked-out pair with
    templates/accounts/locked.html."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
        AccessLog.record(AccessLog.Kind.PASSWORD_CHANGED, user=user, target=user.username)
        messages.success(self.request, "密码已修改")
        return response


def _require(user, action):
    if not has_action(user, action):
        raise PermissionDenied("您没有此功能的权限")


def _page(qs, request, size=PAGE_SIZE):
    """One page without COUNT(*): fetch size+1 rows to know whether a next page exists."""
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    rows = list(qs[(number - 1) * size : number * size + 1])
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "rows": rows[:size],
        "number": number,
        "has_next": len(rows) > size,
        "has_previous": number > 1,
        "query": params.urlencode(),
    }


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def _org_by_code(user, code) -> Organisation:
    """The organisation (picked, or its code) if it lies in the user-management scope."""
    if isinstance(code, Organisation):
        code = code.code
    org = visible_orgs(user, MANAGE_USERS).filter(code=(code or "").strip()).first()
    if org is None:
        raise ValidationError({"org_code": [f"组织代码“{code}”不存在，或不在您的用户管理范围内"]})
    return org


def _user_in_scope(request, user_pk):
    # No function check first: outside the MANAGE_USERS scope a user simply does not exist (404).
    try:
        return services.users_in_scope(request.user).get(pk=user_pk)
    except services.User.DoesNotExist:
        raise Http404("未找到该用户，或不在您的管理范围内")


@login_required
def user_list(request):
    _require(request.user, MANAGE_USERS)
    form = UserSearchForm(request.GET or None)
    qs = selectors.user_list(request.user, request.GET, form)
    page = _page(qs, request)
    locks = lockout.locks_for([u.username for u in page["rows"]])
    for u in page["rows"]:
        u.login_locks = locks.get(u.username, [])
    return render(request, "accounts/user_list.html", {"form": form, "page": page})


@login_required
def user_detail(request, user_pk):
    target = _user_in_scope(request, user_pk)
    assignments = target.role_assignments.select_related("organisation", "granted_by").order_by("-revoked_at", "organisation__path")
    history = restrict_by_path(
        ChangeLog.objects.filter(
            Q(object_type="accounts.user", object_id=str(target.pk))
            | Q(object_type="accounts.roleassignment", object_id__in=[str(a.pk) for a in assignments])
        ),
        request.user,
        AUDIT,
        "org_path",
    )[:50]
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "assignments": assignments,
            "grant_form": GrantRoleForm(user=request.user),
            "token_count": ApiToken.objects.filter(user=target, expires_at__gt=timezone.now()).count(),
            "login_locks": lockout.locks_for([target.username]).get(target.username, []),
            "history": attach_readable(history) if has_action(request.user, AUDIT) else None,
            "today": timezone.localdate(),
        },
    )


@login_required
def user_create(request):
    _require(request.user, MANAGE_USERS)
    form = CreateUserForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = _org_by_code(request.user, data["org_code"])
            user = services.create_user(
                data["username"],
                data["password"],
                display_name=data["display_name"],
                role=data["role"],
                org=org,
                actor=request.user,
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        except ScopeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已创建账号“{user.username}”，首次登录须修改密码")
            return redirect("accounts:user_detail", user_pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@require_POST
def user_grant(request, user_pk):
    target = _user_in_scope(request, user_pk)
    form = GrantRoleForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            org = _org_by_code(request.user, form.cleaned_data["org_code"])
            services.grant_role(target, form.cleaned_data["role"], org, actor=request.user, valid_to=form.cleaned_data["valid_to"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        except ScopeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已授予角色，下一次请求起生效")
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{'、'.join(e)}" for f, e in form.errors.items()))
    return redirect("accounts:user_detail", user_pk=target.pk)


@login_required
@require_POST
def role_revoke(request, assignment_pk):
    assignment = get_in_scope(RoleAssignment.objects.select_related("user", "organisation"), request.user, MANAGE_USERS, pk=assignment_pk)
    try:
        services.revoke_role(assignment, actor=request.user, reason=request.POST.get("reason", "")[:100])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except ScopeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤销角色，下一次请求起失效")
    return redirect("accounts:user_detail", user_pk=assignment.user_id)


def _user_action(request, user_pk, act) -> HttpResponse:
    """Run one account action on a user in the manager's scope; `act(target)` calls the
    service and returns the success message. Refusals become error messages."""
    target = _user_in_scope(request, user_pk)
    try:
        messages.success(request, act(target))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except ScopeError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:user_detail", user_pk=target.pk)


@login_required
@require_POST
def user_deactivate(request, user_pk):
    def act(target):
        if request.POST.get("activate"):
            services.reactivate_user(target, actor=request.user)
            return f"已恢复账号“{target.username}”"
        services.deactivate_user(target, actor=request.user, reason=request.POST.get("reason", "")[:100])
        return f"已停用账号“{target.username}”，其会话与接口令牌即刻失效"

    return _user_action(request, user_pk, act)


@login_required
@require_POST
def user_reset_password(request, user_pk):
    def act(target):
        services.reset_password(target, request.POST.get("new_password", ""), actor=request.user)
        return f"已为“{target.username}”设置临时密码，对方下次登录时须修改密码"

    return _user_action(request, user_pk, act)


@login_required
@require_POST
def user_revoke_token(request, user_pk):
    return _user_action(
        request, user_pk, lambda target: "已撤销接口令牌" if services.revoke_token(target, actor=request.user) else "该用户没有接口令牌"
    )


@login_required
@require_POST
def user_unlock(request, user_pk):
    def act(target):
        count = services.unlock_user(target, actor=request.user)
        return f"已解除“{target.username}”的登录锁定（{count}个地址）" if count else f"“{target.username}”没有被锁定的登录"

    response = _user_action(request, user_pk, act)
    if request.POST.get("next") == "list":
        return redirect("accounts:users")
    return response


@login_required
def account(request):
    """我的账号: the signed-in user's own account, roles and live API tokens."""
    tokens = ApiToken.objects.filter(user=request.user, expires_at__gt=timezone.now()).order_by("-created_at", "-id")
    return render(
        request,
        "accounts/account.html",
        {
            "assignments": services.current_assignments(request.user),
            "tokens": tokens,
            "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS,
        },
    )


@login_required
@require_POST
def token_revoke(request, token_pk):
    token = services.revoke_own_token(request.user, token_pk)
    messages.success(request, f"已撤销接口令牌 {token.key_prefix}…")
    return redirect("accounts:account")


@login_required
@require_POST
def tokens_revoke_all(request):
    count = services.revoke_token(request.user, actor=request.user)
    messages.success(request, "已撤销本人全部接口令牌" if count else "您没有接口令牌")
    return redirect("accounts:account")


@login_required
def changelog(request):
    _require(request.user, AUDIT)
    form = ChangeLogFilterForm(request.GET or None)
    page = _page(selectors.changelog_list(request.user, request.GET, form), request)
    page["rows"] = attach_readable(page["rows"])
    return render(request, "accounts/changelog.html", {"form": form, "page": page})


@login_required
def accesslog(request):
    _require(request.user, AUDIT)
    form = AccessLogFilterForm(request.GET or None)
    page = _page(selectors.accesslog_list(request.user, request.GET, form), request)
    return render(request, "accounts/accesslog.html", {"form": form, "page": page})


def user_detail_url(user):
    return reverse("accounts:user_detail", kwargs={"user_pk": user.pk})


CARE_MODE_VALUES = {"on": True, "off": False}


@login_required
def care_mode(request):
    """长辈模式: the signed-in user's own switch (large text, high contrast, fewer choices on
    every page). POST care_mode=on|off, back to `next` when it is a page of this site."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        nxt = ""
    if request.method == "POST":
        value = request.POST.get("care_mode")
        if value not in CARE_MODE_VALUES:
            messages.error(request, "长辈模式：请选择“开启”或“关闭”，未作更改")
            return render(request, "accounts/care_mode.html", {"next": nxt}, status=400)
        user = services.set_care_mode(request.user, CARE_MODE_VALUES[value], actor=request.user)
        messages.success(request, "已开启长辈模式" if user.care_mode else "已关闭长辈模式")
        return redirect(nxt or reverse("accounts:care_mode"))
    return render(request, "accounts/care_mode.html", {"next": nxt})
