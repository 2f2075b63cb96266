"""The payment provider, through its official SDK (`razorpay`), or the offline test gateway.

Both answer the same few calls the services make; nothing else talks to the
provider. The SDK's address is RAZORPAY_BASE_URL, so tests point it at a
local fake. The test gateway keeps its payments in OfflineCharge and signs its
webhooks with the SDK's scheme (HMAC-SHA256 of the body), so its approvals go
through the same webhook code as the provider's.
"""

import hashlib
import hmac
import secrets

import razorpay
from django.conf import settings
from razorpay.errors import SignatureVerificationError

from .models import OfflineCharge


class GatewayError(Exception):
    """The provider could not be reached or refused the call."""


class BadSignature(Exception):
    """A webhook whose signature does not verify."""


class RazorpayGateway:
    name = "razorpay"

    def __init__(self):
        self.client = razorpay.Client(
            auth=(settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET),
            base_url=settings.RAZORPAY_BASE_URL.rstrip("/"),
        )
        self.timeout = settings.RAZORPAY_TIMEOUT_SECONDS

    @property
    def key_id(self) -> str:
        return settings.RAZORPAY_KEY_ID

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, timeout=self.timeout, **kwargs)
        except razorpay.errors.BadRequestError as exc:
            raise GatewayError(str(exc)) from exc
        except Exception as exc:  # the SDK raises requests' and its own errors
            raise GatewayError(f"The payment provider did not answer: {exc}") from exc

    def order_create(self, *, amount_paise: int, receipt: str, notes: dict) -> str:
        data = {"amount": amount_paise, "currency": "INR", "receipt": receipt, "notes": notes}
        return self._call(self.client.order.create, data)["id"]

    def payment_fetch(self, provider_payment_id: str) -> dict:
        return self._call(self.client.payment.fetch, provider_payment_id)

    def refund_find(self, provider_payment_id: str) -> str | None:
        """The id of a refund already made for this payment (a retried refund finds it)."""
        refunds = self._call(self.client.payment.fetch_multiple_refund, provider_payment_id)
        items = refunds.get("items") or []
        return items[0]["id"] if items else None

    def refund_create(
        self,
        *,
        provider_payment_id: str,
        amount_paise: int,
        receipt: str,
        idempotency_key: str = "",
    ) -> str:
        """Refund `amount_paise` of a payment. With `idempotency_key` (sent as Razorpay's
        X-Refund-Idempotency header; the receipt carries it too) a retried call gets the
        refund the first one made instead of a second one."""
        data = {"amount": amount_paise, "receipt": receipt, "speed": "normal"}
        if not idempotency_key:
            return self._call(self.client.payment.refund, provider_payment_id, data)["id"]
        headers = {"X-Refund-Idempotency": idempotency_key}
        return self._call(self.client.payment.refund, provider_payment_id, data, headers=headers)[
            "id"
        ]

    def webhook_verify(self, body: bytes, signature: str) -> None:
        try:
            self.client.utility.verify_webhook_signature(
                body.decode("utf-8"), signature or "", settings.RAZORPAY_WEBHOOK_SECRET
            )
        except (SignatureVerificationError, UnicodeDecodeError, TypeError) as exc:
            raise BadSignature("The webhook's signature does not verify.") from exc


class OfflineGateway:
    """Offline: no provider. Its payments are OfflineCharge rows; approvals are signed webhooks."""

    name = "test"
    key_id = ""

    def order_create(self, *, amount_paise: int, receipt: str, notes: dict) -> str:
        return f"order_test_{secrets.token_hex(8)}"

    def payment_fetch(self, provider_payment_id: str) -> dict:
        try:
            charge = OfflineCharge.objects.get(provider_payment_id=provider_payment_id)
        except OfflineCharge.DoesNotExist:
            raise GatewayError(f"No payment {provider_payment_id}.") from None
        return {
            "id": charge.provider_payment_id,
            "order_id": charge.provider_order_id,
            "amount": charge.amount_paise,
            "currency": "INR",
            "status": charge.status,
        }

    def refund_find(self, provider_payment_id: str) -> str | None:
        charge = OfflineCharge.objects.filter(provider_payment_id=provider_payment_id).first()
        return (charge.refund_id or None) if charge else None

    def refund_create(
        self,
        *,
        provider_payment_id: str,
        amount_paise: int,
        receipt: str,
        idempotency_key: str = "",
    ) -> str:
        if idempotency_key:  # the same key, the same refund
            digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
            return f"rfnd_test_{digest}"
        refund_id = f"rfnd_test_{secrets.token_hex(8)}"
        OfflineCharge.objects.filter(provider_payment_id=provider_payment_id).update(
            status="refunded", refund_id=refund_id
        )
        return refund_id

    def webhook_verify(self, body: bytes, signature: str) -> None:
        try:
            razorpay.Utility().verify_webhook_signature(
                body.decode("utf-8"), signature or "", settings.PAYMENT_TEST_WEBHOOK_SECRET
            )
        except (SignatureVerificationError, UnicodeDecodeError, TypeError) as exc:
            raise BadSignature("The webhook's signature does not verify.") from exc

    @staticmethod
    def sign(body: bytes) -> str:
        key = settings.PAYMENT_TEST_WEBHOOK_SECRET.encode()
        return hmac.new(key, body, hashlib.sha256).hexdigest()


def gateway() -> RazorpayGateway | OfflineGateway:
    """The configured gateway (PAYMENT_GATEWAY)."""
    return RazorpayGateway() if settings.PAYMENT_GATEWAY == "razorpay" else OfflineGateway()
