"""The columns of procurement's admin lists, written to fit a 1280 px screen.

Money, numbers and dates come from auromart.formatting, as on the site
(₹5,47,365.00; 3 Dec 2026, 13:43). Long names are cut to one line by the
admin's CSS (auromart/static/auromart/admin.css) and kept whole in a tooltip;
numbers and amounts are right-aligned and never wrap.
"""

from django.contrib import admin
from django.db.models import DecimalField, ExpressionWrapper, F
from django.urls import reverse
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


def _two(top, bottom, css_top="am-nowrap"):
    """A cell of two lines: the main fact, and a quieter one under it."""
    return format_html(
        '<span class="{}">{}</span><br><span class="am-sub">{}</span>', css_top, top, bottom
    )


class RequestColumns:
    """Display columns of ProcurementRequestAdmin's list: eight, two facts where they belong
    together (the supplier and who it delivers to, the total and the unit cost, the status
    and its purchase order), so the list fits beside the filters at 1280 px."""

    @admin.display(description="Request", ordering="number")
    def request_number(self, obj):
        return format_html('<span class="am-nowrap">{}</span>', obj.number)

    @admin.display(description="Product", ordering="product__sku")
    def product_column(self, obj):
        return _two(obj.product.sku, _clip(obj.product.name))

    @admin.display(description="Supplier / for", ordering="supplier__name")
    def supplier_column(self, obj):
        return _two(_clip(obj.supplier.name), _clip(obj.distributor.name), css_top="am-main")

    @admin.display(description="Qty", ordering="quantity")
    def quantity_column(self, obj):
        return _two(
            _number(number_display(obj.quantity)),
            format_html("avail. {}", number_display(obj.available)),
            css_top="am-num",
        )

    @admin.display(description="Cost", ordering=REQUEST_TOTAL)
    def cost_column(self, obj):
        if obj.unit_cost is None:
            return _two("—", "no supplier cost")
        total = money_display(obj.quantity * obj.unit_cost)
        return _two(total, format_html("@ {}", money_display(obj.unit_cost)), css_top="am-num")

    @admin.display(description="Status", ordering="status")
    def status_column(self, obj):
        line = getattr(obj, "po_line", None)
        if line is None:
            return obj.get_status_display()
        po = line.purchase_order
        url = reverse("admin:procurement_purchaseorder_change", args=[po.pk])
        link = format_html('<a class="am-nowrap" href="{}">{}</a>', url, po.number)
        return _two(obj.get_status_display(), link, css_top="am-main")

    @admin.display(description="Created", ordering="created_at")
    def created_column(self, obj):
        return _when(obj.created_at, date_display(obj.created_at))


class PurchaseOrderColumns:
    """Display columns of PurchaseOrderAdmin's list."""

    @admin.display(description="Purchase order", ordering="number")
    def po_number(self, obj):
        return format_html('<span class="am-nowrap">{}</span>', obj.number)

    @admin.display(description="Supplier / for", ordering="supplier__name")
    def supplier_column(self, obj):
        return _two(_clip(obj.supplier.name), _clip(obj.distributor.name), css_top="am-main")

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
        return _when(obj.sent_at, date_display(obj.sent_at))

    @admin.display(description="Answered", ordering="responded_at")
    def responded_column(self, obj):
        return _when(obj.responded_at, date_display(obj.responded_at))
