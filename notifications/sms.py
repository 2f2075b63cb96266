"""SMS: India's DLT templates, the phone number's format, and sending through Twilio.

- **DLT.** Every commercial SMS in India must match a template registered on
  TRAI's DLT platform, sent under its registered sender id (header). Each
  event's template id, sender id and registered text are in
  settings.SMS_DLT_TEMPLATES; the text's `{#var#}` slots are the only parts a
  message fills, with the values VARIABLES names for that event (each cut to
  DLT's 30 characters). An event without a registered template has no SMS.
- **Phone numbers** are stored in E.164 (+919876543210), checked with
  `phonenumbers`.
- **Sending** (send_sms, the outbox's SMS transport) goes through the
  `twilio` SDK; TWILIO_API_BASE_URL points it at another host (the tests' fake).
  What Twilio's answer means for the outbox is in send_sms.
- **Delivery receipts** come back to the status webhook
  (notifications.views.sms_status), signed with the auth token.
"""

import logging

import phonenumbers
import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .models import MessageStatus, OutboundMessage

logger = logging.getLogger(__name__)

SLOT = "{#var#}"
# DLT: a variable holds at most 30 characters.
VARIABLE_MAX_LENGTH = 30
TWILIO_API = "https://api.twilio.com"

OUTCOME_UNKNOWN_ERROR = (
    "The SMS provider did not answer after the message was handed to it (a timeout "
    "or a dropped connection): it may have accepted it, and its API has no key that "
    "would make a resend harmless, so it is held, not retried. A delivery receipt "
    "marks it delivered if it went out; otherwise check with the recipient, then "
    "use Resend."
)


class OutcomeUnknown(Exception):
    """The provider may have accepted the message: hold it for a person, never resend it."""


# --- Phone numbers ------------------------------------------------------------------


