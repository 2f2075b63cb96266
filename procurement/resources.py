"""Spreadsheet export of procurement: requests, purchase orders, and purchase order lines.

Export only: procurement rows are written by procurement.services alone.
Requests carry the figures their quantity was computed from, so ops can see
why each was raised; purchase orders come one row per order (with line and
unit counts) for following suppliers, and one row per line (the order's
figures repeated) for what was ordered and received.
"""

from django.db.models import Count, Sum
from import_export import widgets
from import_export.fields import Field

from auromart.spreadsheets import SpreadsheetResource

from .models import ProcurementRequest, PurchaseOrder, PurchaseOrderLine

DATE = widgets.DateWidget(format="%Y-%m-%d")
DATETIME = widgets.DateTimeWidget(format="%Y-%m-%d %H:%M:%S")


def _column(attribute: str, column: str, widget=None) -> Field:
    return Field(attribute=attribute, column_name=column, widget=widget, readonly=True)


def _number(attribute: str, column: str) -> Field:
    return _column(attribute, column, widgets.IntegerWidget())


def _money(attribute: str, column: str) -> Field:
    return _column(attribute, column, widgets.DecimalWidget())


class ProcurementRequestResource(SpreadsheetResource):
    """Procurement requests (one row per request, with the figures behind it), export only."""

    resource_name = "procurement-requests"
    importable = False

    number = _column("number", "number")
    created_at = _column("created_at", "created_at", DATETIME)
    status = _column("status", "status")
    trigger = _column("trigger", "trigger")
    sku = _column("product__sku", "sku")
    product_name = _column("product__name", "product_name")
    distributor = _column("distributor__name", "distributor")
    supplier = _column("supplier__name", "supplier")
    quantity = _number("quantity", "quantity")
    on_hand = _number("on_hand", "on_hand")
    reserved = _number("reserved", "reserved")
    incoming = _number("incoming", "incoming")
    available = _number("available", "available")
    reorder_level = _number("reorder_level", "reorder_level")
    reorder_quantity = _number("reorder_quantity", "reorder_quantity")
    order_up_to_level = _number("order_up_to_level", "order_up_to_level")
    pack_size = _number("pack_size", "pack_size")
    minimum_order_quantity = _number("minimum_order_quantity", "minimum_order_quantity")
    rule = _column("rule", "rule")
    reference = _column("reference", "reference")
    note = _column("note", "note")
    created_by = _column("created_by__email", "created_by")
    decided_by = _column("decided_by__email", "decided_by")
    decided_at = _column("decided_at", "decided_at", DATETIME)
    rejection_reason = _column("rejection_reason", "rejection_reason")
    purchase_order = _column("po_line__purchase_order__number", "purchase_order")
    fulfilled_at = _column("fulfilled_at", "fulfilled_at", DATETIME)

    class Meta:
        model = ProcurementRequest
        fields = [
            "number",
            "created_at",
            "status",
            "trigger",
            "sku",
            "product_name",
            "distributor",
            "supplier",
            "quantity",
            "on_hand",
            "reserved",
            "incoming",
            "available",
            "reorder_level",
            "reorder_quantity",
            "order_up_to_level",
            "pack_size",
            "minimum_order_quantity",
            "rule",
            "reference",
            "note",
            "created_by",
            "decided_by",
            "decided_at",
            "rejection_reason",
            "purchase_order",
            "fulfilled_at",
        ]

    def get_queryset(self):
        return ProcurementRequest.objects.all()

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(
            "product",
            "distributor",
            "supplier",
            "created_by",
            "decided_by",
            "po_line__purchase_order",
        ).order_by("created_at", "pk")


