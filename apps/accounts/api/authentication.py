from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

MUST_CHANGE = "首次登录须先在网页上修改初始密码，然后才能使用接口"


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF tokens (POST /api/auth/token/), revocable by deleting the token. Inactive
    users are refused by the base class on every request; accounts that still have to
    change their initial password are refused too (outside the demo settings)."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if user.must_change_password and not settings.DEMO_MODE:
            raise exceptions.AuthenticationFailed(MUST_CHANGE)
        return user, token
