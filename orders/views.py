"""The buying flow's pages: catalog, product, cart, orders, order detail (checkout: checkout_views).

One set of views serves both buyers (orders.buyer): the customer portal
(/customer-portal/, a person buying from the store) and the retailer pages
(/retailer/distributors/<id>/..., an organization buying from its chosen
distributor). The URL modules pass `channel`; everything that differs comes
from the Buyer.

Each page works as a plain form post; with htmx the cart changes in place
(partials plus an out-of-band swap of the cart badge). The views parse input,
call orders.cart / orders.services, and turn domain errors into messages and
form errors. Checkout is orders.checkout_views.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from catalog.forms import CatalogFilterForm
from catalog.models import Product
from catalog.pagination import CappedPaginator
from catalog.selectors import products_with_stock, stock_label
from catalog.views import clean_query, render_page, wants_partial
from loyalty.services import Redemption

from .backorders import order_backorder_cancel
from .buyer import NO_STORE, PORTAL, RETAILER, buyer_for
from .cart import CartSummary
from .context_processors import remember_cart_count
from .exceptions import IllegalTransition
from .forms import (
    AddToCartForm,
    CancelOrderForm,
    CartLineForm,
    OrderFilterForm,
)
from .models import OPEN_STATUSES, OrderStatus
from .retailer_forms import RetailerOrderFilterForm
from .selectors import recommended_products

CATALOG_PAGE_SIZE = 24
ORDERS_PAGE_SIZE = 20
STOCK_POLL_SECONDS = 20
STOCK_POLL_MAX_IDS = 100


def _first_error(form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def cart_estimate(summary: CartSummary, points: Redemption | None = None) -> dict:
    """Taxable subtotal, GST and total as order_place computes them (orders.tax); the
    place of supply is the buyer's state until checkout names the delivery address.
    With `points`, their discount comes off before GST, as it will on the order."""
    totals = summary.totals_after(points.discount) if points else summary.totals
    return {
        "points": points,
        "before_points": summary.totals.subtotal,
        "subtotal": totals.subtotal,
        "tax": totals.tax,
        "cgst": totals.cgst,
        "sgst": totals.sgst,
        "igst": totals.igst,
        "total": totals.total,
        "supply": summary.supply,
    }


def _page(queryset, request, size, paginator_class=Paginator):
    paginator = paginator_class(queryset, size)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page, page_range


class BuyerView(View):
    """A page of the buying flow; `channel` (PORTAL or RETAILER) comes from the URL module.

    Retailer pages need a signed-in retailer; the portal's need a sign-in only
    where `login_required` says so (visitors browse and fill a cart).
    """

    channel = PORTAL
    login_required = False

    def dispatch(self, request, *args, **kwargs):
        if (self.login_required or self.channel == RETAILER) and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.buyer = buyer_for(request, self.channel, kwargs.pop("distributor_id", None))
        return super().dispatch(request, *args, **kwargs)

    def context(self, **extra) -> dict:
        return {
            "buyer": self.buyer,
            "store": self.buyer.distributor,
            "distributor": self.buyer.distributor,
            "can_buy": self.buyer.can_buy,
            "cannot_buy_message": self.buyer.cannot_buy_message,
            **extra,
        }

    def cart_summary(self) -> CartSummary:
        has_cart = self.buyer.distributor is not None
        summary = self.buyer.cart().summary() if has_cart else CartSummary([])
        remember_cart_count(self.request, summary.count)
        return summary

    def cart_count(self) -> int:
        return self.buyer.cart().count() if self.buyer.distributor is not None else 0


# --- The catalog and a product ------------------------------------------------------


class CatalogView(BuyerView):
    """The product grid with search, filters, sorting and pagination (a GET form)."""

    def get(self, request):
        form = CatalogFilterForm(request.GET)
        form.is_valid()  # errors are shown; the valid fields still filter
        # With no store flagged the portal still lists the catalog, each product
        # "not sold online yet" instead of its stock (a fresh install shows what exists).
        products = self.buyer.catalog(**form.search_arguments()).prefetch_related("images")
        # The count stops at catalog.pagination.COUNT_CAP ("1,000+ products").
        page, page_range = _page(products, request, CATALOG_PAGE_SIZE, CappedPaginator)
        page.object_list = self.buyer.priced(page.object_list)
        query = clean_query(request)
        context = self.context(
            query=query,
            form=form,
            page=page,
            page_range=page_range,
            cart_count=self.cart_count(),
            filtered=any(
                value not in (None, "", False)
                for value in getattr(form, "cleaned_data", {}).values()
            ),
            stock_poll_seconds=STOCK_POLL_SECONDS,
        )
        return render_page(
            request, "catalog/catalog.html", "catalog/_catalog.html", context, query=query
        )


class ProductView(BuyerView):
    """One product: description, price, stock at the buyer's distributor, add to cart."""

    def get(self, request, slug: str):
        product = get_object_or_404(
            products_with_stock(distributor=self.buyer.distributor)
            .select_related("category__parent", "manufacturer")
            .prefetch_related("images", "attributes"),
            slug=slug,
        )
        self.buyer.priced([product])
        return render(
            request,
            "catalog/product_detail.html",
            self.context(
                product=product,
                cart_count=self.cart_count(),
                stock_poll_seconds=STOCK_POLL_SECONDS,
                recommendations=self.buyer.priced(
                    recommended_products(
                        distributor=self.buyer.distributor,
                        product_ids=[product.pk],
                        category_ids=[product.category_id],
                    )
                ),
            ),
        )


