"""Login events into the access log (Django auth signals and the django-axes lockout
signal), and the history's organisation paths following a moved subtree."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from apps.core.clientip import client_ip
from apps.core.models import AccessLog


def _ip(request):
    return client_ip(request) if request is not None else None


def _acting_for(request, user):
    from apps.core.context import acting_as, current_actor

    actor = current_actor()
    return acting_as(
        user,
        ip=_ip(request) or actor.ip,
        source="api" if request is not None and request.path.startswith("/api/") else "web",
        request_id=getattr(request, "request_id", None) or actor.request_id,
    )


def _record(kind, request, *, user=None, username="", **detail):
    from .services import login_org_path

    # Login events happen before the request context knows the user: log them with the
    # user concerned, the request's IP and request id.
    with _acting_for(request, user):
        return AccessLog.record(
            kind,
            user=user,
            target=username or getattr(user, "username", ""),
            org_path=login_org_path(user),
            username=username,
            **detail,
        )


@receiver(user_logged_in, dispatch_uid="accounts_log_login_ok")
def log_login_ok(sender, request, user, **kwargs):
    _record(AccessLog.Kind.LOGIN_OK, request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts_log_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    from .models import User

    username = str((credentials or {}).get("username", ""))[:150]
    user = User.objects.filter(username=username).first() if username else None
    _record(
        AccessLog.Kind.LOGIN_FAILED,
        request,
        user=user,
        username=username,
        refused_while_locked=bool(getattr(request, "axes_locked_out", False)),
    )


@receiver(user_logged_out, dispatch_uid="accounts_log_logout")
def log_logout(sender, request, user, **kwargs):
    if user is not None:
        from .services import revoke_all_tokens

        _record(AccessLog.Kind.LOGOUT, request, user=user)
        # Signing out ends every credential of the account, its API tokens included.
        with _acting_for(request, user):
            revoke_all_tokens(user, reason="退出登录", actor=user)


def log_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    from .models import User

    user = User.objects.filter(username=username).first() if username else None
    _record(AccessLog.Kind.LOCKED_OUT, request, user=user, username=username or "", ip_address=ip_address)
