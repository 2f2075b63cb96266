"""Invoices: one tax invoice per shipment, issued at dispatch, numbered without gaps, never edited.

An invoice is a snapshot. The seller's and buyer's names and addresses, the
lines and the money are copied when it is issued, so it reads the same after
a product is renamed or an organization moves. Its status follows from its
recorded payments (invoicing.receipts): issued -> partially paid -> paid, and
back when a cheque bounces; or issued -> void. A void invoice keeps its number
(numbers are never reused or freed). "Overdue" is never stored: it is the due
date passed with a balance left.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.gst import STATE_CHOICES
from accounts.models import Organization
from catalog.models import Product
from orders.models import Order, Shipment


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", "Issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    # Fully credited by credit notes with nothing paid left on it (invoicing.credit_notes).
    CREDITED = "credited", "Credited"


# Statuses that still have money owed on them (may take a payment, get reminders, age).
OPEN_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)


class Invoice(models.Model):
    Status = InvoiceStatus

    number = models.CharField(max_length=20, editable=False, db_index=True)
    # Whose series the number belongs to (gap-free per seller and financial
    # year, invoicing.numbering): the seller's GSTIN, else "org:<id>".
    seller_key = models.CharField(max_length=20, editable=False, default="")
    financial_year = models.PositiveSmallIntegerField(
        editable=False, default=0, help_text="The year the financial year (April-March) starts."
    )
    # An order has one invoice per shipment. A shipment may have several invoices over
    # time (one fully credited or void, then reissued), but one current one:
    # `current_for_shipment` holds the shipment only while this invoice is current
    # (a unique nullable column, since MariaDB has no partial unique index).
    # `shipment.invoice` is the current invoice.
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices")
    shipment = models.ForeignKey(
        Shipment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        help_text="The shipment invoiced (empty only for invoices from before shipments).",
    )
    current_for_shipment = models.OneToOneField(
        Shipment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="invoice",
        help_text="The shipment, while this is its current invoice (cleared when fully "
        "credited or void).",
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="replaced_by",
        help_text="The fully credited invoice of the same shipment this one reissues.",
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="invoices",
        help_text="The user who placed the order.",
    )
    buyer_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices_received",
        help_text="The retailer billed; empty for a private customer.",
    )
    distributor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="invoices_issued",
        help_text="The seller: the distributor that shipped the goods.",
    )
    status = models.CharField(
        max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    issue_date = models.DateField()
    due_date = models.DateField()

    # Snapshots, as printed.
    seller_name = models.CharField(max_length=200)
    seller_address = models.TextField(blank=True)
    seller_email = models.EmailField(blank=True)
    seller_phone = models.CharField(max_length=32, blank=True)
    buyer_name = models.CharField(max_length=200)
    buyer_address = models.TextField(blank=True)
    buyer_email = models.EmailField(blank=True)
    buyer_phone = models.CharField(max_length=32, blank=True)
    ship_to = models.TextField(blank=True, help_text="Where the shipment went; empty for a pickup.")
    seller_gstin = models.CharField("seller GSTIN", max_length=15, blank=True)
    buyer_gstin = models.CharField("buyer GSTIN", max_length=15, blank=True)
    seller_state = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True, default="")
    place_of_supply = models.CharField(max_length=2, choices=STATE_CHOICES, blank=True, default="")

    # The buyer's PO number (the order's, snapshotted) and the loyalty discount
    # taken off these lines' taxable values before GST (its own line on the invoice).
    buyer_reference = models.CharField("PO number", max_length=35, blank=True, default="")
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4)
    tax = models.DecimalField(max_digits=14, decimal_places=2)
    cgst = models.DecimalField("CGST", max_digits=14, decimal_places=2, default=0)
    sgst = models.DecimalField("SGST", max_digits=14, decimal_places=2, default=0)
    igst = models.DecimalField("IGST", max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2)

    # The sum of its recorded (not bounced) payments, kept by invoicing.receipts with
    # the invoice row locked, so lists and the receivables report read the balance
    # without adding up payments.
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    # The totals of its credit notes and of the refunds paid out (invoicing.credit_notes,
    # invoicing.refunds), kept with the row locked like `amount_paid`.
    amount_credited = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    amount_refunded = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who recorded the payment.",
    )
    payment_reference = models.CharField(max_length=100, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = models.TextField(blank=True)

    pdf = models.CharField(
        max_length=255, blank=True, editable=False, help_text="Path of the PDF in media storage."
    )
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issue_date", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-issue_date"], name="invoice_customer_idx"),
            models.Index(
                fields=["buyer_organization", "-issue_date"], name="invoice_buyer_org_idx"
            ),
            models.Index(fields=["distributor", "-issue_date"], name="invoice_distributor_idx"),
            models.Index(fields=["status", "-issue_date"], name="invoice_status_idx"),
            models.Index(fields=["-issue_date", "-id"], name="invoice_issue_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["seller_key", "number"], name="invoice_unique_seller_number"
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0) & Q(tax__gte=0) & Q(total__gte=0),
                name="invoice_money_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("issue_date")),
                name="invoice_due_not_before_issue",
            ),
            # A paid invoice says when; a void one says when (and keeps its number).
            models.CheckConstraint(
                condition=~Q(status=InvoiceStatus.PAID) | Q(paid_at__isnull=False),
                name="invoice_paid_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=InvoiceStatus.VOID) | Q(voided_at__isnull=False),
                name="invoice_void_has_date",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=models.F("total")),
                name="invoice_paid_within_total",
            ),
            models.CheckConstraint(
                condition=Q(amount_credited__gte=0) & Q(amount_credited__lte=models.F("total")),
                name="invoice_credited_within_total",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0)
                & Q(amount_refunded__lte=models.F("amount_paid")),
                name="invoice_refunded_within_paid",
            ),
        ]
        permissions = [
            ("mark_paid_invoice", "Can record an invoice as paid"),
            ("void_invoice", "Can void an invoice"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def seller_slug(self) -> str:
        """The seller's key as a URL part (org:12 -> org-12)."""
        return self.seller_key.replace(":", "-")

    @staticmethod
    def seller_key_of(slug: str) -> str:
        return slug.replace("-", ":", 1) if slug.startswith("org-") else slug

    @property
    def pdf_filename(self) -> str:
        return f"{self.number}.pdf"

    @property
    def balance_due(self) -> Decimal:
        """total - credited - paid + refunded; below zero it is a credit owed to the buyer."""
        if self.status == InvoiceStatus.VOID:
            return Decimal("0.00")
        return self.total - self.amount_credited - self.amount_paid + self.amount_refunded

    @property
    def credit_owed(self) -> Decimal:
        """What the buyer paid beyond what is now owed and has not had back (refundable)."""
        return max(-self.balance_due, Decimal("0.00"))

    @property
    def fully_credited(self) -> bool:
        return self.total > 0 and self.amount_credited >= self.total

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_overdue(self, today: datetime.date | None = None) -> int:
        """Days past the due date (0 when not yet due or nothing is owed)."""
        if not self.is_open or self.balance_due <= 0:
            return 0
        return max(((today or timezone.localdate()) - self.due_date).days, 0)

    @property
    def goods_value(self) -> Decimal:
        """The lines' taxable value before the loyalty discount came off it."""
        return self.subtotal + self.discount

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0


