import re
import time
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control

from .clientip import client_ip
from .context import ActorContext, reset_actor, set_actor

__all__ = ["client_ip"]

# A request id the client may choose (to follow a call through the logs): at most 64
# characters of [A-Za-z0-9._-]. Anything else is replaced by a fresh id, never stored.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_for(request) -> str:
    supplied = request.META.get("HTTP_X_REQUEST_ID", "")
    if supplied and REQUEST_ID_RE.fullmatch(supplied):
        return supplied
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and publishes the actor to
    the audit log. The user is resolved lazily, after authentication has run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
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


class NoStoreForSignedInMiddleware:
    """Every answer to a signed-in user (web session or API token) may carry personal data:
    `Cache-Control: no-store`, so that neither the browser nor a proxy keeps a copy.
    Static files are served by WhiteNoise before this middleware and stay cacheable.
    DRF hands the token's user back to the Django request, so API answers are covered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if "Cache-Control" in response:
                del response["Cache-Control"]
            patch_cache_control(response, no_store=True)
            response["Pragma"] = "no-cache"
        return response


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
    """Refuse query parameters no database can take, before a filter or paginator meets
    them as a server error (found by the API fuzz test, tests/api/test_fuzz.py):
    integers no record id or page number can reach (|n| > 2^53: SQLite "datatype
    mismatch", PostgreSQL "out of range"), and NUL characters (PostgreSQL refuses them in
    any string). Bodies need no such guard: DRF and Django form fields refuse NUL."""

    LIMIT = 2**53
    MESSAGE = "参数“{name}”的数值超出允许范围"
    NUL_MESSAGE = "参数“{name}”含有不允许的字符"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name:
                return self._refuse(request, name.replace("\x00", ""), self.NUL_MESSAGE)
            for value in values:
                if "\x00" in value:
                    return self._refuse(request, name, self.NUL_MESSAGE)
                digits = value.strip().lstrip("+-")
                if digits.isascii() and digits.isdigit() and len(digits) > 15 and int(digits) > self.LIMIT:
                    return self._refuse(request, name)
        return self.get_response(request)

    def _refuse(self, request, name, template=MESSAGE):
        from django.http import HttpResponseBadRequest, JsonResponse

        message = template.format(name=name[:40])
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _forbidden_text(value: str) -> bool:
    return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)


def has_forbidden_characters(data) -> bool:
    """NUL or a lone surrogate anywhere in decoded JSON, keys included."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _forbidden_text(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JsonBodyCharactersMiddleware:
    """Refuse a JSON request body holding "\\u0000" or a lone surrogate ("\\ud800") with a
    400 in Chinese. json accepts both; PostgreSQL stores no NUL in text or JSON and neither
    database encodes a lone surrogate, so a free-form field (a dict of export filters)
    carrying one was a server error (found by the API fuzz test). DRF's CharField refuses
    them already; this covers every JSON body whatever parser a view uses. Both can only
    arrive as \\u escapes, so bodies without one are not decoded twice."""

    MESSAGE = "请求内容含有不允许的字符（空字符或不成对的代理字符），请检查后重试"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and "json" in request.META.get("CONTENT_TYPE", ""):
            from django.conf import settings

            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if length <= 0 or (limit is not None and length > limit):
                return self.get_response(request)  # the view reads (or refuses) it as before
            body = request.body
            if b"\\u" in body or b"\x00" in body:
                import json

                from django.http import JsonResponse

                try:
                    data = json.loads(body)
                except ValueError:
                    data = None  # not JSON: the view's parser answers it
                if has_forbidden_characters(data):
                    return JsonResponse({"detail": self.MESSAGE}, status=400, json_dumps_params={"ensure_ascii": False})
        return self.get_response(request)


class SessionRefreshMiddleware:
    """The 30-minute idle timeout without a database write on every request.

    SESSION_SAVE_EVERY_REQUEST wrote the session (an UPDATE inside BEGIN/COMMIT) on every
    GET. Instead a non-empty session is re-saved — which moves its expiry to now +
    SESSION_COOKIE_AGE — only when its last refresh is more than SESSION_REFRESH_SECONDS old.
    A user idle for SESSION_COOKIE_AGE is therefore signed out after at most that long and
    at least SESSION_COOKIE_AGE − SESSION_REFRESH_SECONDS (29 of 30 minutes by default)."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            last = session.get(self.KEY)
            if not isinstance(last, int) or now - last >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return self.get_response(request)


def mark_session_refreshed(sender, request=None, **kwargs):
    """Signing in saves the session with a fresh expiry: count that as its refresh."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SessionRefreshMiddleware.KEY] = int(time.time())


class MethodNotAllowedPageMiddleware:
    """A page opened with the wrong method (GET of a form's target such as /dues/remittance/)
    gets a Chinese explanation and a way back instead of Django's blank 405. API answers
    keep their own JSON body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not request.path.startswith("/api/"):
            from django.shortcuts import render

            page = render(request, "405.html", {"allowed": response.get("Allow", "")}, status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose another language with the switcher (its
    cookie). The browser's Accept-Language is not followed: the English catalogue covers
    the shell (navigation, account pages) but not the domain pages, so an English browser
    got pages half in English and half in Chinese."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
