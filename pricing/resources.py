"""Price list lines as spreadsheets: one row per list, SKU and quantity break.

`price_list` names the list (it must exist: lists, their dates and who they
are for are set in the admin or the distributor API), `sku` the product,
`min_quantity` the break (1 or blank: the line's own price), and either
`price` or `discount_percent` (off the list's base). The same preview and
row errors as every other import (auromart.spreadsheets). Built with
`distributor=`, only that distributor's own lists can be named and exported.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from import_export.fields import Field

from auromart.spreadsheets import (
    LookupWidget,
    MoneyWidget,
    SpreadsheetResource,
    WholeNumberWidget,
    cell_text,
)
from catalog.resources import ProductWidget

from .models import MAX_BREAK_QUANTITY, PriceList, PriceListItem


class PercentWidget(MoneyWidget):
    """A percentage from 0 to 100 with at most two decimals."""

    def __init__(self):
        super().__init__(max_digits=5, decimal_places=2)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip()
        amount = super().clean(value, row=row, **kwargs)
        if amount is not None and amount > Decimal("100"):
            raise ValueError(f"A percentage is at most 100 (got {value}).")
        return amount


class PriceListWidget(LookupWidget):
    """A price list by name (any case); with `distributor`, only that distributor's lists."""

    label = "price list"

    def __init__(self, *, distributor=None, required: bool = True):
        super().__init__(required=required)
        self.distributor = distributor

    def load(self):
        lists = PriceList.objects.all()
        if self.distributor is not None:
            lists = lists.filter(distributor=self.distributor)
        return lists

    def keys_of(self, price_list):
        return [price_list.name]

    def key_for(self, price_list):
        return price_list.name


class PriceListItemResource(SpreadsheetResource):
    """Price list lines (by list, SKU and quantity): create and update prices and breaks."""

    resource_name = "price-list-lines"
    required_columns = ("price_list", "sku")
    key_columns = ("price_list", "sku", "min_quantity")

    price_list = Field(attribute="price_list", column_name="price_list", widget=PriceListWidget())
    sku = Field(attribute="product", column_name="sku", widget=ProductWidget())
    product_name = Field(attribute="product__name", column_name="product_name", readonly=True)
    min_quantity = Field(
        attribute="min_quantity",
        column_name="min_quantity",
        widget=WholeNumberWidget(min_value=1, max_value=MAX_BREAK_QUANTITY),
        saves_null_values=False,
    )
    price = Field(attribute="price", column_name="price", widget=MoneyWidget())
    discount_percent = Field(
        attribute="discount_percent", column_name="discount_percent", widget=PercentWidget()
    )

    class Meta:
        model = PriceListItem
        import_id_fields = ["price_list", "sku", "min_quantity"]
        fields = ["price_list", "sku", "product_name", "min_quantity", "price", "discount_percent"]
        skip_unchanged = True
        report_skipped = True
        use_bulk = False

    def __init__(self, *, distributor=None, **kwargs):
        super().__init__(**kwargs)
        self.distributor = distributor
        self.fields["price_list"].widget = PriceListWidget(distributor=distributor)

    def before_import(self, dataset, **kwargs):
        self.fields["sku"].widget.prime(dataset["sku"])

    def row_key(self, row):
        plist = self.resolve("price_list", row)
        product = self.resolve("sku", row)
        if plist is None or product is None:
            return None
        quantity = cell_text(row.get("min_quantity")) or "1"
        return (plist.pk, product.pk, quantity)

    def load_existing(self, dataset):
        rows = [dict(zip(dataset.headers, values, strict=False)) for values in dataset]
        keys = {self.row_key(row) for row in rows} - {None}
        list_ids = {k[0] for k in keys}
        product_ids = {k[1] for k in keys}
        existing = {}
        for item in PriceListItem.objects.filter(
            price_list_id__in=list_ids, product_id__in=product_ids
        ).select_related("price_list", "product"):
            key = (item.price_list_id, item.product_id, str(item.min_quantity))
            if key in keys:
                existing[key] = item
        return existing

    def get_queryset(self):
        items = PriceListItem.objects.select_related("price_list", "product").order_by(
            "price_list__name", "product__sku", "min_quantity"
        )
        if self.distributor is not None:
            items = items.filter(price_list__distributor=self.distributor)
        return items

    def filter_export(self, queryset, **kwargs):
        queryset = queryset.select_related("price_list", "product")
        if self.distributor is not None:
            queryset = queryset.filter(price_list__distributor=self.distributor)
        return queryset

    def validate(self, instance, errors):
        if errors:
            return
        if (instance.price is None) == (instance.discount_percent is None):
            errors["price"] = "Give either a price or a discount_percent, not both."
            return
        try:
            instance.full_clean(exclude=["price_list", "product"], validate_unique=False)
        except ValidationError as exc:
            self.merge(errors, exc)
