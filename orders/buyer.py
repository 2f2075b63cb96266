"""Who is buying, and from whom: the one parameter of the buying flow.

Customers and retailers shop through the same views, templates and API
views (orders.views, orders.api.views). What differs between them is held
here, in a `Buyer`:

- the portal's buyer is a person (a visitor until they sign in) buying from
  the store (`Organization.is_default_store`) under /customer-portal/;
- a retailer's buyer is its organization, through the signed-in member,
  buying from the distributor chosen in the URL under /retailer/.

The buyer names its pages (`url`), picks its orders and its cart, and says
how it cancels; the views never ask "customer or retailer?" themselves.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.models import BUYER_ROLES, Organization, Role
from catalog.models import Product
from catalog.selectors import distributor_catalog, product_search
from catalog.views import portal_store
from pricing.selectors import buyer_organization, quotes_attach

from . import selectors
from .cart import DatabaseCart, SessionCart, cart_for
from .models import Order
from .transitions import order_cancel_by_customer, order_cancel_by_retailer

PORTAL = "portal"
RETAILER = "retailer"
# The pages about one distributor: under /retailer/ their URLs carry its id.
PER_DISTRIBUTOR = {
    "catalog",
    "product",
    "stock",
    "cart",
    "cart_add",
    "cart_update",
    "cart_remove",
    "checkout",
    "quick_order",
}
NO_STORE = (
    "The shop is not open yet: no store has been chosen to sell from. Please come back later."
)


@dataclass
class Buyer:
    channel: str  # PORTAL or RETAILER: the URL namespace too
    request: object
    distributor: Organization | None

    # --- who ----------------------------------------------------------------

    @property
    def user(self):
        return self.request.user

    @property
    def organization(self) -> Organization | None:
        """The retailer organization the orders belong to; None for a person."""
        return self.user.organization if self.channel == RETAILER else None

    @property
    def is_organization(self) -> bool:
        return self.channel == RETAILER

    @property
    def can_buy(self) -> bool:
        """Visitors may fill a cart (they sign in at checkout); of users, customers and
        retailers."""
        return not self.user.is_authenticated or self.user.role in BUYER_ROLES

    @property
    def cannot_buy_message(self) -> str:
        if not self.user.is_authenticated:
            return ""
        return (
            f"{self.user.role_label} accounts can browse the shop but cannot place orders "
            "here; customers and retailers do."
        )

    # --- where ----------------------------------------------------------------

    def url(self, name: str, *args) -> str:
        """The URL of this buyer's page `name` (a URL name of either namespace)."""
        if self.channel == RETAILER and name in PER_DISTRIBUTOR:
            args = (self.distributor.pk, *args)
        if self.channel == PORTAL and name == "shop":
            name = "dashboard"
        if self.channel == RETAILER and name == "shop":
            name = "distributors" if self.distributor is None else "catalog"
            if self.distributor is not None:
                args = (self.distributor.pk, *args)
        return reverse(f"{self.channel}:{name}", args=args)

    @property
    def after_checkout(self) -> str:
        """The page a placed order is shown on: the portal thanks, a retailer tracks."""
        return "order_confirmation" if self.channel == PORTAL else "order"

    @property
    def seller(self) -> str:
        """How stock messages name who sells: the store is "the shop", a distributor by name."""
        return self.distributor.name if self.is_organization else ""

    # --- what ----------------------------------------------------------------

    def catalog(self, **search) -> QuerySet[Product]:
        """The products this buyer can order, with `stock_quantity` at its distributor.

        The portal lists every active product of the catalog; a retailer's
        distributor lists what it carries (sold-out products included).
        """
        if self.is_organization:
            return distributor_catalog(distributor=self.distributor, **search)
        return product_search(distributor=self.distributor, **search)

    def priced(self, products) -> list[Product]:
        """The products with `quote`: this buyer's price at this distributor (pricing.selectors)."""
        return quotes_attach(
            products, organization=buyer_organization(self.user), distributor=self.distributor
        )

    def cart(self) -> DatabaseCart | SessionCart:
        return cart_for(self.request, self.distributor)

    def orders(self, *, status: str = "", with_history: bool = False) -> QuerySet[Order]:
        if self.channel == RETAILER:
            return selectors.orders_for_retailer_organization(
                organization=self.organization, status=status, with_history=with_history
            )
        return selectors.orders_for_customer(
            customer=self.user, status=status, with_history=with_history
        )

    def order(self, number: str) -> Order:
        """One of the buyer's orders; anybody else's is 404."""
        try:
            if self.channel == RETAILER:
                return selectors.order_for_retailer_organization(
                    organization=self.organization, number=number
                )
            return selectors.order_for_customer(customer=self.user, number=number)
        except Order.DoesNotExist:
            raise Http404("No such order.") from None

    def cancel(self, order: Order, reason: str) -> Order:
        cancel = order_cancel_by_retailer if self.channel == RETAILER else order_cancel_by_customer
        return cancel(order=order, by=self.user, reason=reason)


def buyer_for(request, channel: str, distributor_id: int | None = None) -> Buyer:
    """The buyer of a request to a page of `channel`.

    /retailer/ pages are for retailer members only (a superuser is no
    exception: orders belong to an organization); a distributor in the URL
    that is not one is 404. The portal admits everybody; only buyers buy.
    Raises PermissionDenied or Http404; the caller handles visitors.
    """
    if channel == PORTAL:
        return Buyer(PORTAL, request, portal_store(request))
    if not request.user.has_role(Role.RETAILER):
        raise PermissionDenied("Only retailer accounts order from distributors here.")
    distributor = None
    if distributor_id is not None:
        distributor = get_object_or_404(
            Organization, pk=distributor_id, kind=Organization.Kind.DISTRIBUTOR
        )
    return Buyer(RETAILER, request, distributor)
