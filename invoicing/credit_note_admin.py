"""Credit notes and refunds in the Django admin: read only (issue 24).

A credit note is a numbered GST document: it is issued through the service
(the distributor's page, the API, a received return) and never edited or
deleted, here included. Refunds likewise. Staff read them, with their lines.
"""

from django.contrib import admin

from auromart.admin_helpers import ReadOnlyTabularInline

from .models import CreditNote, CreditNoteLine, Refund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CreditNoteLineInline(ReadOnlyTabularInline):
    model = CreditNoteLine
    fields = (
        "position",
        "sku",
        "description",
        "hsn_code",
        "quantity",
        "unit_price",
        "line_total",
        "tax_rate",
        "cgst",
        "sgst",
        "igst",
    )
    readonly_fields = fields


class RefundInline(ReadOnlyTabularInline):
    model = Refund
    fields = ("refunded_on", "amount", "method", "status", "reference", "provider_refund_id")
    readonly_fields = fields


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ("number", "issue_date", "invoice", "kind", "subtotal", "tax", "total")
    list_filter = ("kind", "issue_date")
    list_select_related = ("invoice",)
    search_fields = ("number", "invoice__number", "reference", "invoice__buyer_name")
    date_hierarchy = "issue_date"
    fields = (
        "number",
        "seller_key",
        "financial_year",
        "invoice",
        "kind",
        "issue_date",
        "reason",
        "reference",
        "subtotal",
        "cgst",
        "sgst",
        "igst",
        "tax",
        "total",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    inlines = [CreditNoteLineInline, RefundInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "refunded_on", "amount", "method", "status", "reference")
    list_filter = ("method", "status")
    list_select_related = ("invoice",)
    search_fields = ("invoice__number", "reference", "provider_refund_id")
    fields = (
        "invoice",
        "credit_note",
        "online_payment",
        "amount",
        "method",
        "status",
        "reference",
        "idempotency_key",
        "provider_refund_id",
        "refunded_on",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
