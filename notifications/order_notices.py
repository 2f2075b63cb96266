"""What buyers and a distributor's members are told about orders and invoices.

Receivers of orders' and invoicing's signals call these inside the sender's
transaction: a new order (the buyer's confirmation, the distributor members'
"new order"), its moves (order_status), backordered units allocated, and a
shipment's notice with its invoice. The outbox itself (queueing, preferences,
delivery) is notifications.services.
"""

from django.db import router
from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from auromart.compiled_sql import Shapes, sentinel_int

from . import as_sent
from .models import NotificationPreference
from .services import (
    billing_document_notify,
    distributor_members,
    notify_all,
    user_notify,
)


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


def _members_query(distributor_id: int, customer_id: int):
    return (
        User.objects.filter(Q(organization_id=distributor_id, is_active=True) | Q(pk=customer_id))
        .order_by("pk")
        .values_list(*_USER_FIELDS, *(f"notification_preference__{f}" for f in _PREF_FIELDS))
    )


_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)
_PREF_FIELDS = tuple(f.attname for f in NotificationPreference._meta.concrete_fields)
# Compiled once (auromart.compiled_sql): building this join through the ORM cost
# more CPU than running it, on every order.
_MEMBERS = Shapes(User)


def _members_and_customer_preferences(distributor_id: int, customer: User) -> list[User]:
    """The distributor's active members (as distributor_members), in the same query as the
    customer's notification preference, which is set on `customer`. Each user carries its
    preference (or its absence) as select_related("notification_preference") would."""
    values = {"distributor": distributor_id, "customer": customer.pk}
    sentinels = {"distributor": sentinel_int(0), "customer": sentinel_int(1)}

    def build(args):
        return _members_query(args["distributor"], args["customer"])

    rows = _MEMBERS.rows((), build, sentinels, values)
    if rows is None:
        rows = list(build(values))
    db = router.db_for_read(User)
    split = len(_USER_FIELDS)
    members = []
    for row in rows:
        preference = None
        if row[split] is not None:  # the preference's id
            preference = NotificationPreference.from_db(db, _PREF_FIELDS, row[split:])
        if row[0] == customer.pk:
            customer._state.fields_cache["notification_preference"] = preference
        user = User.from_db(db, _USER_FIELDS, row[:split])
        user._state.fields_cache["notification_preference"] = preference
        if user.organization_id == distributor_id and user.is_active:
            members.append(user)
    return members


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
    return notify_all([_confirmation_notice(order, list(order.items.all()))])[0]


def order_received_queue(*, order_id: int, distributor_id: int) -> dict[int, list[str]]:
    """Tell each active member of the distributor that a new order came in, per their choice.

    The distributor's part of order_placed_messages_queue alone. One query
    for the members with their preferences; with none, that is all.
    Otherwise the order and its lines (two), then one INSERT for all members'
    outbox rows and one for their in-app notifications, however many members
    there are. Returns {user id: channels used}. One per (order, member).
    """
    from orders.selectors import order_for_message

    members = distributor_members(distributor_id)
    if not members:
        return {}
    order = order_for_message(order_id=order_id)
    used = notify_all(_received_notices(order, list(order.items.all()), members))
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
        members = distributor_members(distributor_id)
    else:
        # order_place holds the order and its lines (orders.held): one query
        # reads the members and the customer's preferences together.
        order = held
        members = _members_and_customer_preferences(distributor_id, order.customer)
    if order.status == "awaiting_payment":
        # Not the distributor's until it is paid (notifications.receivers tells them then).
        members = []
    items = list(order.items.all())
    users = [order.customer, *members]
    used = notify_all(
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
    used = notify_all(notices)
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
    return billing_document_notify(
        invoice=invoice,
        template="invoice",
        context=context,
        dedup_key=f"invoice_issued:{invoice.pk}",
        link=link,
        attachment=attachment,
    )
