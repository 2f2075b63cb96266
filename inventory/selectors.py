"""Reads for inventory."""

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization

from .models import StockItem, StockMovement, Warehouse, WarehouseStock


def ledger_sum(stock_item: StockItem) -> int:
    """The sum of the item's movements: what on_hand must equal."""
    total = StockMovement.objects.filter(stock_item=stock_item).aggregate(total=Sum("quantity"))
    return total["total"] or 0


def product_stock_annotations(distributor_id: int) -> dict[str, Subquery]:
    """Annotations for a Product query: the distributor's `stock_available` and
    `stock_reorder_point` of each product (None when it does not stock it).

    order_place reads its products with these before its transaction, so that
    inventory.allocation.stock_take_expected can choose the lean stock take
    without another query. A read without a lock: only a forecast. Also
    `stock_warehouse_id`, the distributor's first active warehouse (where the
    lean take allocates), and `stock_warehouse_available`, the product's
    available there.
    """
    items = StockItem.objects.filter(
        product_id=OuterRef("pk"), distributor_id=distributor_id
    ).with_levels()
    first = (
        Warehouse.objects.filter(distributor_id=distributor_id, is_active=True)
        .order_by("priority", "pk")
        .values("pk")[:1]
    )
    there = WarehouseStock.objects.filter(
        stock_item__product_id=OuterRef("pk"),
        stock_item__distributor_id=distributor_id,
        warehouse_id=Subquery(first),
    ).annotate(available_qty=F("on_hand") - F("allocated") - F("held"))
    return {
        "stock_available": Subquery(items.values("available_qty")[:1]),
        "stock_reorder_point": Subquery(items.values("reorder_point")[:1]),
        "stock_warehouse_id": Subquery(first),
        "stock_warehouse_available": Subquery(there.values("available_qty")[:1]),
    }


def stock_for_distributor(distributor: Organization) -> QuerySet[StockItem]:
    """The distributor's stock items with their products and categories, by product name."""
    return (
        StockItem.objects.filter(distributor=distributor)
        .select_related("product", "product__category", "distributor")
        .order_by("product__name", "pk")
    )


def stock_items_for_distributor(
    *, distributor: Organization, search: str = "", low: bool | None = None
) -> QuerySet[StockItem]:
    """The distributor's stock items with their products, by product name, for its own pages.

    `search` matches the product's SKU or name (case-insensitive); `low` True
    keeps the items at or below their effective reorder level, False the
    others. Rows carry the `available_qty` and `reorder_point` annotations.
    One query for a page of rows.
    """
    items = StockItem.objects.filter(distributor=distributor).with_levels()
    if search:
        items = items.filter(Q(product__sku__icontains=search) | Q(product__name__icontains=search))
    if low is True:
        items = items.filter(available_qty__lte=F("reorder_point"))
    elif low is False:
        items = items.filter(available_qty__gt=F("reorder_point"))
    return items.select_related("product").order_by("product__name", "pk")


def stock_item_for_distributor(*, distributor: Organization, pk: int) -> StockItem:
    """One of the distributor's stock items; another distributor's raises StockItem.DoesNotExist."""
    return StockItem.objects.select_related("product").get(distributor=distributor, pk=pk)


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


def stock_of_manufacturer(
    *, manufacturer: Organization, distributor: Organization | None = None
) -> QuerySet[StockItem]:
    """Every distributor's stock of the manufacturer's products, by product then distributor.

    Product and distributor come in the same query, so a page of rows costs
    one query. `distributor` narrows it to one distributor.
    """
    items = StockItem.objects.filter(product__manufacturer=manufacturer)
    if distributor is not None:
        items = items.filter(distributor=distributor)
    return items.select_related("product", "distributor").order_by(
        "product__name", "product_id", "distributor__name", "pk"
    )


def units_at_distributors(*, manufacturer: Organization) -> int:
    """Units of the manufacturer's products on hand at all distributors together (one query)."""
    total = StockItem.objects.filter(product__manufacturer=manufacturer).aggregate(
        total=Sum("on_hand")
    )
    return total["total"] or 0


def low_stock_count(*, distributor: Organization) -> int:
    """How many of the distributor's items are at or below their reorder level (one query)."""
    return StockItem.objects.at_or_below_reorder_level().filter(distributor=distributor).count()


def stock_items_off_their_warehouses(distributor_id: int | None = None) -> list[int]:
    """Ids of stock items whose figures are not the sum of their warehouse rows (one query).

    Empty whenever every write went through inventory.services: the check
    behind the invariant "Σ warehouses = the item's figures".
    """
    rows = WarehouseStock.objects.filter(stock_item_id=OuterRef("pk")).values("stock_item_id")
    sums = {
        name: Coalesce(Subquery(rows.annotate(total=Sum(name)).values("total")[:1]), 0)
        for name in ("on_hand", "allocated", "held")
    }
    items = StockItem.objects.all()
    if distributor_id is not None:
        items = items.filter(distributor_id=distributor_id)
    items = items.annotate(**{f"w_{name}": expr for name, expr in sums.items()}).exclude(
        on_hand=F("w_on_hand"), allocated=F("w_allocated"), held=F("w_held")
    )
    return list(items.values_list("pk", flat=True))


def warehouses_of_distributor(*, distributor: Organization) -> QuerySet[Warehouse]:
    """The distributor's warehouses by priority, each with `units_on_hand`, `units_allocated`,
    `units_held` and `product_count` (one query)."""
    from django.db.models import Count

    return (
        Warehouse.objects.filter(distributor=distributor)
        .annotate(
            units_on_hand=Coalesce(Sum("stock__on_hand"), 0),
            units_allocated=Coalesce(Sum("stock__allocated"), 0),
            units_held=Coalesce(Sum("stock__held"), 0),
            product_count=Count("stock", filter=Q(stock__on_hand__gt=0)),
        )
        .order_by("priority", "pk")
    )


def warehouse_stock_for_items(items) -> dict[int, list[WarehouseStock]]:
    """{stock_item_id: its warehouse rows, by warehouse priority} for a page of items (one
    query whatever the page holds)."""
    found: dict[int, list[WarehouseStock]] = {}
    rows = (
        WarehouseStock.objects.filter(stock_item_id__in=[item.pk for item in items])
        .select_related("warehouse")
        .order_by("warehouse__priority", "warehouse_id")
    )
    for row in rows:
        found.setdefault(row.stock_item_id, []).append(row)
    return found


def warehouse_stock_of(*, distributor: Organization, warehouse_id: int) -> QuerySet[WarehouseStock]:
    """One of the distributor's warehouses' rows with their products, by product name (one
    query for a page). Another distributor's warehouse raises Warehouse.DoesNotExist."""
    warehouse = Warehouse.objects.get(pk=warehouse_id, distributor=distributor)
    return (
        WarehouseStock.objects.filter(warehouse=warehouse)
        .select_related("stock_item__product")
        .order_by("stock_item__product__name", "pk")
    )
