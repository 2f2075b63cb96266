"""Orders' handlers of other apps' signals."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from inventory.signals import stock_available, stock_short

from . import backorders, services_cart
from .cart import pop_session_cart


@receiver(user_logged_in, dispatch_uid="orders.merge_session_cart")
def merge_session_cart(sender, *, request, user, **kwargs):
    """What a visitor put in the cart before signing in stays in it afterwards."""
    if request is None or not hasattr(request, "session"):
        return
    carts = pop_session_cart(request.session)
    if carts:
        services_cart.cart_merge(user=user, carts=carts)


@receiver(stock_available, dispatch_uid="orders.allocate_backorders")
def allocate_backorders(sender, *, distributor_id, product_id, reference, **kwargs):
    """Waiting backorders take newly available units, first placed first served."""
    backorders.backorders_allocate(
        distributor_id=distributor_id, product_id=product_id, reference=reference
    )


@receiver(stock_short, dispatch_uid="orders.allocations_to_backorders")
def allocations_to_backorders(sender, *, distributor_id, product_id, warehouse_id, units, **kwargs):
    """A count found less than is allocated in a warehouse: the newest allocations there
    become backorders."""
    backorders.allocations_turn_to_backorders(
        distributor_id=distributor_id, product_id=product_id, units=units, warehouse_id=warehouse_id
    )
