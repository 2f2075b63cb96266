"""An item's replenishment policy: its reorder point, order-up-to level and the policy's name.

Everything that shows or filters on these figures (the replenishment screen,
its API and export) asks here, so a later policy (`dynamic`, computed from
measured demand and lead times) slots in by changing these two functions: the
per-row figures (`item_policy`) and the SQL expression the screen filters on
(`reorder_point_expression`), which must agree.

Today every item is `fixed`: the distributor's reorder level override or the
product's reorder level, and the product's order-up-to level (none: the
reorder quantity alone sets the amount, see monitoring.reorder_quantity_compute).
"""

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


def reorder_point_expression() -> Combinable:
    """The reorder point as SQL over StockItem, for filtering "at or below" in the database."""
    return Coalesce(F("reorder_level_override"), F("product__reorder_level"))
