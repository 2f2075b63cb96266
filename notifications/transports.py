"""How one outbox row leaves the system: e-mail through Django's mail API, or the WhatsApp webhook.

A transport returns (provider_message_id, simulated) or raises. PermanentError
means trying again cannot help (the address is refused, the webhook said 4xx);
any other exception is treated as transient and retried with backoff.

Each transport calls `handoff(marker)` right before the message's bytes go to
the provider: after it has built the message, read the attachments and
connected, before the SMTP transaction or the webhook's POST. A deliverer that
dies before that point certainly sent nothing; one that dies after it may have
(notifications.delivery.outbox_release_interrupted uses the difference). The
marker is the id the provider will know the message by on every attempt: our
Message-ID (the same for each attempt of a row), the webhook's Idempotency-Key.

Each transport calls `accepted(provider_id, simulated)` the moment the
provider has accepted the message (SMTP's 250 to the end of DATA, a 2xx), so
that is recorded before the connection is closed or anything else can fail.
"""

import hashlib
import hmac
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from smtplib import SMTPRecipientsRefused, SMTPSenderRefused

from anymail.exceptions import AnymailInvalidAddress, AnymailRecipientsRefused
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection

from .attachments import attachment_path
from .models import Channel, OutboundMessage
from .sms import send_sms

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-AuroMart-Signature"
TIMESTAMP_HEADER = "X-AuroMart-Timestamp"


class PermanentError(Exception):
    """Delivery failed in a way that retrying cannot fix."""


class AttachmentMissing(Exception):
    """An attachment's file is not in storage (yet): transient, it may still be written."""


Handoff = Callable[[str], None]
Accepted = Callable[[str, bool], None]


def _no_handoff(marker: str) -> None:
    return None


def _no_accepted(provider_id: str, simulated: bool) -> None:
    return None


def _uses_anymail() -> bool:
    return settings.EMAIL_BACKEND.startswith("anymail.")


def retry_safe_after_handoff(channel: str) -> bool:
    """May a row whose deliverer died after the handoff be sent again without a duplicate?

    The webhook: yes, every attempt carries the same Idempotency-Key and the
    receiver drops a repeat. E-mail: no. An SMTP server that received the
    whole message may keep it and deliver it although its 250 never reached
    us (the deliverer died while the server held its answer: measured, it
    happens), and mail servers do not drop a repeated Message-ID; an ESP's
    API has no idempotency key either. Such a row waits for a person. SMS:
    no, Twilio's Messages API has no idempotency key (notifications.sms).
    """
    return channel == Channel.WHATSAPP


def outbox_message_id(message: OutboundMessage) -> str:
    """The Message-ID of an outbox row: the same on every attempt, unique per row."""
    digest = hashlib.sha256(message.dedup_key.encode()).hexdigest()[:16]
    return f"<outbox.{message.pk}.{digest}@{_mail_domain()}>"


def send_email(
    message: OutboundMessage, handoff: Handoff = _no_handoff, accepted: Accepted = _no_accepted
) -> tuple[str, bool]:
    connection = get_connection(fail_silently=False)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        reply_to=[a.strip() for a in message.reply_to.split(",") if a.strip()],
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for ref in message.attachments:
        path = attachment_path(ref)
        if path is None:
            raise AttachmentMissing(f"Attachment {ref['path']} is not in storage.")
        with default_storage.open(path, "rb") as handle:
            email.attach(ref["filename"], handle.read(), ref.get("mimetype"))
    if _uses_anymail():
        # The ESP's own id comes back in anymail_status; tracking events carry it.
        email.tags = [message.template]
        email.metadata = {"outbox_id": str(message.pk)}
        marker = f"handoff:{message.pk}"
    else:
        # SMTP and the console: our own Message-ID is the id to track by, and
        # a retry of the same row says it is the same message.
        marker = email.extra_headers["Message-ID"] = outbox_message_id(message)
    # Connect (and log in) before the handoff: a deliverer stopped while the
    # server is unreachable has handed nothing over.
    connection.open()
    try:
        handoff(marker)
        email.send(fail_silently=False)
        # The server's 250 (or the ESP's 2xx) is in: record it before QUIT.
        provider_id = _provider_id(email)
        accepted(provider_id, False)
    except (SMTPRecipientsRefused, AnymailRecipientsRefused, AnymailInvalidAddress) as exc:
        raise PermanentError(f"The recipient was refused: {exc}") from exc
    except SMTPSenderRefused as exc:
        raise PermanentError(f"The sender address was refused: {exc}") from exc
    finally:
        connection.close()
    return provider_id, False


def _provider_id(email: EmailMultiAlternatives) -> str:
    status = getattr(email, "anymail_status", None)
    if status is not None and status.message_id:
        provider_id = status.message_id
        if not isinstance(provider_id, str):  # a set, for several recipients
            provider_id = ",".join(sorted(provider_id))
        return provider_id
    return email.extra_headers.get("Message-ID", "")


def _mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)
    if len(address) == 2:
        return address[1].strip(" >")
    return socket.getfqdn()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>": what the receiver recomputes to trust a call."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def send_whatsapp(
    message: OutboundMessage, handoff: Handoff = _no_handoff, accepted: Accepted = _no_accepted
) -> tuple[str, bool]:
    url = settings.WHATSAPP_WEBHOOK_URL
    if not url:
        logger.info("WhatsApp (simulated) to %s: %s", message.recipient, message.body_text)
        return f"simulated:{message.pk}", True
    body = json.dumps(
        {
            "id": message.dedup_key,
            "to": message.recipient,
            "text": message.body_text,
            "template": message.template,
        },
        separators=(",", ":"),
    ).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "AuroMart-notifications",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: webhook_signature(settings.WHATSAPP_WEBHOOK_SECRET, timestamp, body),
            # The receiver can drop a repeat: the same message always has this key.
            "Idempotency-Key": message.dedup_key,
        },
    )
    handoff(f"idempotency:{message.dedup_key}")
    try:
        with urllib.request.urlopen(request, timeout=settings.WHATSAPP_WEBHOOK_TIMEOUT) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise PermanentError(
                f"The WhatsApp webhook refused the message: HTTP {exc.code}"
            ) from exc
        raise
    try:
        provider_id = str(json.loads(answer).get("id") or "")
    except (ValueError, AttributeError):
        provider_id = ""
    provider_id = provider_id or f"webhook:{message.pk}"
    accepted(provider_id, False)
    return provider_id, False


TRANSPORTS = {Channel.EMAIL: send_email, Channel.WHATSAPP: send_whatsapp, Channel.SMS: send_sms}
