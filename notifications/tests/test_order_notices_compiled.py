"""order_place's messages read the members and the customer's preference through one
statement compiled once (auromart.compiled_sql): every call gets its own people and
their own choices, not the first call's."""

import pytest

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from inventory.tests.factories import DistributorFactory
from notifications import order_notices
from notifications.models import Channel, Notification, OutboundMessage
from notifications.services import preferences_set
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db


def test_each_order_reads_its_own_members_and_its_customers_choice():
    order_notices._MEMBERS.clear()
    north, south = DistributorFactory(), DistributorFactory()
    ravi = DistributorUserFactory(organization=north)
    uma = DistributorUserFactory(organization=south)
    DistributorUserFactory(organization=south, is_active=False)
    preferences_set(user=uma, channels={"order_received": [Channel.IN_APP]})
    chatty, quiet = CustomerFactory(), CustomerFactory()
    preferences_set(user=quiet, channels={"order_placed": [Channel.IN_APP]})

    first = place_order(customer=chatty, distributor=north)
    second = place_order(customer=quiet, distributor=south)

    assert order_notices._MEMBERS.compilations == 1
    received = OutboundMessage.objects.filter(template="order_received")
    assert list(received.values_list("user_id", "channel")) == [(ravi.pk, Channel.EMAIL)]
    assert Notification.objects.filter(user=uma, event="order_received").exists()
    confirmations = OutboundMessage.objects.filter(template="order_confirmation")
    assert list(confirmations.values_list("user_id", flat=True)) == [chatty.pk]
    assert Notification.objects.filter(user=quiet, event="order_placed").exists()
    assert first.number in confirmations.get().subject and second.pk != first.pk
