"""The demo's price lists: a shop list whose prices include GST, charged as such."""

from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory, OrganizationFactory
from catalog.models import HsnRate
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import place_order, stocked_product
from pricing.demo import _shelf_price, seed_price_lists
from pricing.models import PriceList

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("list_price", "rate", "shelf"),
    [
        ("1000.00", "0.18", "1189"),  # 1,180.00 -> the next price ending in 9
        ("999.00", "0.18", "1179"),  # 1,178.82
        ("200.00", "0.05", "219"),  # 210.00
        ("1000.00", None, "1189"),  # no HSN rate: the default 18 %
    ],
)
def test_a_shelf_price_is_the_list_price_with_gst_ending_in_9(list_price, rate, shelf, settings):
    settings.INVOICE_TAX_RATE = "0.18"
    rate = None if rate is None else Decimal(rate)
    assert _shelf_price(Decimal(list_price), rate) == Decimal(shelf)


def test_customers_pay_the_seeded_shop_price_with_the_tax_inside_it():
    seller = DistributorFactory(state="27")
    HsnRate.objects.create(hsn_code="8471", rate=Decimal("18"), effective_from="2025-09-22")
    laptop = stocked_product(
        distributor=seller, price=Decimal("1000.00"), hsn_code="8471", sku="AAA-0001"
    )
    retailers = [OrganizationFactory(kind="retailer"), OrganizationFactory(kind="retailer")]

    assert seed_price_lists(retailers=retailers, distributor=seller) == 4
    assert seed_price_lists(retailers=retailers, distributor=seller) == 0  # idempotent
    shop = PriceList.objects.get(name__endswith="shop prices (GST included)")
    assert shop.prices_include_tax and shop.distributor == seller

    order = place_order(customer=CustomerFactory(), distributor=seller, lines=[(laptop, 1)])
    item = order.items.get()
    assert item.unit_price == Decimal("1189.00") and item.prices_include_tax
    # 1,189 / 1.18 = 1,007.63, but 9 % of it twice is 90.69 + 90.69 = 181.38 and
    # 1,007.63 + 181.38 = 1,189.01: the taxable value moves a paisa so they add up.
    assert (order.subtotal, order.tax, order.total) == (
        Decimal("1007.62"),
        Decimal("181.38"),
        Decimal("1189.00"),
    )
