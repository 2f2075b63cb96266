"""The distributor hears of a buyer's cancellation and of backorders ready to ship."""

import pytest

from accounts.tests.factories import CustomerFactory, DistributorUserFactory, RetailerUserFactory
from inventory.services import stock_receive
from inventory.tests.factories import DistributorFactory
from notifications.events import events_for
from notifications.models import Channel, MessageStatus, Notification, OutboundMessage
from notifications.services import preferences_set
from notifications.tests.conftest import parts
from orders.backorders import order_backorder_cancel
from orders.tests.factories import place_order, stocked_product
from orders.transitions import (
    order_cancel_by_customer,
    order_cancel_by_retailer,
    order_move_by_distributor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def distributor():
    return DistributorFactory(name="Deccan Distribution")


def test_a_buyers_cancellation_reaches_the_distributors_members_by_smtp_and_in_app(
    distributor, smtp_server, django_capture_on_commit_callbacks
):
    ravi = DistributorUserFactory(organization=distributor, name="Ravi Kumar")
    uma = DistributorUserFactory(organization=distributor, name="Uma Iyer")
    DistributorUserFactory(organization=distributor, is_active=False)
    asha = CustomerFactory(name="Asha Rao", email="asha@example.com")
    tea = stocked_product(distributor=distributor, name="Assam tea", sku="TEA-1")
    order = place_order(customer=asha, distributor=distributor, lines=[(tea, 2)])
    OutboundMessage.objects.all().delete()  # the "new order" messages are another test's

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel_by_customer(order=order, by=asha, reason="Ordered twice")

    rows = OutboundMessage.objects.filter(template="order_cancelled_by_buyer")
    assert sorted(rows.values_list("recipient", flat=True)) == sorted([ravi.email, uma.email])
    assert set(rows.values_list("status", flat=True)) == {MessageStatus.SENT}
    received = smtp_server.inbox.wait_for(3)  # two distributor members and the buyer's own
    to_members = [m for m in received if m["To"] in (ravi.email, uma.email)]
    assert len(to_members) == 2
    message = next(m for m in to_members if m["To"] == ravi.email)
    assert message["Subject"] == f"Order {order.number} cancelled by Asha Rao"
    text, html = parts(message)
    link = f"http://127.0.0.1:8000/distributor/orders/{order.number}/"
    for part in (text, html):
        assert "Hello Ravi" in part and "Asha Rao cancelled order" in part
        assert "Reason given: Ordered twice" in part
        assert "Assam tea" in part and "TEA-1" in part
        assert link in part
    notes = Notification.objects.filter(event="order_cancelled_by_buyer")
    assert sorted(notes.values_list("user_id", flat=True)) == sorted([ravi.pk, uma.pk])
    assert {n.link for n in notes} == {f"/distributor/orders/{order.number}/"}
    assert notes.first().message.startswith(f"Asha Rao cancelled order {order.number}")


def test_a_retailers_cancellation_names_the_retailer(distributor):
    DistributorUserFactory(organization=distributor)
    buyer = RetailerUserFactory(name="Meera Shah", organization__name="Fresh Mart")
    order = place_order(customer=buyer, distributor=distributor)

    order_cancel_by_retailer(order=order, by=buyer)

    row = OutboundMessage.objects.get(template="order_cancelled_by_buyer")
    assert row.subject == f"Order {order.number} cancelled by Fresh Mart"
    assert "Fresh Mart (Meera Shah) cancelled" in row.body_text


def test_the_distributor_cancelling_itself_is_not_told_again(distributor):
    ravi = DistributorUserFactory(organization=distributor)
    order = place_order(distributor=distributor)
    order_move_by_distributor(order=order, to_status="accepted", by=ravi)

    order_move_by_distributor(order=order, to_status="cancelled", by=ravi, note="No stock")

    assert not OutboundMessage.objects.filter(template="order_cancelled_by_buyer").exists()
    assert not Notification.objects.filter(event="order_cancelled_by_buyer").exists()


def test_members_choose_their_channels_for_cancellations(distributor):
    quiet = DistributorUserFactory(organization=distributor)
    app_only = DistributorUserFactory(organization=distributor)
    preferences_set(user=quiet, channels={"order_cancelled_by_buyer": []})
    preferences_set(user=app_only, channels={"order_cancelled_by_buyer": [Channel.IN_APP]})
    order = place_order(distributor=distributor)

    order_cancel_by_customer(order=order, by=order.customer)

    assert not OutboundMessage.objects.filter(template="order_cancelled_by_buyer").exists()
    assert list(
        Notification.objects.filter(event="order_cancelled_by_buyer").values_list(
            "user_id", flat=True
        )
    ) == [app_only.pk]
    keys = {event.key for event in events_for(quiet)}
    assert {"order_cancelled_by_buyer", "backorder_ready"} <= keys
    assert "order_cancelled_by_buyer" not in {e.key for e in events_for(CustomerFactory())}


def test_backorders_that_get_stock_tell_the_distributor_once_per_fill(distributor):
    ravi = DistributorUserFactory(organization=distributor)
    buyer = CustomerFactory()
    tea = stocked_product(distributor=distributor, name="Assam tea", sku="TEA-1", on_hand=2)
    order = place_order(customer=buyer, distributor=distributor, lines=[(tea, 5)], backorder=True)
    assert not Notification.objects.filter(event="backorder_ready").exists()

    stock_receive(product=tea, distributor=distributor, quantity=1, reference="po:1")
    stock_receive(product=tea, distributor=distributor, quantity=10, reference="po:2")

    notes = Notification.objects.filter(event="backorder_ready", user=ravi).order_by("pk")
    assert [n.message for n in notes] == [
        f"Stock came in: 1 of Assam tea (TEA-1) now allocated to order {order.number}, "
        "2 still backordered. Ready to pick and ship.",
        f"Stock came in: 2 of Assam tea (TEA-1) now allocated to order {order.number}. "
        "Ready to pick and ship.",
    ]
    assert {n.link for n in notes} == {f"/distributor/orders/{order.number}/"}
    # In-app by default; e-mail when the member asks for it.
    assert not OutboundMessage.objects.filter(template="backorder_ready").exists()
    preferences_set(user=ravi, channels={"backorder_ready": [Channel.EMAIL]})
    second = place_order(customer=buyer, distributor=distributor, lines=[(tea, 20)], backorder=True)
    stock_receive(product=tea, distributor=distributor, quantity=20, reference="po:3")
    mail = OutboundMessage.objects.get(template="backorder_ready")
    assert mail.recipient == ravi.email and second.number in mail.subject


def test_calling_off_the_backordered_rest_that_cancels_the_order_tells_the_distributor(
    distributor,
):
    DistributorUserFactory(organization=distributor)
    tea = stocked_product(distributor=distributor, on_hand=0)
    buyer = CustomerFactory()
    order = place_order(customer=buyer, distributor=distributor, lines=[(tea, 3)], backorder=True)

    order_backorder_cancel(order=order, by=buyer)

    assert OutboundMessage.objects.filter(template="order_cancelled_by_buyer").count() == 1
