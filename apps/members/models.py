from django.db import models
from django.db.models import Q

from apps.core import crypto
from apps.core.pinyin import name_keys
from apps.core.querysets import ScopedQuerySet

from . import codes


class MemberQuerySet(ScopedQuerySet):
    def counted(self):
        """Members counted in party statistics (formal membership held here)."""
        return self.filter(status__in=codes.COUNTED_STATUSES)

    def active(self):
        return self.filter(status__in=codes.ACTIVE_STATUSES)

    def in_subtree(self, org):
        return self.filter(org_path__startswith=org.path)

    def by_id_number(self, id_number: str):
        """Exact lookup through the blind index (the column itself is encrypted)."""
        return self.filter(id_number_hash=crypto.blind_index(id_number))


class ByteOrderCharField(models.CharField):
    """A CharField compared and sorted byte by byte on every database: COLLATE "C" on
    PostgreSQL (SQLite's default BINARY collation already is). For ASCII keys only
    (organisation paths, pinyin), where byte order is the order people expect anyway.

    Why: under the server's C.UTF-8 collation PostgreSQL 15 cannot use a
    `varchar_pattern_ops` index for ORDER BY, nor a plain btree for `LIKE 'prefix%'`;
    with "C" one plain btree serves both, so the roster's `org_path LIKE 'P%' ORDER BY
    org_path, id LIMIT 51` reads 51 index entries instead of sorting the whole county
    (docs/performance.md, "County roster on PostgreSQL")."""

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql" and not self.db_collation:
            params["collation"] = "C"
        return params


