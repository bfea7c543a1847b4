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

    # Never copied into the change history: the password hash and login bookkeeping.
    AUDIT_EXCLUDE = ("password", "last_login", "date_joined", "password_changed_at")

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username


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
