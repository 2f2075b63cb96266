from django.contrib import admin

from auromart.spreadsheets import SpreadsheetImportExportMixin

from .models import BuyerGroup, PriceList, PriceListAssignment, PriceListItem
from .resources import PriceListItemResource


@admin.register(BuyerGroup)
class BuyerGroupAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    autocomplete_fields = ["members"]


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 1
    autocomplete_fields = ["product"]
    fields = ["product", "min_quantity", "price", "discount_percent"]


class PriceListAssignmentInline(admin.TabularInline):
    model = PriceListAssignment
    extra = 1
    autocomplete_fields = ["organization", "group"]


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "distributor",
        "base",
        "valid_from",
        "valid_to",
        "prices_include_tax",
        "is_active",
    ]
    list_select_related = ["distributor", "base"]
    list_filter = [
        "is_active",
        "prices_include_tax",
        ("distributor", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name"]
    autocomplete_fields = ["distributor", "base"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PriceListAssignmentInline, PriceListItemInline]


@admin.register(PriceListItem)
class PriceListItemAdmin(SpreadsheetImportExportMixin, admin.ModelAdmin):
    """Every list's lines in one table: where spreadsheets are imported and exported."""

    resource_classes = [PriceListItemResource]
    list_display = ["price_list", "product", "min_quantity", "price", "discount_percent"]
    list_select_related = ["price_list", "product"]
    list_filter = [("price_list", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["price_list__name", "product__sku", "product__name"]
    autocomplete_fields = ["price_list", "product"]
    list_per_page = 100
