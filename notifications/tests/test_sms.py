"""SMS through Twilio's Messages API, against a local fake of that API on loopback.

The fake is a real HTTP server speaking the part of Twilio's API the SDK uses
(POST /2010-04-01/Accounts/<sid>/Messages.json, basic auth, form body, JSON
answer). Each request takes the next scripted behaviour: "ok" (201 and a
message SID), "500" (refused before accepting) or "hang" (accepted, then no
answer until long after the client's timeout).
"""

import base64
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from accounts.tests.factories import CustomerFactory
from notifications import services
from notifications.delivery import retry_delay
from notifications.models import Channel, MessageStatus, OutboundMessage
from notifications.sms import OUTCOME_UNKNOWN_ERROR, SLOT, fill, phone_e164
from orders.tests.factories import place_order

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PHONE = "+919845012345"


class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1: records what it accepted, answers as scripted."""

    def __init__(self):
        self.script = []  # behaviours for the next requests; "ok" once it runs out
        self.accepted = []  # the form fields of every message it accepted
        self.requests = 0
        self.hang_seconds = 3.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                outer.requests += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
                path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
                if self.headers.get("Authorization") != f"Basic {expected}" or self.path != path:
                    return self._answer(401, {"code": 20003, "message": "Authenticate"})
                behaviour = outer.script.pop(0) if outer.script else "ok"
                if behaviour == "500":
                    return self._answer(500, {"code": 20500, "message": "Internal Server Error"})
                fields = {key: values[0] for key, values in parse_qs(body.decode()).items()}
                outer.accepted.append(fields)
                sid = f"SM{len(outer.accepted):032d}"
                if behaviour == "hang":  # accepted; the answer comes after the client gave up
                    time.sleep(outer.hang_seconds)
                self._answer(201, {"sid": sid, "status": "queued", "to": fields.get("To")})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def twilio(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.SMS_TIMEOUT = 1.0
    with FakeTwilio() as fake:
        settings.TWILIO_API_BASE_URL = fake.url
        yield fake


@pytest.fixture
def sms_customer():
    customer = CustomerFactory()
    services.preferences_set(
        user=customer,
        channels={"order_placed": ["email", "sms"], "order_status": ["sms"]},
        sms_phone="+91 98450 12345",
    )
    return customer


def _due_again(message):
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)


def _registered_pattern(text: str) -> re.Pattern:
    """What DLT scrubbing checks: the registered text, any value in each slot."""
    return re.compile("^" + ".{1,30}".join(re.escape(part) for part in text.split(SLOT)) + "$")


@pytest.mark.django_db
def test_an_opted_in_buyers_confirmation_is_one_dlt_sms_under_the_registered_template(
    settings, twilio, sms_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(customer=sms_customer)
    message = OutboundMessage.objects.get(channel=Channel.SMS)
    assert message.status == MessageStatus.SENT and not message.simulated
    [fields] = twilio.accepted
    registration = settings.SMS_DLT_TEMPLATES["order_placed"]
    assert fields["To"] == PHONE
    assert fields["From"] == settings.SMS_DLT_SENDER_ID == message.sender
    assert message.provider_template == registration["template_id"]
    # Only the registered variables are filled: the text matches the registration.
    assert _registered_pattern(registration["text"]).match(fields["Body"]), fields["Body"]
    assert order.number in fields["Body"]
    assert fields["StatusCallback"] == settings.SITE_URL + reverse(
        "notifications:sms_status", args=[message.pk]
    )
    assert message.provider_message_id == "SM" + "1".zfill(32)


@pytest.mark.django_db
def test_a_500_before_accepting_is_retried_once_and_the_sms_goes_out_once(
    twilio, sms_customer, django_capture_on_commit_callbacks
):
    twilio.script = ["500"]
    with django_capture_on_commit_callbacks(execute=True):
        place_order(customer=sms_customer)
    message = OutboundMessage.objects.get(channel=Channel.SMS)
    assert message.status == MessageStatus.PENDING and "500" in message.last_error
    assert twilio.accepted == []
    _due_again(message)
    assert services.outbox_sweep()["sent"] == 1
    assert services.outbox_sweep()["sent"] == 0  # nothing left to send
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2
    assert twilio.requests == 2 and len(twilio.accepted) == 1


@pytest.mark.django_db
def test_a_timeout_after_accepting_holds_the_sms_for_staff_and_never_resends_it(
    twilio, sms_customer, django_capture_on_commit_callbacks, admin_client
):
    twilio.script = ["hang"]
    with django_capture_on_commit_callbacks(execute=True):
        place_order(customer=sms_customer)
    message = OutboundMessage.objects.get(channel=Channel.SMS)
    assert message.status == MessageStatus.FAILED
    assert message.last_error.startswith(OUTCOME_UNKNOWN_ERROR)
    assert len(twilio.accepted) == 1  # the provider has it
    # However often the sweep runs, and however late, it is not sent again.
    _due_again(message)
    services.outbox_sweep()
    services.outbox_sweep()
    assert len(twilio.accepted) == 1 and twilio.requests == 1
    # Staff find it under "needs a check", like an interrupted e-mail.
    page = admin_client.get(
        reverse("admin:notifications_outboundmessage_changelist") + "?needs_check=interrupted"
    )
    assert page.status_code == 200
    assert f"/{message.pk}/change/" in page.content.decode()


def _signed_post(client, message, fields, token=AUTH_TOKEN):
    path = reverse("notifications:sms_status", args=[message.pk])
    from django.conf import settings

    signature = RequestValidator(token).compute_signature(settings.SITE_URL + path, fields)
    return client.post(path, fields, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.mark.django_db
def test_the_signed_status_webhook_marks_it_delivered_and_a_bad_signature_gives_400(
    client, twilio, sms_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        place_order(customer=sms_customer)
    message = OutboundMessage.objects.get(channel=Channel.SMS)
    fields = {"MessageSid": message.provider_message_id, "MessageStatus": "delivered"}

    forged = _signed_post(client, message, fields, token="not-the-auth-token")
    assert forged.status_code == 400
    unsigned = client.post(reverse("notifications:sms_status", args=[message.pk]), fields)
    assert unsigned.status_code == 400
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT

    assert _signed_post(client, message, {**fields, "MessageStatus": "sent"}).status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert _signed_post(client, message, fields).status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


@pytest.mark.django_db
def test_a_receipt_settles_a_held_sms_it_did_go_out(
    client, twilio, sms_customer, django_capture_on_commit_callbacks
):
    twilio.script = ["hang"]
    with django_capture_on_commit_callbacks(execute=True):
        place_order(customer=sms_customer)
    message = OutboundMessage.objects.get(channel=Channel.SMS)
    assert message.status == MessageStatus.FAILED
    sid = "SM" + "1".zfill(32)
    fields = {"MessageSid": sid, "MessageStatus": "delivered"}
    assert _signed_post(client, message, fields).status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.provider_message_id == sid
    assert message.last_error == ""


@pytest.mark.django_db
def test_no_connection_at_all_is_retried_nothing_was_handed_over(
    settings, sms_customer, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = ACCOUNT_SID, AUTH_TOKEN
    with FakeTwilio() as fake:
        url = fake.url
    settings.TWILIO_API_BASE_URL = url  # closed: connection refused
    with django_capture_on_commit_callbacks(execute=True):
        place_order(customer=sms_customer)
    message = OutboundMessage.objects.get(channel=Channel.SMS)
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at > message.created_at + retry_delay(1) * 0.5


@pytest.mark.django_db
def test_the_order_status_sms_fills_its_own_template(
    settings, twilio, sms_customer, django_capture_on_commit_callbacks
):
    from orders.models import Order
    from orders.transitions import order_transition

    order = place_order(customer=sms_customer)
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to_status=Order.Status.ACCEPTED, by=None)
    body = twilio.accepted[-1]["Body"]
    assert body == fill(
        settings.SMS_DLT_TEMPLATES["order_status"]["text"], [order.number, "was confirmed"]
    )


def test_phone_numbers_are_stored_in_e164_and_bad_ones_say_why():
    assert phone_e164("+91 98450 12345") == PHONE
    assert phone_e164("+44 20 7946 0958") == "+442079460958"
    with pytest.raises(ValueError, match="international format"):
        phone_e164("98450 12345")
    with pytest.raises(ValueError, match="not a valid phone number"):
        phone_e164("+91 12345")
    with pytest.raises(ValueError, match="not a phone number"):
        phone_e164("+abc")


def test_fill_puts_values_only_in_the_slots_and_cuts_them_to_30_characters():
    assert fill("A {#var#} B {#var#}.", ["x", "y" * 40]) == "A x B " + "y" * 30 + "."
    with pytest.raises(ValueError):
        fill("A {#var#}", ["x", "y"])


@pytest.mark.django_db
def test_the_settings_page_takes_an_sms_number_and_explains_a_bad_one(client):
    customer = CustomerFactory()
    client.force_login(customer)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert 'name="sms_phone"' in page
    # No SMS for an event without a registered template.
    assert 'name="monthly_report" value="sms"' not in page

    answer = client.post(url, {"order_placed": ["email", "sms"], "sms_phone": "98450 12345"})
    assert answer.status_code == 200
    assert "international format" in answer.content.decode()
    assert services.preferences_for(customer)["order_placed"] != {"email", "sms"}

    answer = client.post(url, {"order_placed": ["email", "sms"], "sms_phone": ""})
    assert "Enter a mobile number for SMS" in answer.content.decode()

    answer = client.post(url, {"order_placed": ["email", "sms"], "sms_phone": "+91 98450 12345"})
    assert answer.status_code == 302
    customer = type(customer).objects.get(pk=customer.pk)
    assert customer.notification_preference.sms_phone == PHONE
    assert services.preferences_for(customer)["order_placed"] == {"email", "sms"}