def _parse_ids(raw: str) -> list[int]:
    ids = []
    for part in raw.split(",")[:STOCK_POLL_MAX_IDS]:
        part = part.strip()
        if part.isdigit() and len(part) < 19:
            ids.append(int(part))
    return list(dict.fromkeys(ids))


class StockView(BuyerView):
    """Fresh stock badges for `?ids=1,2,3`, as htmx out-of-band swaps (one query).

    The catalog grid and the product page poll it; a product withdrawn from
    sale since the page was drawn answers "Unavailable".
    """

    @classmethod
    def as_view(cls, **initkwargs):
        return never_cache(require_GET(super().as_view(**initkwargs)))

    def get(self, request):
        ids = _parse_ids(request.GET.get("ids", ""))
        stock = {}
        if ids:
            stock = dict(
                products_with_stock(distributor=self.buyer.distributor)
                .filter(pk__in=ids)
                .order_by()
                .values_list("pk", "stock_quantity")
            )
        badges = []
        for pk in ids:
            label, tone = stock_label(stock[pk]) if pk in stock else ("Unavailable", "secondary")
            badges.append({"pk": pk, "label": label, "tone": tone})
        return render(request, "catalog/_stock_oob.html", {"badges": badges})


# --- The cart -------------------------------------------------------------------------


class CartView(BuyerView):
    """The cart: lines with quantities, stock warnings, totals and the way to checkout."""

    def get(self, request):
        return self.render(self.cart_summary())

    def render(self, summary, line_errors=None, status_message="", oob_count=False):
        line_errors = dict(line_errors or {})
        for line in summary.lines:
            line.error = line_errors.pop(line.product.pk, "")
        recommendations = []
        if summary:
            recommendations = self.buyer.priced(
                recommended_products(
                    distributor=self.buyer.distributor,
                    product_ids=[line.product.pk for line in summary.lines],
                    category_ids=list({line.product.category_id for line in summary.lines}),
                )
            )
        context = self.context(
            summary=summary,
            estimate=cart_estimate(summary),
            cart_count=summary.count,
            recommendations=recommendations,
            # Errors about products not (or no longer) in the cart.
            other_errors=list(line_errors.values()),
            status_message=status_message,
            oob_count=oob_count,
        )
        return render_page(self.request, "orders/cart.html", "orders/_cart_body.html", context)


