"""Supplier lines in the admin: who sells each product, at what cost (catalog.SupplierLine)."""

from django.contrib import admin

from .models import SupplierLine


@admin.register(SupplierLine)
class SupplierLineAdmin(admin.ModelAdmin):
    list_display = [
        "product",
        "supplier",
        "supplier_sku",
        "unit_cost",
        "pack_size",
        "minimum_order_quantity",
        "lead_time_days",
        "priority",
        "is_active",
    ]
    list_select_related = ["product", "supplier"]
    list_editable = ["unit_cost", "priority", "is_active"]
    list_filter = ["is_active", ("supplier", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["product__sku", "product__name", "supplier__name", "supplier_sku"]
    autocomplete_fields = ["product", "supplier"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
