"""The return's life: request within the window and the units left, decisions, receipt
(stock through the ledger, the demand record), idempotent moves, history and messages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, RetailerUserFactory
from inventory.models import StockItem, StockMovement
from notifications.models import Notification, OutboundMessage
from orders.models import DemandLine, Shipment
from orders.tests.factories import place_order
from orders.tests.test_warehouse_allocation import depots  # noqa: F401  (fixture)
from orders.transitions import order_transition
from returns.models import ReturnRequest, ReturnStatus
from returns.selectors import returnable_units
from returns.services import (
    RequestedLine,
    return_approve,
    return_close,
    return_receive,
    return_reject,
    return_request_create,
)

from .factories import approved, delivered, requested

pytestmark = pytest.mark.django_db(transaction=False)


def stock(order):
    item = order.items.first()
    return StockItem.objects.get(product_id=item.product_id, distributor=order.distributor)


def rma_movements(rma):
    return list(
        StockMovement.objects.filter(reference=rma.stock_reference)
        .order_by("pk")
        .values_list("kind", "quantity")
    )


def test_two_of_five_restockable_units_come_back_through_a_customer_return_movement():
    order = delivered(quantity=5, on_hand=20)
    before = stock(order)
    assert (before.on_hand, before.allocated) == (15, 0)
    rma = approved(order, quantity=2)
    line = rma.lines.get()
    rma = return_receive(return_request=rma, by=None, received={line.pk: (2, 0)})
    after = stock(order)
    assert rma.status == ReturnStatus.RECEIVED and rma.received_at is not None
    assert after.on_hand == 17 and after.available == 17
    assert rma_movements(rma) == [("customer_return", 2)]
    movement = StockMovement.objects.get(reference=f"rma:{rma.pk}")
    assert movement.balance_after == 17
    # The demand record keeps what was asked for and adds what came back.
    demand = DemandLine.objects.get(order_item=line.order_item)
    assert (demand.requested, demand.allocated, demand.returned) == (5, 5, 2)


def test_cancelling_another_order_afterwards_returns_exactly_its_own_units():
    order = delivered(quantity=5, on_hand=20)
    rma = approved(order, quantity=2)
    return_receive(return_request=rma, by=None, received={rma.lines.get().pk: (2, 0)})
    product = order.items.first().product
    other = place_order(distributor=order.distributor, lines=[(product, 3)])
    item = stock(order)
    assert (item.on_hand, item.allocated) == (17, 3)
    order_transition(order=other, to_status="cancelled", by=other.customer)
    item = stock(order)
    assert (item.on_hand, item.allocated, item.available) == (17, 0, 17)
    # The cancellation moved no units through the ledger; the return's movement stays its own.
    kinds = list(
        StockMovement.objects.filter(stock_item=item).order_by("pk").values_list("kind", "quantity")
    )
    assert kinds[-2:] == [("shipment", -5), ("customer_return", 2)]
    assert not StockMovement.objects.filter(reference=other.stock_reference).exists()


def test_damaged_units_are_received_then_scrapped_and_on_hand_ends_unchanged():
    order = delivered(quantity=5, on_hand=20)
    on_hand = stock(order).on_hand
    rma = approved(order, quantity=3, reason="damaged_in_transit")
    line = rma.lines.get()
    return_receive(return_request=rma, by=None, received={line.pk: (1, 2)})
    assert rma_movements(rma) == [("damaged_return", 2), ("scrap", -2), ("customer_return", 1)]
    item = stock(order)
    assert item.on_hand == on_hand + 1
    # The ledger still adds up to the shelf.
    assert sum(m.quantity for m in item.movements.all()) == item.on_hand


def test_an_all_damaged_return_leaves_on_hand_as_it_was():
    order = delivered(quantity=5, on_hand=20)
    on_hand = stock(order).on_hand
    rma = approved(order, quantity=2, reason="damaged_in_transit")
    return_receive(return_request=rma, by=None, received={rma.lines.get().pk: (0, 2)})
    assert rma_movements(rma) == [("damaged_return", 2), ("scrap", -2)]
    assert stock(order).on_hand == on_hand
    assert DemandLine.objects.get(order_item__order=order).returned == 2


def test_quantity_is_bounded_by_what_was_delivered_less_what_is_already_claimed():
    order = delivered(quantity=5)
    item = order.items.first()
    with pytest.raises(ValidationError) as error:
        requested(order, quantity=6)
    assert f"quantity_{item.pk}" in error.value.message_dict
    requested(order, quantity=4)
    assert returnable_units(order)[item.pk]["returnable"] == 1
    with pytest.raises(ValidationError) as error:
        requested(order, quantity=2)
    assert "from 1 to 1" in error.value.message_dict[f"quantity_{item.pk}"][0]
    requested(order, quantity=1)
    with pytest.raises(ValidationError):
        requested(order, quantity=1)


def test_a_rejected_return_frees_its_units_and_a_received_one_keeps_only_what_came():
    order = delivered(quantity=5)
    item = order.items.first()
    rma = requested(order, quantity=5)
    return_reject(return_request=rma, by=None, note="Opened and used.")
    assert returnable_units(order)[item.pk]["returnable"] == 5
    rma = approved(order, quantity=3)
    return_receive(return_request=rma, by=None, received={rma.lines.get().pk: (1, 0)})
    # 2 of the 3 announced never came: they may be asked for again.
    assert returnable_units(order)[item.pk]["returnable"] == 4


def test_only_delivered_units_within_the_window_can_be_returned(settings):
    order = delivered(quantity=5)
    item = order.items.first()
    Shipment.objects.filter(order=order).update(
        delivered_at=timezone.now() - datetime.timedelta(days=31)
    )
    settings.RETURN_WINDOW_DAYS = 30
    with pytest.raises(ValidationError) as error:
        requested(order, quantity=1)
    assert "Nothing of" in error.value.message_dict[f"quantity_{item.pk}"][0]
    settings.RETURN_WINDOW_DAYS = 45
    assert requested(order, quantity=1).status == ReturnStatus.REQUESTED
    undelivered = place_order(lines=None)
    with pytest.raises(ValidationError):
        return_request_create(
            order=undelivered,
            by=undelivered.customer,
            lines=[RequestedLine(undelivered.items.first().pk, 1, "defective")],
        )


def test_reasons_lines_and_buyers_are_checked():
    order = delivered(quantity=5)
    item = order.items.first()
    with pytest.raises(ValidationError) as error:
        return_request_create(
            order=order, by=order.customer, lines=[RequestedLine(item.pk, 1, "because")]
        )
    assert f"reason_{item.pk}" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        return_request_create(order=order, by=order.customer, lines=[])
    assert "lines" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        requested(order, by=CustomerFactory())
    assert "order" in error.value.message_dict
    assert not ReturnRequest.objects.exists()


def test_a_retailers_return_belongs_to_its_organization():
    buyer = RetailerUserFactory()
    colleague = RetailerUserFactory(organization=buyer.organization)
    order = delivered(customer=buyer, quantity=3)
    rma = requested(order, quantity=1, by=colleague)
    assert rma.buyer_organization_id == buyer.organization_id and rma.customer == colleague


def test_moves_are_idempotent_and_the_state_machine_refuses_the_rest():
    order = delivered(quantity=5, on_hand=20)
    rma = requested(order, quantity=2)
    with pytest.raises(ValidationError) as error:
        return_receive(return_request=rma, by=None, received={rma.lines.get().pk: (2, 0)})
    assert "status" in error.value.message_dict
    return_approve(return_request=rma, by=None)
    return_approve(return_request=rma, by=None)  # a retry: nothing more
    with pytest.raises(ValidationError):
        return_reject(return_request=rma, by=None, note="Too late.")
    line = rma.lines.get()
    return_receive(return_request=rma, by=None, received={line.pk: (2, 0)})
    return_receive(return_request=rma, by=None, received={line.pk: (2, 0)})  # a retry
    assert rma_movements(rma) == [("customer_return", 2)]
    assert stock(order).on_hand == 17
    assert DemandLine.objects.get(order_item=line.order_item).returned == 2
    return_close(return_request=rma, by=None)
    return_close(return_request=rma, by=None)
    history = list(rma.status_changes.values_list("from_status", "to_status"))
    assert history == [
        ("", "requested"),
        ("requested", "approved"),
        ("approved", "received"),
        ("received", "closed"),
    ]


def test_receipt_quantities_are_bounded_per_line():
    order = delivered(quantity=5)
    rma = approved(order, quantity=2)
    line = rma.lines.get()
    for received, key in (
        ({line.pk: (2, 1)}, f"damaged_{line.pk}"),
        ({line.pk: (-1, 0)}, f"restock_{line.pk}"),
        ({line.pk: (0, 0)}, "lines"),
        ({line.pk + 999: (1, 0)}, "lines"),
    ):
        with pytest.raises(ValidationError) as error:
            return_receive(return_request=rma, by=None, received=received)
        assert key in error.value.message_dict
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.APPROVED
    assert not StockMovement.objects.filter(reference=rma.stock_reference).exists()


def test_a_rejection_needs_a_reason():
    rma = requested(delivered(quantity=2), quantity=1)
    with pytest.raises(ValidationError) as error:
        return_reject(return_request=rma, by=None, note="  ")
    assert "note" in error.value.message_dict


def test_each_step_tells_the_buyer_and_a_new_request_tells_the_distributors_members(
    django_capture_on_commit_callbacks,
):
    from accounts.tests.factories import DistributorUserFactory

    member = DistributorUserFactory()
    order = delivered(distributor=member.organization, quantity=5)
    buyer = order.customer
    rma = requested(order, quantity=2)
    assert OutboundMessage.objects.filter(
        dedup_key=f"return_status:{rma.pk}:requested:email", recipient=buyer.email
    ).exists()
    told = OutboundMessage.objects.get(dedup_key=f"return_requested:{rma.pk}:{member.pk}:email")
    assert told.recipient == member.email and rma.number in told.subject
    assert Notification.objects.filter(user=member, event="return_requested").exists()
    return_approve(return_request=rma, by=member)
    return_receive(return_request=rma, by=member, received={rma.lines.get().pk: (2, 0)})
    return_close(return_request=rma, by=member)
    keys = set(
        OutboundMessage.objects.filter(
            recipient=buyer.email, dedup_key__startswith="return_status"
        ).values_list("dedup_key", flat=True)
    )
    assert keys == {
        f"return_status:{rma.pk}:{step}:email" for step in ("requested", "approved", "received")
    }


def test_members_are_told_of_a_new_return_by_their_own_preferences():
    from accounts.tests.factories import DistributorUserFactory
    from notifications.services import preferences_set

    quiet = DistributorUserFactory()
    loud = DistributorUserFactory(organization=quiet.organization)
    preferences_set(user=quiet, channels={"return_requested": ["in_app"]})
    rma = requested(delivered(distributor=quiet.organization, quantity=2), quantity=1)
    emailed = set(
        OutboundMessage.objects.filter(
            dedup_key__startswith=f"return_requested:{rma.pk}:"
        ).values_list("recipient", flat=True)
    )
    assert emailed == {loud.email}
    in_app = set(
        Notification.objects.filter(event="return_requested").values_list("user_id", flat=True)
    )
    assert in_app == {quiet.pk, loud.pk}
    assert (
        Notification.objects.get(user=quiet, event="return_requested").link
        == f"/distributor/returns/{rma.pk}/"
    )


def test_returned_units_go_back_to_the_warehouse_they_were_shipped_from(settings, tmp_path):
    """#23: Bengaluru (made first by priority) shipped them, so Bengaluru gets them back."""
    from inventory.warehouses import warehouse_update
    from invoicing.tests.factories import deliver
    from orders.tests.test_warehouse_allocation import make_depots, place, rows

    settings.MEDIA_ROOT = str(tmp_path / "media")
    distributor, _pune, bengaluru, product = make_depots()
    warehouse_update(warehouse=bengaluru, priority=0)
    order = deliver(place(distributor, product, 3))
    assert [s.warehouse for s in order.shipments.all()] == [bengaluru]
    assert rows(product) == {"Pune": (6, 0), "Bengaluru": (7, 0)}
    warehouse_update(warehouse=bengaluru, priority=2)  # Pune is the default again
    rma = approved(order, quantity=2)
    line = rma.lines.get()

    return_receive(return_request=rma, by=None, received={line.pk: (1, 1)})

    assert rows(product) == {"Pune": (6, 0), "Bengaluru": (8, 0)}  # +1 restocked, damaged scrapped
    assert set(
        StockMovement.objects.filter(reference=f"rma:{rma.pk}").values_list("warehouse", flat=True)
    ) == {bengaluru.pk}
