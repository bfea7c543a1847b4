from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(success_url=reverse_lazy("core:home")), name="password_change"),
    path("me/", views.account, name="account"),
    path("me/care-mode/", views.care_mode, name="care_mode"),
    path("me/tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/tokens/revoke-all/", views.tokens_revoke_all, name="tokens_revoke_all"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_pk>/", views.user_detail, name="user_detail"),
    path("users/<int:user_pk>/grant/", views.user_grant, name="user_grant"),
    path("users/<int:user_pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:user_pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:user_pk>/revoke-token/", views.user_revoke_token, name="user_revoke_token"),
    path("users/<int:user_pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("assignments/<int:assignment_pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("changelog/", views.changelog, name="changelog"),
    path("accesslog/", views.accesslog, name="accesslog"),
]
