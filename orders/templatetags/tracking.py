"""{{ reference|tracking_link }}: a tracking reference, linked to its carrier's page when known."""

from django import template
from django.utils.html import format_html

from orders.tracking import tracking_url as _tracking_url

register = template.Library()


@register.filter
def tracking_link(reference: str):
    """HTML: the reference as a link to the carrier's tracking page, else the plain reference."""
    url = _tracking_url(reference)
    if not url:
        return reference or ""
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', url, reference
    )


@register.filter
def tracking_url(reference: str) -> str:
    """The carrier's tracking URL for the reference ("" when its carrier is not known)."""
    return _tracking_url(reference) or ""
