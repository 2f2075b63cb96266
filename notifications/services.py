"""Notifications' writes: queue messages in the caller's transaction, deliver them after.

Queueing (message_queue, user_notify) renders the message now and writes the
outbox row in the caller's transaction; delivery is scheduled for after
commit. Delivery (message_deliver) claims a row with a conditional UPDATE, so
of any number of deliverers racing for it exactly one sends it, and a row that
was sent is never claimed again.

Delivery itself (claim, lease, handoff, recovery after a crash) is
notifications.delivery; its entry points are re-exported here.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
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
from .rendering import Rendered, render_message
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
) -> tuple[list[str], list[OutboundMessage], list[Notification]]:
    """What user_notify writes, unsaved: (channels used, outbox rows, in-app rows)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}.")
    channels = preferences_for(user)[event]
    if not channels:
        return [], [], []
    context = {"user": user, "link": link, **context}
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


def _notify_all(notices: list[dict]) -> list[list[str]]:
    """user_notify for several (user, message) pairs: one outbox INSERT, one in-app INSERT.

    Returns the channels used for each notice, in order.
    """
    used, rows, notes = [], [], []
    for notice in notices:
        channels, outbox, in_app = _notify_rows(**notice)
        used.append(channels)
        rows += outbox
        notes += in_app
    if rows:
        _insert(rows)
    if notes:
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
    return used


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
    return _notify_all(
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


# --- Order messages (receivers of orders' signals call these) ---------------------


def buyer_order_link(order) -> str:
    """The buyer's page of an order: the retailer area for an organization's, else the portal."""
    name = "retailer:order" if order.buyer_organization_id else "portal:order"
    return reverse(name, args=[order.number])


def _confirmation_notice(order, items: list) -> dict:
    return {
        "user": order.customer,
        "event": "order_placed",
        "template": "order_confirmation",
        "context": {"order": order, "items": items},
        "dedup_key": f"order_placed:{order.pk}",
        "link": buyer_order_link(order),
    }


def _distributor_members(distributor_id: int) -> list[User]:
    return list(
        User.objects.filter(organization_id=distributor_id, is_active=True)
        .select_related("notification_preference")
        .order_by("pk")
    )


def _members_and_customer_preferences(distributor_id: int, customer: User) -> list[User]:
    """The distributor's active members (as _distributor_members), in the same query as the
    customer's notification preference, which is set on `customer`."""
    rows = list(
        User.objects.filter(Q(organization_id=distributor_id, is_active=True) | Q(pk=customer.pk))
        .select_related("notification_preference")
        .order_by("pk")
    )
    for row in rows:
        if row.pk == customer.pk:
            # The preference or its absence, as select_related would have cached it.
            customer._state.fields_cache["notification_preference"] = getattr(
                row, "notification_preference", None
            )
    return [row for row in rows if row.organization_id == distributor_id and row.is_active]


def _received_notices(order, items: list, members: list[User]) -> list[dict]:
    context = {"order": order, "items": items}
    link = reverse("distributor:order", args=[order.number])
    return [
        {
            "user": member,
            "event": "order_received",
            "template": "order_received",
            "context": context,
            "dedup_key": f"order_received:{order.pk}:{member.pk}",
            "link": link,
        }
        for member in members
    ]


def order_confirmation_queue(*, order_id: int) -> list[str]:
    """The customer's order confirmation: summary, estimated delivery, tracking link.

    One per order (its dedup key is the order's id). The order_placed receiver
    queues it together with the distributor's messages
    (order_placed_messages_queue); this is the customer's part alone.
    """
    from orders.selectors import order_for_message

    order = order_for_message(order_id=order_id)
    return _notify_all([_confirmation_notice(order, list(order.items.all()))])[0]


def order_received_queue(*, order_id: int, distributor_id: int) -> dict[int, list[str]]:
    """Tell each active member of the distributor that a new order came in, per their choice.

    The distributor's part of order_placed_messages_queue alone. One query
    for the members with their preferences; with none, that is all.
    Otherwise the order and its lines (two), then one INSERT for all members'
    outbox rows and one for their in-app notifications, however many members
    there are. Returns {user id: channels used}. One per (order, member).
    """
    from orders.selectors import order_for_message

    members = _distributor_members(distributor_id)
    if not members:
        return {}
    order = order_for_message(order_id=order_id)
    used = _notify_all(_received_notices(order, list(order.items.all()), members))
    return {member.pk: channels for member, channels in zip(members, used, strict=True)}


def order_placed_messages_queue(*, order_id: int, distributor_id: int) -> dict[int, list[str]]:
    """Both messages of a new order at once: the customer's confirmation and order_received.

    What order_confirmation_queue and order_received_queue do, in five
    queries whatever the number of members: the order and its lines (read
    once for both messages), the members with their preferences, one INSERT of
    every outbox row and one of every in-app notification. Called inside
    order_place's transaction. Returns {user id: channels used}, the customer
    first.
    """
    from orders.held import held_order
    from orders.selectors import order_for_message

    held = held_order(order_id)
    if held is None:
        order = order_for_message(order_id=order_id)
        members = _distributor_members(distributor_id)
    else:
        # order_place holds the order and its lines (orders.held): one query
        # reads the members and the customer's preferences together.
        order = held
        members = _members_and_customer_preferences(distributor_id, order.customer)
    items = list(order.items.all())
    users = [order.customer, *members]
    used = _notify_all(
        [_confirmation_notice(order, items), *_received_notices(order, items, members)]
    )
    return {user.pk: channels for user, channels in zip(users, used, strict=True)}


def order_status_update_queue(*, order_id: int, to_status: str, note: str = "") -> list[str]:
    """Tell the customer their order moved to `to_status` (order_status_updates_queue for one)."""
    return order_status_updates_queue(order_ids=[order_id], to_status=to_status, note=note).get(
        order_id, []
    )


def order_status_updates_queue(
    *, order_ids: list[int], to_status: str, note: str = ""
) -> dict[int, list[str]]:
    """Tell each order's customer that it moved to `to_status`; {order id: channels used}.

    The order state machine enters each status at most once, so the key
    (order, status) names the event. Shipping is told by the shipment's own
    message, with its lines, tracking and invoice (invoice_messages_queue),
    so the moves to shipped and partially shipped send nothing here. Four
    queries however many orders (the orders with their customers, their
    lines, one outbox INSERT, one in-app INSERT), and one more per order
    only for `delivered`, which waits for its invoices' e-mails.
    """
    from orders.models import SHIPS_STOCK, Order

    if to_status in SHIPS_STOCK or not order_ids:
        return {}
    orders = Order.objects.select_related(
        "distributor", "buyer_organization", "customer__notification_preference"
    )
    # Recorded history (notifications.as_sent) renders only the subject and the short
    # text, which name no line: the lines are not read (a body that lists them would
    # read them itself).
    history = as_sent.active()
    if not history:
        orders = orders.prefetch_related("items")
    orders = list(orders.filter(pk__in=order_ids).order_by("pk"))
    note = note.strip()
    if note and note[-1] not in ".!?":
        note += "."  # the templates go on with the next sentence
    notices = []
    for order in orders:
        wait_for = []
        if to_status == "delivered" and not history:  # a row written sent waits for nothing
            # "Delivered" never arrives before the shipments' e-mails with their
            # invoices (their PDFs are rendered as they are sent): it waits for them.
            from invoicing.selectors import order_invoice_ids

            wait_for = [f"invoice_issued:{pk}" for pk in order_invoice_ids(order_id=order.pk)]
        notices.append(
            {
                "user": order.customer,
                "event": "order_status",
                "template": "order_status",
                "context": {
                    "order": order,
                    "items": order.items.all(),
                    "status": to_status,
                    "note": note,
                },
                "dedup_key": f"order_status:{order.pk}:{to_status}",
                "link": buyer_order_link(order),
                "wait_for": wait_for,
            }
        )
    used = _notify_all(notices)
    return {order.pk: channels for order, channels in zip(orders, used, strict=True)}


def backorder_allocated_queue(
    *, order_id: int, product_id: int, still_backordered: int, quantity: int
) -> list[str]:
    """Tell the buyer that stock came in for a backordered line of their order.

    `quantity`: units the line has set aside now; `still_backordered`: units it
    still waits for. On the channels the buyer chose for order status updates.
    The key names the line's new state, so each fill is told once.
    """
    from orders.selectors import order_for_message

    order = order_for_message(order_id=order_id)
    items = list(order.items.all())
    line = next(item for item in items if item.product_id == product_id)
    return user_notify(
        user=order.customer,
        event="order_status",
        template="backorder_allocated",
        context={
            "order": order,
            "line": line,
            "quantity": quantity,
            "still_backordered": still_backordered,
        },
        dedup_key=f"backorder_allocated:{order.pk}:{product_id}:{line.quantity_allocated}"
        f":{line.quantity_shipped}:{still_backordered}",
        link=buyer_order_link(order),
    )


def invoice_messages_queue(*, invoice_id: int) -> list[str]:
    """A shipment's notice with its invoice: one e-mail, the PDF attached; WhatsApp; in-app.

    The e-mail says what left (the shipment's lines, its tracking reference
    or that it was handed over) and carries the shipment's tax invoice.

    To the customer who placed the order, on the channels they chose for
    invoices (WhatsApp needs their phone). A retailer's invoice also goes, as
    a business document, to the organization's contact address when that is
    not the customer's own. The PDF is rendered at delivery, after commit
    (notifications.attachments). Runs inside the transaction that issued the
    invoice: nothing is sent if the delivery rolls back. One per invoice.
    """
    from invoicing.selectors import invoice_for_message, invoice_order_owes_units
    from invoicing.services import invoice_pdf_attachment

    # Recorded history renders no body, the only part that lists the lines.
    invoice = invoice_for_message(invoice_id=invoice_id, lines=not as_sent.active())
    context = {
        "invoice": invoice,
        "order": invoice.order,
        "shipment": invoice.shipment,
        "lines": invoice.lines.all(),
        # Rendered inside the dispatch, before the order's status moves.
        "rest_follows": invoice.shipment is not None and invoice_order_owes_units(invoice),
    }
    attachment = invoice_pdf_attachment(invoice)
    link = reverse("invoicing:detail", args=[invoice.seller_slug, invoice.number])
    customer = invoice.customer
    used = user_notify(
        user=customer,
        event="invoice_issued",
        template="invoice",
        context={**context, "recipient_name": customer.get_short_name()},
        dedup_key=f"invoice_issued:{invoice.pk}",
        link=link,
        attachments=[attachment],
    )
    organization = invoice.buyer_organization
    if (
        organization is not None
        and organization.contact_email
        and organization.contact_email.lower() != customer.email.lower()
    ):
        message_queue(
            template="invoice",
            recipient=organization.contact_email,
            context={**context, "recipient_name": organization.name, "link": link},
            dedup_key=f"invoice_issued:{invoice.pk}:organization",
            attachments=[attachment],
        )
    return used


def monthly_report_messages_queue(*, user: User, report, attachment: dict) -> list[str]:
    """Last month's report to one subscribed staff member, PDF attached; once per month.

    `report` is a reporting.selectors.MonthlyReport (the e-mail shows its
    headline figures); `attachment` names the PDF and its renderer (rendered
    when the e-mail goes out). Returns the channels used (none: switched off).
    """
    period = f"{report.year}-{report.month:02d}"
    link = reverse("reporting:monthly") + f"?year={report.year}&month={report.month}"
    return user_notify(
        user=user,
        event="monthly_report",
        template="monthly_report",
        context={
            "report": report,
            "summary": report.summary(),
            "month_start": datetime(report.year, report.month, 1),
            "top_products": report.top_products.rows[:5],
        },
        dedup_key=f"monthly_report:{period}:{user.pk}",
        link=link,
        attachments=[attachment],
    )


# --- Procurement -----------------------------------------------------------------


def _procurement_staff() -> list[User]:
    from accounts.models import PROCUREMENT_GROUP

    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=PROCUREMENT_GROUP)
        .select_related("notification_preference")
        .order_by("pk")
        .distinct()
    )


