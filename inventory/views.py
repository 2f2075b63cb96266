"""The distributor's inventory page (under /distributor/inventory/).

On hand, allocated, held and available per product, low items highlighted, search and
pagination; each row's reorder level and quantity are edited in place and
saved through inventory.services.stock_item_set_reorder_overrides.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin
from auromart.api.fields import MAX_ID
from catalog.views import clean_query
from procurement.selectors import on_order_for_items

from .exceptions import InsufficientStock
from .forms import CountWarehouseForm, ReorderSettingsForm, StockFilterForm
from .models import StockItem, Warehouse, WarehouseStock
from .selectors import (
    stock_item_for_distributor,
    stock_items_for_distributor,
    warehouse_stock_for_items,
)
from .services import shelf_count_effects, stock_count, stock_item_set_reorder_overrides
from .warehouses import warehouse_default

STOCK_PAGE_SIZE = 25


class DistributorInventoryView(RoleRequiredMixin, View):
    roles = (Role.DISTRIBUTOR,)

    def get(self, request):
        return self.render_page(request)

    def render_page(self, request, failed: ReorderSettingsForm | None = None, status: int = 200):
        filters = StockFilterForm(request.GET)
        search, low = "", None
        if filters.is_valid():
            search = filters.cleaned_data["q"].strip()
            low = True if filters.cleaned_data["low"] else None
        items = stock_items_for_distributor(
            distributor=request.user.organization, search=search, low=low
        )
        paginator = Paginator(items, STOCK_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        query = clean_query(request)
        rows = []
        # What is on order (POs and inbound transfers), for the page in three queries, not per row.
        on_order = on_order_for_items(
            (item.product_id, item.distributor_id) for item in page.object_list
        )
        # Where each row's units are: one query for the page.
        by_warehouse = warehouse_stock_for_items(page.object_list)
        for item in page.object_list:
            item.by_warehouse = by_warehouse.get(item.pk, [])
            form = failed if failed is not None and failed.item.pk == item.pk else None
            item.on_order, item.open_request = on_order[(item.product_id, item.distributor_id)]
            rows.append((item, form or ReorderSettingsForm(item=item)))
        if failed is not None and failed.item.pk not in {item.pk for item, _ in rows}:
            rows.insert(0, (failed.item, failed))  # the row the user edited stays in view
        context = {
            "filters": filters,
            "page": page,
            "rows": rows,
            "page_range": list(
                paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            "query": query,
            "search": search,
            "low": low,
            "split_by_warehouse": Warehouse.objects.filter(
                distributor=request.user.organization
            ).count()
            > 1,
        }
        return render(request, "distributor/inventory.html", context, status=status)


class DistributorReorderUpdateView(DistributorInventoryView):
    """POST one row's reorder settings; the page's filters ride along in the query string."""

    def get(self, request, pk: int):
        return redirect(self.back(request))

    def post(self, request, pk: int):
        if pk > MAX_ID:
            raise Http404("No such stock item.")
        try:
            item = stock_item_for_distributor(distributor=request.user.organization, pk=pk)
        except StockItem.DoesNotExist:
            raise Http404("No such stock item.") from None
        form = ReorderSettingsForm(request.POST, item=item)
        if form.is_valid():
            try:
                stock_item_set_reorder_overrides(
                    stock_item=item,
                    reorder_level_override=form.cleaned_data["reorder_level_override"],
                    reorder_quantity_override=form.cleaned_data["reorder_quantity_override"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
        if not form.is_valid():
            for name in form.errors:
                if name in form.fields:
                    form.fields[name].widget.attrs["class"] += " is-invalid"
            return self.render_page(request, failed=form)
        messages.success(
            request,
            f"{item.product.name}: reorder at {item.reorder_level}, "
            f"reorder quantity {item.reorder_quantity}.",
        )
        return redirect(self.back(request))

    @staticmethod
    def back(request) -> str:
        query = clean_query(request)
        url = reverse("distributor:inventory")
        return f"{url}?{query.urlencode()}" if query else url


class DistributorCountView(RoleRequiredMixin, View):
    """A cycle count of one item: what is on the shelf, a preview, then the count.

    The preview names what changes: the difference booked as a `count`
    movement, and, when fewer units are counted than are set aside for orders,
    the orders whose newest allocations become backorders. Confirming calls
    inventory.services.stock_count (the spreadsheet import counts the same way).
    """

    roles = (Role.DISTRIBUTOR,)
    template_name = "distributor/count.html"

    def item(self, request, pk: int) -> StockItem:
        if pk > MAX_ID:
            raise Http404("No such stock item.")
        try:
            return stock_item_for_distributor(distributor=request.user.organization, pk=pk)
        except StockItem.DoesNotExist:
            raise Http404("No such stock item.") from None

    def form(self, item, data=None, **kwargs) -> CountWarehouseForm:
        warehouses = Warehouse.objects.filter(distributor_id=item.distributor_id, is_active=True)
        return CountWarehouseForm(data, warehouses=warehouses.order_by("priority", "pk"), **kwargs)

    def get(self, request, pk: int):
        item = self.item(request, pk)
        first = warehouse_default(item.distributor_id)
        row = WarehouseStock.objects.filter(stock_item=item, warehouse=first).first()
        initial = {"warehouse": first, "counted": row.on_hand if row else 0}
        return self.render(item, self.form(item, initial=initial))

    def post(self, request, pk: int):
        item = self.item(request, pk)
        form = self.form(item, request.POST)
        if not form.is_valid():
            return self.render(item, form, status=400)
        counted, note = form.cleaned_data["counted"], form.cleaned_data["note"]
        warehouse = form.cleaned_data["warehouse"] or warehouse_default(item.distributor_id)
        if not form.cleaned_data["confirm"]:
            return self.render(item, form, preview=self.preview(item, warehouse, counted))
        try:
            counted_item = stock_count(
                stock_item=item,
                counted=counted,
                note=note or "Cycle count",
                by=request.user,
                reference=f"count:{request.user.pk}",
                warehouse=warehouse,
            )
        except (ValidationError, InsufficientStock) as exc:
            form.add_error(None, getattr(exc, "messages", None) or str(exc))
            return self.render(item, form, status=400)
        messages.success(
            request,
            f"{item.product.name}: counted {counted} in {warehouse.name}; on hand "
            f"{counted_item.on_hand} in all, available {counted_item.available}.",
        )
        return redirect("distributor:inventory")

    @staticmethod
    def preview(item: StockItem, warehouse: Warehouse, counted: int) -> dict:
        # Imported here: orders depends on inventory, not the other way round.
        from orders.selectors import allocations_a_count_would_backorder

        row = WarehouseStock.objects.filter(stock_item=item, warehouse=warehouse).first()
        row = row or WarehouseStock(stock_item=item, warehouse=warehouse)
        short, held_after = shelf_count_effects(row.allocated, row.held, counted)
        return {
            "warehouse": warehouse,
            "row": row,
            "counted": counted,
            "difference": counted - row.on_hand,
            "held_after": held_after,
            "backordered": allocations_a_count_would_backorder(
                distributor_id=item.distributor_id,
                product_id=item.product_id,
                units=short,
                warehouse_id=warehouse.pk,
            ),
            "short": short,
        }

    def render(self, item, form, preview=None, status: int = 200):
        if preview is not None:
            form = self.form(item, initial={**form.cleaned_data, "confirm": True})
        return render(
            self.request,
            self.template_name,
            {"item": item, "form": form, "preview": preview},
            status=status,
        )
