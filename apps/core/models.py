"""Change history and the access log: the two audit trails every domain writes to."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .context import current_actor
from .querysets import ScopedQuerySet


class OrgScopedModel(models.Model):
    """The base of a domain record that belongs to one organisation.

    It carries the organisation and a copy of its path (`org_path`, indexed), is scoped by
    that copy (SCOPE_PATH), keeps the copy in step on subtree moves (PATH_COPIES, found by
    apps.core.paths) and files its history under it. A subclass may add SCOPE_MEMBER
    ("member_id") for rows a member sees as their own, or widen SCOPE_PATH/PATH_COPIES
    with a second organisation (a transfer that two subtrees see).
    """

    organisation = models.ForeignKey("orgs.Organisation", verbose_name="党组织", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH: str | tuple[str, ...] = "org_path"
    PATH_COPIES: dict = {"org_path": "organisation"}
    AUDIT_EXCLUDE: tuple[str, ...] = ("org_path",)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.sync_paths()
        super().save(*args, **kwargs)

    def sync_paths(self) -> None:
        """Fill each declared copy from its source organisation when it is empty (a new
        row) or its organisation changed."""
        for field, source in self.PATH_COPIES.items():
            if source is None:
                continue
            org = getattr(self, source, None)
            if org is not None and getattr(self, field) != org.path:
                setattr(self, field, org.path)

    def audit_org_path(self) -> str:
        return self.org_path


class RuleVersionModel(models.Model):
    """The base of a domain's versioned rule values: the county-editable amounts of its
    rule table (apps/<domain>/rules.py: SETTINGS and DEFAULTS). The newest version is
    current; a county administrator saves a new version rather than editing an old one,
    so every record can name the version it was made under. A subclass names itself
    (Meta.verbose_name, __str__) and sets DEFAULTS for `all_values`."""

    values = models.JSONField("规则取值", default=dict)
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("修订时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    DEFAULTS: dict = {}

    class Meta:
        abstract = True
        ordering = ["-id"]

    def all_values(self) -> dict:
        """Every setting's value: the saved ones over the defaults (unknown keys dropped)."""
        return {**self.DEFAULTS, **{k: int(v) for k, v in (self.values or {}).items() if k in self.DEFAULTS}}


class ChangeLog(models.Model):
    """One row per create/update/delete of a domain record: who, when, from where, the
    request id, and the field values before and after (personal data masked)."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField("操作人账号", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True, db_index=True)
    source = models.CharField("来源", max_length=16, blank=True)
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    # The organisation path the record belonged to, so that history is scoped like data.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    message = models.CharField("说明", max_length=255, blank=True)

    PATH_COPIES = {"org_path": None}  # history follows its subtree when it moves

    class Meta:
        verbose_name = verbose_name_plural = "变更历史"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="changelog_object_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AccessLog(models.Model):
    """Sensitive actions: logins, revealing personal data, exports, role grants."""

    class Kind(models.TextChoices):
        LOGIN_OK = "login_ok", "登录成功"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出登录"
        LOCKED_OUT = "locked_out", "账号锁定"
        UNLOCKED = "unlocked", "解除登录锁定"
        REVEAL_ID = "reveal_id", "查看完整身份证号"
        REVEAL_PHONE = "reveal_phone", "查看完整手机号"
        EXPORT = "export", "导出数据"
        EXPORT_FULL = "export_full", "导出含完整个人信息的数据"
        IMPORT = "import", "导入数据"
        ROLE_GRANT = "role_grant", "授予角色"
        ROLE_REVOKE = "role_revoke", "撤销角色"
        TOKEN_ISSUED = "token_issued", "签发接口令牌"
        TOKEN_REVOKED = "token_revoked", "撤销接口令牌"
        PASSWORD_CHANGED = "password_changed", "修改密码"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField("账号", max_length=150, blank=True)
    kind = models.CharField("类型", max_length=32, choices=Kind.choices, db_index=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    target = models.CharField("对象", max_length=200, blank=True)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    PATH_COPIES = {"org_path": None}

    class Meta:
        verbose_name = verbose_name_plural = "敏感操作日志"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()} {self.target}"

    @classmethod
    def record(cls, kind: str, *, user=None, target: str = "", org_path: str = "", **detail) -> "AccessLog":
        actor = current_actor()
        return cls.objects.create(
            kind=kind,
            user_id=getattr(user, "pk", None) or actor.user_id,
            username=getattr(user, "username", "") or actor.username or detail.pop("username", ""),
            ip=actor.ip,
            request_id=actor.request_id,
            target=target[:200],
            org_path=org_path,
            detail=detail,
        )


class KeyFingerprint(models.Model):
    """Which keys this database's personal data needs (apps.core.keycheck): the
    fingerprint (crypto.key_fingerprint), never the key, of every field key that has
    encrypted rows and of the blind-index key. The application refuses to start when a
    recorded key is not configured, e.g. a backup restored without its keys."""

    class Kind(models.TextChoices):
        FIELD = "field", "字段加密密钥 DANGJIAN_FIELD_KEYS"
        BLIND_INDEX = "blind_index", "盲索引密钥 DANGJIAN_BLIND_INDEX_KEY"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    fingerprint = models.CharField("指纹", max_length=64)
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "密钥指纹"
        constraints = [models.UniqueConstraint(fields=["kind", "fingerprint"], name="key_fingerprint_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.fingerprint[:12]}"
