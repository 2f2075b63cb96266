"""Role checks for pages (a mixin) and the API (permission classes).

A user of the wrong role gets 403; scoping lists and details to what the
caller may see is each app's selectors' job (another organization's object is
a 404 there).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .models import Role

DASHBOARD_URLS = {
    Role.CUSTOMER: "/customer-portal/",
    Role.RETAILER: "/retailer/",
    Role.DISTRIBUTOR: "/distributor/",
    Role.MANUFACTURER: "/manufacturer/",
}


def dashboard_url(user) -> str:
    """Where a user lands after logging in: the dashboard of their role."""
    if user.is_staff and not user.organization_id:
        return "/admin/"
    return DASHBOARD_URLS[user.role]


class RoleRequiredMixin(LoginRequiredMixin):
    """Anonymous users go to the login page; users of another role get 403."""

    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.roles and not (request.user.has_role(*self.roles) or request.user.is_superuser):
            raise PermissionDenied("Your account's role cannot open this page.")
        return super().dispatch(request, *args, **kwargs)


def role_permission(*roles: str) -> type[BasePermission]:
    """A DRF permission class that admits authenticated users of these roles."""

    class HasRole(BasePermission):
        message = f"Only {' or '.join(roles)} accounts may do this."

        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.role in roles)

    HasRole.__name__ = "Is" + "Or".join(r.title() for r in roles)
    return HasRole


IsCustomer = role_permission(Role.CUSTOMER)
IsRetailer = role_permission(Role.RETAILER)
IsDistributor = role_permission(Role.DISTRIBUTOR)
IsManufacturer = role_permission(Role.MANUFACTURER)


class IsProcurementStaff(BasePermission):
    message = "Only procurement staff may do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_procurement_staff)
