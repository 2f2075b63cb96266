import factory

from accounts.tests.factories import CustomerFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.services import order_place


def stocked_product(*, distributor, on_hand=100, **product_fields):
    """A product with `on_hand` units at `distributor`, assigned through the ledger."""
    from catalog.tests.factories import ProductFactory

    product = ProductFactory(**product_fields)
    StockItemFactory(product=product, distributor=distributor, on_hand=on_hand)
    return product


def place_order(*, customer=None, distributor=None, lines=None, **kwargs):
    """Place a real order through order_place (stock taken, ledger written)."""
    customer = customer or CustomerFactory()
    if distributor is None:
        distributor = DistributorFactory()
    if lines is None:
        lines = [(stocked_product(distributor=distributor), 1)]
    kwargs.setdefault("shipping_address", "1 Test Street, Testville")
    return order_place(
        customer=customer,
        distributor=distributor,
        items=[(product.pk, quantity) for product, quantity in lines],
        **kwargs,
    )


class OrderFactory(factory.Factory):
    """`OrderFactory()` places an order of one unit of a fresh product."""

    class Meta:
        model = dict

    @classmethod
    def _create(cls, model_class, **kwargs):
        return place_order(**kwargs)

    _build = _create
