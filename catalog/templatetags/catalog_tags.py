"""Template helpers of the portal pages: prices, live stock badges and product pictures.

The badge and the picture are built here rather than in included templates: the
catalog grid draws both for each of its 24 products, and an inclusion tag's
template costs about 4x the same markup from format_html (#22 §2).
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from auromart.formatting import money_display, number_display
from catalog.selectors import stock_label

register = template.Library()


@register.filter
def money(value) -> str:
    """547365 -> "₹5,47,365.00": auromart.formatting.money_display for templates."""
    return money_display(value)


@register.filter
def count(value) -> str:
    """12345 -> "12,345": a whole number with Indian grouping (auromart.formatting)."""
    return number_display(value)


@register.filter
def pk_list(objects) -> str:
    """The objects' primary keys as "1,2,3", for the stock poll's query string."""
    return ",".join(str(obj.pk) for obj in objects)


def badge_html(pk, label: str, tone: str, *, live: bool = True, oob: bool = False) -> str:
    """A stock badge; `live` gives it the id the stock poll swaps, `oob` makes it that swap."""
    return format_html(
        '<span {}class="badge stock-badge text-bg-{}"{}>{}</span>',
        format_html('id="stock-{}" ', pk) if live else "",
        tone,
        mark_safe(' hx-swap-oob="true"') if oob else "",
        label,
    )


@register.simple_tag
def stock_badge(product, live: bool = True, oob: bool = False) -> str:
    """The product's stock badge (badge_html) from its `stock_quantity`."""
    label, tone = stock_label(product.stock_quantity)
    return badge_html(product.pk, label, tone, live=live, oob=oob)


@register.simple_tag
def stock_badge_oob(badge: dict) -> str:
    """A badge of the stock poll's answer ({"pk", "label", "tone"}), swapped out of band."""
    return badge_html(badge["pk"], badge["label"], badge["tone"], live=True, oob=True)


@register.filter
def percent(rate) -> str:
    """Decimal("0.18") -> "18", Decimal("0.075") -> "7.5"."""
    try:
        value = (Decimal(rate) * 100).normalize()
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{value:f}"


STATUS_TONES = {
    "credit_hold": "dark",
    "awaiting_payment": "warning",
    "placed": "primary",
    "accepted": "info",
    "processing": "info",
    "partially_shipped": "warning",
    "shipped": "warning",
    "delivered": "success",
    "rejected": "danger",
    "cancelled": "secondary",
    # Returns (#17); "rejected" is shared with orders.
    "requested": "primary",
    "approved": "info",
    "received": "success",
    "closed": "secondary",
    # Transfer orders (#23); "requested", "received", "closed" as returns, "shipped"
    # (in transit) and "cancelled" as orders.
    "draft": "secondary",
    "confirmed": "info",
    "received_short": "danger",
}


@register.filter
def status_tone(status: str) -> str:
    """The Bootstrap colour of an order (or return) status badge."""
    return STATUS_TONES.get(status, "secondary")


@register.filter
def main_image(product):
    """The product's first picture, from its prefetched `images` (no query), or None."""
    images = list(product.images.all())
    return images[0] if images else None


@register.simple_tag
def product_picture(product, size: str = "card", css: str = "") -> str:
    """The product's main picture as an <img> of `size` ("card" or "small"), or the placeholder."""
    image = main_image(product)
    file = getattr(image, size, None)
    width, height = (120, 120) if size == "small" else (480, 360)
    if file:
        return format_html(
            '<img src="{}" alt="{}" class="product-picture product-picture-{} {}" loading="lazy"'
            ' decoding="async" width="{}" height="{}">',
            file.url,
            image.alt_text,
            size,
            css,
            width,
            height,
        )
    return format_html(
        '<img src="{}" alt="" class="product-picture product-picture-{} product-picture-none {}"'
        ' width="{}" height="{}">',
        static("auromart/placeholder.svg"),
        size,
        css,
        width,
        height,
    )
