"""Transfers' test helpers: stocked distributors and the network total."""

from django.db.models import Sum

from accounts.tests.factories import DistributorUserFactory
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory, StockItemFactory
from transfers.selectors import in_transit


def distributor_with_member(**fields):
    distributor = DistributorFactory(**fields)
    return distributor, DistributorUserFactory(organization=distributor)


def stock(product, distributor, on_hand):
    return StockItemFactory(product=product, distributor=distributor, on_hand=on_hand)


def on_hand(product, distributor) -> int:
    item = StockItem.objects.filter(product=product, distributor=distributor).first()
    return item.on_hand if item else 0


def figures(product, distributor) -> tuple[int, int]:
    """(on_hand, allocated) of one item, 0s when it does not exist."""
    item = StockItem.objects.filter(product=product, distributor=distributor).first()
    return (item.on_hand, item.allocated) if item else (0, 0)


def network_total(product) -> int:
    """Sum of on_hand over every distributor plus the units in transit."""
    shelves = StockItem.objects.filter(product=product).aggregate(n=Sum("on_hand"))["n"] or 0
    transit = sum(in_transit(product_ids=[product.pk]).values())
    return shelves + transit
