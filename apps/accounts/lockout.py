"""The login lockout (django-axes): the answer to a locked-out login
(AXES_LOCKOUT_CALLABLE: JSON for the API, the locked page for the web, both 429 with the
cool-off time in Chinese), and what an administrator's unlock reads and clears.

A lock is per username + client address (apps.core.clientip): the same account from
another address is not locked."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

MESSAGE = "连续登录失败{limit}次，该账号在本机的登录已锁定{minutes}分钟，请稍后再试或联系管理员"


def lockout_response(request, original_response=None, credentials=None):
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    message = MESSAGE.format(limit=settings.AXES_FAILURE_LIMIT, minutes=minutes)
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "accounts/locked.html", {"message": message}, status=status)


@dataclass(frozen=True)
class Lock:
    """One locked username + address pair (django-axes AccessAttempt)."""

    ip: str | None
    failures: int
    last_attempt: datetime.datetime
    until: datetime.datetime


def _cooloff() -> datetime.timedelta:
    return datetime.timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def locks_for(usernames) -> dict[str, list[Lock]]:
    """The current locks of these usernames, by username (one query). A pair stays
    locked for the cool-off time counted from its last failed attempt."""
    from axes.models import AccessAttempt

    usernames = [u for u in usernames if u]
    if not usernames:
        return {}
    since = timezone.now() - _cooloff()
    rows = (
        AccessAttempt.objects.filter(username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since)
        .order_by("username", "-attempt_time")
        .values_list("username", "ip_address", "failures_since_start", "attempt_time")
    )
    found: dict[str, list[Lock]] = {}
    for username, ip, failures, at in rows:
        found.setdefault(username, []).append(Lock(ip, failures, at, at + _cooloff()))
    return found


def clear_attempts(username: str) -> int:
    """Forget every failed attempt of this username, from every address (the unlock)."""
    from axes.models import AccessAttempt

    deleted, _ = AccessAttempt.objects.filter(username=username).delete()
    return deleted
