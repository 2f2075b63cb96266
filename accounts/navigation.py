"""The navigation bar: each entry names the roles that may use it.

Apps add their pages here as they are built; the bar shows a user only the
entries of their role.
"""

from dataclasses import dataclass

from django.urls import reverse

from .models import Role


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: tuple[str, ...]
    visitors: bool = False  # shown to anonymous visitors too


NAV_ENTRIES: list[NavEntry] = [
    # A retailer's dashboard is the brand and the account menu's "Dashboard";
    # "Shop" starts an order by choosing the distributor.
    NavEntry("Shop", "retailer:distributors", (Role.RETAILER,)),
    NavEntry("Orders", "retailer:orders", (Role.RETAILER,)),
    NavEntry("Standing orders", "standing_orders:list", (Role.RETAILER,)),
    NavEntry("Returns", "returns:list", (Role.RETAILER,)),
    NavEntry("Invoices", "invoicing:list", (Role.RETAILER,)),
    NavEntry("Reports", "reporting:overview", (Role.RETAILER,)),
    NavEntry("Distributor", "distributor:dashboard", (Role.DISTRIBUTOR,)),
    NavEntry("Inventory", "distributor:inventory", (Role.DISTRIBUTOR,)),
    NavEntry("Orders", "distributor:orders", (Role.DISTRIBUTOR,)),
    NavEntry("Prices", "pricing:list", (Role.DISTRIBUTOR,)),
    NavEntry("Agreements", "distributor:agreements", (Role.DISTRIBUTOR,)),
    NavEntry("Invoices", "invoicing:list", (Role.DISTRIBUTOR,)),
    NavEntry("Reports", "reporting:overview", (Role.DISTRIBUTOR,)),
    NavEntry("Manufacturer", "manufacturer:dashboard", (Role.MANUFACTURER,)),
    NavEntry("Products", "manufacturer:products", (Role.MANUFACTURER,)),
    NavEntry("Stock", "manufacturer:stock", (Role.MANUFACTURER,)),
    NavEntry("Agreements", "manufacturer:agreements", (Role.MANUFACTURER,)),
    NavEntry("Orders", "manufacturer:orders", (Role.MANUFACTURER,)),
    # One "Reports" (below) covers sales; /manufacturer/sales/ stays, linked from the dashboard.
    NavEntry("Purchase orders", "procurement:supplier_pos", (Role.MANUFACTURER,)),
    NavEntry("Reports", "reporting:overview", (Role.MANUFACTURER,)),
    # The customer portal (its cart link is in base.html, from orders' context processor).
    # Retailers order from a chosen distributor under /retailer/, not from the portal's store.
    NavEntry("Shop", "portal:dashboard", (Role.CUSTOMER,), visitors=True),
    NavEntry("My orders", "portal:orders", (Role.CUSTOMER,)),
    NavEntry("Standing orders", "standing_orders:list", (Role.CUSTOMER,)),
    NavEntry("My returns", "returns:list", (Role.CUSTOMER,)),
    NavEntry("Invoices", "invoicing:list", (Role.CUSTOMER,)),
    NavEntry("My points", "loyalty:points", (Role.CUSTOMER,)),
]


# Procurement staff (no organization, so "customer" by role) work on stock and
# reports, not in the shop: they get these instead of the customer's entries.
STAFF_ENTRIES: list[NavEntry] = [
    NavEntry("Reports", "reporting:overview", ()),
    NavEntry("Replenishment", "procurement:replenishment", ()),
]


def _resolved(entries: list[NavEntry]) -> list[dict]:
    return [{"label": entry.label, "url": reverse(entry.url_name)} for entry in entries]


def nav_for(user) -> list[dict]:
    if not user.is_authenticated:
        return _resolved([e for e in NAV_ENTRIES if e.visitors])
    if user.role == Role.CUSTOMER and user.is_procurement_staff:
        return _resolved(STAFF_ENTRIES)
    return _resolved([e for e in NAV_ENTRIES if user.role in e.roles])
