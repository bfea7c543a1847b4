from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/api/auth/", "/admin/logout/", "/i18n/")


class AccountStateMiddleware:
    """Forces a password change at first login (outside the demo settings): pages
    redirect to the password form, API calls with the session answer 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not settings.DEMO_MODE
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                from .api.authentication import MUST_CHANGE

                return JsonResponse({"detail": MUST_CHANGE}, status=403)
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)
