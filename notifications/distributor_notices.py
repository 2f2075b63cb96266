"""What a distributor's members are told about their orders besides a new order.

- A buyer cancelled an order (`order_cancelled_by_buyer`): whoever cancelled it
  if not one of the distributor's own members (the buyer, or staff).
- Backordered units were allocated when stock came in (`backorder_ready`):
  the order can now be picked and shipped.

Each goes to every active member of the order's distributor on the channels
that member chose for the event (notifications.events), through one outbox
INSERT and one in-app INSERT whatever the number of members.

`distributor_members_notify` is the one entry point: returns (#17) call it
with their own event and template when a buyer sends goods back.
"""

from django.urls import reverse

from accounts.models import User

from .services import distributor_members, notify_all


def distributor_members_notify(
    *, order, event: str, template: str, context: dict, dedup_key: str, link: str = ""
) -> dict[int, list[str]]:
    """Tell each active member of `order`'s distributor about `event`; {user id: channels}.

    `order` is loaded as orders.selectors.order_for_message loads it. The
    link is `link`, else the distributor's order page; `dedup_key` names the event once,
    the member's id is added to it. Call inside the transaction that made
    the change.
    """
    members = distributor_members(order.distributor_id)
    if not members:
        return {}
    link = link or reverse("distributor:order", args=[order.number])
    context = {"order": order, **context}
    used = notify_all(
        [
            {
                "user": member,
                "event": event,
                "template": template,
                "context": context,
                "dedup_key": f"{dedup_key}:{member.pk}",
                "link": link,
            }
            for member in members
        ]
    )
    return {member.pk: channels for member, channels in zip(members, used, strict=True)}


def order_cancelled_by_buyer_queue(
    *, order_id: int, changed_by_id: int | None, note: str = ""
) -> dict[int, list[str]]:
    """A cancelled order: tell the distributor, unless one of its own members cancelled it.

    The order state machine enters `cancelled` once, so the key is the order.
    """
    from orders.selectors import order_for_message

    order = order_for_message(order_id=order_id)
    by = None
    if changed_by_id is not None:
        by = order.customer if changed_by_id == order.customer_id else None
        by = by or User.objects.filter(pk=changed_by_id).first()
        if by is not None and by.organization_id == order.distributor_id:
            return {}  # the distributor cancelled it itself
    cancelled_by = by.get_full_name() if by is not None else "The system"
    return distributor_members_notify(
        order=order,
        event="order_cancelled_by_buyer",
        template="order_cancelled_by_buyer",
        context={
            "items": list(order.items.all()),
            "note": note.strip(),
            "cancelled_by": cancelled_by,
        },
        dedup_key=f"order_cancelled_by_buyer:{order.pk}",
    )


def backorder_ready_queue(
    *, order_id: int, product_id: int, quantity: int, still_backordered: int
) -> dict[int, list[str]]:
    """Backordered units of an order's line were allocated: the distributor can ship them.

    Keyed by the line's new state (as the buyer's backorder_allocated), so
    each fill is told once.
    """
    from orders.selectors import order_for_message

    order = order_for_message(order_id=order_id)
    line = next(item for item in order.items.all() if item.product_id == product_id)
    return distributor_members_notify(
        order=order,
        event="backorder_ready",
        template="backorder_ready",
        context={"line": line, "quantity": quantity, "still_backordered": still_backordered},
        dedup_key=f"backorder_ready:{order.pk}:{product_id}:{line.quantity_allocated}"
        f":{line.quantity_shipped}:{still_backordered}",
    )
