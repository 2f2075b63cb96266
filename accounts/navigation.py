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


NAV_ENTRIES: list[NavEntry] = [
    NavEntry("Customer portal", "portal:dashboard", (Role.CUSTOMER,)),
    NavEntry("Retailer", "retailer:dashboard", (Role.RETAILER,)),
    NavEntry("Distributor", "distributor:dashboard", (Role.DISTRIBUTOR,)),
    NavEntry("Manufacturer", "manufacturer:dashboard", (Role.MANUFACTURER,)),
]


def nav_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    current = user.role
    return [
        {"label": e.label, "url": reverse(e.url_name)} for e in NAV_ENTRIES if current in e.roles
    ]
