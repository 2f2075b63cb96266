"""Notifications' writes: queue messages in the caller's transaction, deliver them after.

Queueing (message_queue, user_notify) renders the message now and writes the
outbox row in the caller's transaction; delivery is scheduled for after
commit. Delivery (message_deliver) claims a row with a conditional UPDATE, so
of any number of deliverers racing for it exactly one sends it, and a row that
was sent is never claimed again.

Delivery itself (claim, lease, handoff, recovery after a crash) is
notifications.delivery; its entry points are re-exported here.

What each event says and to whom is decided by the topic modules that call
this one: order_notices (orders and invoices), procurement_notices,
supplier_notices, distributor_notices, payment_notices, report_notices.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import as_sent
from .delivery import (  # noqa: F401  (re-exported: the services' public surface)
    INTERRUPTED_AFTER_HANDOFF,
    INTERRUPTED_BEFORE_HANDOFF,
    INTERRUPTED_ERROR,
    INTERRUPTED_TOO_OFTEN,
    Outcome,
    message_deliver,
    outbox_deliver_keys,
    outbox_due_ids,
    outbox_pending_ids,
    outbox_release_interrupted,
    outbox_sweep,
    retry_delay,
)
from .dispatch import schedule_delivery
from .events import EVENTS, events_for
from .models import (
    Channel,
    MessageStatus,
    Notification,
    NotificationPreference,
    OutboundMessage,
)
from .rendering import Rendered, render_message, render_message_for_each
from .sms import phone_e164, sms_events, sms_render

logger = logging.getLogger(__name__)

DEDUP_KEY_MAX_LENGTH = OutboundMessage._meta.get_field("dedup_key").max_length

# --- Queueing -------------------------------------------------------------------


def _check_key(dedup_key: str) -> str:
    if not dedup_key or len(dedup_key) > DEDUP_KEY_MAX_LENGTH:
        raise ValueError(f"A dedup_key of 1 to {DEDUP_KEY_MAX_LENGTH} characters is required.")
    return dedup_key


def _outbox_row(
    *,
    channel: str,
    recipient: str,
    template: str,
    rendered: Rendered,
    dedup_key: str,
    user: User | None,
    attachments: list[dict],
    link: str = "",
    reply_to: str = "",
    wait_for: tuple[str, ...] | list[str] = (),
    sms: tuple[str, dict] | None = None,
) -> OutboundMessage:
    sender = provider_template = ""
    if channel == Channel.EMAIL:
        subject, text, html = rendered.subject, rendered.text, rendered.html
    elif channel == Channel.SMS:  # the registered DLT text, its variables filled
        (text, registration), html, subject = sms, "", rendered.subject
        sender, provider_template = registration["sender_id"], registration["template_id"]
    else:  # a phone message: the short text, and the link as a URL the phone can open
        subject, text, html = rendered.subject, rendered.short, ""
        if link:
            text = f"{text} {settings.SITE_URL}{link}"
    return OutboundMessage(
        channel=channel,
        recipient=recipient[:254],
        user=user,
        template=template,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=list(attachments),
        dedup_key=_check_key(dedup_key),
        reply_to=reply_to[:1000] if channel == Channel.EMAIL else "",
        sender=sender[:20],
        provider_template=provider_template[:40],
        wait_for=",".join(f"{key}:{channel}" for key in wait_for)[:1000],
    )


def _insert(rows: list[OutboundMessage]) -> None:
    # One INSERT for all rows; a key that is already there (the same event
    # queued again) is skipped by the database, not raised: queueing twice is
    # a no-op. Values were checked above, so nothing else can be ignored.
    if as_sent.active():
        # Recorded history: sent at the (travelled) clock, handed to nobody.
        now = timezone.now()
        for row in rows:
            row.status, row.sent_at, row.status_changed_at = MessageStatus.SENT, now, now
            row.attempts, row.next_attempt_at = 1, now
        OutboundMessage.objects.bulk_create(rows, ignore_conflicts=True)
        return
    OutboundMessage.objects.bulk_create(rows, ignore_conflicts=True)
    schedule_delivery([row.dedup_key for row in rows])


def message_queue(
    *,
    template: str,
    recipient: str,
    context: dict,
    dedup_key: str,
    channel: str = Channel.EMAIL,
    user: User | None = None,
    attachments: tuple[dict, ...] | list[dict] = (),
    reply_to: str = "",
) -> None:
    """Queue one message to an address (a supplier, the procurement team) for after commit.

    Renders templates/notifications/<template>/ with `context` now, so the
    message says what was true when it was queued. `dedup_key` names the
    event ("procurement_request:42:supplier"): queueing the same key again does
    nothing. `reply_to`: comma-separated Reply-To addresses. `attachments`
    are {"path", "filename", "mimetype"} references to default_storage, read
    when the message is sent. Call it inside the
    transaction whose outcome the message reports.
    """
    if channel not in (Channel.EMAIL, Channel.WHATSAPP):
        raise ValueError(f"Outbox messages go by e-mail or WhatsApp, not {channel!r}.")
    if not recipient:
        raise ValueError("A message needs a recipient.")
    rendered = render_message(template, context)
    _insert(
        [
            _outbox_row(
                channel=channel,
                recipient=recipient,
                template=template,
                rendered=rendered,
                dedup_key=dedup_key,
                user=user,
                attachments=list(attachments),
                reply_to=reply_to,
            )
        ]
    )


def supplier_reply_to() -> str:
    """Supplier e-mails are answered to the procurement team (PROCUREMENT_TEAM_EMAILS)."""
    return ", ".join(settings.PROCUREMENT_TEAM_EMAILS)


def team_alert_queue(*, template: str, context: dict, dedup_key: str) -> None:
    """Queue an internal e-mail to every address in PROCUREMENT_TEAM_EMAILS."""
    for address in settings.PROCUREMENT_TEAM_EMAILS:
        message_queue(
            template=template,
            recipient=address,
            context=context,
            dedup_key=f"{dedup_key}:{address}"[:DEDUP_KEY_MAX_LENGTH],
        )


def preferences_for(user: User) -> dict[str, set[str]]:
    """Each event's channels for `user`: their choice, else the event's defaults.

    Reads `user.notification_preference`: free when the caller loaded the user
    with select_related("notification_preference").
    """
    try:
        chosen = user.notification_preference.channels
    except NotificationPreference.DoesNotExist:
        chosen = {}
    return {
        key: set(chosen[key]) if key in chosen else set(event.default_channels)
        for key, event in EVENTS.items()
    }


def _sms_phone(user: User) -> str:
    try:
        return user.notification_preference.sms_phone
    except NotificationPreference.DoesNotExist:
        return ""


def _notify_rows(
    *,
    user: User,
    event: str,
    template: str,
    context: dict,
    dedup_key: str,
    link: str = "",
    attachments: tuple[dict, ...] | list[dict] = (),
    wait_for: tuple[str, ...] | list[str] = (),
    rendered: Rendered | None = None,
) -> tuple[list[str], list[OutboundMessage], list[Notification]]:
    """What user_notify writes, unsaved: (channels used, outbox rows, in-app rows).
    `rendered`: the message already rendered for `user` (notify_all's shared render)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}.")
    channels = preferences_for(user)[event]
    if not channels:
        return [], [], []
    context = {"user": user, "link": link, **context}
    if rendered is None:
        rendered = render_message(template, context)
    used, rows, notes = [], [], []
    sms = None
    if Channel.SMS in channels and _sms_phone(user):
        sms = sms_render(event, context)  # None: the event has no registered DLT template
    # E-mail to their address, WhatsApp to their phone, SMS to the number they
    # gave for SMS: each only if they have one.
    for channel, address in (
        (Channel.EMAIL, user.email),
        (Channel.WHATSAPP, user.phone),
        (Channel.SMS, _sms_phone(user) if sms else ""),
    ):
        if channel in channels and address:
            rows.append(
                _outbox_row(
                    channel=channel,
                    recipient=address,
                    template=template,
                    rendered=rendered,
                    dedup_key=f"{dedup_key}:{channel}",
                    user=user,
                    attachments=list(attachments) if channel == Channel.EMAIL else [],
                    link=link,
                    wait_for=wait_for,
                    sms=sms,
                )
            )
            used.append(channel)
    if Channel.IN_APP in channels:
        notes.append(
            Notification(
                user=user,
                event=event,
                title=rendered.subject[:200],
                message=rendered.short,
                link=link[:500],
                dedup_key=_check_key(f"{dedup_key}:in_app"),
                read_at=timezone.now() if as_sent.active() else None,
            )
        )
        used.append(Channel.IN_APP)
    return used, rows, notes


def distributor_members(distributor_id: int) -> list[User]:
    """The active members of an organization (a distributor's staff), with their preferences."""
    return list(
        User.objects.filter(organization_id=distributor_id, is_active=True)
        .select_related("notification_preference")
        .order_by("pk")
    )


def notify_all(notices: list[dict]) -> list[list[str]]:
    """user_notify for several (user, message) pairs: one outbox INSERT, one in-app INSERT.

    Returns the channels used for each notice, in order. Notices that share their
    template, link and context object (one message to several users, such as a
    distributor's members) are rendered once (rendering.render_message_for_each).
    """
    rendered = _shared_renders(notices)
    used, rows, notes = [], [], []
    for notice, shared in zip(notices, rendered, strict=True):
        channels, outbox, in_app = _notify_rows(**notice, rendered=shared)
        used.append(channels)
        rows += outbox
        notes += in_app
    if rows:
        _insert(rows)
    if notes:
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
    return used


def _shared_renders(notices: list[dict]) -> list[Rendered | None]:
    """Each notice's message when it is one of several users' same message (rendered
    once for them all), else None (_notify_rows renders it)."""
    groups: dict[tuple, list[int]] = {}
    for n, notice in enumerate(notices):
        context = notice["context"]
        if "user" in context or notice["event"] not in EVENTS:
            continue
        if preferences_for(notice["user"])[notice["event"]]:  # else nothing is rendered
            key = (notice["template"], id(context), notice.get("link", ""))
            groups.setdefault(key, []).append(n)
    rendered: list[Rendered | None] = [None] * len(notices)
    for (template, _, link), members in groups.items():
        if len(members) < 2:
            continue
        first = notices[members[0]]
        each = render_message_for_each(
            template,
            {"link": link, **first["context"]},
            [notices[n]["user"] for n in members],
        )
        for n, message in zip(members, each, strict=True):
            rendered[n] = message
    return rendered


def user_notify(
    *,
    user: User,
    event: str,
    template: str,
    context: dict,
    dedup_key: str,
    link: str = "",
    attachments: tuple[dict, ...] | list[dict] = (),
    wait_for: tuple[str, ...] | list[str] = (),
) -> list[str]:
    """Tell `user` about `event` on the channels they chose for it; returns those channels.

    E-mail to their address, WhatsApp to their phone (only when they have
    one), and an in-app notification linking to `link` (a site path). The
    message renders once from `template`; in-app and WhatsApp use its short
    text. Queueing the same `dedup_key` again does nothing. Call it inside the
    transaction whose outcome it reports.
    """
    return notify_all(
        [
            {
                "user": user,
                "event": event,
                "template": template,
                "context": context,
                "dedup_key": dedup_key,
                "link": link,
                "attachments": attachments,
                "wait_for": wait_for,
            }
        ]
    )[0]


@transaction.atomic
def message_resend(*, message: OutboundMessage) -> OutboundMessage:
    """Send a copy of `message` again (staff's decision, after a failure or on request).

    A new row with the same rendered content, linked to the original, so the
    history shows both attempts; delivery is scheduled after commit.
    """
    resend_count = OutboundMessage.objects.filter(resent_from=message).count() + 1
    copy = OutboundMessage.objects.create(
        channel=message.channel,
        recipient=message.recipient,
        user_id=message.user_id,
        template=message.template,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        attachments=message.attachments,
        sender=message.sender,
        provider_template=message.provider_template,
        resent_from=message,
        dedup_key=f"resend:{message.pk}:{resend_count}",
    )
    schedule_delivery([copy.dedup_key])
    return copy


# --- Tracking (the ESP's webhook, through anymail) ----------------------------------

# anymail's normalized event types -> our status; other events (opened,
# clicked, queued, deferred) do not change what we know about delivery.
TRACKING_STATUS = {
    "delivered": MessageStatus.DELIVERED,
    "bounced": MessageStatus.BOUNCED,
    "rejected": MessageStatus.BOUNCED,
    "failed": MessageStatus.BOUNCED,
    "complained": MessageStatus.COMPLAINED,
}
# A later "delivered" must not hide an earlier bounce or complaint.
TRACKING_MAY_REPLACE = {
    MessageStatus.DELIVERED: (MessageStatus.SENT,),
    MessageStatus.BOUNCED: (MessageStatus.SENT, MessageStatus.DELIVERED),
    MessageStatus.COMPLAINED: (MessageStatus.SENT, MessageStatus.DELIVERED),
}


def message_track(*, provider_message_id: str, event_type: str, description: str = "") -> int:
    """Apply an ESP tracking event to the message with that provider id; returns rows changed."""
    status = TRACKING_STATUS.get(event_type)
    if status is None or not provider_message_id:
        return 0
    updates = {"status": status, "status_changed_at": timezone.now()}
    if status != MessageStatus.DELIVERED:
        updates["last_error"] = f"{event_type.capitalize()}: {description}".strip(": ")[:4000]
    return OutboundMessage.objects.filter(
        provider_message_id=provider_message_id, status__in=TRACKING_MAY_REPLACE[status]
    ).update(**updates)


# --- In-app notifications and preferences --------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of `user`'s notifications read (again is fine). Raises Notification.DoesNotExist."""
    notification = Notification.objects.get(pk=notification_id, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_set(
    *, user: User, channels: dict[str, list[str]], sms_phone: str | None = None
) -> NotificationPreference:
    """Store which channels `user` wants for each of their events (and their SMS number).

    Raises ValidationError keyed by event for an unknown event or channel,
    for WhatsApp without a phone number on the profile, for SMS on an event
    without a registered SMS template or without an SMS number; and keyed
    "sms_phone" for a number that is not a valid one in E.164. `sms_phone`
    None keeps the stored number; "" removes it.
    """
    allowed = {event.key for event in events_for(user)}
    valid_channels = set(Channel.values)
    errors = {}
    current = NotificationPreference.objects.filter(user=user).first()
    if sms_phone is None:
        sms_phone = current.sms_phone if current else ""
    elif sms_phone.strip():
        try:
            sms_phone = phone_e164(sms_phone)
        except ValueError as exc:
            errors["sms_phone"] = str(exc)
    else:
        sms_phone = ""
    with_sms = sms_events()
    for key, chosen in channels.items():
        if key not in allowed:
            errors[key] = "There is no such notification for your account."
        elif not set(chosen) <= valid_channels:
            errors[key] = f"Choose among {', '.join(sorted(valid_channels))}."
        elif Channel.WHATSAPP in chosen and not user.phone:
            errors[key] = "Add a phone number to your profile to get WhatsApp messages."
        elif Channel.SMS in chosen and key not in with_sms:
            errors[key] = "This notification does not come by SMS."
        elif Channel.SMS in chosen and not sms_phone and "sms_phone" not in errors:
            errors[key] = "Enter a mobile number for SMS to get this by SMS."
    if errors:
        raise ValidationError(errors)
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    preference.channels = {
        **preference.channels,
        **{key: sorted(set(chosen)) for key, chosen in channels.items()},
    }
    preference.sms_phone = sms_phone
    preference.save(update_fields=["channels", "sms_phone", "updated_at"])
    return preference


def billing_document_notify(
    *, invoice, template: str, context: dict, dedup_key: str, link: str, attachment: dict
) -> list[str]:
    """Send a tax document of `invoice` (the invoice, a credit note) to its buyer, on the
    channels chosen for "Shipments and invoices" (invoice_buyer_notify)."""
    return invoice_buyer_notify(
        invoice=invoice,
        event="invoice_issued",
        template=template,
        context=context,
        dedup_key=dedup_key,
        link=link,
        attachments=[attachment],
    )


def invoice_buyer_notify(
    *,
    invoice,
    event: str,
    template: str,
    context: dict,
    dedup_key: str,
    link: str,
    attachments: list[dict] | None = None,
) -> list[str]:
    """Tell the buyer of `invoice` something about it: the customer who ordered, on the
    channels they chose for `event`, and, for a retailer's invoice, the organization's
    contact address by e-mail when that is not the customer's own. Returns the
    customer's channels. The one way every invoice message (the document, a credit note,
    a payment bounced, a reminder, a refund) reaches its buyer."""
    customer = invoice.customer
    used = user_notify(
        user=customer,
        event=event,
        template=template,
        context={**context, "recipient_name": customer.get_short_name()},
        dedup_key=dedup_key,
        link=link,
        attachments=attachments or [],
    )
    organization = invoice.buyer_organization
    if (
        organization is not None
        and organization.contact_email
        and organization.contact_email.lower() != customer.email.lower()
    ):
        message_queue(
            template=template,
            recipient=organization.contact_email,
            context={**context, "recipient_name": organization.name, "link": link},
            dedup_key=f"{dedup_key}:organization",
            attachments=attachments or [],
        )
    return used
