"""Orders' handlers of other apps' signals."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import services_cart
from .cart import pop_session_cart


@receiver(user_logged_in, dispatch_uid="orders.merge_session_cart")
def merge_session_cart(sender, *, request, user, **kwargs):
    """What a visitor put in the cart before signing in stays in it afterwards."""
    if request is None or not hasattr(request, "session"):
        return
    carts = pop_session_cart(request.session)
    if carts:
        services_cart.cart_merge(user=user, carts=carts)
