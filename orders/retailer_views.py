"""The retailer's ordering pages under /retailer/: choose a distributor, browse its
catalog with its stock, a cart per distributor, checkout, and the organization's orders.

Retailer accounts only (403 for every other role, superusers included: a
retailer page needs a retailer organization). A member orders as the
organization (order_place records buyer_organization); every member sees and
may cancel (while placed) the organization's orders; another organization's
order is 404. The cart is the member's own, one per distributor
(orders.cart.DatabaseCart). Views parse input, call orders.cart and
orders.services, and turn domain errors into messages and form errors, like
the customer portal's (orders.views), whose forms and partials they reuse.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.models import Organization, Role
from accounts.permissions import RoleRequiredMixin
from catalog.forms import CatalogFilterForm
from catalog.models import Product
from catalog.selectors import distributor_catalog
from catalog.views import clean_query, render_page, wants_partial
from inventory.exceptions import InsufficientStock

from .cart import CartSummary, DatabaseCart
from .exceptions import IdempotencyKeyReused, IllegalTransition, OrderPlacementBusy
from .forms import (
    AddToCartForm,
    CancelOrderForm,
    CartLineForm,
    CheckoutForm,
    new_checkout_token,
)
from .models import FulfillmentType, Order
from .retailer_forms import RetailerOrderFilterForm
from .selectors import (
    default_shipping_address,
    distributors_to_order_from,
    order_for_retailer_organization,
    orders_for_retailer_organization,
)
from .services import order_cancel_by_retailer, order_place, order_totals

CATALOG_PAGE_SIZE = 25
DISTRIBUTORS_PAGE_SIZE = 24
ORDERS_PAGE_SIZE = 20


class RetailerPageMixin(RoleRequiredMixin):
    """Retailer members only: unlike RoleRequiredMixin, a superuser is no exception."""

    roles = (Role.RETAILER,)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(Role.RETAILER):
            raise PermissionDenied("Only retailer accounts order from distributors here.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def organization(self) -> Organization:
        return self.request.user.organization


class DistributorPageMixin(RetailerPageMixin):
    """A page about one distributor (`distributor_id` in the URL); anything else is 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_role(Role.RETAILER):
            self.distributor = get_object_or_404(
                Organization, pk=kwargs["distributor_id"], kind=Organization.Kind.DISTRIBUTOR
            )
            self.cart = DatabaseCart(request.user, self.distributor)
        return super().dispatch(request, *args, **kwargs)


