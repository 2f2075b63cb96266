from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from auromart.admin_helpers import ReadOnlyTabularInline
from auromart.spreadsheets import SpreadsheetExportMixin

from .exceptions import IllegalTransition
from .models import Order, OrderItem, OrderStatus, OrderStatusChange
from .resources import OrderLineResource
from .transitions import order_transition


class OrderItemInline(ReadOnlyTabularInline):
    model = OrderItem
    fields = ["sku", "product_name", "quantity", "unit_price", "line_total"]
    readonly_fields = fields


class OrderStatusChangeInline(ReadOnlyTabularInline):
    model = OrderStatusChange
    verbose_name_plural = "status history"
    fields = ["created_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


@admin.register(Order)
class OrderAdmin(SpreadsheetExportMixin, admin.ModelAdmin):
    """Orders are written by orders.services only; staff read them and move them on."""

    # Export only: one row per order line (orders/resources.py).
    resource_classes = [OrderLineResource]

    list_display = [
        "number",
        "created_at",
        "customer",
        "buyer_organization",
        "distributor",
        "status",
        "fulfillment_type",
        "total",
    ]
    list_select_related = ["customer", "buyer_organization", "distributor"]
    list_filter = [
        "status",
        "fulfillment_type",
        ("distributor", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["number", "customer__email", "customer__name", "buyer_organization__name"]
    date_hierarchy = "created_at"
    list_per_page = 50
    fields = [
        "number",
        "status",
        "customer",
        "buyer_organization",
        "distributor",
        "fulfillment_type",
        "shipping_address",
        "estimated_delivery",
        "tracking_reference",
        "subtotal",
        "tax_rate",
        "tax",
        "total",
        "created_at",
        "updated_at",
        "stock_movements",
    ]
    readonly_fields = fields
    inlines = [OrderItemInline, OrderStatusChangeInline]
    actions = ["cancel_orders"]

    @admin.display(description="stock movements")
    def stock_movements(self, obj):
        url = reverse("admin:inventory_stockmovement_changelist")
        return format_html('<a href="{}?q={}">In the ledger</a>', url, obj.stock_reference)

    def has_add_permission(self, request):
        return False  # orders come from the portal and the API, through order_place

    def has_delete_permission(self, request, obj=None):
        return False  # order history, invoices and the ledger point at orders

    @admin.action(description="Cancel selected orders (stock goes back)", permissions=["change"])
    def cancel_orders(self, request, queryset):
        done, refused = 0, []
        for order in queryset:
            try:
                order_transition(
                    order=order,
                    to_status=OrderStatus.CANCELLED,
                    by=request.user,
                    note="Cancelled by staff in admin.",
                )
                done += 1
            except IllegalTransition as exc:
                refused.append(str(exc))
        if done:
            self.message_user(request, f"Cancelled {done} order(s); their stock is back.")
        for message in refused:
            self.message_user(request, message, level=messages.WARNING)
