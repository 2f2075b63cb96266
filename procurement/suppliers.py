"""Which supplier a request goes to, among a product's supplier lines (catalog.SupplierLine).

The rule, in order:
1. only active lines whose supplier is still allowed (the manufacturer, or a
   distributor with an accepted agreement) and is not the ordering
   distributor itself; none: "no active supplier";
2. only lines with a unit cost: a PO is never priced at the selling price;
   none: "needs a supplier cost";
3. the lowest priority number, then the best measured on-time rate of that
   supplier to this distributor (a supplier with no received PO yet comes
   after any measured one), then the lowest unit cost, then the oldest line.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, When
from django.db.models.functions import Coalesce, TruncDate

from accounts.models import Organization, SupplyAgreement
from catalog.models import Product, SupplierLine

from .models import NotOrderedReason, POStatus, PurchaseOrder


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


def on_time_rates(*, supplier_ids: Iterable[int], distributor_id: int) -> dict[int, float]:
    """{supplier_id: share of received POs to this distributor that arrived by the original date}.

    A PO counts once fully received or closed short, by its last receipt
    (`received_at`, or the close for a short one) against the date first
    asked for, not a revised one. Suppliers with no such PO are missing.
    One query.
    """
    ids = list(set(supplier_ids))
    if not ids:
        return {}
    rows = (
        PurchaseOrder.objects.filter(
            supplier_id__in=ids,
            distributor_id=distributor_id,
            status__in=(POStatus.RECEIVED, POStatus.CLOSED_SHORT),
        )
        .annotate(
            arrived=TruncDate(Coalesce("received_at", "closed_at")),
            due=Coalesce("original_expected_date", "expected_date"),
        )
        .values("supplier_id")
        .annotate(
            n=Count("pk"),
            on_time=Count(Case(When(arrived__lte=F("due"), then=1), output_field=IntegerField())),
        )
        .order_by()
    )
    return {row["supplier_id"]: row["on_time"] / row["n"] for row in rows if row["n"]}


def supplier_choose(*, product: Product, distributor_id: int) -> SupplierChoice:
    """The supplier line a request for this item goes to, or why there is none (module rule)."""
    if not supplier_line_default_ensure(product=product):
        return SupplierChoice(None)  # another transaction is evaluating this product now
    lines = list(supplier_lines_usable(product=product, distributor_id=distributor_id))
    if not lines:
        return SupplierChoice(None, NotOrderedReason.NO_ACTIVE_SUPPLIER, "No active supplier line.")
    costed = [line for line in lines if line.unit_cost is not None]
    if not costed:
        names = ", ".join(line.supplier.name for line in lines)
        return SupplierChoice(
            None, NotOrderedReason.NEEDS_SUPPLIER_COST, f"No unit cost from {names}."[:255]
        )
    if len(costed) == 1:
        return SupplierChoice(costed[0])
    rates = on_time_rates(
        supplier_ids=[line.supplier_id for line in costed], distributor_id=distributor_id
    )

    def rank(line: SupplierLine):
        rate = rates.get(line.supplier_id)
        return (line.priority, rate is None, -(rate or 0.0), line.unit_cost, line.pk)

    return SupplierChoice(min(costed, key=rank))
