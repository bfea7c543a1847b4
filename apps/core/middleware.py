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
