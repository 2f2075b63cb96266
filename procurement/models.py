"""Procurement: requests to restock, purchase orders to suppliers, and their receipts."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import Organization
from catalog.models import Product


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    FULFILLED = "fulfilled", "Fulfilled"


class ProcurementRequest(models.Model):
    """A need to restock one product at one distributor, and why it was raised.

    At most one request per (product, distributor) is open at a time. The
    database enforces it on every backend without a partial index: `open_slot`
    is True while the request is open and NULL otherwise, and
    (product, distributor, open_slot) is UNIQUE; NULLs never collide.
    """

    class Trigger(models.TextChoices):
        AUTO = "auto", "Automatic (low stock)"
        MANUAL = "manual", "Manual"

    number = models.CharField(max_length=20, unique=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    distributor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    supplier_line = models.ForeignKey(
        "catalog.SupplierLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The supplier line chosen (procurement.suppliers); its cost prices the PO.",
    )
    unit_cost = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The supplier line's unit cost when the request was raised.",
    )
    quantity = models.PositiveIntegerField()
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN, db_index=True
    )
    open_slot = models.BooleanField(null=True, default=True, editable=False)
    trigger = models.CharField(max_length=8, choices=Trigger.choices, default=Trigger.AUTO)
    reference = models.CharField(
        max_length=64, blank=True, help_text="What set it off, e.g. order:12."
    )
    note = models.TextField(blank=True)
    # The figures the quantity was computed from, as they were at the time.
    on_hand = models.IntegerField()
    allocated = models.IntegerField(default=0, help_text="Units promised to open orders.")
    held = models.IntegerField(help_text="Units the distributor held back from sale.")
    incoming = models.IntegerField(help_text="Units on approved purchase orders not received yet.")
    backordered = models.IntegerField(default=0, help_text="Units owed to open orders.")
    available = models.IntegerField(
        help_text="The inventory position: on hand - allocated - held + incoming - backordered."
    )
    reorder_level = models.PositiveIntegerField()
    reorder_quantity = models.PositiveIntegerField()
    order_up_to_level = models.PositiveIntegerField(null=True, blank=True)
    pack_size = models.PositiveIntegerField()
    minimum_order_quantity = models.PositiveIntegerField()
    rule = models.CharField(max_length=255, help_text="How the quantity was worked out.")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who approved or rejected it.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "distributor", "open_slot"],
                name="procurementrequest_one_open_per_item",
                violation_error_message=(
                    "A request for this product and distributor is already open."
                ),
            ),
            models.CheckConstraint(
                # IS NOT NULL first: a CHECK that comes out NULL passes.
                condition=Q(status=RequestStatus.OPEN, open_slot__isnull=False, open_slot=True)
                | (~Q(status=RequestStatus.OPEN) & Q(open_slot__isnull=True)),
                name="procurementrequest_open_slot_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="procurementrequest_quantity_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="procreq_status_created")]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        self.open_slot = True if self.status == RequestStatus.OPEN else None
        super().save(*args, **kwargs)


class POStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting second approval"
    SENT = "sent", "Sent to supplier"
    PROPOSED = "proposed", "Supplier proposed changes"
    CONFIRMED = "confirmed", "Confirmed by supplier"
    PARTIALLY_RECEIVED = "partially_received", "Partially received"
    RECEIVED = "received", "Received"
    CLOSED_SHORT = "closed_short", "Closed short"
    CANCELLED = "cancelled", "Cancelled"


# Purchase orders whose outstanding units count as incoming stock.
OPEN_PO_STATUSES = (
    POStatus.AWAITING_APPROVAL,
    POStatus.SENT,
    POStatus.PROPOSED,
    POStatus.CONFIRMED,
    POStatus.PARTIALLY_RECEIVED,
)
# Goods can arrive once the supplier has the order.
RECEIVABLE_PO_STATUSES = (POStatus.SENT, POStatus.CONFIRMED, POStatus.PARTIALLY_RECEIVED)


class PurchaseOrder(models.Model):
    """An order to a supplier for one distributor's stock, made of approved requests."""

    number = models.CharField(max_length=20, unique=True)
    supplier = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="purchase_orders_received"
    )
    distributor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="purchase_orders_placed"
    )
    status = models.CharField(max_length=20, choices=POStatus.choices, db_index=True)
    delivery_address = models.TextField()
    delivery_instructions = models.TextField(blank=True)
    expected_date = models.DateField(
        help_text="When the goods are due (revised by an accepted proposal)."
    )
    original_expected_date = models.DateField(
        null=True, blank=True, help_text="The date first asked for; on-time is measured against it."
    )
    total = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="The lines' taxable value (the approval limits compare it; GST is input tax).",
    )
    # GST from the buyer's side (auromart.tax): the supplier sells, the distributor
    # buys; the place of supply is the distributor's state (goods delivered there).
    supplier_gstin = models.CharField(max_length=15, blank=True)
    buyer_gstin = models.CharField(max_length=15, blank=True)
    supplier_state = models.CharField(max_length=2, blank=True)
    place_of_supply = models.CharField(max_length=2, blank=True)
    cgst = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    sgst = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    igst = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    # The supplier's answer through the signed link (or a member's page).
    confirm_nonce = models.CharField(max_length=32, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.CharField(
        max_length=200, blank=True, help_text="Who answered: a name or an account."
    )
    proposed_date = models.DateField(null=True, blank=True)
    supplier_note = models.TextField(blank=True)

    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_unconfirmed = models.BooleanField(
        default=False, help_text="Goods arrived before the supplier confirmed or proposed."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    pdf = models.CharField(max_length=255, blank=True, help_text="Path in media storage.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(second_approved_by__isnull=True)
                | ~Q(second_approved_by=F("approved_by")),
                name="purchaseorder_second_approver_differs",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst

    @property
    def total_with_tax(self) -> Decimal:
        return self.total + self.tax

    @property
    def on_time_date(self):
        """The date on-time is measured against: the original one, not a revision."""
        return self.original_expected_date or self.expected_date

    @property
    def revised_date(self):
        """The revised expected date, when it differs from the original one."""
        if self.original_expected_date and self.expected_date != self.original_expected_date:
            return self.expected_date
        return None

    @property
    def supplier_response_time(self):
        if self.responded_at and self.sent_at:
            return self.responded_at - self.sent_at
        return None


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines"
    )
    request = models.OneToOneField(
        ProcurementRequest, on_delete=models.PROTECT, related_name="po_line"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    quantity_received = models.PositiveIntegerField(default=0)
    proposed_quantity = models.PositiveIntegerField(null=True, blank=True)
    quantity_short = models.PositiveIntegerField(
        default=0, help_text="Units that never came: the PO was closed short."
    )
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2)
    line_total = models.DecimalField(max_digits=14, decimal_places=2)
    # GST of the line (auromart.tax.tax_on on line_total, the HSN rate in force at approval).
    hsn_code = models.CharField(max_length=8, blank=True)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=Decimal("0"))
    cgst = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    sgst = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    igst = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase_order", "product"], name="purchaseorderline_unique_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="purchaseorderline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity")),
                name="purchaseorderline_no_over_receipt",
            ),
            models.CheckConstraint(
                condition=Q(quantity_short__lte=F("quantity") - F("quantity_received")),
                name="purchaseorderline_short_within_outstanding",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"

    @property
    def outstanding(self) -> int:
        return self.quantity - self.quantity_received - self.quantity_short


class GoodsReceipt(models.Model):
    """One delivery booked against a purchase order (a partial or the last one)."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, related_name="receipts"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"Receipt {self.pk} of {self.purchase_order}"


class GoodsReceiptLine(models.Model):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="goodsreceiptline_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} received"


class NotOrderedReason(models.TextChoices):
    """The closed list of reasons why an item at or below its reorder point has nothing on order."""

    NO_ACTIVE_SUPPLIER = "no_active_supplier", "No active supplier"
    NEEDS_SUPPLIER_COST = "needs_supplier_cost", "Needs a supplier cost"
    SNOOZED = "snoozed", "Snoozed"
    PRODUCT_INACTIVE = "product_inactive", "Product no longer sold"


class ItemReplenishment(models.Model):
    """Why an item at or below its reorder point is not ordered, and any snooze staff set.

    Written by procurement.monitoring when it evaluates the item: a row with
    a reason while the item is low with nothing on order; the reason is
    cleared once a request opens or the item is no longer low. A row with
    `snoozed_until` in the future keeps the item from being ordered until then.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    distributor = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(
        max_length=24, choices=NotOrderedReason.choices, blank=True, db_index=True
    )
    detail = models.CharField(max_length=255, blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    evaluated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "distributor"], name="itemreplenishment_unique_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.distributor_id}: {self.reason or 'ordered'}"


from .models_policy import (  # noqa: E402, F401
    DemandMethod,
    Holiday,
    PolicyKind,
    ReplenishmentPolicy,
    WorkingCalendar,
)
