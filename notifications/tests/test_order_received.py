"""A new order tells the distributor's members (order_received), per their preferences."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    RetailerUserFactory,
)
from inventory.exceptions import InsufficientStock
from inventory.tests.factories import DistributorFactory
from notifications.events import events_for
from notifications.models import Channel, Notification, OutboundMessage
from notifications.order_notices import order_placed_messages_queue, order_received_queue
from notifications.services import preferences_set
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def distributor():
    return DistributorFactory(name="Deccan Distribution")


def test_every_active_member_is_told_by_email_and_in_app(distributor):
    ravi = DistributorUserFactory(organization=distributor, name="Ravi Kumar")
    uma = DistributorUserFactory(organization=distributor, name="Uma Iyer")
    DistributorUserFactory(organization=distributor, is_active=False)
    outsider = DistributorUserFactory()  # another distributor's member
    buyer = RetailerUserFactory(name="Meera Shah", organization__name="Fresh Mart")
    tea = stocked_product(distributor=distributor, name="Assam tea", sku="TEA-1")

    order = place_order(customer=buyer, distributor=distributor, lines=[(tea, 2)])

    emails = OutboundMessage.objects.filter(template="order_received")
    assert sorted(emails.values_list("recipient", flat=True)) == sorted([ravi.email, uma.email])
    message = emails.get(recipient=ravi.email)
    assert message.channel == Channel.EMAIL and message.user == ravi
    assert message.subject == f"New order {order.number} from Fresh Mart"
    link = f"/distributor/orders/{order.number}/"
    for part in (message.body_text, message.body_html):
        assert "Hello Ravi" in part
        assert "Meera Shah" in part and "Fresh Mart" in part
        assert "Assam tea" in part and "TEA-1" in part
        assert f"http://127.0.0.1:8000{link}" in part
    notes = Notification.objects.filter(event="order_received")
    assert sorted(notes.values_list("user_id", flat=True)) == sorted([ravi.pk, uma.pk])
    assert {n.link for n in notes} == {link}
    assert notes.first().message.startswith(f"New order {order.number} from Fresh Mart: 1 line")
    assert not Notification.objects.filter(user=outsider).exists()


def test_each_member_gets_the_channels_they_chose(distributor):
    quiet = DistributorUserFactory(organization=distributor)
    app_only = DistributorUserFactory(organization=distributor)
    phone = DistributorUserFactory(organization=distributor, phone="+919800000001")
    preferences_set(user=quiet, channels={"order_received": []})
    preferences_set(user=app_only, channels={"order_received": [Channel.IN_APP]})
    preferences_set(user=phone, channels={"order_received": [Channel.WHATSAPP]})

    order = place_order(distributor=distributor)

    assert not OutboundMessage.objects.filter(user=quiet).exists()
    assert not Notification.objects.filter(user=quiet).exists()
    assert not OutboundMessage.objects.filter(user=app_only).exists()
    assert Notification.objects.filter(user=app_only, event="order_received").exists()
    whatsapp = OutboundMessage.objects.get(user=phone)
    assert (whatsapp.channel, whatsapp.recipient) == (Channel.WHATSAPP, "+919800000001")
    assert order.number in whatsapp.body_text
    assert not Notification.objects.filter(user=phone).exists()


def test_an_order_that_rolls_back_tells_nobody(distributor):
    DistributorUserFactory(organization=distributor)
    scarce = stocked_product(distributor=distributor, on_hand=1)

    with pytest.raises(InsufficientStock):
        place_order(distributor=distributor, lines=[(scarce, 5)])
    with pytest.raises(RuntimeError), transaction.atomic():
        place_order(distributor=distributor, lines=[(scarce, 1)])
        assert OutboundMessage.objects.filter(template="order_received").count() == 1
        raise RuntimeError("the caller's transaction fails after the order")

    assert not OutboundMessage.objects.filter(template="order_received").exists()
    assert not Notification.objects.filter(event="order_received").exists()


def test_queueing_twice_sends_once(distributor):
    DistributorUserFactory(organization=distributor)
    order = place_order(distributor=distributor)

    order_received_queue(order_id=order.pk, distributor_id=distributor.pk)

    assert OutboundMessage.objects.filter(template="order_received").count() == 1
    assert Notification.objects.filter(event="order_received").count() == 1


def _reads(distributor, order) -> int:
    with CaptureQueriesContext(connection) as captured:
        order_received_queue(order_id=order.pk, distributor_id=distributor.pk)
    return sum(1 for q in captured if q["sql"].lstrip().upper().startswith("SELECT"))


def test_members_are_found_in_one_query_and_reads_do_not_grow_with_them(distributor):
    order = place_order(distributor=distributor)
    with CaptureQueriesContext(connection) as captured:
        assert order_received_queue(order_id=order.pk, distributor_id=distributor.pk) == {}
    assert len(captured) == 1  # nobody to tell: just the members query

    DistributorUserFactory(organization=distributor)
    one = _reads(distributor, place_order(distributor=distributor))
    for _ in range(4):
        DistributorUserFactory(organization=distributor)
    five = _reads(distributor, place_order(distributor=distributor))
    assert one == five == 3  # members with preferences, the order, its lines


def test_only_distributors_see_the_event_among_their_preferences(distributor):
    keys = {event.key for event in events_for(DistributorUserFactory(organization=distributor))}
    assert "order_received" in keys
    assert "order_received" not in {event.key for event in events_for(CustomerFactory())}
    assert "order_received" not in {event.key for event in events_for(RetailerUserFactory())}


def test_a_retailers_messages_link_to_the_retailer_order_page_a_customers_to_the_portal(
    distributor,
):
    from accounts.tests.factories import CustomerFactory, OrganizationFactory, RetailerUserFactory
    from orders.transitions import order_transition

    retailer = RetailerUserFactory(organization=OrganizationFactory(kind="retailer"))
    product = stocked_product(distributor=distributor)
    b2b = place_order(customer=retailer, distributor=distributor, lines=[(product, 1)])
    order_transition(order=b2b, to_status="accepted", by=None)
    private = place_order(customer=CustomerFactory(), distributor=distributor, lines=[(product, 1)])

    links = dict(
        Notification.objects.filter(event__in=["order_placed", "order_status"]).values_list(
            "dedup_key", "link"
        )
    )
    assert links[f"order_placed:{b2b.pk}:in_app"] == f"/retailer/orders/{b2b.number}/"
    assert links[f"order_status:{b2b.pk}:accepted:in_app"] == f"/retailer/orders/{b2b.number}/"
    assert (
        links[f"order_placed:{private.pk}:in_app"] == f"/customer-portal/orders/{private.number}/"
    )
    mail = OutboundMessage.objects.get(dedup_key=f"order_status:{b2b.pk}:accepted:email")
    assert f"/retailer/orders/{b2b.number}/" in mail.body_text


def test_members_rows_are_written_in_one_insert_each_whatever_their_number(distributor):
    for _ in range(2):
        DistributorUserFactory(organization=distributor)
    two = place_order(distributor=distributor)
    for _ in range(3):
        DistributorUserFactory(organization=distributor)
    five = place_order(distributor=distributor)

    counts = []
    for order in (two, five):
        OutboundMessage.objects.filter(template="order_received").delete()
        Notification.objects.filter(event="order_received").delete()
        with CaptureQueriesContext(connection) as captured:
            order_received_queue(order_id=order.pk, distributor_id=distributor.pk)
        counts.append(len(captured.captured_queries))
    # members, order, lines, one outbox INSERT, one in-app INSERT
    assert counts == [5, 5]
    assert OutboundMessage.objects.filter(template="order_received").count() == 5
    assert Notification.objects.filter(event="order_received").count() == 5


def _messages():
    return sorted(
        OutboundMessage.objects.values_list("template", "recipient", "subject", "body_text")
    ), sorted(Notification.objects.values_list("user_id", "event", "title", "message", "link"))


@pytest.mark.parametrize("members", [0, 3])
def test_both_order_messages_at_once_cost_five_queries_and_write_the_same_rows(
    distributor, members
):
    for _ in range(members):
        DistributorUserFactory(organization=distributor)
    customer = CustomerFactory()
    order = place_order(customer=customer, distributor=distributor)
    separately = _messages()
    OutboundMessage.objects.all().delete()
    Notification.objects.all().delete()

    with CaptureQueriesContext(connection) as captured:
        used = order_placed_messages_queue(order_id=order.pk, distributor_id=distributor.pk)
    queries = len(captured.captured_queries)

    # order, lines, members, one outbox INSERT, one in-app INSERT
    assert queries == 5
    assert _messages() == separately
    assert next(iter(used)) == customer.pk and len(used) == 1 + members
    assert used[customer.pk] == [Channel.EMAIL, Channel.IN_APP]
