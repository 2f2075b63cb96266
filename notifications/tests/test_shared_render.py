"""One message to several users renders once (rendering.render_message_for_each), and
each user's copy is exactly what rendering it for them alone gives."""

from unittest import mock

import pytest
from django.template import Context, Template

from accounts.tests.factories import DistributorUserFactory, RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from notifications import rendering
from notifications.models import Channel, Notification, OutboundMessage
from notifications.rendering import render_message, render_message_for_each
from orders.models import Order
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db

NAMES = ("Ravi Kumar", "O'Brien & Co", "<i>Uma</i> Iyer", "Zoë Ångström")


@pytest.fixture
def placed():
    distributor = DistributorFactory(name="Deccan & Sons")
    members = [DistributorUserFactory(organization=distributor, name=name) for name in NAMES]
    buyer = RetailerUserFactory(name="Meera <Shah>", organization__name="Fresh & Mart")
    tea = stocked_product(distributor=distributor, name="Assam <tea>", sku="TEA-1")
    order = place_order(customer=buyer, distributor=distributor, lines=[(tea, 2)])
    return order, members


def test_each_members_copy_is_the_message_rendered_for_them_alone(placed):
    order, members = placed
    order = Order.objects.select_related("customer", "distributor", "buyer_organization").get(
        pk=order.pk
    )
    link = f"/distributor/orders/{order.number}/"
    context = {"order": order, "items": list(order.items.all()), "link": link}
    shared = render_message_for_each("order_received", context, members)
    for member, message in zip(members, shared, strict=True):
        alone = render_message("order_received", {**context, "user": member})
        assert message == alone
        assert f"Hello {member.get_short_name()}" in message.text
    assert "Hello &lt;i&gt;Uma&lt;/i&gt;," in shared[2].html  # escaped, as a template does


def test_the_members_messages_of_an_order_render_once_and_are_stored_per_member(placed):
    order, members = placed
    rows = OutboundMessage.objects.filter(template="order_received", channel=Channel.EMAIL)
    assert rows.count() == len(members)
    for member in members:
        row = rows.get(user=member)
        assert f"Hello {member.get_short_name()}," in row.body_text
        assert "recipient" not in row.body_text.replace("recipients", "")
    assert Notification.objects.filter(event="order_received").count() == len(members)

    # Queued again for a new order: one rendering of order_received's templates for all.
    second = place_order(
        customer=order.customer,
        distributor=order.distributor,
        lines=[(order.items.first().product, 1)],
    )
    calls = []
    real = rendering._render

    def counted(template, context):
        calls.append(template)
        return real(template, context)

    OutboundMessage.objects.filter(dedup_key__startswith=f"order_received:{second.pk}:").delete()
    Notification.objects.filter(dedup_key__startswith=f"order_received:{second.pk}:").delete()
    from notifications.order_notices import order_received_queue

    with mock.patch.object(rendering, "_render", counted):
        used = order_received_queue(order_id=second.pk, distributor_id=second.distributor_id)
    assert calls == ["order_received"]
    assert set(used) == {member.pk for member in members}
    assert rows.filter(dedup_key__startswith=f"order_received:{second.pk}:").count() == len(members)


def test_a_template_that_asks_more_of_the_recipient_is_rendered_for_each(placed):
    _, members = placed
    members[0].phone = "+919800000001"
    sources = {
        "subject.txt": "Phone check",
        "short.txt": "Phone check",
        "body.txt": "Hello {{ user.get_short_name }}, "
        "{% if user.phone %}we call you{% else %}no phone{% endif %}",
        "body.html": "<p>Hello {{ user.get_short_name }}</p>",
    }

    def text(name, context):
        return Template(sources[name.rsplit("/", 1)[1]]).render(Context(context, autoescape=False))

    def html(name, context):
        return Template(sources[name.rsplit("/", 1)[1]]).render(Context(context))

    calls = []
    real = rendering._render

    def counted(template, context):
        calls.append(template)
        return real(template, context)

    with (
        mock.patch.object(rendering, "_render_text", text),
        mock.patch.object(rendering, "render_to_string", html),
        mock.patch.object(rendering, "_render", counted),
    ):
        each = render_message_for_each("asks_phone", {}, members[:2])
    # The stand-in refused `user.phone`: then each member's own rendering.
    assert calls == ["asks_phone", "asks_phone", "asks_phone"]
    assert each[0].text == "Hello Ravi, we call you\n"
    assert each[1].text == "Hello O'Brien, no phone\n"
    assert "<p>Hello O'Brien</p>" in each[1].html
