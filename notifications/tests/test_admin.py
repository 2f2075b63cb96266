import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.delivery import INTERRUPTED_ERROR
from notifications.models import MessageStatus, OutboundMessage
from orders.tests.factories import place_order

pytestmark = pytest.mark.django_db

OUTBOX = "/admin/notifications/outboundmessage/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _changelist_queries(client, n, query=""):
    for _ in range(n):
        place_order()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(OUTBOX + query)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_outbox_changelist_queries_do_not_grow_with_messages(admin_client):
    assert _changelist_queries(admin_client, 3) == _changelist_queries(admin_client, 30)


def test_outbox_filters_by_status_channel_template_and_date(admin_client):
    place_order()
    sent = OutboundMessage.objects.get()
    OutboundMessage.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT)
    place_order()
    today = timezone.localdate()
    for query, expected in [
        ("?status__exact=sent", 1),
        ("?status__exact=pending", 1),
        ("?channel__exact=whatsapp", 0),
        ("?template=order_confirmation", 2),
        (f"?created_at__year={today.year}&created_at__month={today.month}", 2),
        ("?created_at__year=2001", 0),
    ]:
        response = admin_client.get(OUTBOX + query)
        assert response.status_code == 200, query
        assert response.context["cl"].result_count == expected, query


def test_messages_interrupted_in_flight_are_listed_for_a_check(admin_client):
    place_order()
    place_order()
    flagged, other = OutboundMessage.objects.all()[:2]
    OutboundMessage.objects.filter(pk=flagged.pk).update(
        status=MessageStatus.FAILED, last_error=INTERRUPTED_ERROR
    )
    OutboundMessage.objects.filter(pk=other.pk).update(
        status=MessageStatus.FAILED, last_error="The recipient was refused"
    )
    response = admin_client.get(OUTBOX + "?needs_check=interrupted")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [flagged]


def test_a_message_page_shows_the_rendered_message_sandboxed_and_the_error(admin_client):
    order = place_order()
    message = OutboundMessage.objects.get()
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, last_error="SMTPServerDisconnected: <Connection closed>"
    )
    response = admin_client.get(f"{OUTBOX}{message.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<iframe sandbox=""' in html and order.number in html
    assert "SMTPServerDisconnected: &lt;Connection closed&gt;" in html  # escaped


def test_resend_queues_a_linked_copy_that_is_delivered(admin_client, smtp_server):
    order = place_order()
    original = OutboundMessage.objects.get()
    OutboundMessage.objects.filter(pk=original.pk).update(status=MessageStatus.FAILED)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda func, **kw: func())
        response = admin_client.post(
            OUTBOX, {"action": "resend", "_selected_action": [original.pk]}, follow=True
        )
    assert response.status_code == 200
    copy = OutboundMessage.objects.get(resent_from=original)
    assert copy.status == MessageStatus.SENT and copy.subject == original.subject
    [received] = smtp_server.inbox.wait_for(1)
    assert order.number in received["Subject"]


def test_resend_needs_the_change_permission(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboundmessage"))
    client.force_login(viewer)
    place_order()
    original = OutboundMessage.objects.get()
    response = client.get(OUTBOX)
    assert response.status_code == 200
    assert "resend" not in response.content.decode()
    client.post(OUTBOX, {"action": "resend", "_selected_action": [original.pk]})
    assert OutboundMessage.objects.count() == 1
