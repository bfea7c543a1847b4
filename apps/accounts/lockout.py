"""The answer to a locked-out login (django-axes AXES_LOCKOUT_CALLABLE): JSON for the
API, the locked page for the web. Both 429 with the cool-off time in Chinese."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

MESSAGE = "连续登录失败{limit}次，该账号在本机的登录已锁定{minutes}分钟，请稍后再试或联系管理员"


def lockout_response(request, original_response=None, credentials=None):
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    message = MESSAGE.format(limit=settings.AXES_FAILURE_LIMIT, minutes=minutes)
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "accounts/locked.html", {"message": message}, status=status)
