"""The customer portal's cart, checkout and order pages (under /customer-portal/).

Each page works as a plain form post; with htmx the cart changes in place
(partials plus an out-of-band swap of the navbar's cart badge). The views
parse input, call orders.cart / orders.services, and turn domain errors into
messages and form errors.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST

from accounts.models import BUYER_ROLES
from catalog.models import Product
from catalog.views import can_buy, clean_query, portal_store, render_page, wants_partial
from inventory.exceptions import InsufficientStock

from .cart import CartSummary, cart_for
from .context_processors import remember_cart_count
from .exceptions import IdempotencyKeyReused, IllegalTransition, OrderPlacementBusy
from .forms import (
    AddToCartForm,
    CancelOrderForm,
    CartLineForm,
    CheckoutForm,
    OrderFilterForm,
    new_checkout_token,
)
from .models import FulfillmentType, Order
from .selectors import default_shipping_address, order_for_customer, orders_for_customer
from .services import order_cancel_by_customer, order_place, order_totals

ORDERS_PAGE_SIZE = 20
NO_STORE = (
    "The shop is not open yet: no store has been chosen to sell from. Please come back later."
)


def cannot_buy_message(user) -> str:
    return (
        f"{user.role_label} accounts can browse the shop but cannot place orders here; "
        "customers and retailers do."
    )


def _first_error(form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _estimate(summary: CartSummary) -> dict:
    """Tax and total as order_place will compute them."""
    subtotal = summary.subtotal
    rate, tax, total = order_totals(subtotal)
    return {
        "subtotal": subtotal,
        "tax": tax,
        "total": total,
        "rate": rate,
    }


# --- Cart ---------------------------------------------------------------------


def _cart_summary(request, store) -> CartSummary:
    summary = cart_for(request, store).summary() if store is not None else CartSummary([])
    remember_cart_count(request, summary.count)
    return summary


def _cart_context(request, store, summary, line_errors=None) -> dict:
    line_errors = dict(line_errors or {})
    for line in summary.lines:
        line.error = line_errors.pop(line.product.pk, "")
    return {
        "store": store,
        "summary": summary,
        "estimate": _estimate(summary),
        "can_buy": can_buy(request.user),
        "cannot_buy_message": cannot_buy_message(request.user)
        if request.user.is_authenticated
        else "",
        # Errors about products not (or no longer) in the cart.
        "other_errors": list(line_errors.values()),
    }


def cart_view(request):
    """The cart: lines with quantities, stock warnings, totals and the way to checkout."""
    store = portal_store(request)
    summary = _cart_summary(request, store)
    return render_page(
        request,
        "orders/cart.html",
        "orders/_cart_body.html",
        _cart_context(request, store, summary),
    )


@require_POST
def cart_add(request, product_id: int):
    """Add to the cart from a product card or page; htmx gets a small confirmation back."""
    product = get_object_or_404(Product, pk=product_id, is_active=True)
    store = portal_store(request)
    form = AddToCartForm(request.POST)
    error = ""
    if store is None:
        error = NO_STORE
    elif not can_buy(request.user):
        error = cannot_buy_message(request.user)
    elif not form.is_valid():
        error = _first_error(form)
    else:
        try:
            cart_for(request, store).add(product, form.cleaned_data["quantity"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    quantity = None if error else form.cleaned_data["quantity"]

    if wants_partial(request):
        summary = _cart_summary(request, store)
        line = next((line for line in summary.lines if line.product.pk == product.pk), None)
        return render(
            request,
            "orders/_added.html",
            {
                "product": product,
                "quantity": quantity,
                "line": line,
                "error": error,
                "cart_count": summary.count,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Added {quantity} \u00d7 {product.name} to your cart.")
    return redirect(_safe_next(request, reverse("portal:product", args=[product.slug])))


def _cart_change(request, product_id: int, quantity_from_form: bool):
    product = get_object_or_404(Product, pk=product_id)
    store = portal_store(request)
    line_errors = {}
    done = ""
    if store is None:
        messages.error(request, NO_STORE)
        return redirect("portal:cart")
    cart = cart_for(request, store)
    quantity = 0
    if quantity_from_form:
        form = CartLineForm(request.POST)
        if form.is_valid():
            quantity = form.cleaned_data["quantity"]
        else:
            line_errors[product.pk] = _first_error(form)
    if not line_errors:
        try:
            cart.set(product, quantity)
        except ValidationError as exc:
            line_errors[product.pk] = " ".join(exc.messages)
        else:
            done = (
                f"Removed {product.name} from your cart."
                if quantity == 0
                else f"{product.name}: quantity set to {quantity}."
            )
    if wants_partial(request):
        summary = _cart_summary(request, store)
        context = _cart_context(request, store, summary, line_errors)
        context.update(oob_count=True, status_message=done)
        return render(request, "orders/_cart_body.html", context)
    for message in line_errors.values():
        messages.error(request, f"{product.name}: {message}")
    if done:
        messages.success(request, done)
    return redirect("portal:cart")


@require_POST
def cart_update(request, product_id: int):
    """Set a line's quantity (0 removes it)."""
    return _cart_change(request, product_id, quantity_from_form=True)


@require_POST
def cart_remove(request, product_id: int):
    return _cart_change(request, product_id, quantity_from_form=False)


# --- Checkout -----------------------------------------------------------------


