from rest_framework.authentication import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF tokens (POST /api/auth/token/), revocable by deleting the token. Inactive
    users are refused by the base class on every request."""

    keyword = "Token"
