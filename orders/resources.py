"""Spreadsheet export of orders: one row per order line, the order's figures repeated.

Export only: orders are written by orders.services.order_place alone.
"""

from auromart.spreadsheets import (
    EXPORT_DATE,
    EXPORT_DATETIME,
    SpreadsheetResource,
    export_column,
    export_money,
    export_number,
)

from .models import Order, OrderItem


class OrderLineResource(SpreadsheetResource):
    """Orders with lines (one row per line), export only."""

    resource_name = "orders"
    importable = False

    order_number = export_column("order__number", "order_number")
    ordered_at = export_column("order__created_at", "ordered_at", EXPORT_DATETIME)
    status = export_column("order__status", "status")
    customer = export_column("order__customer__email", "customer")
    buyer_organization = export_column("order__buyer_organization__name", "buyer_organization")
    distributor = export_column("order__distributor__name", "distributor")
    fulfillment_type = export_column("order__fulfillment_type", "fulfillment_type")
    estimated_delivery = export_column(
        "order__estimated_delivery", "estimated_delivery", EXPORT_DATE
    )
    buyer_reference = export_column("order__buyer_reference", "po_number")
    requested_delivery_date = export_column(
        "order__requested_delivery_date", "requested_delivery_date", EXPORT_DATE
    )
    sku = export_column("sku", "sku")
    product_name = export_column("product_name", "product_name")
    quantity = export_number("quantity", "quantity")
    unit_price = export_money("unit_price", "unit_price")
    line_total = export_money("line_total", "line_total")
    discount = export_money("discount", "loyalty_discount")
    order_subtotal = export_money("order__subtotal", "order_subtotal")
    order_tax = export_money("order__tax", "order_tax")
    order_total = export_money("order__total", "order_total")

    class Meta:
        model = OrderItem
        fields = [
            "order_number",
            "ordered_at",
            "status",
            "customer",
            "buyer_organization",
            "distributor",
            "fulfillment_type",
            "estimated_delivery",
            "buyer_reference",
            "requested_delivery_date",
            "sku",
            "product_name",
            "quantity",
            "unit_price",
            "line_total",
            "discount",
            "order_subtotal",
            "order_tax",
            "order_total",
        ]

    def get_queryset(self):
        return OrderItem.objects.all()

    def filter_export(self, queryset, **kwargs):
        # The admin hands over its (filtered) orders; each becomes its lines.
        if queryset.model is Order:
            queryset = OrderItem.objects.filter(order__in=queryset.order_by().values("pk"))
        return queryset.select_related(
            "order__customer", "order__buyer_organization", "order__distributor"
        ).order_by("-order__created_at", "order_id", "pk")
