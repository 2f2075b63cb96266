"""Recording several deliveries at once (orders.shipments.shipments_mark_delivered)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import DistributorUserFactory
from inventory.tests.factories import DistributorFactory
from notifications.models import OutboundMessage
from orders.models import OrderStatus, OrderStatusChange, Shipment, ShipmentStatus
from orders.shipments import SHIPMENTS_DELIVER_MAX, shipment_create, shipments_mark_delivered
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def shipped(store, clerk, *, units=2, first_part=None):
    """An order of `units` shipped; with `first_part`, in two shipments (the second one too)."""
    tea = stocked_product(distributor=store, on_hand=10)
    order = place_order(distributor=store, lines=[(tea, units)])
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING):
        order = order_transition(order=order, to_status=status, by=clerk)
    if first_part is None:
        return order, [shipment_create(order=order, by=clerk, tracking_reference="T1")]
    first = shipment_create(
        order=order, by=clerk, lines={tea.pk: first_part}, tracking_reference="T1"
    )
    second = shipment_create(order=order, by=clerk, tracking_reference="T2")
    return order, [first, second]


def test_orders_whose_last_shipment_arrived_are_delivered_together_and_the_buyers_told():
    store = DistributorFactory()
    clerk = DistributorUserFactory(organization=store)
    one, (only,) = shipped(store, clerk)
    two, (first, _second) = shipped(store, clerk, units=3, first_part=1)
    three, (alone,) = shipped(store, clerk)

    done = shipments_mark_delivered(shipment_ids=[only.pk, first.pk, alone.pk], by=clerk)

    assert [s.pk for s in done] == sorted([only.pk, first.pk, alone.pk])
    for shipment in (only, first, alone):
        shipment.refresh_from_db()
        assert shipment.status == ShipmentStatus.DELIVERED and shipment.delivered_at
    for order in (one, two, three):
        order.refresh_from_db()
    # The second order still has a shipment on the way: it stays shipped.
    assert (one.status, two.status, three.status) == (
        OrderStatus.DELIVERED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    )
    moves = OrderStatusChange.objects.filter(to_status=OrderStatus.DELIVERED)
    assert sorted(moves.values_list("order_id", flat=True)) == sorted([one.pk, three.pk])
    assert {m.changed_by_id for m in moves} == {clerk.pk}
    told = OutboundMessage.objects.filter(template="order_status", dedup_key__contains=":delivered")
    assert {m.dedup_key.split(":")[1] for m in told} == {str(one.pk), str(three.pk)}


def test_a_delivered_shipment_is_left_as_it_is():
    store = DistributorFactory()
    clerk = DistributorUserFactory(organization=store)
    order, (shipment,) = shipped(store, clerk)
    shipments_mark_delivered(shipment_ids=[shipment.pk], by=clerk)
    delivered_at = Shipment.objects.get(pk=shipment.pk).delivered_at

    assert shipments_mark_delivered(shipment_ids=[shipment.pk], by=clerk) == []
    assert Shipment.objects.get(pk=shipment.pk).delivered_at == delivered_at
    assert OrderStatusChange.objects.filter(order=order, to_status="delivered").count() == 1


def test_another_distributors_shipment_is_refused_and_nothing_is_written():
    store, other = DistributorFactory(), DistributorFactory()
    clerk = DistributorUserFactory(organization=store)
    _mine, (mine,) = shipped(store, clerk)
    _theirs, (theirs,) = shipped(other, DistributorUserFactory(organization=other))

    with pytest.raises(PermissionDenied):
        shipments_mark_delivered(shipment_ids=[mine.pk, theirs.pk], by=clerk)
    assert not Shipment.objects.filter(status=ShipmentStatus.DELIVERED).exists()


def test_the_number_of_shipments_is_bounded_and_they_must_exist():
    clerk = DistributorUserFactory(organization=DistributorFactory())
    with pytest.raises(ValidationError) as empty:
        shipments_mark_delivered(shipment_ids=[], by=clerk)
    assert "shipments" in empty.value.message_dict
    with pytest.raises(ValidationError) as many:
        shipments_mark_delivered(shipment_ids=range(1, SHIPMENTS_DELIVER_MAX + 2), by=clerk)
    assert "at most" in many.value.message_dict["shipments"][0]
    with pytest.raises(ValidationError):
        shipments_mark_delivered(shipment_ids=[987654], by=clerk)


def test_the_orders_move_in_the_same_queries_however_many():
    """Locks, the UPDATEs, the order moves and the buyers' messages do not grow with the
    batch; only the receivers of each shipment's own signal (loyalty) and the delivered
    message's look-up of each order's invoices (it waits for their e-mails) do."""
    store = DistributorFactory()
    clerk = DistributorUserFactory(organization=store)
    small = [shipped(store, clerk)[1][0].pk]
    large = [shipped(store, clerk)[1][0].pk for _ in range(4)]

    def statements(ids):
        with CaptureQueriesContext(connection) as captured:
            shipments_mark_delivered(shipment_ids=ids, by=clerk)
        sql = [q["sql"].replace("`", '"') for q in captured.captured_queries]  # MariaDB quotes
        return [
            q
            for q in sql
            if not q.startswith('SELECT "loyalty_')
            and not q.startswith('SELECT "invoicing_invoice"."id" AS "pk"')
        ]

    big, one = statements(large), statements(small)
    assert len(big) == len(one) == 14, big
