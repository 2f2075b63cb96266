"""Notifications' receivers: other apps' events become messages; ESP events update them.

Thin: each calls a service of this app. The order receivers run inside the
sender's transaction, so what they queue commits or rolls back with it.
"""

from anymail.signals import tracking
from django.dispatch import receiver

from orders.signals import order_placed, order_status_changed

from . import services


@receiver(order_placed, dispatch_uid="notifications.order_confirmation")
def queue_order_confirmation(sender, order_id, **kwargs):
    services.order_confirmation_queue(order_id=order_id)


@receiver(order_status_changed, dispatch_uid="notifications.order_status_update")
def queue_order_status_update(sender, order_id, to_status, note="", **kwargs):
    services.order_status_update_queue(order_id=order_id, to_status=to_status, note=note)


@receiver(tracking, dispatch_uid="notifications.tracking")
def record_tracking_event(sender, event, esp_name, **kwargs):
    services.message_track(
        provider_message_id=event.message_id or "",
        event_type=event.event_type,
        description=event.description or event.reject_reason or "",
    )
