"""A property of the stock ledger, checked by hypothesis over random sequences of operations.

Whatever mix of assignments, receipts, adjustments, orders, acceptances,
cancellations and rejections comes in, through the real services: every stock
item keeps on_hand >= 0 and equal to the sum of its ledger, and an operation
that is refused (too little stock, a bad adjustment, a move the state machine
forbids) writes nothing at all. Each example runs in its own transaction,
rolled back afterwards (hypothesis.extra.django.TestCase).
"""

from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.tests.factories import CustomerFactory, ManufacturerUserFactory
from catalog.tests.factories import ProductFactory
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem, StockMovement
from inventory.services import stock_adjust, stock_assign, stock_receive
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.exceptions import IllegalTransition
from orders.models import Order, OrderStatus, OrderStatusChange
from orders.services import order_place, order_transition

PRODUCTS = 3  # the last one starts with no stock item at all
product = st.integers(min_value=0, max_value=PRODUCTS - 1)
quantity = st.integers(min_value=1, max_value=30)  # stock coming in
wanted = st.integers(min_value=1, max_value=8)  # a line of an order

operations = st.one_of(
    st.tuples(st.just("assign"), product, quantity),
    st.tuples(st.just("receive"), product, quantity),
    # 0 and an empty note are refused; a large negative delta finds too little stock.
    st.tuples(st.just("adjust"), product, st.integers(min_value=-20, max_value=20), st.booleans()),
    st.tuples(
        st.just("order"),
        st.lists(
            st.tuples(product, quantity),
            min_size=1,
            max_size=PRODUCTS,
            unique_by=lambda line: line[0],
        ),
    ),
    st.tuples(
        st.just("move"),
        st.integers(min_value=0, max_value=7),
        st.sampled_from([OrderStatus.ACCEPTED, OrderStatus.CANCELLED, OrderStatus.REJECTED]),
    ),
)


def snapshot() -> tuple:
    """Everything a refused operation must leave as it was."""
    return (
        tuple(StockItem.objects.order_by("pk").values_list("pk", "on_hand")),
        StockMovement.objects.count(),
        Order.objects.count(),
        OrderStatusChange.objects.count(),
        tuple(Order.objects.order_by("pk").values_list("status", flat=True)),
    )


class StockLedgerProperty(TestCase):
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,  # the same examples every run: CI does not flake
    )
    @given(st.lists(operations, min_size=4, max_size=25))
    def test_on_hand_stays_non_negative_and_equal_to_the_ledger_sum(self, ops):
        distributor = DistributorFactory()
        products = [ProductFactory() for _ in range(PRODUCTS)]
        for p in products[:-1]:
            StockItemFactory(product=p, distributor=distributor, on_hand=0)
        customer = CustomerFactory()
        staff = ManufacturerUserFactory()
        expected = {p.pk: 0 for p in products}  # the model: units on hand per product
        orders: list[tuple[Order, dict[int, int]]] = []

        for op in ops:
            before = snapshot()
            refused = False
            kind = op[0]
            if kind in ("assign", "receive"):
                _, index, qty = op
                target = products[index]
                if kind == "assign":
                    stock_assign(product=target, distributor=distributor, quantity=qty, by=staff)
                else:
                    stock_receive(
                        product=target, distributor=distributor, quantity=qty, reference="po:1"
                    )
                expected[target.pk] += qty
            elif kind == "adjust":
                _, index, delta, with_note = op
                target = products[index]
                item = StockItem.objects.filter(product=target, distributor=distributor).first()
                if item is None:
                    continue  # nothing to adjust: no stock item yet
                try:
                    stock_adjust(
                        stock_item=item, delta=delta, note="stock-take" if with_note else " "
                    )
                except (ValidationError, InsufficientStock):
                    refused = True
                    assert delta == 0 or not with_note or expected[target.pk] + delta < 0
                else:
                    assert delta != 0 and with_note and expected[target.pk] + delta >= 0
                    expected[target.pk] += delta
            elif kind == "order":
                lines = {products[i].pk: qty for i, qty in op[1]}
                try:
                    order = order_place(
                        customer=customer,
                        distributor=distributor,
                        items=list(lines.items()),
                        shipping_address="1 Test Street",
                    )
                except InsufficientStock:
                    refused = True
                    assert any(qty > expected[pk] for pk, qty in lines.items())
                else:
                    assert all(qty <= expected[pk] for pk, qty in lines.items())
                    for pk, qty in lines.items():
                        expected[pk] -= qty
                    orders.append((order, lines))
            else:  # move an order along the state machine
                _, index, to_status = op
                if not orders:
                    continue
                order, lines = orders[index % len(orders)]
                status = Order.objects.get(pk=order.pk).status
                try:
                    order_transition(order=order, to_status=to_status, by=None)
                except IllegalTransition:
                    refused = True
                    assert to_status not in Order.objects.get(pk=order.pk).allowed_transitions
                else:
                    assert status in (OrderStatus.PLACED, OrderStatus.ACCEPTED)
                    if to_status != OrderStatus.ACCEPTED:  # cancelled, rejected: stock back
                        for pk, qty in lines.items():
                            expected[pk] += qty

            event(f"{kind} {'refused' if refused else 'done'}")
            if refused:
                assert snapshot() == before, f"{op} was refused but wrote something"
            self.assert_ledger(distributor, expected)

    def assert_ledger(self, distributor, expected):
        items = StockItem.objects.filter(distributor=distributor).annotate(
            ledger=Sum("movements__quantity")
        )
        for item in items:
            assert item.on_hand >= 0
            assert item.on_hand == (item.ledger or 0), (item.on_hand, item.ledger)
            assert item.on_hand == expected[item.product_id]
        for pk, units in expected.items():
            if not any(item.product_id == pk for item in items):
                assert units == 0
