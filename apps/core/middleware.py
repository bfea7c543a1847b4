import uuid

from .context import ActorContext, reset_actor, set_actor


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and publishes the actor to
    the audit log. The user is resolved lazily, after authentication has run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        token = set_actor(ActorContext(ip=client_ip(request), request_id=request.request_id, source="web"))
        try:
            response = self.get_response(request)
        finally:
            reset_actor(token)
        response["X-Request-ID"] = request.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            source = "api" if request.path.startswith("/api/") else "web"
            set_actor(
                ActorContext(
                    user_id=user.pk,
                    username=user.get_username(),
                    ip=client_ip(request),
                    request_id=request.request_id,
                    source=source,
                )
            )


class ContentSecurityPolicyMiddleware:
    """A strict CSP: every script, style and font comes from this server (intranet, no CDN)."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.POLICY)
        return response


class QueryIntegerBoundsMiddleware:
    """Refuse integer query parameters no record id or page number can reach (|n| > 2^53):
    the databases cannot even compare them (SQLite: "datatype mismatch", PostgreSQL:
    "out of range"), which would otherwise surface as server errors in whichever filter
    or paginator meets them first. Found by the API fuzz test (tests/api/test_fuzz.py)."""

    LIMIT = 2**53
    MESSAGE = "参数“{name}”的数值超出允许范围"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            for value in values:
                digits = value.strip().lstrip("+-")
                if digits.isdigit() and len(digits) > 15 and int(digits) > self.LIMIT:
                    return self._refuse(request, name)
        return self.get_response(request)

    def _refuse(self, request, name):
        from django.http import HttpResponseBadRequest, JsonResponse

        message = self.MESSAGE.format(name=name[:40])
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
