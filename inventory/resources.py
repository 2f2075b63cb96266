"""Spreadsheet resources for inventory: stock counts and per-distributor reorder settings.

A stock item is named by its product's SKU and its distributor's name. Nothing
here writes on_hand: a count goes through inventory.services (
or stock_assign for an item that has no stock yet), which lock the row, write
the ledger movement and send stock_low. So these resources never use bulk mode.
"""

from django.core.exceptions import ValidationError
from import_export.fields import Field

from accounts.models import Organization
from accounts.resources import OrganizationWidget
from auromart.spreadsheets import (
    SpreadsheetResource,
    TextWidget,
    WholeNumberWidget,
)
from catalog.resources import CHUNK, ProductWidget

from .exceptions import InsufficientStock
from .models import StockItem, StockMovement
from .services import stock_assign, stock_count, stock_item_set_reorder_overrides

REFERENCE_LENGTH = StockMovement._meta.get_field("reference").max_length
NOTE_LENGTH = StockMovement._meta.get_field("note").max_length


class BaseStockItemResource(SpreadsheetResource):
    """Shared by the stock resources: (SKU, distributor) as the key, one lookup per file."""

    key_columns = ("sku", "distributor")

    sku = Field(attribute="product", column_name="sku", widget=ProductWidget())
    product_name = Field(attribute="product__name", column_name="product_name", readonly=True)
    distributor = Field(
        attribute="distributor",
        column_name="distributor",
        widget=OrganizationWidget(kinds=[Organization.Kind.DISTRIBUTOR]),
    )

    class Meta:
        model = StockItem
        import_id_fields = ["sku", "distributor"]
        skip_unchanged = True
        report_skipped = True
        # Each row calls a stock service (row lock, ledger, signals): no bulk.
        use_bulk = False

    def before_import(self, dataset, **kwargs):
        self.fields["sku"].widget.prime(dataset["sku"])

    def row_key(self, row):
        product = self.resolve("sku", row)
        distributor = self.resolve("distributor", row)
        return (product.pk, distributor.pk) if product and distributor else None

    def load_existing(self, dataset):
        keys = {
            self.row_key(dict(zip(dataset.headers, values, strict=False))) for values in dataset
        }
        keys.discard(None)
        product_ids = sorted({product_id for product_id, _ in keys})
        products = self.fields["sku"].widget.by_id
        distributors = self.fields["distributor"].widget.by_id
        existing = {}
        for start in range(0, len(product_ids), CHUNK):
            chunk = product_ids[start : start + CHUNK]
            for item in StockItem.objects.filter(product_id__in=chunk):
                key = (item.product_id, item.distributor_id)
                if key in keys:
                    item.product = products[item.product_id]
                    item.distributor = distributors[item.distributor_id]
                    existing[key] = item
        return existing

    def get_queryset(self):
        return StockItem.objects.select_related("product", "distributor").order_by(
            "product__sku", "distributor__name", "pk"
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("product", "distributor")

    @staticmethod
    def user_of(kwargs):
        user = kwargs.get("user")
        return user if getattr(user, "is_authenticated", False) else None


class StockLevelResource(BaseStockItemResource):
    """Stock levels (SKU + distributor): a count; the difference goes into the ledger.

    `on_hand` is the counted quantity, the shelf: units allocated to orders
    and held are on it. Where it differs from the stock item's, stock_count
    records the difference as a `count` movement (and sends stock_low when
    the item ends at or below its reorder level); an item with no stock yet
    gets a `stock_assign`. `allocated`, `held` (also read as `reserved`, its
    old name) and `available` are exported for the reader and ignored. `note` says why (default:
    "Stock count from <file>").
    """

    resource_name = "stock"
    required_columns = ("sku", "distributor", "on_hand")
    uncompared = frozenset({"count_note"})

    on_hand = Field(
        attribute="on_hand", column_name="on_hand", widget=WholeNumberWidget(required=True)
    )
    # For the reader; ignored on import.
    allocated = Field(
        attribute="allocated", column_name="allocated", widget=WholeNumberWidget(), readonly=True
    )
    held = Field(attribute="held", column_name="held", widget=WholeNumberWidget(), readonly=True)
    available = Field(
        attribute="available", column_name="available", widget=WholeNumberWidget(), readonly=True
    )
    reorder_level = Field(
        attribute="reorder_level",
        column_name="reorder_level",
        widget=WholeNumberWidget(),
        readonly=True,
    )
    note = Field(
        attribute="count_note", column_name="note", widget=TextWidget(max_length=NOTE_LENGTH)
    )

    class Meta(BaseStockItemResource.Meta):
        fields = [
            "sku",
            "product_name",
            "distributor",
            "on_hand",
            "allocated",
            "held",
            "available",
            "reorder_level",
            "note",
        ]

    def dehydrate_note(self, item):
        return ""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not import_validation_errors and instance._state.adding and instance.on_hand == 0:
            return True  # no stock item and none counted: nothing to record
        return super().skip_row(instance, original, row, import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        counted = instance.on_hand
        file_name = kwargs.get("file_name") or "a spreadsheet"
        note = (getattr(instance, "count_note", "") or f"Stock count from {file_name}")[
            :NOTE_LENGTH
        ]
        reference = f"import:{file_name}"[:REFERENCE_LENGTH]
        by = self.user_of(kwargs)
        try:
            if is_create:
                item = stock_assign(
                    product=instance.product,
                    distributor=instance.distributor,
                    quantity=counted,
                    by=by,
                    note=note,
                    reference=reference,
                )
                instance.pk = item.pk
                instance._state.adding = False
                return
            # The sheet has the distributor's totals: the difference is counted in
            # its default warehouse (docs/architecture.md, "Warehouses").
            stock_count(
                stock_item=instance,
                counted=counted,
                note=note,
                by=by,
                reference=reference,
                of_total=True,
            )
        except InsufficientStock:
            locked = StockItem.objects.get(pk=instance.pk)
            raise ValidationError(
                {
                    "on_hand": (
                        f"{counted} counted, but {locked.allocated} units are allocated to "
                        f"orders and {locked.held} held; they are on the shelf, so the count "
                        "cannot be below them."
                    )
                }
            ) from None
        except ValidationError as exc:
            errors = {}
            self.merge(
                errors,
                exc,
                rename={"quantity": "on_hand", "counted": "on_hand", "note": "count_note"},
            )
            raise ValidationError(errors) from exc


class StockReorderResource(BaseStockItemResource):
    """Reorder overrides (SKU + distributor): a distributor's own reorder level and quantity.

    A blank cell means "use the product's". Rows must name existing stock items.
    """

    resource_name = "stock-reorder"
    required_columns = ("sku", "distributor")
    update_only = True

    reorder_level_override = Field(
        attribute="reorder_level_override",
        column_name="reorder_level_override",
        widget=WholeNumberWidget(),
    )
    reorder_quantity_override = Field(
        attribute="reorder_quantity_override",
        column_name="reorder_quantity_override",
        widget=WholeNumberWidget(),
    )

    class Meta(BaseStockItemResource.Meta):
        fields = [
            "sku",
            "product_name",
            "distributor",
            "reorder_level_override",
            "reorder_quantity_override",
        ]

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            stock_item_set_reorder_overrides(
                stock_item=instance,
                reorder_level_override=instance.reorder_level_override,
                reorder_quantity_override=instance.reorder_quantity_override,
            )
        except ValidationError as exc:
            errors = {}
            self.merge(errors, exc)
            raise ValidationError(errors) from exc
