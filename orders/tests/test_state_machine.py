"""The order state machine (orders.models.TRANSITIONS) move by move, and stock given back once.

Every (from, to) pair of statuses is tried: the legal ones move and record who,
when and why; the illegal ones raise IllegalTransition naming the allowed
moves and change nothing. Rejected and cancelled orders release their
allocation (no movement: the units never left the shelf) exactly once;
shipping dispatches what is allocated, and becomes `partially_shipped` while
units stay backordered. Then the distributor's own rules on top
(order_move_by_distributor).
"""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    RetailerUserFactory,
)
from inventory.models import StockItem, StockMovement
from inventory.services import stock_receive
from inventory.tests.factories import DistributorFactory
from invoicing.models import CreditTerms
from orders.exceptions import IllegalTransition
from orders.models import RETURNS_STOCK, TRANSITIONS, Order, OrderStatus, OrderStatusChange
from orders.signals import order_status_changed
from orders.tests.factories import place_order, stocked_product
from orders.transitions import DISTRIBUTOR_MOVES, order_move_by_distributor, order_transition

pytestmark = pytest.mark.django_db

# The shortest walk from `placed` to each status, along legal moves.
PATH_TO = {
    OrderStatus.AWAITING_PAYMENT: [],  # placed to be paid online (order_in)
    OrderStatus.PLACED: [],
    OrderStatus.CREDIT_HOLD: [],  # placed over the buyer's credit limit (order_in)
    OrderStatus.ACCEPTED: [OrderStatus.ACCEPTED],
    OrderStatus.PROCESSING: [OrderStatus.ACCEPTED, OrderStatus.PROCESSING],
    OrderStatus.PARTIALLY_SHIPPED: [
        OrderStatus.ACCEPTED,
        OrderStatus.PROCESSING,
        OrderStatus.PARTIALLY_SHIPPED,
    ],
    OrderStatus.SHIPPED: [OrderStatus.ACCEPTED, OrderStatus.PROCESSING, OrderStatus.SHIPPED],
    OrderStatus.DELIVERED: [
        OrderStatus.ACCEPTED,
        OrderStatus.PROCESSING,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ],
    OrderStatus.REJECTED: [OrderStatus.REJECTED],
    OrderStatus.CANCELLED: [OrderStatus.CANCELLED],
}
PAIRS = list(itertools.product(OrderStatus.values, OrderStatus.values))
LEGAL = [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]]
ILLEGAL = [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]]


def test_the_table_is_the_one_the_issue_describes():
    assert set(PATH_TO) == set(OrderStatus.values) == set(TRANSITIONS)
    assert sorted(LEGAL) == sorted(
        [
            ("credit_hold", "placed"),
            ("credit_hold", "rejected"),
            ("credit_hold", "cancelled"),
            ("awaiting_payment", "placed"),
            ("awaiting_payment", "cancelled"),
            ("placed", "accepted"),
            ("placed", "rejected"),
            ("placed", "cancelled"),
            ("accepted", "processing"),
            ("accepted", "cancelled"),
            ("processing", "shipped"),
            ("processing", "partially_shipped"),
            ("partially_shipped", "shipped"),
            ("partially_shipped", "partially_shipped"),
            ("shipped", "delivered"),
        ]
    )
    assert len(ILLEGAL) == 10 * 10 - 15
    assert {OrderStatus.REJECTED, OrderStatus.CANCELLED} == RETURNS_STOCK


@pytest.fixture
def distributor():
    return DistributorFactory()


@pytest.fixture
def staff(distributor):
    return DistributorUserFactory(organization=distributor)


@pytest.fixture
def signals():
    seen = []

    def record(sender, **kwargs):
        seen.append((kwargs["from_status"], kwargs["to_status"]))

    order_status_changed.connect(record, dispatch_uid="test.state_machine", weak=False)
    yield seen
    order_status_changed.disconnect(dispatch_uid="test.state_machine")


