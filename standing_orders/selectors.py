"""Reads for standing orders, scoped to the buyer: a retailer sees its organization's."""

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from orders.models import Order

from .models import StandingOrder, StandingOrderLine, StandingOrderRun


def standing_orders_for(user: User) -> QuerySet[StandingOrder]:
    """The standing orders this buyer may see and change (any status), with their line counts."""
    qs = StandingOrder.objects.select_related("distributor").annotate(line_count=Count("lines"))
    if user.role == Role.RETAILER:
        return qs.filter(buyer_organization_id=user.organization_id)
    return qs.filter(buyer=user, buyer_organization__isnull=True)


def standing_order_for(user: User, pk: int) -> StandingOrder:
    """One of the buyer's standing orders with lines and runs; 404 for anyone else's."""
    qs = standing_orders_for(user).prefetch_related(
        Prefetch("lines", StandingOrderLine.objects.select_related("product")),
        Prefetch("runs", StandingOrderRun.objects.select_related("order")),
    )
    return get_object_or_404(qs, pk=pk)


def is_standing_order(order: Order) -> bool:
    """Was this order placed by a standing order's run? Such orders never go to the gateway."""
    return StandingOrderRun.objects.filter(order_id=order.pk).exists()
