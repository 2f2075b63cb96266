"""Spreadsheet export of invoices: one row per invoice, or one row per invoice line.

Export only: invoices are written by invoicing.services alone. Money is
exported as numbers (to the cent), dates as ISO dates; text that a
spreadsheet would run as a formula is escaped by SpreadsheetResource.
"""

from django.db.models import Count

from auromart.spreadsheets import (
    EXPORT_DATE,
    EXPORT_DATETIME,
    SpreadsheetResource,
    export_column,
    export_money,
    export_number,
)

from .models import Invoice, InvoiceLine


def _invoices(queryset):
    """The admin's (filtered) invoices or all of them, with what a row needs, oldest first."""
    return (
        queryset.select_related("order", "customer")
        .annotate(line_count=Count("lines"))
        .order_by("issue_date", "number")
    )


class InvoiceResource(SpreadsheetResource):
    """Invoices (one row per invoice), export only."""

    resource_name = "invoices"
    importable = False

    number = export_column("number", "number")
    issue_date = export_column("issue_date", "issue_date", EXPORT_DATE)
    due_date = export_column("due_date", "due_date", EXPORT_DATE)
    status = export_column("status", "status")
    overdue = export_column(None, "overdue")
    order_number = export_column("order__number", "order_number")
    buyer_reference = export_column("buyer_reference", "po_number")
    seller = export_column("seller_name", "seller")
    buyer = export_column("buyer_name", "buyer")
    buyer_email = export_column("buyer_email", "buyer_email")
    customer = export_column("customer__email", "customer")
    lines = export_number("line_count", "lines")
    discount = export_money("discount", "loyalty_discount")
    subtotal = export_money("subtotal", "subtotal")
    tax_rate = export_money("tax_rate", "tax_rate")
    tax = export_money("tax", "tax")
    total = export_money("total", "total")
    paid_at = export_column("paid_at", "paid_at", EXPORT_DATETIME)
    payment_reference = export_column("payment_reference", "payment_reference")
    voided_at = export_column("voided_at", "voided_at", EXPORT_DATETIME)
    void_reason = export_column("void_reason", "void_reason")

    class Meta:
        model = Invoice
        fields = [
            "number",
            "issue_date",
            "due_date",
            "status",
            "overdue",
            "order_number",
            "buyer_reference",
            "seller",
            "buyer",
            "buyer_email",
            "customer",
            "lines",
            "discount",
            "subtotal",
            "tax_rate",
            "tax",
            "total",
            "paid_at",
            "payment_reference",
            "voided_at",
            "void_reason",
        ]

    def get_queryset(self):
        return Invoice.objects.all()

    def filter_export(self, queryset, **kwargs):
        return _invoices(queryset)

    def dehydrate_overdue(self, invoice):
        return "yes" if invoice.is_overdue else "no"


class InvoiceLineResource(SpreadsheetResource):
    """Invoice lines (one row per line, the invoice's figures repeated), export only."""

    resource_name = "invoice-lines"
    importable = False

    invoice_number = export_column("invoice__number", "invoice_number")
    issue_date = export_column("invoice__issue_date", "issue_date", EXPORT_DATE)
    status = export_column("invoice__status", "status")
    order_number = export_column("invoice__order__number", "order_number")
    seller = export_column("invoice__seller_name", "seller")
    buyer = export_column("invoice__buyer_name", "buyer")
    position = export_number("position", "position")
    sku = export_column("sku", "sku")
    description = export_column("description", "description")
    quantity = export_number("quantity", "quantity")
    unit_price = export_money("unit_price", "unit_price")
    line_total = export_money("line_total", "line_total")
    tax_rate = export_money("invoice__tax_rate", "tax_rate")
    invoice_total = export_money("invoice__total", "invoice_total")

    class Meta:
        model = InvoiceLine
        fields = [
            "invoice_number",
            "issue_date",
            "status",
            "order_number",
            "seller",
            "buyer",
            "position",
            "sku",
            "description",
            "quantity",
            "unit_price",
            "line_total",
            "tax_rate",
            "invoice_total",
        ]

    def get_queryset(self):
        return InvoiceLine.objects.all()

    def filter_export(self, queryset, **kwargs):
        # The admin hands over its (filtered) invoices; each becomes its lines.
        if queryset.model is Invoice:
            queryset = InvoiceLine.objects.filter(invoice__in=queryset.order_by().values("pk"))
        return queryset.select_related("invoice__order").order_by(
            "invoice__issue_date", "invoice__number", "position"
        )
