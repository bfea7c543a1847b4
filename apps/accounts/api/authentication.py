import datetime

from django.db.models import F, FilteredRelation, Q
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from apps.accounts.models import ApiToken

MUST_CHANGE = "首次登录须先在网页上修改初始密码，然后才能使用接口"
INVALID = "接口令牌无效或已撤销，请重新获取令牌（POST /api/auth/token/）"
EXPIRED = "接口令牌已过期，请重新获取令牌（POST /api/auth/token/）"
INACTIVE = "账号已停用"
# last_used_at is written at most this often per token (not a write on every call).
TOUCH_EVERY = datetime.timedelta(minutes=1)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against apps.accounts.models.ApiToken (the key's
    SHA-256). Refused with 401: an unknown or revoked key, an expired token, an inactive
    user. An account that still has to change its initial password gets 403."""

    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key):
        token = self.token_with_assignments(key)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(EXPIRED)
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE)
        if user.must_change_password:
            raise exceptions.PermissionDenied(MUST_CHANGE)
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    @staticmethod
    def token_with_assignments(key):
        """The token, its user and the user's current role assignments in one query (one
        row per assignment, LEFT JOINed so that a user without any still has the token's
        row); the assignments are left on the user where apps.accounts.scoping looks for
        them, so resolving the scope costs no second query. None for an unknown key."""
        today = timezone.localdate()
        current = Q(
            user__role_assignments__revoked_at__isnull=True,
            user__role_assignments__valid_from__lte=today,
        ) & (Q(user__role_assignments__valid_to__isnull=True) | Q(user__role_assignments__valid_to__gte=today))
        rows = list(
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.digest(key))
            .annotate(
                current_assignment=FilteredRelation("user__role_assignments", condition=current),
                assignment_role=F("current_assignment__role"),
                assignment_path=F("current_assignment__organisation__path"),
                assignment_org_status=F("current_assignment__organisation__status"),
            )
            .order_by()
        )
        if not rows:
            return None
        token = rows[0]
        token.user._dangjian_assignments = [
            (row.assignment_role, row.assignment_path, row.assignment_org_status) for row in rows if row.assignment_role is not None
        ]
        return token
