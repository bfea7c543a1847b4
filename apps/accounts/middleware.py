from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

# Always reachable with an unchanged initial password: static files, the language switch.
EXEMPT_PREFIXES = ("/static/", "/i18n/")


def _exempt_paths() -> frozenset[str]:
    """Signing in and out, the password form itself, and the API's sign-out."""
    return frozenset(
        reverse(name) for name in ("accounts:login", "accounts:logout", "accounts:password_change", "api-auth-token", "admin:logout")
    )


def exempt(path: str) -> bool:
    return path in _exempt_paths() or path.startswith(EXEMPT_PREFIXES)


class AccountStateMiddleware:
    """Forces the password change of every account flagged `must_change_password` (new
    accounts, administrator's resets), whatever the settings: every page redirects to the
    password form, every API call with the session answers 403 in Chinese (token calls:
    ExpiringTokenAuthentication). The demo accounts of `make run` are created unflagged
    (apps.accounts.demo), so their printed passwords keep working."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False) and not exempt(request.path):
            if request.path.startswith("/api/"):
                from .api.authentication import MUST_CHANGE

                return JsonResponse({"detail": MUST_CHANGE}, status=403, json_dumps_params={"ensure_ascii": False})
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)
