"""What returns (#17 §1) tell people, through the outbox.

- The buyer (the customer who asked, on the channels chosen for
  "return_status"): the request was received, approved, refused or the
  goods arrived (with what was restocked and what was damaged). Closing a
  return tells nobody: nothing changes for the buyer.
- The distributor's active members, by their preferences for
  "return_requested": a buyer asked to return goods (issue #19 §1 of the
  operator's experience), linking to the return's page.

Called by notifications.receivers on returns.signals.return_status_changed,
inside the service's transaction. Each (return, status) is told once.
"""

from django.db.models import Prefetch
from django.urls import reverse

from .distributor_notices import distributor_members_notify
from .services import user_notify

BUYER_STEPS = ("requested", "approved", "rejected", "received")


def _return_for_message(return_id: int):
    from returns.models import ReturnLine, ReturnRequest

    return (
        ReturnRequest.objects.select_related(
            "order__distributor",
            "order__buyer_organization",
            "distributor",
            "buyer_organization",
            "customer__notification_preference",
        )
        .prefetch_related(Prefetch("lines", ReturnLine.objects.select_related("order_item")))
        .get(pk=return_id)
    )


def return_status_notices_queue(*, return_id: int, to_status: str, note: str = "") -> dict:
    """Queue what a return's move tells: the buyer's update, and for a new request the
    distributor members' notice. Returns {"buyer": channels, "members": {id: channels}}."""
    if to_status not in BUYER_STEPS:
        return {"buyer": [], "members": {}}
    rma = _return_for_message(return_id)
    lines = list(rma.lines.all())
    context = {
        "rma": rma,
        "order": rma.order,
        "lines": lines,
        "units": sum(line.quantity for line in lines),
        "status": to_status,
        "note": note,
    }
    buyer = user_notify(
        user=rma.customer,
        event="return_status",
        template="return_status",
        context=context,
        dedup_key=f"return_status:{rma.pk}:{to_status}",
        link=reverse("returns:detail", args=[rma.pk]),
    )
    members = {}
    if to_status == "requested":
        members = distributor_members_notify(
            order=rma.order,
            event="return_requested",
            template="return_requested",
            context=context,
            dedup_key=f"return_requested:{rma.pk}",
            link=reverse("distributor_returns:detail", args=[rma.pk]),
        )
    return {"buyer": buyer, "members": members}