def order_in(status, *, distributor, by=None, lines=None, short=False) -> Order:
    """An order walked to `status`. `short`: one line is partly backordered (5 asked, 3 there),
    which a partial shipment needs."""
    if status == OrderStatus.CREDIT_HOLD:
        # A retailer whose credit limit at this distributor is nil: every order is held.
        buyer = RetailerUserFactory()
        CreditTerms.objects.create(seller=distributor, buyer=buyer.organization, credit_limit=0)
        order = place_order(customer=buyer, distributor=distributor, lines=lines)
    elif short or status == OrderStatus.PARTIALLY_SHIPPED:
        product = stocked_product(distributor=distributor, on_hand=3)
        order = place_order(distributor=distributor, lines=[(product, 5)], backorder=True)
    else:
        order = place_order(
            distributor=distributor,
            lines=lines,
            awaiting_payment=status == OrderStatus.AWAITING_PAYMENT,
        )
    for step in PATH_TO[status]:
        order = order_transition(
            order=order,
            to_status=step,
            by=by,
            note=f"to {step}",
            tracking_reference="TRK-1" if step == OrderStatus.SHIPPED else "",
        )
    assert order.status == status
    return order


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_every_legal_move_moves_and_records_who_when_and_why(
    from_status, to_status, distributor, staff, signals
):
    order = order_in(
        from_status,
        distributor=distributor,
        by=staff,
        short=to_status == OrderStatus.PARTIALLY_SHIPPED,
    )
    if from_status == OrderStatus.PARTIALLY_SHIPPED:
        # Stock for the backordered rest: all of it to ship complete, part of it to ship again.
        product = order.items.get().product
        units = 2 if to_status == OrderStatus.SHIPPED else 1
        stock_receive(product=product, distributor=distributor, quantity=units, reference="po:1")
    signals.clear()
    history_before = OrderStatusChange.objects.filter(order=order).count()

    moved = order_transition(order=order, to_status=to_status, by=staff, note="  a reason  ")

    assert moved.status == to_status
    assert Order.objects.get(pk=order.pk).status == to_status
    last = OrderStatusChange.objects.filter(order=order).order_by("pk").last()
    assert OrderStatusChange.objects.filter(order=order).count() == history_before + 1
    assert (last.from_status, last.to_status, last.changed_by, last.note) == (
        from_status,
        to_status,
        staff,
        "a reason",
    )
    assert last.created_at is not None
    assert signals == [(from_status, to_status)]


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_every_illegal_move_is_refused_naming_the_allowed_ones_and_changes_nothing(
    from_status, to_status, distributor, staff, signals
):
    order = order_in(from_status, distributor=distributor, by=staff)
    signals.clear()
    history = list(OrderStatusChange.objects.filter(order=order).values_list("pk", flat=True))
    ledger = StockMovement.objects.count()

    with pytest.raises(IllegalTransition) as exc:
        order_transition(order=order, to_status=to_status, by=staff, note="nope")

    allowed = list(TRANSITIONS[from_status])
    assert exc.value.allowed == allowed
    assert exc.value.to_status == to_status
    message = str(exc.value)
    assert f"is {from_status} and cannot become {to_status}" in message
    assert (", ".join(allowed) if allowed else "none (it is final)") in message
    assert Order.objects.get(pk=order.pk).status == from_status
    assert list(OrderStatusChange.objects.filter(order=order).values_list("pk", flat=True)) == (
        history
    )
    assert StockMovement.objects.count() == ledger
    assert signals == []


# --- Allocation released exactly once; dispatch takes the shelf ----------------------------


def stock_state(items):
    """{item pk: (on_hand, allocated)}, checking on_hand against the ledger's sum."""
    state = {}
    for item in items:
        item.refresh_from_db()
        total = StockMovement.objects.filter(stock_item=item).aggregate(t=Sum("quantity"))["t"]
        assert item.on_hand == total
        state[item.pk] = (item.on_hand, item.allocated)
    return state


