"""Writes to the demand record (DemandLine) other than placing an order.

order_place writes each placed line's demand in its own transaction
(requested = allocated + backordered). What was asked for and turned away
for short stock is demand too: reports and forecasting must see it, so it is
written here as refused, in a transaction of its own, after the refusal.
Units that came back on a return (returns, #17) are added to their line's
`returned` here, so other apps never write orders' rows themselves.
"""

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organization, Role, User

from .models import DemandLine


def demand_refused_record(
    *, customer: User, distributor: Organization, lines: Iterable[tuple[int, int]]
) -> list[DemandLine]:
    """Record (product id, quantity) lines asked of `distributor` and refused for short stock."""
    buyer = customer.organization if customer.role == Role.RETAILER else None
    now = timezone.now()
    with transaction.atomic():
        return DemandLine.objects.bulk_create(
            DemandLine(
                product_id=product_id,
                distributor=distributor,
                customer=customer,
                buyer_organization=buyer,
                requested=quantity,
                refused=quantity,
                created_at=now,
            )
            for product_id, quantity in lines
        )


def demand_record_returned(*, received: Mapping[int, int]) -> None:
    """Add units a buyer sent back to their lines' demand: {order item id: units}."""
    for order_item_id, units in received.items():
        if units:
            DemandLine.objects.filter(order_item_id=order_item_id).update(
                returned=F("returned") + units
            )
