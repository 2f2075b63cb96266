from accounts.tests.factories import CustomerFactory
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import place_order, stocked_product


def awaiting_order(*, on_hand=10, quantity=2, customer=None, distributor=None):
    """An order placed to be paid online (awaiting payment), its stock allocated."""
    distributor = distributor or DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=on_hand)
    return place_order(
        customer=customer or CustomerFactory(),
        distributor=distributor,
        lines=[(product, quantity)],
        awaiting_payment=True,
    )