RETURNING = [(a, b) for a, b in LEGAL if b in RETURNS_STOCK]


def test_the_releasing_moves_are_rejection_and_both_cancellations():
    assert sorted(RETURNING) == [
        ("accepted", "cancelled"),
        ("awaiting_payment", "cancelled"),
        ("credit_hold", "cancelled"),
        ("credit_hold", "rejected"),
        ("placed", "cancelled"),
        ("placed", "rejected"),
    ]


@pytest.mark.parametrize(("from_status", "to_status"), RETURNING)
def test_rejection_and_cancellation_release_the_allocation_exactly_once(
    from_status, to_status, distributor, staff
):
    tea = stocked_product(distributor=distributor, on_hand=20)
    rice = stocked_product(distributor=distributor, on_hand=7)
    items = list(StockItem.objects.filter(distributor=distributor).order_by("pk"))
    order = order_in(from_status, distributor=distributor, by=staff, lines=[(tea, 5), (rice, 7)])
    # Placing promises the units; the shelf keeps them.
    assert stock_state(items) == {items[0].pk: (20, 5), items[1].pk: (7, 7)}
    movements = StockMovement.objects.count()

    order_transition(order=order, to_status=to_status, by=staff, note="gone")

    assert stock_state(items) == {items[0].pk: (20, 0), items[1].pk: (7, 0)}
    assert StockMovement.objects.count() == movements  # nothing left the shelf: no movement
    lines = order.items.order_by("pk").values_list("quantity_allocated", "quantity_cancelled")
    assert list(lines) == [(0, 5), (0, 7)]

    # Replaying the move is refused (the order is final) and releases nothing more.
    with pytest.raises(IllegalTransition):
        order_transition(order=order, to_status=to_status, by=staff)
    assert stock_state(items) == {items[0].pk: (20, 0), items[1].pk: (7, 0)}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (OrderStatus.ACCEPTED, (20, 4)),
        (OrderStatus.PROCESSING, (20, 4)),
        (OrderStatus.SHIPPED, (16, 0)),
        (OrderStatus.DELIVERED, (16, 0)),
    ],
)
def test_on_hand_drops_at_dispatch_and_not_before(status, expected, distributor, staff):
    tea = stocked_product(distributor=distributor, on_hand=20)
    item = StockItem.objects.get(product=tea, distributor=distributor)
    order = order_in(status, distributor=distributor, by=staff, lines=[(tea, 4)])

    assert stock_state([item]) == {item.pk: expected}
    shipments = StockMovement.objects.filter(
        reference=order.stock_reference, kind=StockMovement.Kind.SHIPMENT
    )
    if expected[0] == 16:
        assert list(shipments.values_list("quantity", "balance_after", "created_by")) == [
            (-4, 16, staff.pk)
        ]
        assert order.items.get().quantity_shipped == 4
    else:
        assert not shipments.exists()


def test_a_release_leaves_other_orders_of_the_same_product_alone(distributor, staff):
    tea = stocked_product(distributor=distributor, on_hand=10)
    item = StockItem.objects.get(product=tea, distributor=distributor)
    kept = place_order(distributor=distributor, lines=[(tea, 3)])
    dropped = place_order(distributor=distributor, lines=[(tea, 4)])

    order_transition(order=dropped, to_status=OrderStatus.REJECTED, by=staff, note="no")

    assert stock_state([item]) == {item.pk: (10, 3)}
    assert Order.objects.get(pk=kept.pk).status == OrderStatus.PLACED


