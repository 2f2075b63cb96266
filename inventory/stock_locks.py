"""What inventory's writers share: locking several items in one order, one UPDATE of
deltas, and the stock signals they send (inventory.services, inventory.allocation,
inventory.transfers_stock, inventory.customer_returns)."""

from collections.abc import Iterable, Mapping

from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from .models import StockItem
from .signals import stock_available, stock_low


def send_stock_low(item: StockItem, reorder_level: int, reference: str) -> None:
    stock_low.send(
        sender=StockItem,
        stock_item_id=item.pk,
        product_id=item.product_id,
        distributor_id=item.distributor_id,
        on_hand=item.on_hand,
        allocated=item.allocated,
        held=item.held,
        reorder_level=reorder_level,
        reference=reference,
    )


def lock_many(
    *, distributor_id: int, product_ids: Iterable[int], levels: bool = True
) -> dict[int, StockItem]:
    """Lock the distributor's items of these products, in pk order; keyed by product id.

    Every writer that locks several items goes through here, so two orders
    over the same products always lock them in the same order and cannot
    deadlock on each other. `levels` False: a writer that sends no `stock_low`
    (units that were allocated leave) skips the items' dynamic reorder levels.
    """
    items = StockItem.objects.with_dynamic_level() if levels else StockItem.objects.all()
    items = (
        items.select_for_update()
        .filter(distributor_id=distributor_id, product_id__in=list(product_ids))
        .order_by("pk")
    )
    return {item.product_id: item for item in items}


def apply_deltas(items: Mapping[int, StockItem], **columns: Mapping[int, int]) -> None:
    """One UPDATE adding, for each column, deltas[product_id] to each locked item.

    `columns` maps a figure ("on_hand", "allocated") to {product_id: delta}.
    """
    pks = {items[pid].pk for deltas in columns.values() for pid in deltas}
    changes = {
        column: F(column)
        + Case(
            *[When(pk=items[pid].pk, then=Value(delta)) for pid, delta in deltas.items()],
            default=Value(0),
            output_field=IntegerField(),
        )
        for column, deltas in columns.items()
    }
    StockItem.objects.filter(pk__in=sorted(pks)).update(**changes, updated_at=timezone.now())


def send_available(items: list[StockItem], reference: str) -> None:
    """Tell listeners that these items' available stock rose (backorders may take it)."""
    for item in sorted(items, key=lambda i: i.pk):
        if item.available > 0:
            stock_available.send(
                sender=StockItem,
                stock_item_id=item.pk,
                product_id=item.product_id,
                distributor_id=item.distributor_id,
                available=item.available,
                reference=reference,
            )
