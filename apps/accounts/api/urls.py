from django.urls import path

from .views import MeView, TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-auth-token"),
    path("auth/me/", MeView.as_view(), name="api-auth-me"),
]
