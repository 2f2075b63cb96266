"""The demand record (DemandLine) for orders that were never placed.

order_place writes each placed line's demand in its own transaction
(requested = allocated + backordered). What was asked for and turned away
for short stock is demand too: reports and forecasting must see it, so it is
written here as refused, in a transaction of its own, after the refusal.
"""

from collections.abc import Iterable

from django.db import transaction
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
