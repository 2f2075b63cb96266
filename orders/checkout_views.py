"""Checkout: review the cart, choose delivery or pickup, points and payment, place the order.

One view for both buyers (orders.buyer, as orders.views). A plain form post
places the order through orders.services.order_place; with htmx, changing the
points to use posts a preview that only shows the estimate again.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views import View

from accounts.models import BackorderPolicy
from inventory.exceptions import InsufficientStock
from loyalty.selectors import loyalty_offer
from loyalty.services import Redemption, redemption_check
from payments.checkout import payment_required
from pricing.selectors import buyer_organization

from .buyer import NO_STORE, buyer_for
from .exceptions import IdempotencyKeyReused, OrderPlacementBusy
from .forms import (
    CheckoutForm,
    new_checkout_token,
)
from .models import FulfillmentType, Order, OrderStatus
from .selectors import default_shipping_address, default_shipping_state
from .services import order_place
from .tax import order_supply
from .views import BuyerView, cart_estimate


class CheckoutView(BuyerView):
    """Review the cart, choose delivery or pickup, and place the order (login required)."""

    login_required = True
    template_name = "orders/checkout.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.buyer = buyer_for(request, self.channel, kwargs.pop("distributor_id", None))
        if not self.buyer.can_buy:
            return self.refuse(self.buyer.cannot_buy_message)
        if self.buyer.distributor is None:
            return self.refuse(NO_STORE, status=503)
        return View.dispatch(self, request, *args, **kwargs)

    def refuse(self, message: str, status: int = 403):
        return render(
            self.request,
            self.template_name,
            {"refusal": message, "buyer": self.buyer, "store": None},
            status=status,
        )

    def empty_cart(self):
        messages.info(self.request, "Your cart is empty: add something to it first.")
        return redirect(self.buyer.url("cart"))

    def get(self, request):
        summary = self.cart_summary()
        if not summary:
            return self.empty_cart()
        form = CheckoutForm(
            **self.form_kwargs(summary),
            initial={
                "fulfillment_type": FulfillmentType.DELIVERY,
                "shipping_address": default_shipping_address(request.user),
                "shipping_state": default_shipping_state(request.user),
                "token": new_checkout_token(),
                "backorder": "1"
                if request.user.buyer_backorder_policy == BackorderPolicy.BACKORDER
                else "",
            },
        )
        return self.render(form, summary)

    def post(self, request):
        cart = self.buyer.cart()
        summary = self.cart_summary()
        form = CheckoutForm(request.POST, **self.form_kwargs(summary))
        if not summary:
            # A second submit of a form whose order went through: the cart
            # was emptied by the first one. Show that order again.
            token = request.POST.get("token", "")
            order = (
                Order.objects.filter(customer=request.user, idempotency_key=token).first()
                if token
                else None
            )
            if order is not None:
                return redirect(self.buyer.url(self.buyer.after_checkout, order.number))
            return self.empty_cart()
        # Form errors answer 200, like any re-shown form: a 4xx would be a
        # console error in the browser for what is an ordinary correction. A
        # preview (htmx, as the points or the delivery state change) only
        # shows the estimate again: it never places the order.
        if not form.is_valid() or (request.htmx and request.POST.get("preview")):
            return self.render(form, summary)
        data = form.cleaned_data
        try:
            order = order_place(
                customer=request.user,
                items=[(line.product.pk, line.quantity) for line in summary.lines],
                distributor=self.buyer.distributor,
                fulfillment_type=data["fulfillment_type"],
                shipping_address=data["shipping_address"],
                shipping_state=data["shipping_state"],
                idempotency_key=data["token"],
                from_cart=cart.cart,
                backorder=data["backorder"],
                buyer_reference=data["buyer_reference"],
                requested_delivery_date=data["requested_delivery_date"],
                loyalty_points=data.get("loyalty_points") or 0,
                awaiting_payment=payment_required(
                    customer=request.user,
                    distributor=self.buyer.distributor,
                    choice=data.get("payment") or "",
                ),
            )
        except InsufficientStock as exc:
            only = f"{self.buyer.seller} has only" if self.buyer.seller else "Only"
            verb = "" if self.buyer.seller else (" is" if exc.available == 1 else " are")
            form.add_error(
                None,
                f"{only} {exc.available} of {exc.product.name} ({exc.product.sku}){verb} "
                f"available; you asked for {exc.requested}. Lower the quantity in your cart, "
                "or choose to backorder the rest, and place the order again. Nothing was "
                "ordered.",
            )
            return self.render(form, cart.summary())
        except IdempotencyKeyReused as exc:
            data = form.data.copy()
            data["token"] = new_checkout_token()
            form = CheckoutForm(data, **self.form_kwargs(summary))
            form.is_valid()
            form.add_error(
                None,
                f"This checkout form already placed order {exc.order.number}. Your cart has "
                "changed since: review it below and place a new order.",
            )
            return self.render(form, summary)
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
            return self.render(form, summary)
        except OrderPlacementBusy as exc:
            form.add_error(None, str(exc))
            return self.render(form, summary, status=503)
        except PermissionDenied as exc:
            return self.refuse(str(exc) or self.buyer.cannot_buy_message)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            return redirect("payments:order_pay", order.number)
        if order.replayed:
            messages.info(request, f"Order {order.number} was already placed; here it is.")
        elif self.buyer.is_organization:
            messages.success(
                request,
                f"Order {order.number} is placed with {order.distributor.name} for "
                f"{self.buyer.organization.name}. You will be notified as it moves along.",
            )
        return redirect(self.buyer.url(self.buyer.after_checkout, order.number))

    def form_kwargs(self, summary) -> dict:
        """The store for the delivery date's calendar; the points a store's customer may use."""
        return {
            "store": self.buyer.distributor,
            "loyalty": loyalty_offer(
                customer=self.request.user,
                distributor=self.buyer.distributor,
                taxable=summary.totals.subtotal if summary else None,
            ),
        }

    def render(self, form, summary, status: int = 200):
        # The estimate for the delivery state the form holds (or the pickup's).
        data = form.data if form.is_bound else form.initial
        summary = summary.for_supply(
            order_supply(
                distributor=self.buyer.distributor,
                buyer=buyer_organization(self.request.user),
                fulfillment_type=data.get("fulfillment_type") or FulfillmentType.DELIVERY,
                shipping_state=data.get("shipping_state") or "",
                shipping_address=data.get("shipping_address") or "",
            )
        )
        return render(
            self.request,
            self.template_name,
            self.context(
                form=form,
                summary=summary,
                estimate=cart_estimate(summary, self.points_asked(form, data, summary)),
                cart_count=summary.count,
            ),
            status=status,
        )

    def points_asked(self, form, data, summary) -> Redemption | None:
        """What the points the form holds take off, when they are points this order may use."""
        try:
            points = int(data.get("loyalty_points") or 0) if "loyalty_points" in form.fields else 0
        except (TypeError, ValueError):
            return None
        if points <= 0:
            return None
        try:
            return redemption_check(
                customer=self.request.user,
                distributor=self.buyer.distributor,
                points=points,
                taxable=summary.totals.subtotal,
            )
        except ValidationError:
            return None  # the form names the problem when it is sent
