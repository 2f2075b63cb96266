"""Reads for orders: a customer's own orders, listed and one by one."""

from django.db.models import Count, Prefetch, QuerySet, Sum

from accounts.models import User

from .models import Order, OrderStatusChange


def orders_for_customer(*, customer: User, status: str = "") -> QuerySet[Order]:
    """The orders `customer` placed, newest first, optionally of one status.

    Each order carries `line_count` and `unit_count` and has its items
    prefetched, so a page of orders costs the same few queries however many
    orders or lines there are.
    """
    orders = Order.objects.filter(customer=customer)
    if status:
        orders = orders.filter(status=status)
    return (
        orders.select_related("distributor")
        .annotate(line_count=Count("items"), unit_count=Sum("items__quantity"))
        .prefetch_related("items")
        .order_by("-created_at", "-pk")
    )


def order_for_customer(*, customer: User, number: str) -> Order:
    """One of `customer`'s orders by number, with its lines and status history.

    Raises Order.DoesNotExist for an unknown number or someone else's order,
    which the pages answer with 404.
    """
    return (
        Order.objects.select_related("distributor")
        .prefetch_related(
            "items",
            Prefetch(
                "status_changes",
                queryset=OrderStatusChange.objects.select_related("changed_by").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .get(customer=customer, number=number)
    )
