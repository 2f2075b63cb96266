"""An item's replenishment policy as the screen shows it: reorder point, order-up-to, name.

Everything that shows or filters on these figures (the replenishment screen,
its API and export) asks here: the per-row figures (`item_policy`, which is
procurement.monitoring.item_levels, the figures the monitoring orders by) and
the SQL expression the screen filters on (`reorder_point_expression`, the
one inventory's `with_levels` uses), which agree.

`fixed`: the distributor's reorder level override or the product's reorder
level, and the product's order-up-to level. `dynamic`: the nightly figures of
the item's ReplenishmentPolicy (procurement.policy_nightly).
"""

from collections.abc import Sequence
from typing import NamedTuple

from inventory.models import StockItem
from inventory.models import reorder_point_expression as reorder_point_expression

from .monitoring import item_levels

POLICY_LABELS = {"fixed": "fixed", "dynamic": "dynamic"}

# What a row must load for item_policy to answer without a query.
POLICY_FIELDS = (
    "replenishment_policy__policy",
    "replenishment_policy__reorder_point",
    "replenishment_policy__order_up_to_level",
)


class ItemPolicy(NamedTuple):
    reorder_point: int
    order_up_to: int | None
    name: str

    @property
    def label(self) -> str:
        return POLICY_LABELS.get(self.name, self.name)


def item_policy(item: StockItem) -> ItemPolicy:
    """The item's policy figures; `item.product` and `item.replenishment_policy`
    (POLICY_FIELDS) must be loaded (no query)."""
    levels = item_levels(item)
    return ItemPolicy(
        reorder_point=levels.reorder_level,
        order_up_to=levels.order_up_to_level,
        name=levels.policy,
    )


def item_policies(items: Sequence[StockItem]) -> dict[int, ItemPolicy]:
    """{stock item id: its policy figures} for a page of items loaded with POLICY_FIELDS:
    no query (the policy rows come with the items)."""
    return {item.pk: item_policy(item) for item in items}
