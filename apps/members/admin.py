"""Operator views of the registry. Read-only so that apps.members.services stays the one
way to write (validation, counters, history, audit); ciphertext and blind indexes are
never shown, personal data only masked."""

from django.contrib import admin

from apps.orgs.admin import ReadOnlyAdmin

from .models import Member, MemberCategory, MemberStatusChange, MemberTransferHistory


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CategoryInline(ReadOnlyInline):
    model = MemberCategory
    fields = readonly_fields = ("code",)


class StatusInline(ReadOnlyInline):
    model = MemberStatusChange
    fields = readonly_fields = ("date", "from_status", "to_status", "reason", "recorded_by")


class TransferInline(ReadOnlyInline):
    model = MemberTransferHistory
    fk_name = "member"
    fields = readonly_fields = ("date", "from_org", "to_org", "reason")


MEMBER_FIELDS = (
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number_masked",
    "phone_masked",
    "native_place",
    "education",
    "degree",
    "occupation",
    "work_unit",
    "job_post",
    "address",
    "application_date",
    "join_date",
    "conversion_date",
    "member_type",
    "status",
    "status_since",
    "organisation",
    "party_group",
    "remarks",
    "created_at",
    "updated_at",
)


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("name", "sex", "birth_date", "id_number_masked", "phone_masked", "organisation", "member_type", "status")
    list_filter = ("member_type", "status", "sex", "education")
    list_select_related = ("organisation",)
    search_fields = ("name", "name_pinyin", "name_initials")
    show_full_result_count = False  # no exact COUNT over the whole registry
    fields = readonly_fields = MEMBER_FIELDS
    inlines = [CategoryInline, StatusInline, TransferInline]


@admin.register(MemberStatusChange)
class MemberStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("member", "from_status", "to_status", "date", "recorded_by")
    list_select_related = ("member",)
    list_filter = ("to_status",)
    show_full_result_count = False
    raw_id_fields = ("member",)
