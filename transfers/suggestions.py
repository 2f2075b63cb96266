"""Transfer before purchase (#23 §4): the replenishment screen's transfer suggestions.

For an item at or below its reorder point (the screen's rows; reorder points
stay per product and distributor, over the distributor's whole position), a
transfer is suggested when another distributor *with an agreement* holds the
product above its own order-up-to level:

- **agreement**: the other distributor is an active supplier of the product to
  us: a `catalog.SupplierLine` whose supplier is that distributor, usable under
  the supplier rule (it has an accepted supply agreement with the product's
  manufacturer; procurement.suppliers). No new model: the same line a PO to
  that distributor would use, so "transfer now" and "order" reach the same
  partner, and a transfer is tried first;
- **surplus** of a donor = its available (on hand - allocated - held) minus its
  order-up-to level (its policy's; a fixed policy without one: reorder point +
  reorder quantity). Only a positive surplus is offered, so a transfer never
  takes a donor below its own order-up-to level (and so never makes it order);
  it ships from the donor's warehouse with the most available of the product
  (capped by that shelf) to our default warehouse;
- **quantity** = min(surplus, what tops our position up to our own order-up-to
  level, or reorder point + reorder quantity); the donor with the largest
  surplus wins (then the lower distributor id).

An item with an open transfer of the product coming to it (requested,
confirmed or shipped) gets no second suggestion. Four queries for a page,
whatever its rows.

Moves between one distributor's own warehouses are not suggested here: reorder
points are per (product, distributor) over its total position, which such a
move does not change (they are made on the transfer form).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from accounts.models import Organization, SupplyAgreement, User
from catalog.models import SupplierLine
from inventory.models import StockItem, WarehouseStock
from procurement.item_policy import POLICY_FIELDS, item_policy

from .models import OPEN_STATUSES, TransferLine, TransferOrder
from .services import transfer_create


@dataclass(frozen=True)
class TransferSuggestion:
    stock_item_id: int
    product_id: int
    source: Organization
    source_warehouse_id: int | None
    destination_id: int
    quantity: int
    surplus: int

    @property
    def text(self) -> str:
        return (
            f"Transfer {self.quantity} from {self.source.name} "
            f"({self.surplus} above its order-up-to level)"
        )


def _order_up_to(item: StockItem) -> int:
    policy = item_policy(item)
    if policy.order_up_to is not None:
        return policy.order_up_to
    return policy.reorder_point + item.reorder_quantity


def transfer_suggestions(rows: Sequence) -> dict[int, TransferSuggestion]:
    """{stock item id: suggestion} for a page of replenishment rows
    (procurement.replenishment.ReplenishmentRow: item, policy, position)."""
    wanting = {}
    for row in rows:
        if row.position > row.policy.reorder_point:
            continue  # covered by what is on order
        target = (
            row.policy.order_up_to
            if row.policy.order_up_to is not None
            else row.policy.reorder_point + row.item.reorder_quantity
        )
        need = target - row.position
        if need > 0:
            wanting[row.item.pk] = (row.item, need)
    if not wanting:
        return {}
    products = {item.product_id for item, _ in wanting.values()}
    takers = {item.distributor_id for item, _ in wanting.values()}
    coming = set(
        TransferLine.objects.filter(
            product_id__in=products,
            transfer__destination_id__in=takers,
            transfer__status__in=OPEN_STATUSES,
        ).values_list("product_id", "transfer__destination_id")
    )
    agreement = SupplyAgreement.objects.filter(
        manufacturer_id=OuterRef("product__manufacturer_id"),
        distributor_id=OuterRef("supplier_id"),
        status=SupplyAgreement.Status.ACCEPTED,
    )
    partners = {}
    for product_id, supplier_id in (
        SupplierLine.objects.filter(
            product_id__in=products,
            is_active=True,
            supplier__kind=Organization.Kind.DISTRIBUTOR,
        )
        .filter(Exists(agreement))
        .values_list("product_id", "supplier_id")
    ):
        partners.setdefault(product_id, set()).add(supplier_id)
    donor_ids = set().union(*partners.values()) if partners else set()
    if not donor_ids:
        return {}
    donors = (
        StockItem.objects.filter(product_id__in=products, distributor_id__in=donor_ids)
        .annotate(available_qty=F("on_hand") - F("allocated") - F("held"))
        .filter(Q(available_qty__gt=0))
        .select_related("product", "distributor", "replenishment_policy")
        .only(
            "on_hand",
            "allocated",
            "held",
            "reorder_level_override",
            "reorder_quantity_override",
            "product_id",
            "distributor_id",
            "product__reorder_level",
            "product__reorder_quantity",
            "product__order_up_to_level",
            "distributor__name",
            "distributor__kind",
            *POLICY_FIELDS,
        )
    )
    surplus_by_product: dict[int, list[tuple[int, StockItem]]] = {}
    for donor in donors:
        surplus = donor.available - _order_up_to(donor)
        if surplus > 0 and donor.distributor_id in partners.get(donor.product_id, ()):
            surplus_by_product.setdefault(donor.product_id, []).append((surplus, donor))
    # Each donor ships from its warehouse with the most available of the product (one query).
    best_shelf: dict[int, tuple[int, int]] = {}
    donor_item_ids = [d.pk for offers in surplus_by_product.values() for _s, d in offers]
    for row in WarehouseStock.objects.filter(
        stock_item_id__in=donor_item_ids, warehouse__is_active=True
    ).order_by("warehouse__priority", "warehouse_id"):
        if row.available > best_shelf.get(row.stock_item_id, (0, 0))[0]:
            best_shelf[row.stock_item_id] = (row.available, row.warehouse_id)
    suggestions = {}
    for item_id, (item, need) in wanting.items():
        if (item.product_id, item.distributor_id) in coming:
            continue
        offers = [
            (surplus, donor)
            for surplus, donor in surplus_by_product.get(item.product_id, [])
            if donor.distributor_id != item.distributor_id
        ]
        if not offers:
            continue
        surplus, donor = max(offers, key=lambda offer: (offer[0], -offer[1].distributor_id))
        shelf_available, warehouse_id = best_shelf.get(donor.pk, (0, None))
        quantity = min(surplus, need, shelf_available)
        if quantity < 1:
            continue
        suggestions[item_id] = TransferSuggestion(
            stock_item_id=item_id,
            product_id=item.product_id,
            source=donor.distributor,
            source_warehouse_id=warehouse_id,
            destination_id=item.distributor_id,
            quantity=quantity,
            surplus=surplus,
        )
    return suggestions


@transaction.atomic
def transfer_now(
    *, stock_item_id: int, by: User, distributor: Organization | None
) -> TransferOrder:
    """ "Transfer now" on the replenishment screen: write the suggested transfer for one item.

    The suggestion is worked out again from current figures (never from the
    page's numbers), and the transfer is `requested`: the donor confirms it,
    which allocates at its shelf (transfer_requested tells its members).
    `distributor` scopes the item to the caller's own (None: staff, any).
    Raises ValidationError keyed "item" when the item is not one the caller
    may act on, or has no suggestion any more.
    """
    from procurement.replenishment import replenishment_rows

    items = StockItem.objects.select_related("product", "distributor", "replenishment_policy")
    if distributor is not None:
        items = items.filter(distributor=distributor)
    item = items.filter(pk=stock_item_id).first()
    if item is None:
        raise ValidationError({"item": f"No such stock item: {stock_item_id}."})
    suggestion = transfer_suggestions(replenishment_rows([item])).get(item.pk)
    if suggestion is None:
        raise ValidationError(
            {"item": f"No transfer is suggested for {item.product.sku} at {item.distributor} now."}
        )
    return transfer_create(
        source=suggestion.source,
        destination=item.distributor,
        lines=[(item.product, suggestion.quantity)],
        by=by,
        note=f"Replenishment: {suggestion.text}",
        requested=True,
        source_warehouse=suggestion.source_warehouse_id,
    )
