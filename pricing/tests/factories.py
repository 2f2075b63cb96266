from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from pricing.models import BuyerGroup, PriceList, PriceListAssignment, PriceListItem


class PriceListFactory(DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"Price list {n}")


class PriceListItemFactory(DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    min_quantity = 1
    price = Decimal("90.00")


class BuyerGroupFactory(DjangoModelFactory):
    class Meta:
        model = BuyerGroup

    name = factory.Sequence(lambda n: f"Group {n}")


def price_list(*, assign=None, lines=(), **fields) -> PriceList:
    """A list with `lines` [(product, min_quantity, price or "10%")] assigned to `assign`:
    an Organization, a BuyerGroup, "customers" or "everyone"."""
    from accounts.models import Organization

    plist = PriceListFactory(**fields)
    if isinstance(assign, Organization):
        PriceListAssignment.objects.create(
            price_list=plist, scope="organization", organization=assign
        )
    elif isinstance(assign, BuyerGroup):
        PriceListAssignment.objects.create(price_list=plist, scope="group", group=assign)
    elif assign is not None:
        PriceListAssignment.objects.create(price_list=plist, scope=assign)
    for product, min_quantity, value in lines:
        if isinstance(value, str) and value.endswith("%"):
            PriceListItem.objects.create(
                price_list=plist,
                product=product,
                min_quantity=min_quantity,
                discount_percent=Decimal(value[:-1]),
            )
        else:
            PriceListItem.objects.create(
                price_list=plist, product=product, min_quantity=min_quantity, price=Decimal(value)
            )
    return plist
