"""Password validators whose messages are Chinese whatever Django's catalogue holds.

Django 5.2.x changed the minimum-length message ("… at least %d characters.") and the
zh_Hans catalogue still translates only the old text, so the message came out in
English. settings.AUTH_PASSWORD_VALIDATORS should name this class instead of Django's.
"""

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return gettext("密码太短：至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return gettext("密码至少包含 %(min_length)d 个字符。") % {"min_length": self.min_length}