class CheckoutView(LoginRequiredMixin, View):
    """Review the cart, choose delivery or pickup, and place the order (login required)."""

    template_name = "orders/checkout.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.store = portal_store(request)
        if request.user.role not in BUYER_ROLES:
            return self.refuse(cannot_buy_message(request.user))
        if self.store is None:
            return self.refuse(NO_STORE, status=503)
        return super().dispatch(request, *args, **kwargs)

    def refuse(self, message: str, status: int = 403):
        return render(
            self.request, self.template_name, {"refusal": message, "store": None}, status=status
        )

    def cart(self):
        return cart_for(self.request, self.store)

    def get(self, request):
        summary = _cart_summary(request, self.store)
        if not summary:
            messages.info(request, "Your cart is empty: add something to it first.")
            return redirect("portal:cart")
        form = CheckoutForm(
            store=self.store,
            initial={
                "fulfillment_type": FulfillmentType.DELIVERY,
                "shipping_address": default_shipping_address(request.user),
                "token": new_checkout_token(),
            },
        )
        return self.render(form, summary)

    def post(self, request):
        cart = self.cart()
        summary = cart.summary()
        remember_cart_count(request, summary.count)
        form = CheckoutForm(request.POST, store=self.store)
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
                return redirect("portal:order_confirmation", number=order.number)
            messages.info(request, "Your cart is empty: add something to it first.")
            return redirect("portal:cart")
        # Form errors answer 200, like any re-shown form: a 4xx would be a
        # console error in the browser for what is an ordinary correction.
        if not form.is_valid():
            return self.render(form, summary)
        data = form.cleaned_data
        try:
            order = order_place(
                customer=request.user,
                items=[(line.product.pk, line.quantity) for line in summary.lines],
                distributor=self.store,
                fulfillment_type=data["fulfillment_type"],
                shipping_address=data["shipping_address"],
                idempotency_key=data["token"],
                from_cart=cart.cart,
            )
        except InsufficientStock as exc:
            form.add_error(
                None,
                f"Only {exc.available} of {exc.product.name} ({exc.product.sku}) "
                f"{'is' if exc.available == 1 else 'are'} available; you asked for "
                f"{exc.requested}. Lower the quantity in your cart and place the order again. "
                "Nothing was ordered.",
            )
            return self.render(form, cart.summary())
        except IdempotencyKeyReused as exc:
            form = self.fresh_form(form)
            form.add_error(
                None,
                f"This checkout form already placed order {exc.order.number}. Your cart has "
                "changed since: review it below and place a new order.",
            )
            return self.render(form, summary)
        except ValidationError as exc:
            self.add_service_errors(form, exc)
            return self.render(form, summary)
        except OrderPlacementBusy as exc:
            form.add_error(None, str(exc))
            return self.render(form, summary, status=503)
        except PermissionDenied as exc:
            return self.refuse(str(exc) or cannot_buy_message(request.user))
        if order.replayed:
            messages.info(request, f"Order {order.number} was already placed; here it is.")
        return redirect("portal:order_confirmation", number=order.number)

    def fresh_form(self, form):
        data = form.data.copy()
        data["token"] = new_checkout_token()
        fresh = CheckoutForm(data, store=self.store)
        fresh.is_valid()
        return fresh

    @staticmethod
    def add_service_errors(form, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc.messages)
            return
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)

    def render(self, form, summary, status: int = 200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "summary": summary,
                "estimate": _estimate(summary),
                "store": self.store,
            },
            status=status,
        )


# --- Orders -------------------------------------------------------------------


def _own_order(request, number: str) -> Order:
    try:
        return order_for_customer(customer=request.user, number=number)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None


class OrderConfirmationView(LoginRequiredMixin, View):
    def get(self, request, number: str):
        return render(request, "orders/confirmation.html", {"order": _own_order(request, number)})


class OrderListView(LoginRequiredMixin, View):
    """The user's own orders, newest first, filtered by status, 20 a page."""

    def get(self, request):
        form = OrderFilterForm(request.GET)
        status = form.cleaned_data["status"] if form.is_valid() else ""
        paginator = Paginator(
            orders_for_customer(customer=request.user, status=status), ORDERS_PAGE_SIZE
        )
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        query = clean_query(request)
        context = {
            "query": query,
            "form": form,
            "page": page,
            "page_range": list(
                paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "status": status,
        }
        return render_page(
            request, "orders/order_list.html", "orders/_order_list.html", context, query=query
        )


class OrderDetailView(LoginRequiredMixin, View):
    def get(self, request, number: str):
        order = _own_order(request, number)
        return render(
            request,
            "orders/order_detail.html",
            {"order": order, "cancel_form": CancelOrderForm()},
        )


class OrderCancelView(LoginRequiredMixin, View):
    """The buyer calls off an order still `placed`; the stock goes back through the ledger."""

    def post(self, request, number: str):
        order = _own_order(request, number)
        form = CancelOrderForm(request.POST)
        if not form.is_valid():
            messages.error(request, _first_error(form))
            return redirect("portal:order", number=order.number)
        try:
            order_cancel_by_customer(
                order=order, by=request.user, reason=form.cleaned_data["reason"]
            )
        except IllegalTransition as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Order {order.number} is cancelled. Nothing more will happen with it."
            )
        return redirect("portal:order", number=order.number)