def test_shipping_with_units_backordered_is_a_partial_shipment(distributor, staff):
    order = order_in(OrderStatus.PROCESSING, distributor=distributor, by=staff, short=True)
    line = order.items.get()
    item = StockItem.objects.get(product=line.product, distributor=distributor)
    assert (line.quantity_allocated, line.quantity_backordered) == (3, 2)

    moved = order_transition(
        order=order, to_status=OrderStatus.SHIPPED, by=staff, tracking_reference="TRK-1"
    )

    assert moved.status == OrderStatus.PARTIALLY_SHIPPED
    assert stock_state([item]) == {item.pk: (0, 0)}
    # Nothing allocated yet: shipping again is refused, and nothing is written.
    with pytest.raises(IllegalTransition, match="nothing allocated to ship"):
        order_transition(order=moved, to_status=OrderStatus.SHIPPED, by=staff)
    stock_receive(product=line.product, distributor=distributor, quantity=10, reference="po:9")
    assert stock_state([item]) == {item.pk: (10, 2)}  # the backorder took its 2 first
    done = order_transition(order=moved, to_status=OrderStatus.SHIPPED, by=staff)
    assert done.status == OrderStatus.SHIPPED
    line.refresh_from_db()
    assert (line.quantity_shipped, line.quantity_backordered) == (5, 0)
    assert stock_state([item]) == {item.pk: (8, 0)}


# --- The distributor's rules on top (order_move_by_distributor) --------------------------


def test_the_distributor_moves_are_every_status_after_placed_and_the_release():
    # A partial shipment is what shipping becomes while units stay backordered, not a move;
    # `placed` is the release of an order held for credit; only placement holds one.
    assert set(DISTRIBUTOR_MOVES) == set(OrderStatus.values) - {
        OrderStatus.CREDIT_HOLD,
        OrderStatus.AWAITING_PAYMENT,  # the payment moves it on (to placed: only_from)
        OrderStatus.PARTIALLY_SHIPPED,
    }


def test_only_a_member_of_the_orders_distributor_may_move_it(distributor):
    order = place_order(distributor=distributor)
    for outsider in (DistributorUserFactory(), CustomerFactory()):
        with pytest.raises(PermissionDenied):
            order_move_by_distributor(order=order, to_status="accepted", by=outsider)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


@pytest.mark.parametrize(
    ("from_status", "to_status", "fields", "field"),
    [
        ("placed", "credit_hold", {}, "status"),
        ("placed", "bogus", {}, "status"),
        ("placed", "rejected", {"note": "   "}, "note"),
        ("accepted", "cancelled", {}, "note"),
        ("processing", "shipped", {}, "tracking_reference"),
        ("processing", "shipped", {"tracking_reference": "  "}, "tracking_reference"),
        ("processing", "shipped", {"tracking_reference": "X" * 101}, "tracking_reference"),
        ("placed", "accepted", {"tracking_reference": "TRK"}, "tracking_reference"),
    ],
)
def test_bad_input_is_a_field_error_and_changes_nothing(
    from_status, to_status, fields, field, distributor, staff
):
    order = order_in(from_status, distributor=distributor, by=staff)
    changes = OrderStatusChange.objects.count()

    with pytest.raises(ValidationError) as exc:
        order_move_by_distributor(order=order, to_status=to_status, by=staff, **fields)

    assert field in exc.value.message_dict
    assert Order.objects.get(pk=order.pk).status == from_status
    assert OrderStatusChange.objects.count() == changes


def test_shipping_stores_the_tracking_reference(distributor, staff):
    order = order_in(OrderStatus.PROCESSING, distributor=distributor, by=staff)

    shipped = order_move_by_distributor(
        order=order, to_status="shipped", by=staff, tracking_reference="  BLUEDART 77  "
    )

    assert shipped.tracking_reference == "BLUEDART 77"
    assert Order.objects.get(pk=order.pk).tracking_reference == "BLUEDART 77"


def test_an_illegal_distributor_move_names_the_allowed_ones(distributor, staff):
    order = order_in(OrderStatus.ACCEPTED, distributor=distributor, by=staff)

    with pytest.raises(IllegalTransition) as exc:
        order_move_by_distributor(order=order, to_status="delivered", by=staff)

    assert exc.value.allowed == ["processing", "cancelled"]
