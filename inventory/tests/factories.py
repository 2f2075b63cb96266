import factory
from factory.django import DjangoModelFactory

from accounts.models import Organization
from accounts.tests.factories import OrganizationFactory
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem, WarehouseStock
from inventory.services import STOCK_FIGURES, stock_assign
from inventory.warehouses import warehouse_default


class DistributorFactory(OrganizationFactory):
    kind = Organization.Kind.DISTRIBUTOR


class StockItemFactory(DjangoModelFactory):
    """A stock item whose on_hand came in through stock_assign, so the ledger matches it.

    `reserved` is set afterwards with a plain update: reservations are not
    ledger movements.
    """

    class Meta:
        model = StockItem

    product = factory.SubFactory(ProductFactory)
    distributor = factory.SubFactory(DistributorFactory)
    on_hand = 100
    held = 0

    @classmethod
    def _create(cls, model_class, *, product, distributor, on_hand, held, **kwargs):
        if on_hand > 0:
            item = stock_assign(
                product=product, distributor=distributor, quantity=on_hand, note="factory"
            )
        else:
            item = model_class.objects.create(product=product, distributor=distributor)
        if held or kwargs:
            for name, value in {"held": held, **kwargs}.items():
                setattr(item, name, value)
            model_class.objects.filter(pk=item.pk).update(held=held, **kwargs)
            # The default warehouse holds the same figures, so the totals still add up.
            figures = {k: v for k, v in {"held": held, **kwargs}.items() if k in STOCK_FIGURES}
            WarehouseStock.objects.update_or_create(
                stock_item=item, warehouse=warehouse_default(distributor), defaults=figures
            )
        return item
