from django import template

from ..selectors import staff_dashboard_counts

register = template.Library()


@register.inclusion_tag("admin/procurement/_staff_panel.html", takes_context=True)
def procurement_staff_panel(context):
    """Procurement staff's work on the admin index: open requests, POs waiting on someone."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_procurement_staff:
        return {"show": False}
    return {"show": True, "counts": staff_dashboard_counts()}
