"""The navbar's "Cart (n)" link to the portal's cart: shown to visitors and customers."""

from django.db.models import Sum

from accounts.models import Role
from catalog.views import can_buy, portal_store

from .cart import SESSION_KEY
from .models import CartItem

_UNSET = object()


def remember_cart_count(request, count: int) -> None:
    """A view that has just summed the cart tells the navbar, which then asks nothing."""
    request._cart_count = count


def navbar_cart_count(request) -> int:
    """Units in the portal cart: at most one small query, none when a view already knows."""
    known = getattr(request, "_cart_count", None)
    if known is not None:
        return known
    user = request.user
    if user.is_authenticated:
        items = CartItem.objects.filter(cart__user=user, product__is_active=True)
        store = getattr(request, "_portal_store", _UNSET)
        if store is None:
            return 0
        if store is _UNSET:
            items = items.filter(cart__distributor__is_default_store=True)
        else:
            items = items.filter(cart__distributor=store)
        count = items.aggregate(n=Sum("quantity"))["n"] or 0
    else:
        carts = request.session.get(SESSION_KEY) or {}
        if not carts:
            return 0
        store = portal_store(request)
        lines = carts.get(str(store.pk), {}) if store is not None else {}
        count = sum(int(quantity) for quantity in lines.values())
    remember_cart_count(request, count)
    return count


class _LazyCount:
    """Called by the template only if the page shows the badge (the admin never does)."""

    def __init__(self, request):
        self.request = request

    def __call__(self) -> int:
        return navbar_cart_count(self.request)


def cart(request):
    user = getattr(request, "user", None)
    # Retailers keep a cart per distributor under /retailer/; the portal's is not theirs.
    if user is None or not can_buy(user) or getattr(user, "role", None) == Role.RETAILER:
        return {"show_cart": False}
    if user.is_authenticated and user.is_procurement_staff:
        return {"show_cart": False}  # staff buy through purchase orders, not the shop
    return {"show_cart": True, "cart_count": _LazyCount(request)}
