"""Online payments through the gateway (issue #16 §1).

A Payment is one attempt to pay an order at checkout or an invoice's balance
("Pay now"). Its state comes only from the provider: a signed webhook and a
server-side fetch (payments.services). Amounts are Decimal rupees; the
provider speaks paise (`amount_paise`).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Organization


class PaymentStatus(models.TextChoices):
    CREATED = "created", "Awaiting payment"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    REFUNDING = "refunding", "Refund pending"
    REFUNDED = "refunded", "Refunded"
    FLAGGED = "flagged", "Flagged for staff"


class Payment(models.Model):
    Status = PaymentStatus

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    invoice = models.ForeignKey(
        "invoicing.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="online_payments",
    )
    distributor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="collected_payments"
    )
    buyer_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="online_payments"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="INR")
    gateway = models.CharField(max_length=20)
    provider_order_id = models.CharField(max_length=64, unique=True)
    provider_payment_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    # What the provider reported, kept when it differs from `amount` (flagged).
    amount_received = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    flag_reason = models.CharField(max_length=300, blank=True)
    # For an order's payment: how much of it is put against its invoices so far.
    amount_applied = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    refund_id = models.CharField(max_length=64, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(order__isnull=False, invoice__isnull=True)
                | Q(order__isnull=True, invoice__isnull=False),
                name="online_payment_for_order_or_invoice",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="online_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount_applied__gte=0) & Q(amount_applied__lte=models.F("amount")),
                name="online_payment_applied_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["distributor", "status", "paid_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} of {self.amount} ({self.get_status_display()})"

    @property
    def amount_paise(self) -> int:
        return int(self.amount * 100)

    @property
    def subject(self) -> str:
        return f"order {self.order.number}" if self.order_id else f"invoice {self.invoice.number}"


class WebhookEvent(models.Model):
    """A provider webhook already handled: the unique id makes a replay a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=60)
    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, null=True, related_name="webhook_events"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"


class PaymentSettings(models.Model):
    """A distributor's payment options at checkout."""

    distributor = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="payment_settings"
    )
    pay_on_delivery = models.BooleanField(
        default=True, help_text="Buyers may choose to pay on delivery instead of online."
    )

    class Meta:
        verbose_name_plural = "payment settings"

    def __str__(self) -> str:
        return f"Payment settings of {self.distributor}"


class OfflineCharge(models.Model):
    """The offline test gateway's own record of a payment (its 'provider side').

    Only used with PAYMENT_GATEWAY=test: what `payment.fetch` answers there.
    """

    provider_payment_id = models.CharField(max_length=64, unique=True)
    provider_order_id = models.CharField(max_length=64, db_index=True)
    amount_paise = models.PositiveBigIntegerField()
    status = models.CharField(max_length=20)  # captured, failed, refunded
    refund_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.provider_payment_id
