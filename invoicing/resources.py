"""Spreadsheet export of invoices: one row per invoice, or one row per invoice line.

Export only: invoices are written by invoicing.services alone. Money is
exported as numbers (to the cent), dates as ISO dates; text that a
spreadsheet would run as a formula is escaped by SpreadsheetResource.
"""

from django.db.models import Count
from import_export import widgets
from import_export.fields import Field

from auromart.spreadsheets import SpreadsheetResource

from .models import Invoice, InvoiceLine

DATE = widgets.DateWidget(format="%Y-%m-%d")
DATETIME = widgets.DateTimeWidget(format="%Y-%m-%d %H:%M:%S")


def _column(attribute: str | None, column: str, widget=None) -> Field:
    return Field(attribute=attribute, column_name=column, widget=widget, readonly=True)


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

    number = _column("number", "number")
    issue_date = _column("issue_date", "issue_date", DATE)
    due_date = _column("due_date", "due_date", DATE)
    status = _column("status", "status")
    overdue = _column(None, "overdue")
    order_number = _column("order__number", "order_number")
    seller = _column("seller_name", "seller")
    buyer = _column("buyer_name", "buyer")
    buyer_email = _column("buyer_email", "buyer_email")
    customer = _column("customer__email", "customer")
    lines = _column("line_count", "lines", widgets.IntegerWidget())
    subtotal = _column("subtotal", "subtotal", widgets.DecimalWidget())
    tax_rate = _column("tax_rate", "tax_rate", widgets.DecimalWidget())
    tax = _column("tax", "tax", widgets.DecimalWidget())
    total = _column("total", "total", widgets.DecimalWidget())
    paid_at = _column("paid_at", "paid_at", DATETIME)
    payment_reference = _column("payment_reference", "payment_reference")
    voided_at = _column("voided_at", "voided_at", DATETIME)
    void_reason = _column("void_reason", "void_reason")

    class Meta:
        model = Invoice
        fields = [
            "number",
            "issue_date",
            "due_date",
            "status",
            "overdue",
            "order_number",
            "seller",
            "buyer",
            "buyer_email",
            "customer",
            "lines",
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

    invoice_number = _column("invoice__number", "invoice_number")
    issue_date = _column("invoice__issue_date", "issue_date", DATE)
    status = _column("invoice__status", "status")
    order_number = _column("invoice__order__number", "order_number")
    seller = _column("invoice__seller_name", "seller")
    buyer = _column("invoice__buyer_name", "buyer")
    position = _column("position", "position", widgets.IntegerWidget())
    sku = _column("sku", "sku")
    description = _column("description", "description")
    quantity = _column("quantity", "quantity", widgets.IntegerWidget())
    unit_price = _column("unit_price", "unit_price", widgets.DecimalWidget())
    line_total = _column("line_total", "line_total", widgets.DecimalWidget())
    tax_rate = _column("invoice__tax_rate", "tax_rate", widgets.DecimalWidget())
    invoice_total = _column("invoice__total", "invoice_total", widgets.DecimalWidget())

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
