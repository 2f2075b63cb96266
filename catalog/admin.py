from django.contrib import admin

from auromart.spreadsheets import SpreadsheetImportExportMixin

from .models import Category, HsnRate, Product
from .resources import (
    CategoryResource,
    ProductPriceResource,
    ProductReorderResource,
    ProductResource,
)


@admin.register(Category)
class CategoryAdmin(SpreadsheetImportExportMixin, admin.ModelAdmin):
    resource_classes = [CategoryResource]
    list_display = ["name", "slug", "parent"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Product)
class ProductAdmin(SpreadsheetImportExportMixin, admin.ModelAdmin):
    resource_classes = [ProductResource, ProductPriceResource, ProductReorderResource]
    list_display = [
        "sku",
        "name",
        "category",
        "manufacturer",
        "price",
        "reorder_level",
        "reorder_quantity",
        "is_active",
    ]
    list_display_links = ["sku", "name"]
    list_editable = ["price", "reorder_level", "reorder_quantity", "is_active"]
    list_select_related = ["category", "manufacturer"]
    list_filter = [
        "is_active",
        ("category", admin.RelatedOnlyFieldListFilter),
        ("manufacturer", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["sku", "name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category", "manufacturer", "supplier"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["sku", "name", "slug", "category", "description", "is_active"]}),
        (
            "Commercial",
            {"fields": ["price", "cost_price", "hsn_code", "manufacturer", "supplier"]},
        ),
        (
            "Replenishment",
            {
                "fields": [
                    "reorder_level",
                    "reorder_quantity",
                    "order_up_to_level",
                    "pack_size",
                    "minimum_order_quantity",
                    "lead_time_days",
                ]
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "supplier":
            # Product.clean() fills an empty supplier with the manufacturer.
            kwargs["required"] = False
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(HsnRate)
class HsnRateAdmin(admin.ModelAdmin):
    """GST rates per HSN/SAC code with the day each takes effect (staff edit them when
    the rates change; a new row from a later day, never an edit of a past one)."""

    list_display = ["hsn_code", "description", "rate", "effective_from"]
    list_filter = ["rate"]
    search_fields = ["hsn_code", "description"]
    date_hierarchy = "effective_from"


# Supplier lines have their own admin module.
from . import admin_suppliers  # noqa: E402, F401
