"""The manufacturer's pages (/manufacturer/...): products, stock assignment, orders, sales.

Manufacturer accounts only (others 403, visitors to the login page). Every
page shows the caller's organization's products only; another manufacturer's
product answers 404. Views parse forms, call catalog.services /
inventory.services, and read through the selectors.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin
from inventory.selectors import stock_of_manufacturer
from inventory.services import stock_assign_by_manufacturer
from orders.selectors import manufacturer_sales, orders_with_products_of

from . import services
from .manufacturer_forms import (
    DateRangeForm,
    OrderFilterForm,
    ProductFilterForm,
    ProductForm,
    StockAssignForm,
)
from .models import Product
from .selectors import product_of_manufacturer, products_of_manufacturer
from .views import clean_query, render_page

PAGE_SIZE = 25


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> dict:
    """The page asked for (`?page=`), evaluated, with the elided page links."""
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return {
        "page": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
    }


def apply_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where it can."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ManufacturerPage(RoleRequiredMixin, View):
    roles = (Role.MANUFACTURER,)

    @property
    def manufacturer(self):
        return self.request.user.organization

    def own_product(self, pk: int) -> Product:
        try:
            return product_of_manufacturer(manufacturer=self.manufacturer, pk=pk)
        except Product.DoesNotExist:
            raise Http404("No such product.") from None


# --- Products -------------------------------------------------------------------


class ProductListView(ManufacturerPage):
    """The organization's products with search, an on-sale filter and pagination."""

    def get(self, request):
        form = ProductFilterForm(request.GET)
        products = products_of_manufacturer(
            manufacturer=self.manufacturer, search=form.search(), is_active=form.is_active()
        )
        query = clean_query(request)
        context = {"form": form, "query": query, **paginate(request, products)}
        return render_page(
            request,
            "manufacturer/product_list.html",
            "manufacturer/_product_list.html",
            context,
            query=query,
        )


class ProductFormView(ManufacturerPage):
    """Create (no pk) or edit a product: details and replenishment settings."""

    template_name = "manufacturer/product_form.html"

    def get_product(self, pk):
        return self.own_product(pk) if pk is not None else None

    def get(self, request, pk=None):
        product = self.get_product(pk)
        form = ProductForm(instance=product, manufacturer=self.manufacturer)
        return self.render(form, product)

    def post(self, request, pk=None):
        product = self.get_product(pk)
        form = ProductForm(request.POST, instance=product, manufacturer=self.manufacturer)
        if not form.is_valid():
            return self.render(form, product)
        try:
            if product is None:
                product = services.product_create(
                    manufacturer=self.manufacturer, **form.service_data()
                )
                messages.success(request, f"{product.name} was added to the catalog.")
            else:
                # A fresh copy: the form has already written its values onto `product`.
                product = services.product_update(
                    product=self.own_product(pk), data=form.service_data()
                )
                messages.success(request, f"{product.name} was saved.")
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.render(form, product if pk is not None else None)
        return redirect("manufacturer:products")

    def render(self, form, product):
        return render(self.request, self.template_name, {"form": form, "product": product})


class ProductActiveView(ManufacturerPage):
    """Deactivate (take off sale; orders and stock keep it) or reactivate a product."""

    def post(self, request, pk: int):
        product = self.own_product(pk)
        is_active = request.POST.get("is_active") == "1"
        services.product_set_active(product=product, is_active=is_active)
        if is_active:
            messages.success(request, f"{product.name} is on sale again.")
        else:
            messages.success(
                request,
                f"{product.name} was deactivated: it is off sale; past orders and stock keep it.",
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "manufacturer:products"
        return redirect(target)


# --- Stock ---------------------------------------------------------------------


class StockView(ManufacturerPage):
    """Assign stock to a distributor, and every distributor's stock of the products."""

    def get(self, request):
        return self.render(StockAssignForm(manufacturer=self.manufacturer, initial=self.initial()))

    def initial(self) -> dict:
        product = self.request.GET.get("product")
        return {"product": product} if product and product.isdigit() else {}

    def post(self, request):
        form = StockAssignForm(request.POST, manufacturer=self.manufacturer)
        if not form.is_valid():
            return self.render(form, status=400)
        data = form.cleaned_data
        try:
            item = stock_assign_by_manufacturer(
                product=data["product"],
                distributor=data["distributor"],
                quantity=data["quantity"],
                by=request.user,
                note=data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.render(form, status=400)
        messages.success(
            request,
            f"Assigned {data['quantity']} \u00d7 {item.product.name} to {item.distributor.name}: "
            f"it now holds {item.on_hand}.",
        )
        return redirect("manufacturer:stock")

    def render(self, form, status: int = 200):
        stock = stock_of_manufacturer(manufacturer=self.manufacturer)
        context = {
            "form": form,
            "query": clean_query(self.request),
            **paginate(self.request, stock),
        }
        return render(self.request, "manufacturer/stock.html", context, status=status)


# --- Orders and sales ------------------------------------------------------------


class OrderListView(ManufacturerPage):
    """Downstream orders holding the organization's products (read only)."""

    def get(self, request):
        form = OrderFilterForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        orders = orders_with_products_of(
            manufacturer=self.manufacturer,
            status=data.get("status", ""),
            placed_from=data.get("date_from"),
            placed_to=data.get("date_to"),
        )
        query = clean_query(request)
        context = {
            "form": form,
            "query": query,
            "filtered": any(data.values()),
            **paginate(request, orders, 20),
        }
        return render_page(
            request,
            "manufacturer/order_list.html",
            "manufacturer/_order_list.html",
            context,
            query=query,
        )


class SalesView(ManufacturerPage):
    """Units and revenue per product and per distributor over a date range (default: this month)."""

    def get(self, request):
        form = DateRangeForm(request.GET)
        data = form.cleaned_data if form.is_valid() else {}
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or date_to.replace(day=1)
        summary = manufacturer_sales(
            manufacturer=self.manufacturer, date_from=date_from, date_to=date_to
        )
        if not (request.GET.get("date_from") or request.GET.get("date_to")):
            # Show the range the figures are for.
            form = DateRangeForm(initial={"date_from": date_from, "date_to": date_to})
        return render(request, "manufacturer/sales.html", {"form": form, "summary": summary})
