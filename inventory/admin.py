from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from auromart.admin_helpers import ReadOnlyTabularInline
from auromart.spreadsheets import SpreadsheetImportExportMixin

from .models import StockItem, StockMovement, Warehouse, WarehouseStock
from .resources import StockLevelResource, StockReorderResource
from .services import stock_item_set_reorder_overrides
from .warehouses import WAREHOUSE_FIELDS, warehouse_create, warehouse_update


class StockLevelFilter(admin.SimpleListFilter):
    title = "stock level"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("low", "At or below reorder level"), ("out", "None available")]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.at_or_below_reorder_level()
        if self.value() == "out":
            return queryset.with_levels().filter(available_qty__lte=0)
        return queryset


RECENT_MOVEMENTS = 50


class RecentMovementsFormSet(BaseInlineFormSet):
    # A busy item gathers thousands of movements; the page shows the latest and
    # links to the full, paginated list.
    def get_queryset(self):
        if not hasattr(self, "_recent"):
            self._recent = super().get_queryset()[:RECENT_MOVEMENTS]
        return self._recent


class StockMovementInline(ReadOnlyTabularInline):
    model = StockMovement
    formset = RecentMovementsFormSet
    verbose_name_plural = f"latest {RECENT_MOVEMENTS} stock movements"
    fields = ["created_at", "kind", "quantity", "balance_after", "reference", "note", "created_by"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


class WarehouseStockInline(ReadOnlyTabularInline):
    model = WarehouseStock
    fields = ["warehouse", "on_hand", "allocated", "held", "available"]
    readonly_fields = fields
    verbose_name_plural = "by warehouse"

    @admin.display(description="available")
    def available(self, obj):
        return obj.available

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warehouse")


@admin.register(StockItem)
class StockItemAdmin(SpreadsheetImportExportMixin, admin.ModelAdmin):
    # Imports go through inventory.services too: a count becomes a ledger
    # movement (inventory/resources.py).
    resource_classes = [StockLevelResource, StockReorderResource]
    list_display = [
        "product",
        "distributor",
        "on_hand",
        "allocated",
        "held",
        "available",
        "reorder_level",
        "is_low",
    ]
    list_select_related = ["product", "distributor"]
    list_filter = [StockLevelFilter, ("distributor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["product__sku", "product__name"]
    ordering = ["product__name", "distributor__name", "pk"]
    list_per_page = 50
    # Stock moves only through inventory.services (assignment, orders, receipts,
    # adjustments), so that the ledger stays complete; here only the
    # distributor's own reorder settings are edited.
    fields = [
        "product",
        "distributor",
        "on_hand",
        "allocated",
        "held",
        "available",
        "reorder_level_override",
        "reorder_quantity_override",
        "updated_at",
        "movement_history",
    ]
    readonly_fields = [
        "product",
        "distributor",
        "on_hand",
        "allocated",
        "held",
        "available",
        "updated_at",
        "movement_history",
    ]
    inlines = [WarehouseStockInline, StockMovementInline]

    @admin.display(description="available")
    def available(self, obj):
        return obj.available

    @admin.display(description="movements")
    def movement_history(self, obj):
        url = reverse("admin:inventory_stockmovement_changelist")
        return format_html('<a href="{}?stock_item__id__exact={}">All movements</a>', url, obj.pk)

    @admin.display(description="reorder level")
    def reorder_level(self, obj):
        return obj.reorder_level

    @admin.display(description="low", boolean=True)
    def is_low(self, obj):
        return obj.is_low

    def has_add_permission(self, request):
        return False  # stock items appear when stock is first assigned

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger keeps its stock item

    def save_model(self, request, obj, form, change):
        stock_item_set_reorder_overrides(
            stock_item=obj,
            reorder_level_override=form.cleaned_data.get("reorder_level_override"),
            reorder_quantity_override=form.cleaned_data.get("reorder_quantity_override"),
        )


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "product",
        "distributor",
        "kind",
        "quantity",
        "balance_after",
        "reference",
        "created_by",
    ]
    list_select_related = ["stock_item__product", "stock_item__distributor", "created_by"]
    list_filter = ["kind", ("stock_item__distributor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["stock_item__product__sku", "stock_item__product__name", "reference", "note"]
    date_hierarchy = "created_at"
    list_per_page = 50

    @admin.display(description="product", ordering="stock_item__product__name")
    def product(self, obj):
        return obj.stock_item.product

    @admin.display(description="distributor", ordering="stock_item__distributor__name")
    def distributor(self, obj):
        return obj.stock_item.distributor

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    """Warehouses are created and changed through inventory.warehouses (the same checks as
    the distributor's page); their stock moves only through inventory.services."""

    list_display = ["name", "code", "distributor", "state", "gstin", "priority", "is_active"]
    list_select_related = ["distributor"]
    list_filter = ["is_active", "state", ("distributor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code", "distributor__name", "gstin"]
    ordering = ["distributor__name", "priority", "pk"]
    list_per_page = 50
    fields = ["distributor", *WAREHOUSE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ["distributor"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in WAREHOUSE_FIELDS}
        if change:
            saved = warehouse_update(warehouse=obj, **fields)
        else:
            saved = warehouse_create(distributor=form.cleaned_data["distributor"], **fields)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # its movements and shipments keep it; deactivate it instead
