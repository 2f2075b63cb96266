"""E-mails about standing orders, through the notifications outbox (queued in the transaction).

- a reminder STANDING_ORDER_REMINDER_DAYS before each run, with links to skip
  or edit it; its dedup key names the run date, so once per run;
- a confirmation after each run: the order, lines placed, backordered, refused.
"""

import datetime

from django.urls import reverse

from notifications.services import message_queue

from .models import StandingOrder, StandingOrderRun


def _links(standing_order: StandingOrder) -> dict:
    args = [standing_order.pk]
    return {
        "link": reverse("standing_orders:detail", args=args),
        "skip_link": reverse("standing_orders:skip", args=args),
        "edit_link": reverse("standing_orders:edit", args=args),
    }


def reminder_queue(*, standing_order_id: int, run_date: datetime.date) -> None:
    """The buyer is told a run is coming, what it will order, and how to skip or edit it."""
    standing_order = StandingOrder.objects.select_related("buyer", "distributor").get(
        pk=standing_order_id
    )
    lines = list(standing_order.lines.select_related("product"))
    message_queue(
        template="standing_order_reminder",
        recipient=standing_order.buyer.email,
        user=standing_order.buyer,
        context={
            "standing_order": standing_order,
            "run_date": run_date,
            "lines": lines,
            "recipient_name": standing_order.buyer.get_short_name(),
            **_links(standing_order),
        },
        dedup_key=f"standing_order_reminder:{standing_order.pk}:{run_date:%Y-%m-%d}",
    )


def run_confirmation_queue(*, run: StandingOrderRun) -> None:
    """The buyer is told what a run did: the order number, lines placed, backordered, refused."""
    standing_order = run.standing_order
    items = list(run.order.items.all()) if run.order_id else []
    message_queue(
        template="standing_order_run",
        recipient=standing_order.buyer.email,
        user=standing_order.buyer,
        context={
            "standing_order": standing_order,
            "run": run,
            "order": run.order,
            "items": items,
            "backordered": [item for item in items if item.quantity_backordered],
            "refused": run.refused,
            "recipient_name": standing_order.buyer.get_short_name(),
            **_links(standing_order),
        },
        dedup_key=f"standing_order_run:{run.pk}",
    )
