"""Read-mostly admin for operators; every domain write goes through the engine/services."""

from django.contrib import admin

from .models import DevelopmentFile, DevelopmentPlan, DevelopmentStep, Holiday, LaggingUnit, RuleVersion, Vote


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DevelopmentFile)
class DevelopmentFileAdmin(ReadOnly):
    list_display = ("name", "organisation", "stage", "status", "next_step", "next_deadline")
    list_filter = ("stage", "status", "source")
    search_fields = ("name",)
    exclude = ("id_number_enc", "id_number_hash", "phone_enc", "phone_hash")


@admin.register(DevelopmentStep)
class DevelopmentStepAdmin(ReadOnly):
    list_display = ("file", "number", "code", "date", "performer_name", "rule_version")
    list_filter = ("code",)


admin.site.register(RuleVersion, ReadOnly)
admin.site.register(Holiday, ReadOnly)
admin.site.register(Vote, ReadOnly)
admin.site.register(DevelopmentPlan, ReadOnly)
admin.site.register(LaggingUnit, ReadOnly)