def balance_due_expression():
    """Invoice.balance_due in SQL: total - credited - paid + refunded (issue 24)."""
    return F("total") - F("amount_credited") - F("amount_paid") + F("amount_refunded")


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField("SKU", max_length=64)
    description = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    # The taxable value (the quoted amount less its tax when the price included it).
    line_total = models.DecimalField(max_digits=14, decimal_places=2)
    # The line's share of the loyalty discount, already off `line_total`.
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    prices_include_tax = models.BooleanField(default=False)
    hsn_code = models.CharField("HSN/SAC", max_length=8, blank=True)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=0)
    cgst = models.DecimalField("CGST", max_digits=14, decimal_places=2, default=0)
    sgst = models.DecimalField("SGST", max_digits=14, decimal_places=2, default=0)
    igst = models.DecimalField("IGST", max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoiceline_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="invoiceline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"


class SellerYearSequence(models.Model):
    """The last number of a document series of one seller (GSTIN key) in a financial year,
    taken with its row locked in the document's transaction (auromart.numbering): gap-free
    per seller and year. Each series is a concrete subclass with its own unique constraint."""

    seller_key = models.CharField(max_length=20)
    financial_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.seller_key} FY{self.financial_year}: {self.last}"


class InvoiceSequence(SellerYearSequence):
    """The last invoice number a seller issued in a financial year
    (invoicing.numbering.invoice_number_next)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["seller_key", "financial_year"], name="invoicesequence_unique"
            )
        ]


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CHEQUE = "cheque", "Cheque"
    UPI = "upi", "UPI"
    CASH = "cash", "Cash"
    ONLINE = "online", "Online (gateway)"


class PaymentStatus(models.TextChoices):
    RECORDED = "recorded", "Recorded"
    BOUNCED = "bounced", "Bounced"


class InvoicePayment(models.Model):
    """Money received against one invoice (invoicing.receipts records and bounces it).

    Never deleted or edited: a cheque that bounces keeps its row, marked
    bounced, so the statement shows it in and out again.
    """

    Method = PaymentMethod
    Status = PaymentStatus

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    received_on = models.DateField()
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for a payment the system recorded (the gateway, the data migration).",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    bounce_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["received_on", "pk"]
        indexes = [models.Index(fields=["invoice", "status"], name="payment_invoice_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.BOUNCED)
                | (Q(bounced_at__isnull=False) & Q(method=PaymentMethod.CHEQUE)),
                name="payment_bounced_is_dated_cheque",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.get_method_display()} on {self.invoice}"


class PaymentReminder(models.Model):
    """One reminder e-mail sent for an invoice at one step of PAYMENT_REMINDER_DAYS.

    The unique (invoice, step) pair is what makes "at most once per step" hold
    when the periodic task runs twice at once: the second INSERT is ignored.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="reminders")
    step = models.SmallIntegerField(help_text="Days relative to the due date (-3: three before).")
    sent_on = models.DateField()
    balance = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "step"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step"], name="paymentreminder_unique_step")
        ]

    def __str__(self) -> str:
        return f"{self.invoice} reminder at {self.step:+d} days"


