"""Stock taken by orders and given back (stock_take_for_order, stock_return_for_order)."""

import pytest
from django.db import transaction

from catalog.tests.factories import ProductFactory
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem, StockMovement
from inventory.selectors import ledger_sum
from inventory.services import stock_adjust, stock_return_for_order, stock_take_for_order
from inventory.signals import stock_low
from inventory.tests.factories import DistributorFactory, StockItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_signals():
    received = []

    def handler(sender, **kwargs):
        received.append(kwargs)

    stock_low.connect(handler, dispatch_uid="test.low_signals")
    yield received
    stock_low.disconnect(dispatch_uid="test.low_signals")


def test_take_lowers_on_hand_and_writes_one_sale_per_line():
    distributor = DistributorFactory()
    a = StockItemFactory(distributor=distributor, on_hand=30)
    b = StockItemFactory(distributor=distributor, on_hand=20)

    stock_take_for_order(
        distributor_id=distributor.pk,
        lines=[(a.product_id, 4), (b.product_id, 20)],
        reference="order:1",
    )

    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.on_hand, b.on_hand) == (26, 0)
    sales = StockMovement.objects.filter(kind=StockMovement.Kind.SALE, reference="order:1")
    assert sorted(sales.values_list("quantity", "balance_after")) == [(-20, 0), (-4, 26)]
    assert ledger_sum(a) == 26
    assert ledger_sum(b) == 0


def test_take_is_all_or_nothing_and_names_the_short_product():
    distributor = DistributorFactory()
    plenty = StockItemFactory(distributor=distributor, on_hand=50)
    short = StockItemFactory(
        distributor=distributor, on_hand=3, product=ProductFactory(name="Pillow")
    )

    with pytest.raises(InsufficientStock) as exc, transaction.atomic():
        stock_take_for_order(
            distributor_id=distributor.pk,
            lines=[(plenty.product_id, 5), (short.product_id, 4)],
            reference="order:2",
        )

    assert (exc.value.available, exc.value.requested) == (3, 4)
    assert "Pillow" in str(exc.value) and "3 available" in str(exc.value)
    assert StockItem.objects.get(pk=plenty.pk).on_hand == 50
    assert not StockMovement.objects.filter(reference="order:2").exists()


def test_take_respects_reserved_units():
    item = StockItemFactory(on_hand=10, reserved=8)

    with pytest.raises(InsufficientStock) as exc:
        stock_take_for_order(
            distributor_id=item.distributor_id, lines=[(item.product_id, 3)], reference="order:3"
        )
    assert exc.value.available == 2


def test_a_product_the_distributor_does_not_hold_has_none_available():
    distributor = DistributorFactory()
    product = ProductFactory()

    with pytest.raises(InsufficientStock) as exc:
        stock_take_for_order(
            distributor_id=distributor.pk, lines=[(product.pk, 1)], reference="order:4"
        )
    assert exc.value.available == 0
    assert exc.value.distributor == distributor


def test_stock_low_is_sent_for_items_at_or_below_their_level(low_signals):
    distributor = DistributorFactory()
    crossing = StockItemFactory(
        distributor=distributor, on_hand=12, product=ProductFactory(reorder_level=10)
    )
    override = StockItemFactory(
        distributor=distributor,
        on_hand=40,
        reorder_level_override=35,
        product=ProductFactory(reorder_level=10),
    )
    fine = StockItemFactory(
        distributor=distributor, on_hand=100, product=ProductFactory(reorder_level=10)
    )

    stock_take_for_order(
        distributor_id=distributor.pk,
        lines=[(crossing.product_id, 2), (override.product_id, 5), (fine.product_id, 5)],
        reference="order:5",
    )

    by_item = {signal["stock_item_id"]: signal for signal in low_signals}
    assert set(by_item) == {crossing.pk, override.pk}
    assert by_item[crossing.pk] == {
        "signal": stock_low,
        "stock_item_id": crossing.pk,
        "product_id": crossing.product_id,
        "distributor_id": distributor.pk,
        "on_hand": 10,
        "reserved": 0,
        "reorder_level": 10,
        "reference": "order:5",
    }
    assert by_item[override.pk]["reorder_level"] == 35


def test_a_downward_adjustment_to_the_level_sends_stock_low(low_signals):
    item = StockItemFactory(on_hand=15, product=ProductFactory(reorder_level=10))

    stock_adjust(stock_item=item, delta=3, note="found a box")
    assert low_signals == []
    stock_adjust(stock_item=item, delta=-8, note="water damage")

    assert [s["on_hand"] for s in low_signals] == [10]


def test_return_gives_back_exactly_what_the_order_took_once():
    distributor = DistributorFactory()
    a = StockItemFactory(distributor=distributor, on_hand=10)
    b = StockItemFactory(distributor=distributor, on_hand=10)
    stock_take_for_order(
        distributor_id=distributor.pk,
        lines=[(a.product_id, 3), (b.product_id, 7)],
        reference="order:9",
    )
    # Another order's sale of the same item is not this order's to return.
    stock_take_for_order(
        distributor_id=distributor.pk, lines=[(a.product_id, 1)], reference="order:10"
    )

    first = stock_return_for_order(distributor_id=distributor.pk, reference="order:9")
    second = stock_return_for_order(distributor_id=distributor.pk, reference="order:9")

    assert sorted(m.quantity for m in first) == [3, 7]
    assert second == []
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.on_hand, b.on_hand) == (9, 10)
    assert ledger_sum(a) == 9
    assert ledger_sum(b) == 10
    returns = StockMovement.objects.filter(kind=StockMovement.Kind.RETURN)
    assert sorted(returns.values_list("balance_after", flat=True)) == [9, 10]


def test_take_costs_the_same_queries_for_one_line_and_ten(django_assert_num_queries):
    distributor = DistributorFactory()
    items = [StockItemFactory(distributor=distributor, on_hand=50) for _ in range(10)]

    with django_assert_num_queries(4):
        stock_take_for_order(
            distributor_id=distributor.pk, lines=[(items[0].product_id, 1)], reference="order:1"
        )
    with django_assert_num_queries(4):
        stock_take_for_order(
            distributor_id=distributor.pk,
            lines=[(item.product_id, 1) for item in items],
            reference="order:2",
        )
