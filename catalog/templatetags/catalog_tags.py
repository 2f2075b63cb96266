"""Template helpers of the portal pages: prices and live stock badges."""

from decimal import Decimal, InvalidOperation

from django import template

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


@register.inclusion_tag("catalog/_stock_badge.html")
def stock_badge(product, live: bool = True, oob: bool = False):
    """The product's stock badge; `live` gives it the id the stock poll swaps."""
    label, tone = stock_label(product.stock_quantity)
    return {"pk": product.pk, "label": label, "tone": tone, "live": live, "oob": oob}


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


@register.inclusion_tag("catalog/_picture.html")
def product_picture(product, size: str = "card", css: str = ""):
    """The product's main picture as an <img> of `size` ("card" or "small"), or the placeholder."""
    image = main_image(product)
    return {"image": image, "file": getattr(image, size, None), "size": size, "css": css}
