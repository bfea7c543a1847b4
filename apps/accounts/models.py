import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from apps.core.querysets import ScopedQuerySet

from .roles import ROLE_BY_CODE, ROLE_CHOICES


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=40, blank=True)
    # A member's own account: the "member" role's scope is this record.
    member = models.OneToOneField(
        "members.Member", verbose_name="对应党员", null=True, blank=True, on_delete=models.SET_NULL, related_name="account"
    )
    must_change_password = models.BooleanField("首次登录须修改密码", default=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # 长辈模式: large text, high contrast, fewer choices on every page (the member's own
    # choice, accounts.services.set_care_mode; the class "care-mode" on <body>)
    care_mode = models.BooleanField("长辈模式（大字）", default=False)

    # Never copied into the change history: the password hash and login bookkeeping.
    AUDIT_EXCLUDE = ("password", "last_login", "date_joined", "password_changed_at")

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        # set_password() on an existing account (password change, administrator's reset,
        # admin site, `manage.py changepassword`) revokes its API tokens. A hash upgrade
        # at login (check_password's setter) clears _password first and revokes nothing.
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            from .services import revoke_all_tokens

            revoke_all_tokens(self, reason="修改密码", actor=self)


class RoleAssignmentQuerySet(ScopedQuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            revoked_at__isnull=True,
            valid_from__lte=on,
        ).filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on))


class RoleAssignment(models.Model):
    """(user, role, organisation, validity): grants the role on the organisation's subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=32, choices=ROLE_CHOICES)
    organisation = models.ForeignKey("orgs.Organisation", verbose_name="党组织", on_delete=models.PROTECT, related_name="role_assignments")
    valid_from = models.DateField("生效日期", default=timezone.localdate)
    valid_to = models.DateField("截止日期", null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="授权人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField("授权时间", default=timezone.now)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()
    SCOPE_PATH = "organisation__path"

    class Meta:
        verbose_name = verbose_name_plural = "角色授权"
        ordering = ["user", "role"]

    def __str__(self):
        return f"{self.user} · {self.role_obj.label} · {self.organisation}"

    @property
    def role_obj(self):
        return ROLE_BY_CODE[self.role]

    def audit_org_path(self) -> str:
        return self.organisation.path


class ApiToken(models.Model):
    """An API token (`Authorization: Token <key>`). The key is shown once, when issued;
    only its SHA-256 is stored (a copied database yields no usable token). A token lives
    settings.API_TOKEN_LIFETIME_DAYS from issue (fixed, not extended by use) and is
    deleted when revoked: by its holder, at logout, password change or role change, or
    by an administrator (apps.accounts.services)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=60, blank=True)
    key_prefix = models.CharField("令牌开头", max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", default=timezone.now)
    expires_at = models.DateTimeField("到期时间", db_index=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    created_ip = models.GenericIPAddressField("签发地址", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.key_prefix}… {self.name}".strip()

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
