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

from .forms import ReorderSettingsForm, StockFilterForm
from .models import StockItem
from .selectors import stock_item_for_distributor, stock_items_for_distributor
from .services import stock_item_set_reorder_overrides

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
        for item in page.object_list:
            form = failed if failed is not None and failed.item.pk == item.pk else None
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
