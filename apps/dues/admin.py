"""Operations back-office views of the dues tables (read-only: every write goes through
apps.dues.services, which validates, scopes and audits)."""

from django.contrib import admin

from .models import (
    AnnualRemittance,
    ArrearsCase,
    Collection,
    DuesLine,
    IncomeDeclaration,
    LedgerMonth,
    Payment,
    Reduction,
    VoluntaryPayment,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuesLine)
class DuesLineAdmin(ReadOnlyAdmin):
    list_display = ("member", "month", "organisation", "category", "base", "rate", "amount_due", "status")
    list_filter = ("status", "category")
    raw_id_fields = ("member", "organisation", "payment", "reduction")
    list_select_related = ("member", "organisation")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("member", "first_month", "last_month", "amount", "paid_on", "mode", "payer_kind", "method")
    list_filter = ("mode", "payer_kind", "method")
    raw_id_fields = ("member", "organisation", "recorded_by")
    list_select_related = ("member",)


@admin.register(IncomeDeclaration)
class IncomeDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("member", "category", "base", "fixed_amount", "effective_month", "declared_on")
    list_filter = ("category",)
    raw_id_fields = ("member", "organisation")
    list_select_related = ("member",)


@admin.register(Reduction)
class ReductionAdmin(ReadOnlyAdmin):
    list_display = ("member", "kind", "start_month", "end_month", "status", "decided_by")
    list_filter = ("status", "kind")
    raw_id_fields = ("member", "organisation")
    list_select_related = ("member",)


@admin.register(ArrearsCase)
class ArrearsCaseAdmin(ReadOnlyAdmin):
    list_display = ("member", "organisation", "opened_on", "months_unpaid", "status", "decision")
    list_filter = ("status", "decision")
    raw_id_fields = ("member", "organisation")
    list_select_related = ("member", "organisation")


@admin.register(Collection)
class CollectionAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "month", "expected", "collected", "received_from_below", "handed_over", "status")
    list_filter = ("status",)
    raw_id_fields = ("organisation", "handed_to")
    list_select_related = ("organisation",)


@admin.register(VoluntaryPayment)
class VoluntaryPaymentAdmin(ReadOnlyAdmin):
    list_display = ("member", "amount", "paid_on", "remit_to_centre")
    raw_id_fields = ("member", "organisation")


@admin.register(AnnualRemittance)
class AnnualRemittanceAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "year", "total_dues", "rate", "amount_due", "amount_remitted", "due_by")
    raw_id_fields = ("organisation",)


@admin.register(LedgerMonth)
class LedgerMonthAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "month", "line_count", "generated_by", "generated_at")
    raw_id_fields = ("organisation",)
