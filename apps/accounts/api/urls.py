from django.urls import path

from .views import MeView, TokenDetailView, TokenListView, TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-auth-token"),
    path("auth/tokens/", TokenListView.as_view(), name="api-auth-tokens"),
    path("auth/tokens/<int:token_pk>/", TokenDetailView.as_view(), name="api-auth-token-detail"),
    path("auth/me/", MeView.as_view(), name="api-auth-me"),
]
