"""What distributors' members are told about transfers (#23 §2).

- `transfer_requested`: a transfer waits for the source to confirm it (the
  destination asked for it, or it is a purchase order from a distributor
  supplier): the source's members.
- `transfer_shipped`: a transfer left its source: the receiving
  distributor's members, with the lines and the tracking reference, so they
  can book the arrival.
- the same `transfer_requested` message as a reminder, once, when the source
  has not answered for TRANSFER_CONFIRM_REMINDER_HOURS (transfers.reminders).

Each goes to every active member of the side concerned on the channels
they chose for the event, through one outbox INSERT and one in-app INSERT
whatever the number of members (services.notify_all), linking to the
transfer's page. The events are registered here, with the builders, so the
preferences page lists them once this module is imported (transfers'
AppConfig.ready imports it through its receivers).
"""

from django.urls import reverse

from accounts.models import Role

from .events import Event, register
from .models import Channel
from .services import distributor_members, notify_all

TRANSFER_REQUESTED = register(
    Event(
        key="transfer_requested",
        label="Transfer requests",
        description="When another location or distributor, or a purchase order, asks your "
        "organization to send stock: confirm it to allocate the units.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        roles=(Role.DISTRIBUTOR,),
    )
)
TRANSFER_SHIPPED = register(
    Event(
        key="transfer_shipped",
        label="Transfers on the way to you",
        description="When stock is shipped to your organization by a transfer: what is in "
        "transit, to book when it arrives.",
        default_channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
        roles=(Role.DISTRIBUTOR,),
    )
)


def _transfer(transfer_id: int):
    from transfers.selectors import transfer_for_message

    return transfer_for_message(transfer_id=transfer_id)


def _notify_members(*, organization_id, transfer, event, template, dedup_key, reminder=False):
    members = distributor_members(organization_id)
    if not members:
        return {}
    link = reverse("transfers:detail", args=[transfer.number])
    context = {"transfer": transfer, "lines": list(transfer.lines.all()), "reminder": reminder}
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


def transfer_requested_queue(*, transfer_id: int, reminder: bool = False) -> dict[int, list[str]]:
    """Tell the source's members that a transfer waits for them to confirm it; with
    `reminder`, that it still does (transfers.reminders, once per transfer)."""
    transfer = _transfer(transfer_id)
    return _notify_members(
        organization_id=transfer.source_id,
        transfer=transfer,
        event=TRANSFER_REQUESTED.key,
        template="transfer_requested",
        dedup_key=f"{'transfer_reminder' if reminder else 'transfer_requested'}:{transfer.pk}",
        reminder=reminder,
    )


def transfer_shipped_queue(*, transfer_id: int) -> dict[int, list[str]]:
    """Tell the receiving distributor's members what is in transit to them."""
    transfer = _transfer(transfer_id)
    return _notify_members(
        organization_id=transfer.destination_id,
        transfer=transfer,
        event=TRANSFER_SHIPPED.key,
        template="transfer_shipped",
        dedup_key=f"transfer_shipped:{transfer.pk}",
    )