class Member(models.Model):
    """A party member's registry record (one per person; a development file that reaches
    probation creates it, and conversion completes it)."""

    name = models.CharField("姓名", max_length=40)
    name_pinyin = ByteOrderCharField("姓名拼音", max_length=120, editable=False)
    name_initials = models.CharField("拼音首字母", max_length=20, editable=False)
    # The same keys with the surname's second living reading (覃 tan, 乐 le, 盖 gai), blank
    # for other names: search matches either (apps.core.pinyin.name_keys).
    name_pinyin_alt = models.CharField("姓名拼音（姓氏异读）", max_length=120, blank=True, default="", db_default="", editable=False)
    name_initials_alt = models.CharField("拼音首字母（姓氏异读）", max_length=20, blank=True, default="", db_default="", editable=False)
    sex = models.CharField("性别", max_length=1, choices=codes.SEX_CHOICES)
    ethnicity = models.CharField("民族", max_length=8, choices=codes.ETHNICITY_CHOICES, default=codes.HAN)
    birth_date = models.DateField("出生日期", db_index=True)
    # 身份证号: encrypted at rest; the keyed hash serves exact lookup and uniqueness;
    # the masked copy (110105********002X) is what lists show.
    id_number_enc = models.TextField("身份证号（密文）", editable=False)
    id_number_hash = models.CharField("身份证号索引", max_length=64, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    native_place = models.CharField("籍贯", max_length=60, blank=True)
    education = models.CharField("学历", max_length=24, choices=codes.EDUCATION_CHOICES)
    degree = models.CharField("学位", max_length=16, choices=codes.DEGREE_CHOICES, blank=True)
    occupation = models.CharField("工作岗位（职业）", max_length=24, choices=codes.OCCUPATION_CHOICES)
    work_unit = models.CharField("工作单位", max_length=120, blank=True)
    job_post = models.CharField("职务", max_length=60, blank=True)
    work_start_date = models.DateField("参加工作日期", null=True, blank=True)
    phone_enc = models.TextField("联系电话（密文）", blank=True, editable=False)
    phone_hash = models.CharField("联系电话索引", max_length=64, blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    application_date = models.DateField("申请入党日期", null=True, blank=True)
    join_date = models.DateField("入党日期", db_index=True, help_text="接收为预备党员的日期")
    conversion_date = models.DateField("转正日期", null=True, blank=True)
    member_type = models.CharField("人员类别", max_length=16, choices=codes.MEMBER_TYPE_CHOICES)
    status = models.CharField("党籍状态", max_length=24, choices=codes.STATUS_CHOICES, default="normal")
    status_since = models.DateField("状态变更日期", null=True, blank=True)
    lost_contact_reason = models.CharField("失联原因", max_length=24, choices=codes.LOST_CONTACT_REASONS, blank=True)
    increase_method = models.CharField("增加方式", max_length=16, choices=codes.INCREASE_METHOD_CHOICES, default="other")
    organisation = models.ForeignKey("orgs.Organisation", verbose_name="所在党组织", on_delete=models.PROTECT, related_name="members")
    # Copy of organisation.path: scoping and statistics filter members with one range
    # scan on this column, no join. Kept by apps.members.services and the tree-move service.
    org_path = ByteOrderCharField(max_length=255, editable=False)
    party_group = models.ForeignKey(
        "orgs.Organisation", verbose_name="所在党小组", null=True, blank=True, on_delete=models.SET_NULL, related_name="group_members"
    )
    remarks = models.TextField("备注", blank=True)
    # The member's MemberCategory codes as bits (codes.CATEGORY_BITS), kept by the writers of
    # the categories (apps.members.services, the demo and synthetic builders): the
    # statistics count every category in their one pass over the members, no join.
    category_bits = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MemberQuerySet.as_manager()

    SCOPE_PATH = "org_path"
    SCOPE_MEMBER = "id"
    PATH_COPIES = {"org_path": "organisation"}
    AUDIT_EXCLUDE = (
        "id_number_enc",
        "id_number_hash",
        "phone_enc",
        "phone_hash",
        "org_path",
        "name_pinyin",
        "name_initials",
        "name_pinyin_alt",
        "name_initials_alt",
        "category_bits",
        "created_at",
        "updated_at",
    )

    class Meta:
        verbose_name = verbose_name_plural = "党员"
        ordering = ["org_path", "id"]
        # Each index serves a named query (docs/performance.md, "The member table's indexes");
        # db_index=True is not used on CharFields because on PostgreSQL it adds a second,
        # pattern-ops copy that exact lookups never use.
        indexes = [
            # scoping, statistics and the roster's default order and its keyset pages:
            # org_path LIKE 'P%' [AND (org_path, id) > cursor] ORDER BY org_path, id (byte order: ByteOrderCharField);
            # status INCLUDEd (PostgreSQL) so that the roster's capped count with a status
            # filter is an index-only scan; on SQLite its NOCASE twin (org_path, id, status)
            # replaces the path's own NOCASE index (apps.core.sqlite_paths)
            models.Index(fields=["org_path", "id"], include=["status"], name="member_org_path_idx"),
            # search: name_initials LIKE 'zs%' / name_pinyin LIKE 'zhangs%' (filters.search_members)
            models.Index(fields=["name_initials"], name="member_initials_like_idx", opclasses=["varchar_pattern_ops"]),
            # ... and the roster ordered by name: ORDER BY name_pinyin, id (byte order: ByteOrderCharField)
            models.Index(fields=["name_pinyin", "id"], name="member_pinyin_idx"),
            # the same for the second reading of 覃/乐/盖; almost every row has none, so partial
            models.Index(
                fields=["name_initials_alt"],
                name="member_initials_alt_like_idx",
                opclasses=["varchar_pattern_ops"],
                condition=~Q(name_initials_alt=""),
            ),
            models.Index(
                fields=["name_pinyin_alt"],
                name="member_pinyin_alt_like_idx",
                opclasses=["varchar_pattern_ops"],
                condition=~Q(name_pinyin_alt=""),
            ),
            # exact blind-index lookups: duplicate check (every create and import row), search by a whole ID number / phone
            models.Index(fields=["id_number_hash"], name="member_id_number_hash_idx"),
            models.Index(fields=["phone_hash"], name="member_phone_hash_idx", condition=~Q(phone_hash="")),
            # statistics snapshots: the organisations whose members changed since a build
            # (updated_at > run.clean_before AND org_path LIKE 'P%', apps.stats.snapshots)
            models.Index(fields=["updated_at"], name="member_updated_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=Q(status__in=codes.ACTIVE_STATUSES), name="member_id_number_unique_active"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_counted(self) -> bool:
        """On the rolls and counted (正常, 流动, 失联): may hold a committee seat, counts in
        the organisation's figures."""
        return self.status in codes.COUNTED_STATUSES

    def set_name_keys(self) -> None:
        """The pinyin search and sort keys of the name (every writer calls this)."""
        self.name_pinyin, self.name_initials, self.name_pinyin_alt, self.name_initials_alt = name_keys(self.name)

    def audit_org_path(self) -> str:
        return self.org_path

    def audit_extra(self) -> dict:
        return {"categories": sorted(self.category_codes())}

    def set_known_category_codes(self, codes: list[str]) -> None:
        """The categories as a bulk reader already loaded them (the import's one query per
        batch); category_codes() returns them until the record's categories are saved."""
        self._known_category_codes = list(codes)

    def category_codes(self) -> list[str]:
        known = self.__dict__.get("_known_category_codes")
        if known is not None:
            return list(known)
        if hasattr(self, "_prefetched_objects_cache") and "categories" in self._prefetched_objects_cache:
            return [c.code for c in self.categories.all()]
        if self.pk is None:
            return []
        return list(self.categories.values_list("code", flat=True))

    # Personal data: the plain value only through these, and callers log the reveal.
    def reveal_id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc)

    def reveal_phone(self) -> str:
        return crypto.decrypt(self.phone_enc)


class MemberCategory(models.Model):
    """A category tag (农村党员, 流动党员, 困难党员 …) on a member."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField("类别", max_length=16, choices=codes.CATEGORY_CHOICES, db_index=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "member__org_path"
    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党员类别"
        constraints = [models.UniqueConstraint(fields=["member", "code"], name="member_category_unique")]

    def __str__(self):
        return self.get_code_display()


class MemberStatusChange(models.Model):
    """Dated history of a member's 党籍状态."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField("原状态", max_length=24, choices=codes.STATUS_CHOICES, blank=True)
    to_status = models.CharField("新状态", max_length=24, choices=codes.STATUS_CHOICES)
    date = models.DateField("日期")
    reason = models.CharField("原因", max_length=200, blank=True)
    recorded_by = models.CharField("记录人", max_length=150, blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "member__org_path"
    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党籍状态变更"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.member} {self.get_from_status_display()}→{self.get_to_status_display()} {self.date}"


class MemberTransferHistory(models.Model):
    """Moves of a member's formal membership between organisations inside the system."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="org_history")
    from_org = models.ForeignKey("orgs.Organisation", verbose_name="原组织", on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey("orgs.Organisation", verbose_name="新组织", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("日期")
    reason = models.CharField("原因", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "member__org_path"
    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "组织关系变动"
        ordering = ["-date", "-id"]


class MemberChangeRequest(models.Model):
    """A member's own request to change a reviewed field (学历, 学位): the branch checks
    it against the certificate and approves or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="change_requests")
    field = models.CharField("修改项", max_length=24, choices=[("education", "学历"), ("degree", "学位")])
    old_value = models.CharField("原值", max_length=40, blank=True)
    new_value = models.CharField("申请改为", max_length=40)
    reason = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.CharField("审核人", max_length=150, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "member__org_path"
    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党员信息修改申请"
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.member} {self.get_field_display()}：{self.display_value(self.old_value)} → {self.display_value(self.new_value)}"

    @property
    def old_display(self) -> str:
        return self.display_value(self.old_value)

    @property
    def new_display(self) -> str:
        return self.display_value(self.new_value)

    def display_value(self, value: str) -> str:
        choices = dict(codes.EDUCATION_CHOICES if self.field == "education" else codes.DEGREE_CHOICES)
        return choices.get(value, value) or "无"

    def audit_org_path(self) -> str:
        return self.member.org_path


class MemberDiscipline(models.Model):
    """A party disciplinary sanction (党纪处分) recorded on a member. 留党察看 has an end
    date (one or two years); while it runs the member may not be an introducer."""

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="disciplines")
    kind = models.CharField("处分种类", max_length=24, choices=codes.DISCIPLINE_CHOICES)
    decided_on = models.DateField("处分决定日期")
    ends_on = models.DateField("察看期满日期", null=True, blank=True)
    decided_by = models.CharField("作出决定的组织", max_length=120)
    reason = models.CharField("处分事由", max_length=200)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "member__org_path"
    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党纪处分"
        ordering = ["-decided_on", "-id"]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.decided_on}"

    def audit_org_path(self) -> str:
        return self.member.org_path
