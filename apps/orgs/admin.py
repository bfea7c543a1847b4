"""Operator views of the tree. Read-only: every write goes through apps.orgs.services
(tree lock, validation, audit), which the admin's generic save would bypass."""

from django.contrib import admin

from .models import CommitteeMember, Organisation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CommitteeInline(admin.TabularInline):
    model = CommitteeMember
    fields = ("role", "member", "start_date", "end_date")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "org_type", "unit_type", "depth", "direct_member_count", "term_end", "status")
    list_filter = ("org_type", "unit_type", "status", "depth")
    search_fields = ("name", "short_name", "code")
    ordering = ("path",)
    show_full_result_count = False
    readonly_fields = (
        "name",
        "short_name",
        "code",
        "org_type",
        "unit_type",
        "founded_on",
        "term_start",
        "term_end",
        "contact_person",
        "contact_phone",
        "address",
        "status",
        "dissolved_on",
        "path",
        "depth",
        "numchild",
        "direct_member_count",
        "updated_at",
    )
    fields = readonly_fields
    inlines = [CommitteeInline]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "role", "member", "start_date", "end_date")
    list_filter = ("role",)
    list_select_related = ("organisation", "member")
    search_fields = ("organisation__name", "member__name")
    raw_id_fields = ("organisation", "member")
    show_full_result_count = False
