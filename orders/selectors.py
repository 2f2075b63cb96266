"""Reads for orders: a customer's own orders, listed and one by one."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User

from .models import FulfillmentType, Order, OrderStatusChange


def _history():
    return Prefetch(
        "status_changes",
        queryset=OrderStatusChange.objects.select_related("changed_by").order_by(
            "created_at", "pk"
        ),
    )


def orders_for_customer(
    *, customer: User, status: str = "", with_history: bool = False
) -> QuerySet[Order]:
    """The orders `customer` placed, newest first, optionally of one status.

    Items are prefetched (and the status history with `with_history`), so a
    page of orders costs the same few queries however many orders or lines
    there are; counts come from the prefetched items (`Order.item_count`).
    """
    orders = Order.objects.filter(customer=customer)
    if status:
        orders = orders.filter(status=status)
    orders = orders.select_related("distributor").prefetch_related("items")
    if with_history:
        orders = orders.prefetch_related(_history())
    return orders.order_by("-created_at", "-pk")


def order_for_customer(*, customer: User, number: str) -> Order:
    """One of `customer`'s orders by number, with its lines and status history.

    Raises Order.DoesNotExist for an unknown number or someone else's order,
    which the pages answer with 404.
    """
    return (
        Order.objects.select_related("distributor")
        .prefetch_related("items", _history())
        .get(customer=customer, number=number)
    )


def order_for_message(*, order_id: int) -> Order:
    """An order as its e-mails need it: lines, distributor, and the customer with their
    notification preferences, in two queries."""
    return (
        Order.objects.select_related("distributor", "customer__notification_preference")
        .prefetch_related("items")
        .get(pk=order_id)
    )


def default_shipping_address(user: User) -> str:
    """Where the buyer probably wants delivery: their organization's address, else their last."""
    org = user.organization
    org_address = ""
    if org is not None:
        parts = [
            org.address,
            ", ".join(part for part in (org.city, org.region) if part),
            org.country,
        ]
        org_address = "\n".join(part for part in parts if part)
        if org.address:
            return org_address
    last = (
        Order.objects.filter(customer=user, fulfillment_type=FulfillmentType.DELIVERY)
        .exclude(shipping_address="")
        .values_list("shipping_address", flat=True)
        .first()
    )
    return last or org_address
