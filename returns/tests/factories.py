"""Returns the way production makes them: a real order placed, shipped and delivered, then
the services."""

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from invoicing.tests.factories import deliver
from orders.tests.factories import place_order, stocked_product
from returns.services import RequestedLine, return_approve, return_request_create


def delivered(*, customer=None, distributor=None, product=None, quantity=5, on_hand=100):
    """A delivered order of `quantity` units of one product (stocked if not given)."""
    customer = customer or CustomerFactory()
    if distributor is None:
        distributor = DistributorUserFactory().organization
    product = product or stocked_product(distributor=distributor, on_hand=on_hand)
    return deliver(
        place_order(customer=customer, distributor=distributor, lines=[(product, quantity)])
    )


def requested(order, *, quantity=2, reason="defective", by=None, note=""):
    """A return of `quantity` units of the order's first line, asked by its buyer."""
    item = order.items.first()
    return return_request_create(
        order=order,
        by=by or order.customer,
        lines=[RequestedLine(item.pk, quantity, reason)],
        note=note,
    )


def approved(order, **kwargs):
    rma = requested(order, **kwargs)
    return return_approve(return_request=rma, by=None)
