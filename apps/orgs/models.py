from django.db import models
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from apps.core.querysets import ScopedQuerySet

from . import rules


class OrganisationQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    def active(self):
        return self.filter(status=Organisation.Status.ACTIVE)

    def subtree(self, org):
        return self.filter(path__startswith=org.path)


class OrganisationManager(MP_NodeManager):
    def get_queryset(self):
        # treebeard expects tree order for its own operations.
        return OrganisationQuerySet(self.model, using=self._db).order_by("path")

    def restrict(self, user, action: str = "view"):
        return self.get_queryset().restrict(user, action)

    def active(self):
        return self.get_queryset().active()


class Organisation(MP_Node):
    """A node of the party organisation tree (materialised path: `path` holds the
    ancestry, so "everything under X" is `path LIKE 'X.path%'`, one index range scan)."""

    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        DISSOLVED = "dissolved", "已撤销"

    OrgType = models.TextChoices("OrgType", [(k, (k, v)) for k, v in rules.ORG_TYPES])
    UnitType = models.TextChoices("UnitType", [(k, (k, v)) for k, v in rules.UNIT_TYPES])

    name = models.CharField("组织全称", max_length=120)
    short_name = models.CharField("简称", max_length=60, blank=True)
    code = models.CharField("组织代码", max_length=32, unique=True)
    org_type = models.CharField("组织类别", max_length=24, choices=rules.ORG_TYPES, db_index=True)
    unit_type = models.CharField("单位类型", max_length=32, choices=rules.UNIT_TYPES, default="other", db_index=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    term_start = models.DateField("本届任期开始", null=True, blank=True)
    term_end = models.DateField("本届任期届满", null=True, blank=True, db_index=True)
    contact_person = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    # Members whose formal membership sits directly here, kept by apps.members.services;
    # a subtree's total is SUM over the subtree's rows (≈ 41k rows for a province).
    direct_member_count = models.PositiveIntegerField("直属党员数", default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationManager()

    SCOPE_PATH = "path"
    AUDIT_EXCLUDE = ("path", "depth", "numchild", "direct_member_count", "updated_at")

    class Meta:
        verbose_name = verbose_name_plural = "党组织"
        indexes = [
            # LIKE 'prefix%' uses this index on PostgreSQL whatever the database collation.
            models.Index(fields=["path"], name="org_path_pattern_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name

    def audit_org_path(self) -> str:
        return self.path

    @classmethod
    def ancestor_paths(cls, path: str) -> list[str]:
        """The paths of the organisation at `path` and of every organisation above it,
        from the root down (materialised-path prefixes, one per step)."""
        return [path[:n] for n in range(cls.steplen, len(path) + 1, cls.steplen)]

    @property
    def is_branch(self) -> bool:
        return self.org_type in rules.BRANCH_TYPES

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class CommitteeMember(models.Model):
    """A seat on an organisation's committee (书记, 副书记, 组织委员 …) for a term."""

    organisation = models.ForeignKey(Organisation, verbose_name="党组织", on_delete=models.CASCADE, related_name="committee")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="committee_seats")
    role = models.CharField("职务", max_length=24, choices=rules.COMMITTEE_ROLES)
    start_date = models.DateField("任职日期", null=True, blank=True)
    end_date = models.DateField("离任日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "organisation__path"

    class Meta:
        verbose_name = verbose_name_plural = "班子成员"
        ordering = ["organisation", "role", "id"]
        constraints = [
            # Held by the database too (apps.orgs.committee checks them first, in Chinese).
            models.UniqueConstraint(
                fields=["organisation", "role"],
                condition=models.Q(end_date__isnull=True, role__in=rules.SINGLE_COMMITTEE_ROLES),
                name="committee_one_current_single_role",
            ),
            models.UniqueConstraint(
                fields=["organisation", "member", "role"], condition=models.Q(end_date__isnull=True), name="committee_member_role_current"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.get_role_display()} {self.member}"

    def audit_org_path(self) -> str:
        return self.organisation.path
