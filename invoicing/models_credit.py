"""Credit notes and refunds against an invoice (issue 24 §2-§3).

A credit note is a GST document of its own: numbered CN-YYYY-NNNNNN without
gaps per seller GSTIN (the invoice's `seller_key`) and financial year
(invoicing.credit_notes), it snapshots the credited lines with the invoice's
rates and its CGST+SGST or IGST split, and it is never edited. It lowers what
the buyer owes on its invoice (`Invoice.amount_credited`); when more was paid
than is now owed, the difference is a credit to the buyer until a Refund
pays it back (`Invoice.amount_refunded`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .models import SellerYearSequence  # defined before models.py imports this module

# Upper bound of any amount typed into a credit note or refund (the field holds 14 digits).
MAX_AMOUNT_DIGITS = 14


class CreditNoteKind(models.TextChoices):
    RETURN = "return", "Goods returned"
    PRICE = "price", "Price correction"
    CANCELLATION = "cancellation", "Invoice cancelled"


class CreditNote(models.Model):
    Kind = CreditNoteKind

    number = models.CharField(max_length=20, editable=False, db_index=True)
    seller_key = models.CharField(max_length=20, editable=False)
    financial_year = models.PositiveSmallIntegerField(editable=False)
    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="credit_notes"
    )
    kind = models.CharField(max_length=20, choices=CreditNoteKind.choices)
    issue_date = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    # Where it came from, e.g. "rma:12" for a received return.
    reference = models.CharField(max_length=40, blank=True, db_index=True)
    subtotal = models.DecimalField("taxable value", max_digits=14, decimal_places=2)
    tax = models.DecimalField(max_digits=14, decimal_places=2)
    cgst = models.DecimalField("CGST", max_digits=14, decimal_places=2, default=0)
    sgst = models.DecimalField("SGST", max_digits=14, decimal_places=2, default=0)
    igst = models.DecimalField("IGST", max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who issued it (empty: the system).",
    )
    pdf = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issue_date", "-pk"]
        indexes = [
            models.Index(fields=["invoice", "issue_date"], name="creditnote_invoice_idx"),
            models.Index(fields=["issue_date"], name="creditnote_issue_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["seller_key", "number"], name="creditnote_unique_seller_number"
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0) & Q(tax__gte=0) & Q(total__gt=0),
                name="creditnote_money_positive",
            ),
        ]
        permissions = [("issue_creditnote", "Can issue a credit note")]

    def __str__(self) -> str:
        return self.number

    @property
    def seller_slug(self) -> str:
        return self.seller_key.replace(":", "-")

    @property
    def pdf_filename(self) -> str:
        return f"{self.number}.pdf"


class CreditNoteLine(models.Model):
    """One invoice line credited: units back (a return, a cancellation) or value off (price)."""

    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        "invoicing.InvoiceLine", on_delete=models.PROTECT, related_name="credit_lines"
    )
    position = models.PositiveIntegerField()
    sku = models.CharField("SKU", max_length=64)
    description = models.CharField(max_length=200)
    hsn_code = models.CharField("HSN/SAC", max_length=8, blank=True)
    # Units credited; 0 for a price correction (value only).
    quantity = models.PositiveIntegerField(default=0)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField("taxable value", max_digits=14, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4)
    cgst = models.DecimalField("CGST", max_digits=14, decimal_places=2, default=0)
    sgst = models.DecimalField("SGST", max_digits=14, decimal_places=2, default=0)
    igst = models.DecimalField("IGST", max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_note", "position"], name="creditnoteline_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(line_total__gte=0), name="creditnoteline_value_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}" if self.quantity else self.description

    @property
    def tax(self):
        return self.cgst + self.sgst + self.igst


class CreditNoteSequence(SellerYearSequence):
    """The last credit note number of a seller in a financial year (auromart.numbering)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seller_key", "financial_year"], name="creditnotesequence_unique"
            )
        ]


class RefundMethod(models.TextChoices):
    GATEWAY = "gateway", "Online (back through the gateway)"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CHEQUE = "cheque", "Cheque"
    UPI = "upi", "UPI"
    CASH = "cash", "Cash"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending at the gateway"
    DONE = "done", "Refunded"


class Refund(models.Model):
    """Money paid back to the buyer against an invoice (its credit), by gateway or by hand.

    A gateway refund is created `pending` with its idempotency key, then the
    provider is called with that key; a retry (a dropped answer, the sweep)
    calls again with the same key and gets the same provider refund
    (invoicing.refunds). Only a `done` refund counts in the invoice's balance.
    """

    Method = RefundMethod
    Status = RefundStatus

    invoice = models.ForeignKey(
        "invoicing.Invoice", on_delete=models.PROTECT, related_name="refunds"
    )
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    online_payment = models.ForeignKey(
        "payments.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partial_refunds",
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    method = models.CharField(max_length=20, choices=RefundMethod.choices)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.DONE
    )
    reference = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    provider_refund_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    refunded_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["refunded_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=~Q(method=RefundMethod.GATEWAY) | Q(online_payment__isnull=False),
                name="refund_gateway_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} ({self.get_method_display()}) on {self.invoice}"