class CartAddView(BuyerView):
    """Add to the cart from a product card or page; htmx gets a toast and the mini-cart."""

    def post(self, request, product_id: int):
        product = get_object_or_404(Product, pk=product_id, is_active=True)
        form = AddToCartForm(request.POST)
        error = ""
        if self.buyer.distributor is None:
            error = NO_STORE
        elif not self.buyer.can_buy:
            error = self.buyer.cannot_buy_message
        elif not form.is_valid():
            error = _first_error(form)
        else:
            try:
                self.buyer.cart().add(product, form.cleaned_data["quantity"])
            except ValidationError as exc:
                error = " ".join(exc.messages)
        quantity = None if error else form.cleaned_data["quantity"]
        if wants_partial(request):
            summary = self.cart_summary()
            line = next((line for line in summary.lines if line.product.pk == product.pk), None)
            return render(
                request,
                "orders/_added.html",
                self.context(
                    product=product,
                    quantity=quantity,
                    line=line,
                    error=error,
                    summary=summary,
                    cart_count=summary.count,
                ),
            )
        if error:
            messages.error(request, f"{product.name}: {error}")
        else:
            messages.success(request, f"Added {quantity} \u00d7 {product.name} to your cart.")
        return redirect(_safe_next(request, self.buyer.url("product", product.slug)))


class CartChangeView(CartView):
    """Set a line's quantity (0 removes it), or remove it (`remove=True`)."""

    remove = False

    def get(self, request, *args, **kwargs):
        return redirect(self.buyer.url("cart"))

    def post(self, request, product_id: int):
        product = get_object_or_404(Product, pk=product_id)
        if self.buyer.distributor is None:
            messages.error(request, NO_STORE)
            return redirect(self.buyer.url("cart"))
        cart = self.buyer.cart()
        line_errors, done, quantity = {}, "", 0
        if not self.remove:
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
            return self.render(
                self.cart_summary(), line_errors, status_message=done, oob_count=True
            )
        for message in line_errors.values():
            messages.error(request, f"{product.name}: {message}")
        if done:
            messages.success(request, done)
        return redirect(self.buyer.url("cart"))


# --- Orders ---------------------------------------------------------------------------


class OrderListView(BuyerView):
    """The buyer's orders, newest first, filtered by status (and distributor), 20 a page."""

    login_required = True

    def get(self, request):
        form_class = RetailerOrderFilterForm if self.buyer.is_organization else OrderFilterForm
        form = form_class(request.GET)
        cleaned = form.cleaned_data if form.is_valid() else {}
        orders = self.buyer.orders(status=cleaned.get("status", ""))
        if cleaned.get("distributor") is not None:
            orders = orders.filter(distributor=cleaned["distributor"])
        page, page_range = _page(orders, request, ORDERS_PAGE_SIZE)
        query = clean_query(request)
        context = self.context(
            query=query,
            form=form,
            page=page,
            page_range=page_range,
            status=cleaned.get("status", ""),
            filtered=bool(cleaned.get("status") or cleaned.get("distributor")),
        )
        return render_page(
            request, "orders/order_list.html", "orders/_order_list.html", context, query=query
        )


class OrderDetailView(BuyerView):
    """One order: lines, delivery, tracking, status history; cancel while placed."""

    login_required = True
    template_name = "orders/order_detail.html"

    def get(self, request, number: str):
        order = self.buyer.order(number)
        return render(
            request,
            self.template_name,
            self.context(order=order, cancel_form=CancelOrderForm(), open_statuses=OPEN_STATUSES),
        )


class OrderConfirmationView(OrderDetailView):
    template_name = "orders/confirmation.html"


class OrderBackorderCancelView(BuyerView):
    """The buyer calls off the backordered rest of an order; what is allocated or shipped stays."""

    login_required = True

    def post(self, request, number: str):
        order = self.buyer.order(number)
        try:
            order = order_backorder_cancel(order=order, by=request.user)
        except (IllegalTransition, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            rest = (
                ": nothing else was left, so the order is cancelled."
                if order.status == OrderStatus.CANCELLED
                else "; what is set aside or shipped stays."
            )
            messages.success(
                request, f"The backordered rest of order {order.number} is cancelled{rest}"
            )
        return redirect(self.buyer.url("order", order.number))


class OrderCancelView(BuyerView):
    """The buyer calls off an order still `placed`; the stock goes back through the ledger."""

    login_required = True

    def post(self, request, number: str):
        order = self.buyer.order(number)
        form = CancelOrderForm(request.POST)
        if not form.is_valid():
            messages.error(request, _first_error(form))
        else:
            try:
                self.buyer.cancel(order, form.cleaned_data["reason"])
            except (IllegalTransition, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, f"Order {order.number} is cancelled; its items went back to stock."
                )
        return redirect(self.buyer.url("order", order.number))
