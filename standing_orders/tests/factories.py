import datetime

from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import stocked_product
from standing_orders.services import standing_order_create


def standing_order(*, buyer=None, distributor=None, lines=None, next_run_date=None, **kwargs):
    """A weekly standing order through the service; `lines` are (product, quantity) pairs."""
    buyer = buyer or CustomerFactory()
    distributor = distributor or DistributorFactory()
    if lines is None:
        lines = [(stocked_product(distributor=distributor), 2)]
    kwargs.setdefault("frequency", "weekly")
    kwargs.setdefault("shipping_address", "12 MG Road, Bengaluru 560001")
    return standing_order_create(
        buyer=buyer,
        distributor=distributor,
        lines=lines,
        next_run_date=next_run_date or timezone.localdate() + datetime.timedelta(days=1),
        **kwargs,
    )
