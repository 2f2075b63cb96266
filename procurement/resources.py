"""Spreadsheet export of procurement: requests, purchase orders, and purchase order lines.

Export only: procurement rows are written by procurement.services alone.
Requests carry the figures their quantity was computed from, so ops can see
why each was raised; purchase orders come one row per order (with line and
unit counts) for following suppliers, and one row per line (the order's
figures repeated) for what was ordered and received.
"""

from django.db.models import Count, Sum

from auromart.spreadsheets import (
    EXPORT_DATE,
    EXPORT_DATETIME,
    SpreadsheetResource,
    export_column,
    export_money,
    export_number,
)

from .models import ProcurementRequest, PurchaseOrder, PurchaseOrderLine


class ProcurementRequestResource(SpreadsheetResource):
    """Procurement requests (one row per request, with the figures behind it), export only."""

    resource_name = "procurement-requests"
    importable = False

    number = export_column("number", "number")
    created_at = export_column("created_at", "created_at", EXPORT_DATETIME)
    status = export_column("status", "status")
    trigger = export_column("trigger", "trigger")
    sku = export_column("product__sku", "sku")
    product_name = export_column("product__name", "product_name")
    distributor = export_column("distributor__name", "distributor")
    supplier = export_column("supplier__name", "supplier")
    quantity = export_number("quantity", "quantity")
    on_hand = export_number("on_hand", "on_hand")
    allocated = export_number("allocated", "allocated")
    held = export_number("held", "held")
    incoming = export_number("incoming", "incoming")
    available = export_number("available", "available")
    reorder_level = export_number("reorder_level", "reorder_level")
    reorder_quantity = export_number("reorder_quantity", "reorder_quantity")
    order_up_to_level = export_number("order_up_to_level", "order_up_to_level")
    pack_size = export_number("pack_size", "pack_size")
    minimum_order_quantity = export_number("minimum_order_quantity", "minimum_order_quantity")
    rule = export_column("rule", "rule")
    reference = export_column("reference", "reference")
    note = export_column("note", "note")
    created_by = export_column("created_by__email", "created_by")
    decided_by = export_column("decided_by__email", "decided_by")
    decided_at = export_column("decided_at", "decided_at", EXPORT_DATETIME)
    rejection_reason = export_column("rejection_reason", "rejection_reason")
    purchase_order = export_column("po_line__purchase_order__number", "purchase_order")
    fulfilled_at = export_column("fulfilled_at", "fulfilled_at", EXPORT_DATETIME)

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
            "allocated",
            "held",
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

    number = export_column("number", "number")
    created_at = export_column("created_at", "created_at", EXPORT_DATETIME)
    status = export_column("status", "status")
    supplier = export_column("supplier__name", "supplier")
    distributor = export_column("distributor__name", "distributor")
    lines = export_number("line_count", "lines")
    units_ordered = export_number("units_ordered", "units_ordered")
    units_received = export_number("units_received", "units_received")
    total = export_money("total", "total")
    expected_date = export_column("expected_date", "expected_date", EXPORT_DATE)
    approved_by = export_column("approved_by__email", "approved_by")
    approved_at = export_column("approved_at", "approved_at", EXPORT_DATETIME)
    second_approved_by = export_column("second_approved_by__email", "second_approved_by")
    second_approved_at = export_column("second_approved_at", "second_approved_at", EXPORT_DATETIME)
    sent_at = export_column("sent_at", "sent_at", EXPORT_DATETIME)
    responded_at = export_column("responded_at", "responded_at", EXPORT_DATETIME)
    responded_by = export_column("responded_by", "responded_by")
    proposed_date = export_column("proposed_date", "proposed_date", EXPORT_DATE)
    supplier_note = export_column("supplier_note", "supplier_note")
    received_at = export_column("received_at", "received_at", EXPORT_DATETIME)
    cancelled_at = export_column("cancelled_at", "cancelled_at", EXPORT_DATETIME)
    cancel_reason = export_column("cancel_reason", "cancel_reason")
    delivery_address = export_column("delivery_address", "delivery_address")

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

    po_number = export_column("purchase_order__number", "po_number")
    po_status = export_column("purchase_order__status", "po_status")
    supplier = export_column("purchase_order__supplier__name", "supplier")
    distributor = export_column("purchase_order__distributor__name", "distributor")
    expected_date = export_column("purchase_order__expected_date", "expected_date", EXPORT_DATE)
    request = export_column("request__number", "request")
    sku = export_column("sku", "sku")
    product_name = export_column("product_name", "product_name")
    quantity = export_number("quantity", "quantity")
    proposed_quantity = export_number("proposed_quantity", "proposed_quantity")
    quantity_received = export_number("quantity_received", "quantity_received")
    outstanding = export_number("outstanding", "outstanding")
    unit_cost = export_money("unit_cost", "unit_cost")
    line_total = export_money("line_total", "line_total")
    po_total = export_money("purchase_order__total", "po_total")

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