def _organization_addresses(organization) -> list[str]:
    """Where a business document to an organization goes: its contact address, else its admins."""
    if organization.contact_email:
        return [organization.contact_email]
    return list(
        User.objects.filter(organization=organization, is_active=True, is_org_admin=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _staff_and_team(*, event, template, context, dedup_key, link) -> None:
    """An internal message to the procurement group (per their preferences) and the team list.

    A team address that is also a group member's gets one message, not two.
    """
    staff = _procurement_staff()
    for user in staff:
        user_notify(
            user=user,
            event=event,
            template=template,
            context=context,
            dedup_key=f"{dedup_key}:{user.pk}",
            link=link,
        )
    members = {user.email.lower() for user in staff}
    for address in settings.PROCUREMENT_TEAM_EMAILS:
        if address.lower() not in members:
            message_queue(
                template=template,
                recipient=address,
                context=context,
                dedup_key=f"{dedup_key}:{address}"[:DEDUP_KEY_MAX_LENGTH],
            )


def procurement_request_messages_queue(*, request_id: int) -> None:
    """A new procurement request: the supplier's e-mail and the internal low-stock alert.

    The supplier gets the product, the quantity needed, the current stock and
    the request's number; the procurement team list and group get the stock
    levels and what the system did (in-app too). Runs inside the transaction
    that opened the request: nothing is sent if it rolls back.
    """
    from procurement.selectors import request_for_message

    request = request_for_message(request_id=request_id)
    product, supplier, distributor = request.product, request.supplier, request.distributor
    actions = [
        f"Opened procurement request {request.number} for {request.quantity} units "
        f"({request.rule})."
    ]
    addresses = _organization_addresses(supplier)
    supplier_context = {
        "procurement_request": request,
        "product": product,
        "supplier": supplier,
        "distributor": distributor,
        "quantity": request.quantity,
        "on_hand": request.on_hand,
        "available": request.available,
        "reorder_level": request.reorder_level,
    }
    for address in addresses:
        message_queue(
            template="procurement_request",
            recipient=address,
            context=supplier_context,
            dedup_key=f"procurement_request:{request.pk}:supplier:{address}"[:DEDUP_KEY_MAX_LENGTH],
            reply_to=supplier_reply_to(),
        )
    if addresses:
        actions.append(f"E-mailed the request to {supplier.name} ({', '.join(addresses)}).")
    else:
        actions.append(f"{supplier.name} has no e-mail address on file: contact them directly.")
    actions.append("Approve it to send the supplier a purchase order.")
    review_url = reverse("admin:procurement_procurementrequest_change", args=[request.pk])
    _staff_and_team(
        event="procurement_requested",
        template="low_stock_alert",
        context={
            "product": product,
            "distributor": distributor,
            "on_hand": request.on_hand,
            "allocated": request.allocated,
            "held": request.held,
            "incoming": request.incoming,
            "available": request.available,
            "reorder_level": request.reorder_level,
            "reorder_quantity": request.reorder_quantity,
            "actions": actions,
            "review_url": review_url,
        },
        dedup_key=f"procurement_requested:{request.pk}",
        link=review_url,
    )


def purchase_order_messages_queue(*, purchase_order_id: int, reminder: bool = False) -> None:
    """The purchase order to its supplier: PDF attached, signed link to confirm or propose.

    The PDF is rendered when the e-mail is delivered (after commit, in the
    worker), not here. The supplier organization's members get an in-app
    notice linking to the PO's page, where they can answer too. A reminder
    is the same e-mail saying so, sent once (its own dedup key).
    """
    from procurement import services as procurement_services
    from procurement.selectors import purchase_order_for_message

    po = purchase_order_for_message(purchase_order_id=purchase_order_id)
    lines = list(po.lines.all())
    token = procurement_services.purchase_order_token(po)
    context = {
        "po": po,
        "lines": lines,
        "supplier": po.supplier,
        "procurement_request": lines[0].request if len(lines) == 1 else None,
        "reminder": reminder,
    }
    attachment = {
        "path": procurement_services.purchase_order_pdf_path(po),
        "filename": f"{po.number}.pdf",
        "mimetype": "application/pdf",
        "renderer": "procurement.purchase_order_pdf",
        "object_id": po.pk,
    }
    kind = "purchase_order_reminder" if reminder else "purchase_order"
    for address in _organization_addresses(po.supplier):
        message_queue(
            template="purchase_order",
            recipient=address,
            context={
                **context,
                "confirm_url": settings.SITE_URL + reverse("procurement:answer", args=[token]),
                "confirm_expires": procurement_services.purchase_order_token_expiry(),
                "has_pdf": True,
            },
            dedup_key=f"{kind}:{po.pk}:{address}"[:DEDUP_KEY_MAX_LENGTH],
            attachments=[attachment],
            reply_to=supplier_reply_to(),
        )
    members = (
        User.objects.filter(organization=po.supplier, is_active=True)
        .select_related("notification_preference")
        .order_by("pk")
    )
    link = reverse("procurement:supplier_po", args=[po.number])
    for member in members:
        user_notify(
            user=member,
            event="purchase_order_received",
            template="purchase_order",
            context=context,
            dedup_key=f"{kind}:{po.pk}:user:{member.pk}",
            link=link,
        )


def purchase_order_answered_queue(*, purchase_order_id: int, answer: str) -> None:
    """Tell procurement that a supplier confirmed a PO or proposed changes."""
    from procurement.selectors import purchase_order_for_message

    po = purchase_order_for_message(purchase_order_id=purchase_order_id)
    _staff_and_team(
        event="purchase_order_answered",
        template="purchase_order_answered",
        context={
            "po": po,
            "lines": list(po.lines.all()),
            "answer": answer,
            "review_url": reverse("admin:procurement_purchaseorder_change", args=[po.pk]),
        },
        dedup_key=f"purchase_order_answered:{po.pk}:{answer}",
        link=reverse("admin:procurement_purchaseorder_change", args=[po.pk]),
    )
