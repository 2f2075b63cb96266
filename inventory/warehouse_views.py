"""The distributor's warehouses page (/distributor/warehouses/): list, add, change.

Thin: WarehouseForm parses, inventory.warehouses writes (and refuses a name or
code used twice, a GSTIN of another state, the last active warehouse
switched off).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin
from auromart.api.fields import MAX_ID

from .forms import WarehouseForm
from .models import Warehouse
from .selectors import warehouses_of_distributor
from .warehouses import WAREHOUSE_FIELDS, warehouse_create, warehouse_update


def _saved(form: WarehouseForm, save) -> Warehouse | None:
    """Call the service with the form's fields; its ValidationError becomes form errors."""
    try:
        return save(**{name: form.cleaned_data[name] for name in WAREHOUSE_FIELDS})
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


class WarehouseListView(RoleRequiredMixin, View):
    """The distributor's warehouses with their stock totals, and a form for a new one."""

    roles = (Role.DISTRIBUTOR,)

    def get(self, request):
        return self.render_page(WarehouseForm(distributor=request.user.organization))

    def post(self, request):
        distributor = request.user.organization
        form = WarehouseForm(request.POST, distributor=distributor)
        if form.is_valid():
            saved = _saved(
                form, lambda **fields: warehouse_create(distributor=distributor, **fields)
            )
            if saved is not None:
                messages.success(request, f"Warehouse “{saved.name}” added.")
                return redirect("distributor:warehouses")
        return self.render_page(form, status=400)

    def render_page(self, form, status=200):
        return render(
            self.request,
            "distributor/warehouses.html",
            {
                "warehouses": warehouses_of_distributor(distributor=self.request.user.organization),
                "form": form,
            },
            status=status,
        )


class WarehouseEditView(RoleRequiredMixin, View):
    """Change one of the distributor's warehouses; another organization's is 404."""

    roles = (Role.DISTRIBUTOR,)

    def warehouse(self, request, pk: int) -> Warehouse:
        if pk > MAX_ID:
            raise Http404("No such warehouse.")
        try:
            return Warehouse.objects.get(pk=pk, distributor=request.user.organization)
        except Warehouse.DoesNotExist:
            raise Http404("No such warehouse.") from None

    def get(self, request, pk: int):
        warehouse = self.warehouse(request, pk)
        form = WarehouseForm(instance=warehouse, distributor=warehouse.distributor)
        return self.render_page(warehouse, form)

    def post(self, request, pk: int):
        warehouse = self.warehouse(request, pk)
        form = WarehouseForm(
            request.POST,
            instance=Warehouse.objects.get(pk=warehouse.pk),
            distributor=warehouse.distributor,
        )
        if form.is_valid():
            saved = _saved(form, lambda **fields: warehouse_update(warehouse=warehouse, **fields))
            if saved is not None:
                messages.success(request, f"Warehouse “{saved.name}” saved.")
                return redirect("distributor:warehouses")
        return self.render_page(warehouse, form, status=400)

    def render_page(self, warehouse, form, status=200):
        return render(
            self.request,
            "distributor/warehouse_edit.html",
            {"warehouse": warehouse, "form": form},
            status=status,
        )