class PurchaseOrderResource(SpreadsheetResource):
    """Purchase orders (one row per order, with line and unit counts), export only."""

    resource_name = "purchase-orders"
    importable = False

    number = _column("number", "number")
    created_at = _column("created_at", "created_at", DATETIME)
    status = _column("status", "status")
    supplier = _column("supplier__name", "supplier")
    distributor = _column("distributor__name", "distributor")
    lines = _number("line_count", "lines")
    units_ordered = _number("units_ordered", "units_ordered")
    units_received = _number("units_received", "units_received")
    total = _money("total", "total")
    expected_date = _column("expected_date", "expected_date", DATE)
    approved_by = _column("approved_by__email", "approved_by")
    approved_at = _column("approved_at", "approved_at", DATETIME)
    second_approved_by = _column("second_approved_by__email", "second_approved_by")
    second_approved_at = _column("second_approved_at", "second_approved_at", DATETIME)
    sent_at = _column("sent_at", "sent_at", DATETIME)
    responded_at = _column("responded_at", "responded_at", DATETIME)
    responded_by = _column("responded_by", "responded_by")
    proposed_date = _column("proposed_date", "proposed_date", DATE)
    supplier_note = _column("supplier_note", "supplier_note")
    received_at = _column("received_at", "received_at", DATETIME)
    cancelled_at = _column("cancelled_at", "cancelled_at", DATETIME)
    cancel_reason = _column("cancel_reason", "cancel_reason")
    delivery_address = _column("delivery_address", "delivery_address")

    class Meta:
        model = PurchaseOrder
        fields = [
            "number",
            "created_at",
            "status",
            "supplier",
            "distributor",
            "lines",
            "units_ordered",
            "units_received",
            "total",
            "expected_date",
            "approved_by",
            "approved_at",
            "second_approved_by",
            "second_approved_at",
            "sent_at",
            "responded_at",
            "responded_by",
            "proposed_date",
            "supplier_note",
            "received_at",
            "cancelled_at",
            "cancel_reason",
            "delivery_address",
        ]

    def get_queryset(self):
        return PurchaseOrder.objects.all()

    def filter_export(self, queryset, **kwargs):
        # A fresh queryset of the given orders: the admin's carries its own
        # annotations and joins, and the sums need exactly one join to the lines.
        return (
            PurchaseOrder.objects.filter(pk__in=queryset.order_by().values("pk"))
            .select_related("supplier", "distributor", "approved_by", "second_approved_by")
            .annotate(
                line_count=Count("lines"),
                units_ordered=Sum("lines__quantity"),
                units_received=Sum("lines__quantity_received"),
            )
            .order_by("created_at", "pk")
        )


class PurchaseOrderLineResource(SpreadsheetResource):
    """Purchase order lines (one row per line, the order's figures repeated), export only."""

    resource_name = "purchase-order-lines"
    importable = False

    po_number = _column("purchase_order__number", "po_number")
    po_status = _column("purchase_order__status", "po_status")
    supplier = _column("purchase_order__supplier__name", "supplier")
    distributor = _column("purchase_order__distributor__name", "distributor")
    expected_date = _column("purchase_order__expected_date", "expected_date", DATE)
    request = _column("request__number", "request")
    sku = _column("sku", "sku")
    product_name = _column("product_name", "product_name")
    quantity = _number("quantity", "quantity")
    proposed_quantity = _number("proposed_quantity", "proposed_quantity")
    quantity_received = _number("quantity_received", "quantity_received")
    outstanding = _number("outstanding", "outstanding")
    unit_cost = _money("unit_cost", "unit_cost")
    line_total = _money("line_total", "line_total")
    po_total = _money("purchase_order__total", "po_total")

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "po_number",
            "po_status",
            "supplier",
            "distributor",
            "expected_date",
            "request",
            "sku",
            "product_name",
            "quantity",
            "proposed_quantity",
            "quantity_received",
            "outstanding",
            "unit_cost",
            "line_total",
            "po_total",
        ]

    def get_queryset(self):
        return PurchaseOrderLine.objects.all()

    def filter_export(self, queryset, **kwargs):
        # The admin hands over its (filtered) purchase orders; each becomes its lines.
        if queryset.model is PurchaseOrder:
            queryset = PurchaseOrderLine.objects.filter(
                purchase_order__in=queryset.order_by().values("pk")
            )
        return queryset.select_related(
            "purchase_order__supplier", "purchase_order__distributor", "request"
        ).order_by("purchase_order__created_at", "purchase_order_id", "pk")