# Bounds of what a distributor may type (the form, the API and the database agree).
MAX_PAYMENT_TERMS_DAYS = 180
MAX_CREDIT_LIMIT = Decimal("100000000.00")  # ten crore rupees


class CreditTerms(models.Model):
    """What one distributor (the seller) grants one buyer organization: net N days and a limit.

    Read through invoicing.credit.credit_terms_for (active terms only). The
    terms give the due date of the invoices issued to the buyer; the limit
    holds an order that would take the buyer's exposure with the seller
    (unpaid invoices + what open orders have not invoiced yet) over it
    (orders.services.order_place locks this row to decide). No limit (NULL):
    never held.
    """

    seller = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="credit_terms_given"
    )
    buyer = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="credit_terms_received"
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)",
        default=30,
        help_text=f"Net N: invoices are due N days after issue (0 to {MAX_PAYMENT_TERMS_DAYS}).",
        validators=[MaxValueValidator(MAX_PAYMENT_TERMS_DAYS)],
    )
    credit_limit = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Rupees; empty for no limit. Orders that would go over it are held.",
        validators=[MinValueValidator(0), MaxValueValidator(MAX_CREDIT_LIMIT)],
    )
    active = models.BooleanField(default=True, help_text="Inactive terms are kept but not applied.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "credit terms"
        verbose_name_plural = "credit terms"
        ordering = ["seller", "buyer__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "buyer"], name="creditterms_unique_pair"),
            models.CheckConstraint(
                condition=Q(payment_terms_days__lte=MAX_PAYMENT_TERMS_DAYS),
                name="creditterms_days_bounded",
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True)
                | (Q(credit_limit__gte=0) & Q(credit_limit__lte=MAX_CREDIT_LIMIT)),
                name="creditterms_limit_bounded",
            ),
            models.CheckConstraint(
                condition=~Q(seller=models.F("buyer")), name="creditterms_not_self"
            ),
        ]

    def __str__(self) -> str:
        limit = "no limit" if self.credit_limit is None else f"limit ₹{self.credit_limit}"
        return f"{self.seller} -> {self.buyer}: net {self.payment_terms_days}, {limit}"

    def clean(self):
        errors = {}
        if self.seller_id and self.seller.kind != Organization.Kind.DISTRIBUTOR:
            errors["seller"] = "The seller giving credit terms is a distributor."
        if self.buyer_id and self.buyer.kind != Organization.Kind.RETAILER:
            errors["buyer"] = "Credit terms are given to retailer organizations."
        if errors:
            raise ValidationError(errors)


from .models_credit import (  # noqa: E402,F401  (the app's models live in two modules)
    CreditNote,
    CreditNoteKind,
    CreditNoteLine,
    CreditNoteSequence,
    Refund,
    RefundMethod,
    RefundStatus,
)
