"""The offline test gateway's decision: a person approves or declines on our own page.

The decision becomes a OfflineCharge (the test provider's record) and a webhook
signed like the provider's, handed to `services.webhook_receive`: the same
code that handles the real provider's webhooks.
"""

import json
import secrets

from django.conf import settings
from django.http import Http404

from .gateway import OfflineGateway
from .models import OfflineCharge, Payment, PaymentStatus
from .services import webhook_receive


def offline_gateway_decide(*, payment: Payment, approve: bool) -> Payment:
    """Record the test provider's outcome for `payment` and deliver its signed webhook."""
    if settings.PAYMENT_GATEWAY != "test" or payment.gateway != "test":
        raise Http404("The test gateway is off.")
    if payment.status != PaymentStatus.CREATED:
        return payment
    charge = OfflineCharge.objects.create(
        provider_payment_id=f"pay_test_{secrets.token_hex(8)}",
        provider_order_id=payment.provider_order_id,
        amount_paise=payment.amount_paise,
        status="captured" if approve else "failed",
    )
    event = "payment.captured" if approve else "payment.failed"
    body = json.dumps(
        {
            "entity": "event",
            "event": event,
            "contains": ["payment"],
            "payload": {
                "payment": {
                    "entity": {
                        "id": charge.provider_payment_id,
                        "order_id": charge.provider_order_id,
                        "amount": charge.amount_paise,
                        "currency": "INR",
                        "status": charge.status,
                    }
                }
            },
        }
    ).encode()
    webhook_receive(
        body=body, signature=OfflineGateway.sign(body), event_id=f"evt_test_{secrets.token_hex(8)}"
    )
    payment.refresh_from_db()
    return payment
