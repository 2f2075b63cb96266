"""Transfers in the admin: a read-only record; steps go through the services (actions)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from inventory.exceptions import InsufficientStock

from . import services
from .exceptions import TransferStateError
from .models import TransferLine, TransferOrder


class TransferLineInline(admin.TabularInline):
    model = TransferLine
    extra = 0
    can_delete = False
    fields = (
        "sku",
        "product_name",
        "quantity",
        "shipped",
        "received",
        "written_off",
        "short_reason",
        "po_line",
        "taxable",
        "cgst",
        "sgst",
        "igst",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def _step(modeladmin, request, queryset, step, done):
    for transfer in queryset.order_by("pk"):
        try:
            step(transfer=transfer, by=request.user)
        except (TransferStateError, InsufficientStock, ValidationError) as exc:
            messages.error(request, f"{transfer.number}: {exc}")
        else:
            messages.success(request, f"{transfer.number} {done}.")


@admin.action(description="Confirm: allocate at the source")
def confirm(modeladmin, request, queryset):
    _step(modeladmin, request, queryset, services.transfer_confirm, "confirmed")


@admin.action(description="Ship: the units leave the source, in transit")
def ship(modeladmin, request, queryset):
    _step(modeladmin, request, queryset, services.transfer_ship, "shipped")


@admin.register(TransferOrder)
class TransferOrderAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "source",
        "destination",
        "status",
        "purchase_order",
        "invoice_number",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("number", "source__name", "destination__name", "purchase_order__number")
    list_select_related = ("source", "destination", "purchase_order")
    readonly_fields = [f.name for f in TransferOrder._meta.fields]
    inlines = [TransferLineInline]
    actions = [confirm, ship]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
