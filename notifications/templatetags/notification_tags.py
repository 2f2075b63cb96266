"""Links that work outside the site: e-mails and WhatsApp texts need absolute URLs."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def absolute_url(view_name, *args, **kwargs) -> str:
    """{% absolute_url "portal:order" order.number %} -> https://site/customer-portal/orders/..."""
    return settings.SITE_URL + reverse(view_name, args=args, kwargs=kwargs)


@register.filter
def absolute(path: str) -> str:
    """A site path ("/notifications/") as an absolute URL; absolute URLs pass through."""
    if not path or "://" in path:
        return path
    return settings.SITE_URL + path
