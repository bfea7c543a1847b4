from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils import timezone

from apps.core.models import AccessLog


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
        AccessLog.record(AccessLog.Kind.PASSWORD_CHANGED, user=user, target=user.username)
        messages.success(self.request, "密码已修改")
        return response