def _first_error(form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


def _estimate(summary: CartSummary) -> dict:
    """Tax and total as order_place will compute them."""
    rate, tax, total = order_totals(summary.subtotal)
    return {"subtotal": summary.subtotal, "tax": tax, "total": total, "rate": rate}


def _page(queryset, request, size):
    paginator = Paginator(queryset, size)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page, page_range


# --- Choosing a distributor ------------------------------------------------------


class DistributorListView(RetailerPageMixin, View):
    """Every distributor to order from, with what it has in stock and the caller's cart there."""

    def get(self, request):
        page, page_range = _page(
            distributors_to_order_from(user=request.user), request, DISTRIBUTORS_PAGE_SIZE
        )
        return render(
            request,
            "retailer/distributors.html",
            {"page": page, "page_range": page_range, "query": clean_query(request)},
        )


# --- A distributor's catalog -------------------------------------------------------


class CatalogView(DistributorPageMixin, View):
    """The distributor's catalog with its stock: search, category and price filters, sorting."""

    def get(self, request, distributor_id: int):
        form = CatalogFilterForm(request.GET)
        form.is_valid()  # errors are shown; the valid fields still filter
        page, page_range = _page(
            distributor_catalog(distributor=self.distributor, **form.search_arguments()),
            request,
            CATALOG_PAGE_SIZE,
        )
        query = clean_query(request)
        context = {
            "distributor": self.distributor,
            "form": form,
            "page": page,
            "page_range": page_range,
            "query": query,
            "cart_count": self.cart.count(),
            "filtered": any(
                value not in (None, "", False)
                for value in getattr(form, "cleaned_data", {}).values()
            ),
        }
        return render_page(
            request, "retailer/catalog.html", "retailer/_catalog.html", context, query=query
        )


# --- The cart at one distributor -------------------------------------------------


class CartAddView(DistributorPageMixin, View):
    """Add a product to the cart at this distributor; htmx gets a one-line answer back."""

    def post(self, request, distributor_id: int, product_id: int):
        product = get_object_or_404(Product, pk=product_id, is_active=True)
        form = AddToCartForm(request.POST)
        error = ""
        if not form.is_valid():
            error = _first_error(form)
        else:
            try:
                self.cart.add(product, form.cleaned_data["quantity"])
            except ValidationError as exc:
                error = " ".join(exc.messages)
        quantity = None if error else form.cleaned_data["quantity"]
        if wants_partial(request):
            summary = self.cart.summary()
            line = next((line for line in summary.lines if line.product.pk == product.pk), None)
            return render(
                request,
                "retailer/_added.html",
                {
                    "distributor": self.distributor,
                    "product": product,
                    "quantity": quantity,
                    "line": line,
                    "error": error,
                    "cart_count": summary.count,
                },
            )
        if error:
            messages.error(request, f"{product.name}: {error}")
        else:
            messages.success(request, f"Added {quantity} \u00d7 {product.name} to your cart.")
        fallback = reverse("retailer:catalog", args=[self.distributor.pk])
        return redirect(_safe_next(request, fallback))


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class CartView(DistributorPageMixin, View):
    """The caller's cart at this distributor: lines, stock warnings, totals, checkout."""

    def get(self, request, distributor_id: int):
        return self.render(self.cart.summary())

    def render(self, summary, line_errors=None, status_message="", oob_count=False):
        line_errors = dict(line_errors or {})
        for line in summary.lines:
            line.error = line_errors.pop(line.product.pk, "")
        context = {
            "distributor": self.distributor,
            "summary": summary,
            "estimate": _estimate(summary),
            "cart_count": summary.count,
            "other_errors": list(line_errors.values()),
            "status_message": status_message,
            "oob_count": oob_count,
        }
        return render_page(self.request, "retailer/cart.html", "retailer/_cart_body.html", context)


class CartChangeView(CartView):
    """Set a line's quantity (0 removes it), or remove it (`remove=True`)."""

    remove = False

    def get(self, request, *args, **kwargs):
        return redirect("retailer:cart", distributor_id=self.distributor.pk)

    def post(self, request, distributor_id: int, product_id: int):
        product = get_object_or_404(Product, pk=product_id)
        line_errors, done, quantity = {}, "", 0
        if not self.remove:
            form = CartLineForm(request.POST)
            if form.is_valid():
                quantity = form.cleaned_data["quantity"]
            else:
                line_errors[product.pk] = _first_error(form)
        if not line_errors:
            try:
                self.cart.set(product, quantity)
            except ValidationError as exc:
                line_errors[product.pk] = " ".join(exc.messages)
            else:
                done = (
                    f"Removed {product.name} from your cart."
                    if quantity == 0
                    else f"{product.name}: quantity set to {quantity}."
                )
        if wants_partial(request):
            return self.render(
                self.cart.summary(), line_errors, status_message=done, oob_count=True
            )
        for message in line_errors.values():
            messages.error(request, f"{product.name}: {message}")
        if done:
            messages.success(request, done)
        return redirect("retailer:cart", distributor_id=self.distributor.pk)


# --- Checkout ----------------------------------------------------------------------


class CheckoutView(DistributorPageMixin, View):
    """Review the cart at this distributor, choose delivery or pickup, place the order."""

    template_name = "retailer/checkout.html"

    def get(self, request, distributor_id: int):
        summary = self.cart.summary()
        if not summary:
            messages.info(request, "Your cart is empty: add something to it first.")
            return redirect("retailer:catalog", distributor_id=self.distributor.pk)
        form = CheckoutForm(
            store=self.distributor,
            initial={
                "fulfillment_type": FulfillmentType.DELIVERY,
                "shipping_address": default_shipping_address(request.user),
                "token": new_checkout_token(),
            },
        )
        return self.render(form, summary)

    def post(self, request, distributor_id: int):
        summary = self.cart.summary()
        form = CheckoutForm(request.POST, store=self.distributor)
        if not summary:
            # A second submit of a form whose order went through emptied the
            # cart: show that order again.
            token = request.POST.get("token", "")
            order = (
                Order.objects.filter(customer=request.user, idempotency_key=token).first()
                if token
                else None
            )
            if order is not None:
                return redirect("retailer:order", number=order.number)
            messages.info(request, "Your cart is empty: add something to it first.")
            return redirect("retailer:catalog", distributor_id=self.distributor.pk)
        if not form.is_valid():
            return self.render(form, summary)
        data = form.cleaned_data
        try:
            order = order_place(
                customer=request.user,
                items=[(line.product.pk, line.quantity) for line in summary.lines],
                distributor=self.distributor,
                fulfillment_type=data["fulfillment_type"],
                shipping_address=data["shipping_address"],
                idempotency_key=data["token"],
                from_cart=self.cart.cart,
            )
        except InsufficientStock as exc:
            form.add_error(
                None,
                f"{self.distributor.name} has only {exc.available} of {exc.product.name} "
                f"({exc.product.sku}) available; you asked for {exc.requested}. Lower the "
                "quantity in your cart and place the order again. Nothing was ordered.",
            )
            return self.render(form, self.cart.summary())
        except IdempotencyKeyReused as exc:
            data = form.data.copy()
            data["token"] = new_checkout_token()
            form = CheckoutForm(data, store=self.distributor)
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
        if order.replayed:
            messages.info(request, f"Order {order.number} was already placed; here it is.")
        else:
            messages.success(
                request,
                f"Order {order.number} is placed with {self.distributor.name} for "
                f"{self.organization.name}. You will be notified as it moves along.",
            )
        return redirect("retailer:order", number=order.number)

    def render(self, form, summary, status: int = 200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "summary": summary,
                "estimate": _estimate(summary),
                "distributor": self.distributor,
                "cart_count": summary.count,
            },
            status=status,
        )


