from django.conf import settings

from .navigation import nav_for
from .permissions import dashboard_url


def navigation(request):
    user = request.user
    return {
        "site_name": settings.SITE_NAME,
        "nav_entries": nav_for(user),
        "dashboard_url": dashboard_url(user) if user.is_authenticated else "/",
    }
