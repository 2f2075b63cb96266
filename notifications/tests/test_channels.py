"""WhatsApp-style webhook, preferences per event, and ESP delivery tracking."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import transaction

from accounts.tests.factories import CustomerFactory
from notifications import services
from notifications.models import Channel, MessageStatus, Notification, OutboundMessage
from notifications.samples import sample_contexts
from notifications.transports import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_signature
from orders.tests.factories import place_order

SECRET = "whsec-test-0123456789"


class Webhook:
    """A loopback HTTP endpoint that records each POST and answers with `status`."""

    def __init__(self, status=200):
        self.calls = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append((self.headers, body))  # case-insensitive
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"id": f"wamid.{len(outer.calls)}"}).encode())

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def whatsapp_customer():
    customer = CustomerFactory(phone="+91 98450 12345")
    services.preferences_set(
        user=customer, channels={"order_placed": ["email", "whatsapp", "in_app"]}
    )
    return customer


@pytest.mark.django_db
def test_whatsapp_alerts_are_posted_signed_to_the_webhook(
    settings, whatsapp_customer, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.WHATSAPP_WEBHOOK_SECRET = SECRET
    with Webhook() as hook:
        settings.WHATSAPP_WEBHOOK_URL = hook.url
        with django_capture_on_commit_callbacks(execute=True):
            order = place_order(customer=whatsapp_customer)
    message = OutboundMessage.objects.get(channel=Channel.WHATSAPP)
    assert message.status == MessageStatus.SENT and not message.simulated
    assert message.provider_message_id == "wamid.1"
    [(headers, body)] = hook.calls
    # The receiver recomputes the HMAC over "<timestamp>.<body>" with the shared secret.
    assert headers[SIGNATURE_HEADER] == webhook_signature(SECRET, headers[TIMESTAMP_HEADER], body)
    assert headers["Idempotency-Key"] == message.dedup_key
    payload = json.loads(body)
    assert payload["to"] == "+91 98450 12345"
    assert order.number in payload["text"]
    assert payload["text"].endswith(f"/customer-portal/orders/{order.number}/")


@pytest.mark.django_db
def test_a_webhook_that_refuses_the_message_fails_it_and_a_5xx_retries(
    settings, whatsapp_customer, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with Webhook(status=503) as hook:
        settings.WHATSAPP_WEBHOOK_URL = hook.url
        with django_capture_on_commit_callbacks(execute=True):
            place_order(customer=whatsapp_customer)
        message = OutboundMessage.objects.get(channel=Channel.WHATSAPP)
        assert message.status == MessageStatus.PENDING and "503" in message.last_error
        hook.status = 422
        OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
        services.outbox_sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "HTTP 422" in message.last_error


@pytest.mark.django_db
def test_without_a_webhook_url_whatsapp_is_recorded_as_simulated(
    settings, whatsapp_customer, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.WHATSAPP_WEBHOOK_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        place_order(customer=whatsapp_customer)
    message = OutboundMessage.objects.get(channel=Channel.WHATSAPP)
    assert message.status == MessageStatus.SENT
    assert message.simulated and message.provider_message_id == f"simulated:{message.pk}"


@pytest.mark.django_db
def test_the_channels_a_user_chose_are_the_ones_used():
    customer = CustomerFactory(phone="")
    services.preferences_set(user=customer, channels={"order_placed": ["in_app"]})
    place_order(customer=customer)
    assert OutboundMessage.objects.count() == 0
    assert Notification.objects.filter(user=customer).count() == 1

    other = CustomerFactory()
    services.preferences_set(user=other, channels={"order_placed": []})
    place_order(customer=other)
    assert OutboundMessage.objects.count() == 0
    assert Notification.objects.filter(user=other).count() == 0


@pytest.mark.django_db
def test_whatsapp_needs_a_phone_number():
    customer = CustomerFactory(phone="")
    with pytest.raises(services.ValidationError) as caught:
        services.preferences_set(user=customer, channels={"order_status": ["whatsapp"]})
    assert "phone number" in str(caught.value.message_dict["order_status"])
    with pytest.raises(services.ValidationError) as caught:
        services.preferences_set(user=customer, channels={"low_stock": ["email"], "x": ["fax"]})
    assert set(caught.value.message_dict) == {"low_stock", "x"}


# --- Delivery tracking through anymail's webhook -----------------------------------------


def _sent_message(provider_id="<abc.123@auromart.local>") -> OutboundMessage:
    with transaction.atomic():
        services.message_queue(
            template="order_status",
            recipient="asha@example.com",
            context=sample_contexts()["order_status"],
            dedup_key="tracking-test",
        )
    OutboundMessage.objects.filter(dedup_key="tracking-test").update(
        status=MessageStatus.SENT, provider_message_id=provider_id
    )
    return OutboundMessage.objects.get(dedup_key="tracking-test")


def _postmark(client, record, auth="anymail:s3cret"):
    return client.post(
        "/anymail/postmark/tracking/",
        data=json.dumps(record),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(auth.encode()).decode(),
    )


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "anymail:s3cret"}


@pytest.mark.django_db
def test_a_delivery_event_marks_the_sent_message_delivered(client, webhook_secret):
    message = _sent_message()
    response = _postmark(
        client,
        {
            "RecordType": "Delivery",
            "MessageID": message.provider_message_id,
            "Recipient": "asha@example.com",
            "DeliveredAt": "2026-11-21T10:00:00Z",
            "Details": "250 OK",
        },
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


@pytest.mark.django_db
def test_a_bounce_is_recorded_and_a_late_delivery_event_does_not_hide_it(client, webhook_secret):
    message = _sent_message()
    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": message.provider_message_id,
        "Email": "asha@example.com",
        "BouncedAt": "2026-11-21T10:00:00Z",
        "Description": "The server was unable to deliver your message",
        "ID": 42,
    }
    assert _postmark(client, bounce).status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.BOUNCED
    assert "unable to deliver" in message.last_error
    _postmark(client, {"RecordType": "Delivery", "MessageID": message.provider_message_id})
    message.refresh_from_db()
    assert message.status == MessageStatus.BOUNCED


@pytest.mark.django_db
def test_the_tracking_webhook_refuses_a_caller_without_the_secret(client, webhook_secret):
    message = _sent_message()
    record = {"RecordType": "Delivery", "MessageID": message.provider_message_id}
    assert _postmark(client, record, auth="anymail:wrong").status_code == 400
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
