"""The order state machine (orders.models.TRANSITIONS) move by move, and stock given back once.

Every (from, to) pair of statuses is tried: the legal ones move and record who,
when and why; the illegal ones raise IllegalTransition naming the allowed
moves and change nothing. Rejected and cancelled orders return their stock
through the ledger exactly once, however often the move or the return is
replayed. Then the distributor's own rules on top (order_move_by_distributor).
"""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from inventory.models import StockItem, StockMovement
from inventory.services import stock_return_for_order
from inventory.tests.factories import DistributorFactory
from orders.exceptions import IllegalTransition
from orders.models import RETURNS_STOCK, TRANSITIONS, Order, OrderStatus, OrderStatusChange
from orders.services import DISTRIBUTOR_MOVES, order_move_by_distributor, order_transition
from orders.signals import order_status_changed
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db

# The shortest walk from `placed` to each status, along legal moves.
PATH_TO = {
    OrderStatus.PLACED: [],
    OrderStatus.ACCEPTED: [OrderStatus.ACCEPTED],
    OrderStatus.PROCESSING: [OrderStatus.ACCEPTED, OrderStatus.PROCESSING],
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
            ("placed", "accepted"),
            ("placed", "rejected"),
            ("placed", "cancelled"),
            ("accepted", "processing"),
            ("accepted", "cancelled"),
            ("processing", "shipped"),
            ("shipped", "delivered"),
        ]
    )
    assert len(ILLEGAL) == 7 * 7 - 7
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


def order_in(status, *, distributor, by=None, lines=None) -> Order:
    order = place_order(distributor=distributor, lines=lines)
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
    order = order_in(from_status, distributor=distributor, by=staff)
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


# --- Stock comes back exactly once ----------------------------------------------------


def stock_state(items):
    """{item pk: (on_hand, ledger sum)} — the two must always agree."""
    state = {}
    for item in items:
        item.refresh_from_db()
        total = StockMovement.objects.filter(stock_item=item).aggregate(t=Sum("quantity"))["t"]
        state[item.pk] = (item.on_hand, total)
        assert item.on_hand == total
    return state


RETURNING = [(a, b) for a, b in LEGAL if b in RETURNS_STOCK]


def test_the_returning_moves_are_rejection_and_both_cancellations():
    assert sorted(RETURNING) == [
        ("accepted", "cancelled"),
        ("placed", "cancelled"),
        ("placed", "rejected"),
    ]


@pytest.mark.parametrize(("from_status", "to_status"), RETURNING)
def test_rejection_and_cancellation_return_the_stock_exactly_once(
    from_status, to_status, distributor, staff
):
    tea = stocked_product(distributor=distributor, on_hand=20)
    rice = stocked_product(distributor=distributor, on_hand=7)
    items = list(StockItem.objects.filter(distributor=distributor).order_by("pk"))
    order = order_in(from_status, distributor=distributor, by=staff, lines=[(tea, 5), (rice, 7)])
    assert stock_state(items) == {items[0].pk: (15, 15), items[1].pk: (0, 0)}

    order_transition(order=order, to_status=to_status, by=staff, note="gone")

    assert stock_state(items) == {items[0].pk: (20, 20), items[1].pk: (7, 7)}
    returns = StockMovement.objects.filter(
        reference=order.stock_reference, kind=StockMovement.Kind.RETURN
    )
    assert sorted(returns.values_list("quantity", "balance_after")) == [(5, 20), (7, 7)]
    assert set(returns.values_list("created_by", flat=True)) == {staff.pk}
    assert all(
        note.startswith(f"Order {to_status}") for note in returns.values_list("note", flat=True)
    )

    # Replaying the move is refused (the order is final) and returns nothing more.
    with pytest.raises(IllegalTransition):
        order_transition(order=order, to_status=to_status, by=staff)
    # Nor does calling the return itself again, twice.
    for _ in range(2):
        assert (
            stock_return_for_order(distributor_id=distributor.pk, reference=order.stock_reference)
            == []
        )
    assert returns.count() == 2
    assert stock_state(items) == {items[0].pk: (20, 20), items[1].pk: (7, 7)}


@pytest.mark.parametrize(
    "status",
    [OrderStatus.ACCEPTED, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED],
)
def test_moves_that_keep_the_order_leave_the_stock_taken(status, distributor, staff):
    tea = stocked_product(distributor=distributor, on_hand=20)
    item = StockItem.objects.get(product=tea, distributor=distributor)
    order = order_in(status, distributor=distributor, by=staff, lines=[(tea, 4)])

    assert stock_state([item]) == {item.pk: (16, 16)}
    assert not StockMovement.objects.filter(
        reference=order.stock_reference, kind=StockMovement.Kind.RETURN
    ).exists()


def test_a_return_leaves_other_orders_of_the_same_product_alone(distributor, staff):
    tea = stocked_product(distributor=distributor, on_hand=10)
    item = StockItem.objects.get(product=tea, distributor=distributor)
    kept = place_order(distributor=distributor, lines=[(tea, 3)])
    dropped = place_order(distributor=distributor, lines=[(tea, 4)])

    order_transition(order=dropped, to_status=OrderStatus.REJECTED, by=staff, note="no")

    assert stock_state([item]) == {item.pk: (7, 7)}
    assert (
        stock_return_for_order(distributor_id=distributor.pk, reference=dropped.stock_reference)
        == []
    )
    assert Order.objects.get(pk=kept.pk).status == OrderStatus.PLACED


# --- The distributor's rules on top (order_move_by_distributor) --------------------------


def test_the_distributor_moves_are_every_status_after_placed():
    assert set(DISTRIBUTOR_MOVES) == set(OrderStatus.values) - {OrderStatus.PLACED}


def test_only_a_member_of_the_orders_distributor_may_move_it(distributor):
    order = place_order(distributor=distributor)
    for outsider in (DistributorUserFactory(), CustomerFactory()):
        with pytest.raises(PermissionDenied):
            order_move_by_distributor(order=order, to_status="accepted", by=outsider)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


@pytest.mark.parametrize(
    ("from_status", "to_status", "fields", "field"),
    [
        ("placed", "placed", {}, "status"),
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
