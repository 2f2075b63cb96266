"""The one-statement stock take of an order (inventory.stock_sql via stock_take_for_order).

Runs on SQLite (UPDATE ... RETURNING) and on MariaDB in CI (no RETURNING: the
statement refuses a line that would reach its reorder point).
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.tests.factories import ProductFactory
from inventory import services, stock_sql
from inventory.allocation import stock_take_expected
from inventory.exceptions import StockTakeMissed
from inventory.models import StockItem
from inventory.selectors import stock_items_off_their_warehouses
from inventory.signals import stock_low
from inventory.tests.factories import DistributorFactory, StockItemFactory
from inventory.warehouses import warehouse_create, warehouse_default
from procurement.models import ReplenishmentPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return DistributorFactory()


def stocked(hub, *, on_hand, reorder_level=5, allocated=0):
    product = ProductFactory(reorder_level=reorder_level)
    StockItemFactory(product=product, distributor=hub, on_hand=on_hand, allocated=allocated)
    return product


def figures(product):
    """The item's (on_hand, allocated), checked to be the sum of its warehouses'."""
    item = StockItem.objects.get(product=product)
    assert stock_items_off_their_warehouses(item.distributor_id) == []
    return item.on_hand, item.allocated


def stock_take_for_order(**kwargs):
    """The take in the distributor's first warehouse, as order_place calls it."""
    if "warehouse_id" not in kwargs:
        kwargs["warehouse_id"] = warehouse_default(kwargs["distributor_id"]).pk
    return services.stock_take_for_order(**kwargs)


@pytest.fixture
def lows():
    sent = []

    def listen(sender, **kwargs):
        sent.append(kwargs)

    stock_low.connect(listen, dispatch_uid="test_stock_sql.lows")
    yield sent
    stock_low.disconnect(dispatch_uid="test_stock_sql.lows")


def test_every_line_is_allocated_in_one_statement(hub, lows):
    """Items and their warehouse rows together: one multi-table UPDATE on MariaDB; on
    SQLite, which updates one table per statement, the items' UPDATE ... RETURNING and
    the rows' UPDATE."""
    a, b, c = (stocked(hub, on_hand=100, allocated=10) for _ in range(3))
    products = {p.pk: p for p in (a, b, c)}
    first = warehouse_default(hub).pk

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        stock_take_for_order(
            distributor_id=hub.pk,
            lines=[(a.pk, 3), (b.pk, 2), (c.pk, 1)],
            reference="order:1",
            products=products,
            warehouse_id=first,
        )

    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) == (2 if stock_sql.supports_returning() else 1)
    assert all(sql.startswith("UPDATE") for sql in statements)
    assert [figures(p) for p in (a, b, c)] == [(100, 13), (100, 12), (100, 11)]
    assert lows == []


def test_a_line_the_warehouse_cannot_cover_is_a_miss_though_the_total_could(hub):
    """60 in the first warehouse and 40 in the second: 70 in one take misses (the locked
    path then takes 60 + 10)."""
    product = stocked(hub, on_hand=60)
    second = warehouse_create(distributor=hub, name="Second", code="TWO", priority=20)
    services.stock_receive(
        product=product, distributor=hub, quantity=40, reference="po:1", warehouse=second
    )

    with pytest.raises(StockTakeMissed), transaction.atomic():
        stock_take_for_order(
            distributor_id=hub.pk,
            lines=[(product.pk, 70)],
            reference="order:1",
            products={product.pk: product},
        )

    assert figures(product) == (100, 0)


def test_a_short_line_is_a_miss_and_its_transaction_rolls_back(hub):
    plenty = stocked(hub, on_hand=100)
    short = stocked(hub, on_hand=4, allocated=2)
    products = {plenty.pk: plenty, short.pk: short}

    with pytest.raises(StockTakeMissed), transaction.atomic():
        stock_take_for_order(
            distributor_id=hub.pk,
            lines=[(plenty.pk, 5), (short.pk, 3)],
            reference="order:1",
            products=products,
        )

    # The plenty line's UPDATE went with the rolled-back transaction: no oversell, no leak.
    assert figures(plenty) == (100, 0)
    assert figures(short) == (4, 2)


def test_a_product_the_distributor_does_not_stock_is_a_miss(hub):
    stocked_one = stocked(hub, on_hand=100)
    elsewhere = ProductFactory()
    products = {stocked_one.pk: stocked_one, elsewhere.pk: elsewhere}

    with pytest.raises(StockTakeMissed), transaction.atomic():
        stock_take_for_order(
            distributor_id=hub.pk,
            lines=[(stocked_one.pk, 1), (elsewhere.pk, 1)],
            reference="order:1",
            products=products,
        )

    assert figures(stocked_one) == (100, 0)


def test_an_item_reaching_its_reorder_point_is_announced_or_refused(hub, lows):
    """With RETURNING the take sends stock_low with the figures after it; without
    (MariaDB) it refuses the line, and the locked path sends it."""
    product = stocked(hub, on_hand=12, reorder_level=5)

    def take():
        with transaction.atomic():
            stock_take_for_order(
                distributor_id=hub.pk,
                lines=[(product.pk, 7)],
                reference="order:9",
                products={product.pk: product},
            )

    if stock_sql.supports_returning():
        take()
        assert figures(product) == (12, 7)
        assert len(lows) == 1
        assert lows[0]["on_hand"] == 12
        assert lows[0]["allocated"] == 7
        assert lows[0]["reorder_level"] == 5
        assert lows[0]["reference"] == "order:9"
    else:
        with pytest.raises(StockTakeMissed):
            take()
        assert figures(product) == (12, 0)
        assert lows == []


def test_the_reorder_point_of_a_dynamic_policy_counts(hub, lows):
    """The item's nightly reorder point (20) wins over the product's level (5)."""
    product = stocked(hub, on_hand=30, reorder_level=5)
    item = StockItem.objects.get(product=product)
    ReplenishmentPolicy.objects.create(stock_item=item, policy="dynamic", reorder_point=20)

    def take():
        with transaction.atomic():
            stock_take_for_order(
                distributor_id=hub.pk,
                lines=[(product.pk, 12)],
                reference="order:3",
                products={product.pk: product},
            )

    if stock_sql.supports_returning():
        take()
        assert [low["reorder_level"] for low in lows] == [20]
    else:
        with pytest.raises(StockTakeMissed):
            take()


def test_the_forecast_sends_short_or_low_lines_to_the_locked_path(hub):
    from catalog.models import Product
    from inventory.selectors import product_stock_annotations

    plenty = stocked(hub, on_hand=100, reorder_level=5)
    few = stocked(hub, on_hand=8, reorder_level=5)
    products = Product.objects.annotate(**product_stock_annotations(hub.pk)).in_bulk(
        [plenty.pk, few.pk]
    )

    assert stock_take_expected(lines=[(plenty.pk, 10)], products=products)
    assert not stock_take_expected(lines=[(plenty.pk, 10), (few.pk, 9)], products=products)
    # 8 - 2 = 6 stays above 5 everywhere; 8 - 3 = 5 reaches it, which only
    # MariaDB's statement refuses.
    assert stock_take_expected(lines=[(few.pk, 2)], products=products)
    assert stock_take_expected(lines=[(few.pk, 3)], products=products) == (
        stock_sql.supports_returning()
    )