def phone_e164(value: str) -> str:
    """The number in E.164 ("+91 98765 43210" -> "+919876543210"), or ValueError with why."""
    value = (value or "").strip()
    if not value.startswith("+"):
        raise ValueError(
            "Enter the number in international format with its country code, "
            "for example +919876543210."
        )
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"That is not a phone number ({exc._msg}).") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("That is not a valid phone number: check the country code and the digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- DLT templates ------------------------------------------------------------------


def _order_placed(context: dict) -> list[str]:
    order = context["order"]
    kind = "pickup" if order.fulfillment_type == "pickup" else "delivery"
    return [order.number, f"{kind} {order.estimated_delivery:%a %d %b}"]


STATUS_WORDS = {
    "accepted": "was confirmed",
    "processing": "is being prepared",
    "delivered": "was delivered",
    "rejected": "could not be accepted",
    "cancelled": "was cancelled",
}


def _order_status(context: dict) -> list[str]:
    order = context["order"]
    if "line" in context:  # backorder_allocated: stock came in for a line
        return [order.number, f"has {context['quantity']} more units ready"]
    status = context["status"]
    return [order.number, STATUS_WORDS.get(status, f"is {status}")]


def _invoice_issued(context: dict) -> list[str]:
    invoice, shipment = context["invoice"], context["shipment"]
    if shipment is None:
        what, tracking = "was invoiced", "none"
    else:
        what = (
            "was handed over"
            if shipment.method == "pickup"
            else ("partly shipped" if context.get("rest_follows") else "shipped")
        )
        tracking = shipment.tracking_reference or "none"
    # "Rs.", not "₹": one character outside GSM-7 makes the whole SMS UCS-2 (70 a part).
    return [context["order"].number, what, tracking, invoice.number, f"Rs. {invoice.total:,.2f}"]


# Each event's variables, in the order of its registered text's {#var#} slots.
VARIABLES = {
    "order_placed": _order_placed,
    "order_status": _order_status,
    "invoice_issued": _invoice_issued,
}


# The message templates whose event can go by SMS (render_notification_samples shows them).
TEMPLATE_EVENTS = {
    "order_confirmation": "order_placed",
    "order_status": "order_status",
    "backorder_allocated": "order_status",
    "invoice": "invoice_issued",
}


def sms_template(event: str) -> dict | None:
    """The event's DLT registration {"template_id", "sender_id", "text"}, or None: no SMS."""
    entry = settings.SMS_DLT_TEMPLATES.get(event)
    if not entry or event not in VARIABLES or not entry.get("template_id"):
        return None
    return {"sender_id": settings.SMS_DLT_SENDER_ID, **entry}


def sms_events() -> set[str]:
    """The events that can go by SMS (a registered template and our variables for it)."""
    return {event for event in VARIABLES if sms_template(event)}


def fill(text: str, values: list[str]) -> str:
    """The registered `text` with its {#var#} slots filled, in order; nothing else changes."""
    pieces = text.split(SLOT)
    if len(pieces) - 1 != len(values):
        raise ValueError(
            f"The registered text has {len(pieces) - 1} variables; {len(values)} were given."
        )
    out = [pieces[0]]
    for value, rest in zip(values, pieces[1:], strict=True):
        value = " ".join(str(value).split())[:VARIABLE_MAX_LENGTH]
        out += [value, rest]
    return "".join(out)


def sms_render(event: str, context: dict) -> tuple[str, dict] | None:
    """(text, registration) of the event's SMS for `context`, or None when it has no SMS."""
    template = sms_template(event)
    if template is None:
        return None
    return fill(template["text"], VARIABLES[event](context)), template


# --- Sending ------------------------------------------------------------------------


class _BaseUrlHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sending what it would send to api.twilio.com elsewhere."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):
        if self.base_url and url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def twilio_client() -> Client:
    http_client = _BaseUrlHttpClient(settings.TWILIO_API_BASE_URL, timeout=settings.SMS_TIMEOUT)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


def status_callback_url(message: OutboundMessage) -> str:
    return settings.SITE_URL + reverse("notifications:sms_status", args=[message.pk])


def _sent_nothing(exc: requests.RequestException) -> bool:
    """Did the request certainly not reach the provider (no connection was made)?"""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps it
        from urllib3.exceptions import NewConnectionError

        return isinstance(reason, NewConnectionError)
    return False


def send_sms(message: OutboundMessage, handoff, accepted) -> tuple[str, bool]:
    """Send one SMS through Twilio's Messages API; the outbox's transport for Channel.SMS.

    - Twilio answers 2xx: accepted, its message SID recorded at once.
    - 4xx (but 429): the number or the text is refused, PermanentError.
    - 5xx, 429, or no connection at all: nothing was accepted, retried.
    - A timeout or a dropped connection after the request went out: Twilio may
      have accepted it, and its API has no idempotency key, so OutcomeUnknown:
      held for a person, never resent automatically.
    """
    from .transports import PermanentError

    if not settings.TWILIO_ACCOUNT_SID:
        logger.info("SMS (simulated) to %s: %s", message.recipient, message.body_text)
        return f"simulated:{message.pk}", True
    client = twilio_client()
    handoff(f"handoff:{message.pk}")
    try:
        result = client.messages.create(
            to=message.recipient,
            from_=message.sender or settings.SMS_DLT_SENDER_ID,
            body=message.body_text,
            status_callback=status_callback_url(message),
        )
    except TwilioRestException as exc:
        if 400 <= exc.status < 500 and exc.status != 429:
            raise PermanentError(f"Twilio refused the SMS: HTTP {exc.status} {exc.msg}") from exc
        raise  # 5xx, 429: Twilio did not take it; retried with backoff
    except requests.RequestException as exc:
        if _sent_nothing(exc):
            raise
        raise OutcomeUnknown(f"{type(exc).__name__}: {exc}") from exc
    except TwilioException as exc:  # a 2xx whose body we could not read
        raise OutcomeUnknown(f"{type(exc).__name__}: {exc}") from exc
    provider_id = result.sid or f"twilio:{message.pk}"
    accepted(provider_id, False)
    return provider_id, False


# --- Delivery receipts --------------------------------------------------------------

# Twilio's MessageStatus -> ours; queued/sending/sent say nothing new.
RECEIPT_STATUS = {
    "delivered": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.BOUNCED,
    "failed": MessageStatus.BOUNCED,
}
# A receipt may settle a held message too: it proves the provider took it.
RECEIPT_MAY_REPLACE = {
    MessageStatus.DELIVERED: (MessageStatus.SENT, MessageStatus.FAILED),
    MessageStatus.BOUNCED: (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.FAILED),
}


def sms_receipt_record(*, message_id: int, provider_sid: str, status: str, error_code: str = ""):
    """Apply a delivery receipt (Twilio's status callback) to outbox row `message_id`.

    Returns the rows changed (0 or 1). "delivered" marks a sent SMS delivered;
    "undelivered"/"failed" bounces it. A held SMS (the provider's answer was
    lost) is settled by its receipt: it did go out, so nobody resends it.
    Other statuses (queued, sending, sent) change nothing.
    """
    from django.db.models import Q
    from django.utils import timezone

    from .delivery import INTERRUPTED_ERROR
    from .models import Channel

    new = RECEIPT_STATUS.get(status)
    if new is None:
        return 0
    held = Q(status=MessageStatus.FAILED) & (
        Q(last_error__startswith=OUTCOME_UNKNOWN_ERROR) | Q(last_error=INTERRUPTED_ERROR)
    )
    replaceable = [s for s in RECEIPT_MAY_REPLACE[new] if s != MessageStatus.FAILED]
    now = timezone.now()
    updates = {"status": new, "status_changed_at": now}
    if provider_sid:
        updates["provider_message_id"] = provider_sid[:255]
    if new == MessageStatus.DELIVERED:
        updates["last_error"] = ""
    else:
        updates["last_error"] = f"Undelivered ({status}, Twilio error {error_code or 'none'})."
    rows = OutboundMessage.objects.filter(pk=message_id, channel=Channel.SMS).filter(
        Q(status__in=replaceable) | held
    )
    changed = rows.update(**updates)
    if changed:
        OutboundMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(sent_at=now)
    return changed
