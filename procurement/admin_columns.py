"""The columns of procurement's admin lists, written to fit a 1280 px screen.

Money, numbers and dates come from auromart.formatting, as on the site
(₹5,47,365.00; 3 Dec 2026, 13:43). Long names are cut to one line by the
admin's CSS (auromart/static/auromart/admin.css) and kept whole in a tooltip;
numbers and amounts are right-aligned and never wrap.
"""

from django.contrib import admin
from django.db.models import DecimalField, ExpressionWrapper, F
from django.utils.html import format_html

from auromart.formatting import date_display, datetime_display, money_display, number_display


def _clip(text, css="am-clip"):
    """One line, cut with an ellipsis; the whole text in the tooltip."""
    text = str(text) if text is not None else ""
    return format_html('<span class="{}" title="{}">{}</span>', css, text, text or "—")


def _number(text):
    return format_html('<span class="am-num">{}</span>', text or "—")


def _when(value, text):
    if value is None:
        return "—"
    full = datetime_display(value)
    return format_html('<span class="am-nowrap" title="{}">{}</span>', full, text)


REQUEST_TOTAL = ExpressionWrapper(
    F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=2)
)


class RequestColumns:
    """Display columns of ProcurementRequestAdmin's list."""

    @admin.display(description="Request", ordering="number")
    def request_number(self, obj):
        return format_html('<span class="am-nowrap">{}</span>', obj.number)

    @admin.display(description="Product", ordering="product__sku")
    def product_column(self, obj):
        return format_html(
            '<span class="am-nowrap">{}</span><br>{}',
            obj.product.sku,
            _clip(obj.product.name, "am-clip am-sub"),
        )

    @admin.display(description="Distributor", ordering="distributor__name")
    def distributor_column(self, obj):
        return _clip(obj.distributor.name)

    @admin.display(description="Supplier", ordering="supplier__name")
    def supplier_column(self, obj):
        return _clip(obj.supplier.name)

    @admin.display(description="Qty", ordering="quantity")
    def quantity_column(self, obj):
        return _number(number_display(obj.quantity))

    @admin.display(description="Avail.", ordering="available")
    def available_column(self, obj):
        return _number(number_display(obj.available))

    @admin.display(description="Unit cost", ordering="unit_cost")
    def unit_cost_column(self, obj):
        return _number(money_display(obj.unit_cost))

    @admin.display(description="Total", ordering=REQUEST_TOTAL)
    def total_column(self, obj):
        if obj.unit_cost is None:
            return _number("")
        return _number(money_display(obj.quantity * obj.unit_cost))

    @admin.display(description="Created", ordering="created_at")
    def created_column(self, obj):
        return _when(obj.created_at, datetime_display(obj.created_at))


class PurchaseOrderColumns:
    """Display columns of PurchaseOrderAdmin's list."""

    @admin.display(description="Purchase order", ordering="number")
    def po_number(self, obj):
        return format_html('<span class="am-nowrap">{}</span>', obj.number)

    @admin.display(description="Supplier", ordering="supplier__name")
    def supplier_column(self, obj):
        return _clip(obj.supplier.name)

    @admin.display(description="Distributor", ordering="distributor__name")
    def distributor_column(self, obj):
        return _clip(obj.distributor.name)

    @admin.display(description="Total", ordering="total")
    def total_column(self, obj):
        return _number(money_display(obj.total))

    @admin.display(description="Expected", ordering="expected_date")
    def expected_column(self, obj):
        if obj.expected_date is None:
            return "—"
        return format_html('<span class="am-nowrap">{}</span>', date_display(obj.expected_date))

    @admin.display(description="Sent", ordering="sent_at")
    def sent_column(self, obj):
        return _when(obj.sent_at, datetime_display(obj.sent_at))

    @admin.display(description="Answered", ordering="responded_at")
    def responded_column(self, obj):
        return _when(obj.responded_at, datetime_display(obj.responded_at))
