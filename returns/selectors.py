"""Reads for returns, scoped to who asks: a buyer (a retailer: its organization's) or a
distributor (its own). Another organization's return is a 404."""

import datetime

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Organization, Role, User
from orders.models import Order, OrderItem, ShipmentLine, ShipmentStatus

from .models import DONE_STATUSES, OPEN_STATUSES, ReturnLine, ReturnRequest, ReturnStatusChange

MAX_SEARCH = 100


def _with_units(qs: QuerySet[ReturnRequest]) -> QuerySet[ReturnRequest]:
    # An aggregate drops the model's default ordering: say it again.
    return (
        qs.select_related("order", "distributor", "customer", "buyer_organization")
        .annotate(units=Sum("lines__quantity"))
        .order_by("-created_at", "-pk")
    )


def returns_for_buyer(user: User) -> QuerySet[ReturnRequest]:
    """The returns this buyer may see, newest first: a retailer's organization's, else its own."""
    qs = _with_units(ReturnRequest.objects.all())
    if user.role == Role.RETAILER:
        return qs.filter(buyer_organization_id=user.organization_id)
    return qs.filter(customer=user, buyer_organization__isnull=True)


def _detail(qs: QuerySet[ReturnRequest]) -> QuerySet[ReturnRequest]:
    return qs.prefetch_related(
        Prefetch("lines", ReturnLine.objects.select_related("order_item")),
        Prefetch("status_changes", ReturnStatusChange.objects.select_related("changed_by")),
    )


def return_for_buyer(user: User, pk: int) -> ReturnRequest:
    """One of the buyer's returns with its lines and history; 404 for anyone else's."""
    return get_object_or_404(_detail(returns_for_buyer(user)), pk=pk)


def returns_for_distributor(
    *, distributor: Organization, status: str = "", search: str = ""
) -> QuerySet[ReturnRequest]:
    """The returns asked of `distributor`, newest first; optionally of one status, or matching
    `search` in the return's or order's number or the buyer's name, e-mail or organization."""
    qs = _with_units(ReturnRequest.objects.filter(distributor=distributor))
    if status:
        qs = qs.filter(status=status)
    search = search.strip()[:MAX_SEARCH]
    if search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(order__number__icontains=search)
            | Q(customer__email__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(buyer_organization__name__icontains=search)
        )
    return qs


def return_for_distributor(*, distributor: Organization, pk: int) -> ReturnRequest:
    """One of the distributor's returns with lines and history; 404 for another's."""
    return get_object_or_404(_detail(returns_for_distributor(distributor=distributor)), pk=pk)


def buyer_orders(user: User) -> QuerySet[Order]:
    """The orders this buyer may return from (as the buyer's order pages scope them)."""
    if user.role == Role.RETAILER:
        return Order.objects.filter(buyer_organization_id=user.organization_id)
    return Order.objects.filter(customer=user, buyer_organization__isnull=True)


def window_start() -> datetime.datetime:
    """Units delivered before this moment are past the return window."""
    return timezone.now() - datetime.timedelta(days=settings.RETURN_WINDOW_DAYS)


def returnable_units(order: Order) -> dict[int, dict[str, int]]:
    """For each line of `order`: units delivered, delivered within the return window, already
    claimed by returns (asked for and still open, or received), and still returnable.

    Returnable = min(delivered within the window, delivered - claimed): units
    are claimed oldest first, so a return counts against the oldest delivery.
    Two queries.
    """
    since = window_start()
    delivered = {
        row["order_item_id"]: row
        for row in ShipmentLine.objects.filter(
            shipment__order=order, shipment__status=ShipmentStatus.DELIVERED
        )
        .values("order_item_id")
        .annotate(
            total=Sum("quantity"),
            recent=Sum("quantity", filter=Q(shipment__delivered_at__gte=since)),
        )
    }
    claimed = {
        row["order_item_id"]: (row["open"] or 0) + (row["restocked"] or 0) + (row["damaged"] or 0)
        for row in ReturnLine.objects.filter(order_item__order=order)
        .values("order_item_id")
        .annotate(
            open=Sum("quantity", filter=Q(request__status__in=OPEN_STATUSES)),
            restocked=Sum("quantity_restocked", filter=Q(request__status__in=DONE_STATUSES)),
            damaged=Sum("quantity_damaged", filter=Q(request__status__in=DONE_STATUSES)),
        )
    }
    result = {}
    for item_id, row in delivered.items():
        total, recent = row["total"] or 0, row["recent"] or 0
        used = claimed.get(item_id, 0)
        result[item_id] = {
            "delivered": total,
            "recent": recent,
            "claimed": used,
            "returnable": max(0, min(recent, total - used)),
        }
    return result


def returnable_lines(order: Order) -> list[tuple[OrderItem, int]]:
    """The order's lines with units that may still be returned: (line, returnable)."""
    units = returnable_units(order)
    return [
        (item, units[item.pk]["returnable"])
        for item in order.items.all()
        if units.get(item.pk, {}).get("returnable", 0) > 0
    ]


def credit_notes_for(rma: ReturnRequest) -> list:
    """The credit notes issued for this return's received units (reference rma:<id>)."""
    from invoicing.models import CreditNote

    return list(
        CreditNote.objects.filter(reference=rma.stock_reference)
        .select_related("invoice")
        .order_by("pk")
    )
