"""An item's replenishment policy: its reorder point, order-up-to level and the policy's name.

Everything that shows or filters on these figures (the replenishment screen,
its API and export) asks here, so a later policy (`dynamic`, computed from
measured demand and lead times) slots in by changing these functions: the
per-row figures (`item_policy`, and `item_policies` for a page at once) and the
SQL expression the screen filters on (`reorder_point_expression`), which must
agree.

Today every item is `fixed`: the distributor's reorder level override or the
product's reorder level, and the product's order-up-to level (none: the
reorder quantity alone sets the amount, see monitoring.reorder_quantity_compute).
"""

from collections.abc import Sequence
from typing import NamedTuple

from django.db.models import F
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from inventory.models import StockItem

FIXED = "fixed"
POLICY_LABELS = {FIXED: "fixed"}


class ItemPolicy(NamedTuple):
    reorder_point: int
    order_up_to: int | None
    name: str

    @property
    def label(self) -> str:
        return POLICY_LABELS.get(self.name, self.name)


def item_policy(item: StockItem) -> ItemPolicy:
    """The item's policy figures; `item.product` must be loaded (no query)."""
    return ItemPolicy(
        reorder_point=item.reorder_level,
        order_up_to=item.product.order_up_to_level,
        name=FIXED,
    )


def item_policies(items: Sequence[StockItem]) -> dict[int, ItemPolicy]:
    """{stock item id: its policy figures} for a page of items, in a constant number of
    queries (none today): the screen calls this, so a policy whose figures live in a
    table of their own reads them for the whole page at once."""
    return {item.pk: item_policy(item) for item in items}


def reorder_point_expression() -> Combinable:
    """The reorder point as SQL over StockItem, for filtering "at or below" in the database."""
    return Coalesce(F("reorder_level_override"), F("product__reorder_level"))
