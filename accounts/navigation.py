"""The navigation bar: each entry names the roles that may use it.

Apps add their pages here as they are built; the bar shows a user only the
entries of their role.
"""

from dataclasses import dataclass

from django.urls import reverse

from .models import BUYER_ROLES, Role


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: tuple[str, ...]
    visitors: bool = False  # shown to anonymous visitors too


BUYERS = BUYER_ROLES

NAV_ENTRIES: list[NavEntry] = [
    NavEntry("Retailer", "retailer:dashboard", (Role.RETAILER,)),
    NavEntry("Distributor", "distributor:dashboard", (Role.DISTRIBUTOR,)),
    NavEntry("Manufacturer", "manufacturer:dashboard", (Role.MANUFACTURER,)),
    # The customer portal (its cart link is in base.html, from orders' context processor).
    NavEntry("Shop", "portal:dashboard", BUYERS, visitors=True),
    NavEntry("My orders", "portal:orders", BUYERS),
]


def nav_for(user) -> list[dict]:
    if not user.is_authenticated:
        entries = [e for e in NAV_ENTRIES if e.visitors]
    else:
        entries = [e for e in NAV_ENTRIES if user.role in e.roles]
    return [{"label": e.label, "url": reverse(e.url_name)} for e in entries]
