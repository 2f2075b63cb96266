"""Invoices the way production makes them: place a real order, walk it to delivered."""

from orders.models import OrderStatus
from orders.tests.factories import place_order
from orders.transitions import order_transition

TO_DELIVERED = (
    OrderStatus.ACCEPTED,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


def deliver(order, *, by=None):
    """Move `order` from placed to delivered through the state machine (issues its invoice)."""
    start = TO_DELIVERED.index(order.status) + 1 if order.status in TO_DELIVERED else 0
    for status in TO_DELIVERED[start:]:
        order = order_transition(order=order, to_status=status, by=by)
    return order


def delivered_order(**place_kwargs):
    """A placed-then-delivered order (see orders.tests.factories.place_order for kwargs)."""
    return deliver(place_order(**place_kwargs))


def invoice_for(**place_kwargs):
    """The invoice of a freshly delivered order."""
    return delivered_order(**place_kwargs).invoices.get()


def invoice_owing(total, *, due_date=None, issue_date=None, **place_kwargs):
    """A real invoice whose amounts are set to `total` (tax 0) and, optionally, its dates.

    For figures computed by hand: the order's own tax rules would make totals awkward.
    """
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from invoicing.models import Invoice

    invoice = invoice_for(**place_kwargs)
    total = Decimal(total)
    due_date = due_date or invoice.due_date
    issue_date = issue_date or min(invoice.issue_date, due_date - datetime.timedelta(days=30))
    issue_date = min(issue_date, due_date, timezone.localdate())
    Invoice.objects.filter(pk=invoice.pk).update(
        subtotal=total,
        tax=0,
        cgst=0,
        sgst=0,
        igst=0,
        total=total,
        issue_date=issue_date,
        due_date=due_date,
    )
    # The order was placed on the invoice's day at the latest (payments are not older).
    placed = datetime.datetime.combine(issue_date, datetime.time(9), tzinfo=datetime.UTC)
    type(invoice.order).objects.filter(pk=invoice.order_id, created_at__gt=placed).update(
        created_at=placed
    )
    invoice.refresh_from_db()
    return invoice


def invoice_copies(invoice, count: int, **changes):
    """`count` copies of `invoice` (no shipment, numbers of their own): rows for query counts.

    `changes` may be callables of the copy's index (e.g. a buyer organization each).
    """
    from invoicing.models import Invoice

    fields = {
        f.attname: getattr(invoice, f.attname)
        for f in Invoice._meta.concrete_fields
        if f.attname not in ("id", "shipment_id", "current_for_shipment_id", "number")
    }
    copies, start = [], Invoice.objects.count()
    for index in range(start, start + count):
        values = {k: (v(index) if callable(v) else v) for k, v in changes.items()}
        copies.append(Invoice(**{**fields, **values, "number": f"C{index:06d}"}))
    return Invoice.objects.bulk_create(copies)
