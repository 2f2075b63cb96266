"""Reads for inventory."""

from django.db.models import QuerySet, Sum

from accounts.models import Organization

from .models import StockItem, StockMovement


def ledger_sum(stock_item: StockItem) -> int:
    """The sum of the item's movements: what on_hand must equal."""
    total = StockMovement.objects.filter(stock_item=stock_item).aggregate(total=Sum("quantity"))
    return total["total"] or 0


def stock_for_distributor(distributor: Organization) -> QuerySet[StockItem]:
    """The distributor's stock items with their products and categories, by product name."""
    return (
        StockItem.objects.filter(distributor=distributor)
        .select_related("product", "product__category", "distributor")
        .order_by("product__name", "pk")
    )


def stock_at_or_below_reorder_level(
    *, distributor: Organization | None = None
) -> QuerySet[StockItem]:
    """Stock items whose available quantity is at or below their effective reorder level.

    Each row carries `available_qty` and `reorder_point` annotations.
    """
    items = StockItem.objects.at_or_below_reorder_level()
    if distributor is not None:
        items = items.filter(distributor=distributor)
    return items.select_related("product", "distributor").order_by("product__name", "pk")
