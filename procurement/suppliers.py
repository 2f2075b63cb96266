"""Which supplier a request goes to, among a product's supplier lines (catalog.SupplierLine).

The rule, in order:
1. only active lines whose supplier is still allowed (the manufacturer, or a
   distributor with an accepted agreement) and is not the ordering
   distributor itself; none: "no active supplier";
2. only lines with a unit cost: a PO is never priced at the selling price;
   none: "needs a supplier cost";
3. the lowest priority number, then the best measured on-time rate of that
   supplier to this distributor (procurement.scorecard.on_time_counts, the
   figure the supplier scorecard shows) (a supplier with no received PO yet comes
   after any measured one), then the lowest unit cost, then the oldest line.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q

from accounts.models import Organization, SupplyAgreement
from catalog.models import Product, SupplierLine

from .models import NotOrderedReason
from .scorecard import on_time_rates, on_time_rates_many


class SupplierChoice(NamedTuple):
    line: SupplierLine | None
    reason: str = ""  # a NotOrderedReason when `line` is None
    detail: str = ""


def supplier_line_default_ensure(*, product: Product) -> bool:
    """A product without any supplier line gets one from its supplier and cost price.

    The same rule as the data migration (catalog 0007) for products made
    since by code that does not know about supplier lines. One query when
    the product has lines. False when a concurrent transaction made the line
    first (this one's snapshot may not see it yet: the caller stops there).
    """
    if SupplierLine.objects.filter(product_id=product.pk).exists():
        return True
    try:
        with transaction.atomic():
            SupplierLine.objects.create(
                product_id=product.pk,
                supplier_id=product.supplier_id,
                supplier_sku=product.sku,
                unit_cost=product.cost_price,
                pack_size=max(product.pack_size, 1),
                minimum_order_quantity=max(product.minimum_order_quantity, 1),
                lead_time_days=min(product.lead_time_days, 365),
            )
    except IntegrityError:
        return False
    return True


def supplier_lines_usable(*, product: Product, distributor_id: int):
    """The product's active lines whose supplier may supply it, with the supplier joined."""
    agreement = SupplyAgreement.objects.filter(
        manufacturer_id=product.manufacturer_id,
        distributor_id=OuterRef("supplier_id"),
        status=SupplyAgreement.Status.ACCEPTED,
    )
    return (
        SupplierLine.objects.filter(product_id=product.pk, is_active=True)
        .exclude(supplier_id=distributor_id)
        .filter(
            Q(supplier_id=product.manufacturer_id)
            | (Q(supplier__kind=Organization.Kind.DISTRIBUTOR) & Exists(agreement))
        )
        .select_related("supplier")
        .order_by("priority", "pk")
    )


def supplier_choose(*, product: Product, distributor_id: int) -> SupplierChoice:
    """The supplier line a request for this item goes to, or why there is none (module rule)."""
    if not supplier_line_default_ensure(product=product):
        return SupplierChoice(None)  # another transaction is evaluating this product now
    lines = list(supplier_lines_usable(product=product, distributor_id=distributor_id))
    costed = [line.supplier_id for line in lines if line.unit_cost is not None]
    rates = (
        on_time_rates(supplier_ids=costed, distributor_id=distributor_id) if len(costed) > 1 else {}
    )
    return _choose(lines, rates)


def supplier_rank(line: SupplierLine, rates: dict[int, float]) -> tuple:
    """The sort key of the rule (module docstring): priority, on-time rate (measured ones
    first, best first; scorecard.on_time_counts), cost, age."""
    rate = rates.get(line.supplier_id)
    return (line.priority, rate is None, -(rate or 0.0), line.unit_cost, line.pk)


def supplier_choices_preview(
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], SupplierChoice]:
    """What `supplier_choose` would pick for many (product_id, distributor_id) pairs, read-only,
    in two queries: for the replenishment screen.

    A product with no supplier line at all reads as "no active supplier" here (the
    evaluation would first make one from the product's supplier, see
    supplier_line_default_ensure).
    """
    pairs = list(pairs)
    if not pairs:
        return {}
    agreement = SupplyAgreement.objects.filter(
        manufacturer_id=OuterRef("product__manufacturer_id"),
        distributor_id=OuterRef("supplier_id"),
        status=SupplyAgreement.Status.ACCEPTED,
    )
    lines = (
        SupplierLine.objects.filter(product_id__in={p for p, _ in pairs}, is_active=True)
        .filter(
            Q(supplier_id=F("product__manufacturer_id"))
            | (Q(supplier__kind=Organization.Kind.DISTRIBUTOR) & Exists(agreement))
        )
        .select_related("supplier")
        .order_by("product_id", "priority", "pk")
    )
    by_product: dict[int, list[SupplierLine]] = {}
    for line in lines:
        by_product.setdefault(line.product_id, []).append(line)
    rates = on_time_rates_many(
        (line.supplier_id, distributor_id)
        for product_id, distributor_id in pairs
        for line in by_product.get(product_id, ())
        if line.unit_cost is not None
    )
    choices = {}
    for product_id, distributor_id in pairs:
        usable = [
            line for line in by_product.get(product_id, ()) if line.supplier_id != distributor_id
        ]
        choices[(product_id, distributor_id)] = _choose(
            usable, {sid: rate for (sid, did), rate in rates.items() if did == distributor_id}
        )
    return choices


def _choose(lines: list[SupplierLine], rates: dict[int, float]) -> SupplierChoice:
    if not lines:
        return SupplierChoice(None, NotOrderedReason.NO_ACTIVE_SUPPLIER, "No active supplier line.")
    costed = [line for line in lines if line.unit_cost is not None]
    if not costed:
        names = ", ".join(line.supplier.name for line in lines)
        return SupplierChoice(
            None, NotOrderedReason.NEEDS_SUPPLIER_COST, f"No unit cost from {names}."[:255]
        )
    return SupplierChoice(min(costed, key=lambda line: supplier_rank(line, rates)))