# --- The organization's orders -----------------------------------------------------


class OrderListView(RetailerPageMixin, View):
    """Every order of the caller's organization, newest first, filtered, 20 a page."""

    def get(self, request):
        form = RetailerOrderFilterForm(request.GET)
        cleaned = form.cleaned_data if form.is_valid() else {}
        orders = orders_for_retailer_organization(
            organization=self.organization, status=cleaned.get("status", "")
        )
        if cleaned.get("distributor") is not None:
            orders = orders.filter(distributor=cleaned["distributor"])
        page, page_range = _page(orders, request, ORDERS_PAGE_SIZE)
        query = clean_query(request)
        context = {
            "form": form,
            "page": page,
            "page_range": page_range,
            "query": query,
            "filtered": bool(cleaned.get("status") or cleaned.get("distributor")),
        }
        return render_page(
            request, "retailer/order_list.html", "retailer/_order_list.html", context, query=query
        )


def _org_order(request, number: str) -> Order:
    try:
        return order_for_retailer_organization(
            organization=request.user.organization, number=number
        )
    except Order.DoesNotExist:
        raise Http404("No such order.") from None


class OrderDetailView(RetailerPageMixin, View):
    """One order: lines, delivery, tracking reference, status history; cancel while placed."""

    def get(self, request, number: str):
        return render(
            request,
            "retailer/order_detail.html",
            {"order": _org_order(request, number), "cancel_form": CancelOrderForm()},
        )


class OrderCancelView(RetailerPageMixin, View):
    """A member calls off the organization's order while it is placed; stock goes back."""

    def post(self, request, number: str):
        order = _org_order(request, number)
        form = CancelOrderForm(request.POST)
        if not form.is_valid():
            messages.error(request, _first_error(form))
            return redirect("retailer:order", number=order.number)
        try:
            order_cancel_by_retailer(
                order=order, by=request.user, reason=form.cleaned_data["reason"]
            )
        except (IllegalTransition, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Order {order.number} is cancelled; its stock went back.")
        return redirect("retailer:order", number=order.number)
