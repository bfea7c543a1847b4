from django.contrib.auth import authenticate
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.models import ApiToken
from apps.accounts.roles import ALL_ACTIONS
from apps.core.scoping import has_action, user_scope

from .authentication import MUST_CHANGE
from .serializers import ApiTokenSerializer, MeSerializer, TokenRequestSerializer, TokenResponseSerializer


class TokenView(APIView):
    """POST: username + password → a new API token. DELETE: sign out: revoke the token the
    request carries (with a session: every token of the caller)."""

    def get_authenticators(self):
        # Issuing a token takes credentials, not a session (no CSRF dance for scripts).
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self.request is not None and self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        summary="签发接口令牌",
        description=(
            "用账号和密码换取新的接口令牌（令牌只在此时显示一次）。令牌自签发起有效期固定（默认30天，不因使用而延长）；"
            "修改密码、角色变更、退出登录或本人/管理员撤销后立即失效。同一账号从同一地址连续失败5次将锁定15分钟。"
        ),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        http_request = request._request  # django-axes flags the Django request itself
        user = authenticate(
            request=http_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            return Response({"detail": "连续登录失败次数过多，该账号已锁定15分钟"}, status=status.HTTP_403_FORBIDDEN)
        if user is None:
            return Response({"detail": "账号或密码不正确，或账号已停用"}, status=status.HTTP_400_BAD_REQUEST)
        if user.must_change_password:
            return Response({"detail": MUST_CHANGE}, status=status.HTTP_403_FORBIDDEN)
        key, token = services.issue_token(user, name=serializer.validated_data.get("name", ""))
        return Response(
            TokenResponseSerializer({"token": key, "username": user.username, "id": token.pk, "expires_at": token.expires_at}).data
        )

    @extend_schema(
        request=None,
        responses={204: None},
        summary="退出：撤销本请求所用的接口令牌",
        description="用令牌调用时撤销该令牌；用网页会话调用时撤销本人全部令牌。",
    )
    def delete(self, request):
        if isinstance(request.auth, ApiToken):
            services.revoke_own_token(request.user, request.auth.pk)
        else:
            services.revoke_token(request.user, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    """The caller's own live API tokens (never anyone else's)."""

    permission_classes = [IsAuthenticated]
    pagination_class = None

    @extend_schema(responses={200: ApiTokenSerializer(many=True)}, summary="本人的接口令牌（不分页）")
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user, expires_at__gt=timezone.now()).order_by("-created_at", "-id")
        return Response(ApiTokenSerializer(tokens, many=True, context={"request": request}).data)


class TokenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="撤销本人的一个接口令牌")
    def delete(self, request, token_pk):
        services.revoke_own_token(request.user, token_pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, summary="当前用户、角色与管理范围")
    def get(self, request):
        user = request.user
        roles = [
            {
                "role": a.role,
                "role_label": a.get_role_display(),
                "organisation_id": a.organisation_id,
                "organisation_code": a.organisation.code,
                "organisation_name": a.organisation.name,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
            }
            for a in services.current_assignments(user)
        ]
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "member_id": user.member_id,
            "must_change_password": user.must_change_password,
            "whole_tree": user_scope(user, "view").everything,
            "roles": roles,
            "scope_roots": [{"id": o.pk, "code": o.code, "name": o.name} for o in services.scope_roots(user)],
            "actions": [a for a in ALL_ACTIONS if has_action(user, a)],
        }
        return Response(MeSerializer(data).data)
