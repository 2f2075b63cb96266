"""The events a user can be notified of, and the channels each uses by default.

Each app that notifies users registers its events here (one line each), so
the preferences page lists them and user_notify() knows their defaults.
Messages to addresses that are not users (a supplier, the procurement team
list) are business documents: they always go by e-mail and have no event.
"""

from dataclasses import dataclass

from accounts.models import BUYER_ROLES, Role

from .models import Channel

ALL_CHANNELS = (Channel.EMAIL, Channel.WHATSAPP, Channel.IN_APP)


@dataclass(frozen=True)
class Event:
    key: str
    label: str
    description: str
    default_channels: frozenset[str]
    roles: tuple[str, ...] | None = None  # who sees it among their preferences; None: staff only

    def visible_to(self, user) -> bool:
        if self.roles is None:
            return user.is_staff
        return user.role in self.roles


EVENTS: dict[str, Event] = {}


def register(event: Event) -> Event:
    if event.key in EVENTS:
        raise ValueError(f"Notification event {event.key!r} is registered twice.")
    EVENTS[event.key] = event
    return event


ORDER_PLACED = register(
    Event(
        key="order_placed",
        label="Order confirmation",
        description="When you place an order: its summary and estimated delivery.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        roles=BUYER_ROLES,
    )
)
ORDER_STATUS = register(
    Event(
        key="order_status",
        label="Order status updates",
        description="When an order is accepted, delivered or cancelled, and when backorders fill.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        roles=BUYER_ROLES,
    )
)
ORDER_RECEIVED = register(
    Event(
        key="order_received",
        label="New orders",
        description="When a buyer places an order with your organization: its lines and buyer.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        roles=(Role.DISTRIBUTOR,),
    )
)
# The distributor's side of what buyers and stock do to its orders
# (notifications.distributor_notices).
ORDER_CANCELLED_BY_BUYER = register(
    Event(
        key="order_cancelled_by_buyer",
        label="Orders the buyer cancelled",
        description="When a buyer cancels an order placed with your organization: do not ship it.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        roles=(Role.DISTRIBUTOR,),
    )
)
BACKORDER_READY = register(
    Event(
        key="backorder_ready",
        label="Backorders ready to ship",
        description="When stock comes in and backordered units of an order are allocated.",
        default_channels=frozenset({Channel.IN_APP}),
        roles=(Role.DISTRIBUTOR,),
    )
)
# Returns (#17, notifications.return_notices).
RETURN_STATUS = register(
    Event(
        key="return_status",
        label="Your returns",
        description="When you ask to return goods, and when the return is approved, "
        "refused or received.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        roles=BUYER_ROLES,
    )
)
RETURN_REQUESTED = register(
    Event(
        key="return_requested",
        label="Return requests",
        description="When a buyer asks to return goods delivered by your organization.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        roles=(Role.DISTRIBUTOR,),
    )
)

INVOICE_ISSUED = register(
    Event(
        key="invoice_issued",
        label="Shipments and invoices",
        description=(
            "When part or all of an order ships: what left, its tracking and its "
            "invoice PDF by e-mail, a short notice by WhatsApp."
        ),
        default_channels=frozenset({Channel.EMAIL, Channel.WHATSAPP, Channel.IN_APP}),
        roles=BUYER_ROLES,
    )
)
# Money in (notifications.payment_notices): a cheque that bounced, reminders of unpaid invoices.
INVOICE_PAYMENTS = register(
    Event(
        key="invoice_payments",
        label="Payment reminders and bounced cheques",
        description=(
            "Before and after an invoice falls due while it is unpaid, and when a cheque "
            "you paid with bounces."
        ),
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        roles=BUYER_ROLES,
    )
)

PROCUREMENT_REQUESTED = register(
    Event(
        key="procurement_requested",
        label="Low stock and procurement requests",
        description="When stock falls to its reorder level: the levels and the request opened.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
    )
)
MONTHLY_REPORT = register(
    Event(
        key="monthly_report",
        label="Monthly report",
        description=(
            "On the first of each month: last month's report as a PDF "
            "(staff who may see every organization's reports)."
        ),
        default_channels=frozenset({Channel.EMAIL}),
    )
)
PURCHASE_ORDER_ANSWERED = register(
    Event(
        key="purchase_order_answered",
        label="Supplier answers",
        description="When a supplier confirms a purchase order or proposes changes.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
    )
)
PURCHASE_ORDER_RECEIVED = register(
    Event(
        key="purchase_order_received",
        label="Purchase orders to your organization",
        description="When we send your organization a purchase order to confirm.",
        default_channels=frozenset({Channel.IN_APP}),
        roles=(Role.MANUFACTURER, Role.DISTRIBUTOR),
    )
)


def events_for(user) -> list[Event]:
    """The events `user` may set preferences for, in registration order."""
    return [event for event in EVENTS.values() if event.visible_to(user)]
