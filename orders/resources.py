"""Spreadsheet export of orders: one row per order line, the order's figures repeated.

Export only: orders are written by orders.services.order_place alone.
"""

from import_export import widgets
from import_export.fields import Field

from auromart.spreadsheets import SpreadsheetResource

from .models import Order, OrderItem


def _column(attribute: str, column: str, widget=None) -> Field:
    return Field(attribute=attribute, column_name=column, widget=widget, readonly=True)


class OrderLineResource(SpreadsheetResource):
    """Orders with lines (one row per line), export only."""

    resource_name = "orders"
    importable = False

    order_number = _column("order__number", "order_number")
    ordered_at = _column(
        "order__created_at", "ordered_at", widgets.DateTimeWidget(format="%Y-%m-%d %H:%M:%S")
    )
    status = _column("order__status", "status")
    customer = _column("order__customer__email", "customer")
    buyer_organization = _column("order__buyer_organization__name", "buyer_organization")
    distributor = _column("order__distributor__name", "distributor")
    fulfillment_type = _column("order__fulfillment_type", "fulfillment_type")
    estimated_delivery = _column(
        "order__estimated_delivery", "estimated_delivery", widgets.DateWidget(format="%Y-%m-%d")
    )
    sku = _column("sku", "sku")
    product_name = _column("product_name", "product_name")
    quantity = _column("quantity", "quantity", widgets.IntegerWidget())
    unit_price = _column("unit_price", "unit_price", widgets.DecimalWidget())
    line_total = _column("line_total", "line_total", widgets.DecimalWidget())
    order_subtotal = _column("order__subtotal", "order_subtotal", widgets.DecimalWidget())
    order_tax = _column("order__tax", "order_tax", widgets.DecimalWidget())
    order_total = _column("order__total", "order_total", widgets.DecimalWidget())

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
            "sku",
            "product_name",
            "quantity",
            "unit_price",
            "line_total",
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
