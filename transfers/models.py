"""Transfer orders (#23 §2, §3): stock moving from one distributor's shelf to another's.

A transfer goes draft/requested -> confirmed (allocated at the source) ->
shipped (in transit: `transfer_out` at the source) -> received (`transfer_in`
at the destination). A receipt may be short: what did not arrive stays in
transit (`received_short`) until it arrives after all (received) or is
written off by an explicit, separately recorded loss (closed). Cancelled is
possible until it ships; a confirmed one releases its allocation.

A transfer made for a purchase order whose supplier is a distributor
(`purchase_order`) is that PO's fulfilment: its lines link the PO lines, its
receipt is the PO's goods receipt, and its shipment issues the supplier's tax
invoice to the buyer (the invoice fields below).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

# Every number a user types is bounded: a line's units, the lines of one transfer.
MAX_LINE_QUANTITY = 100_000
MAX_LINES = 100


class TransferStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REQUESTED = "requested", "Requested"
    CONFIRMED = "confirmed", "Confirmed (allocated)"
    SHIPPED = "shipped", "In transit"
    RECEIVED_SHORT = "received_short", "Received short"
    RECEIVED = "received", "Received"
    CLOSED = "closed", "Closed (shortfall written off)"
    CANCELLED = "cancelled", "Cancelled"


# Statuses whose lines hold units allocated at the source.
ALLOCATED_STATUSES = (TransferStatus.CONFIRMED,)
# Statuses whose lines may have units in transit.
IN_TRANSIT_STATUSES = (TransferStatus.SHIPPED, TransferStatus.RECEIVED_SHORT)
OPEN_STATUSES = (
    TransferStatus.DRAFT,
    TransferStatus.REQUESTED,
    TransferStatus.CONFIRMED,
    TransferStatus.SHIPPED,
    TransferStatus.RECEIVED_SHORT,
)


class TransferOrder(models.Model):
    number = models.CharField(max_length=20, unique=True)
    source = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="transfers_out",
        help_text="The distributor the units leave.",
    )
    destination = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="transfers_in",
        help_text="The distributor the units go to (the same one: between its locations).",
    )
    # The warehouses the units leave and reach (#23 §1): one of the source's, one of the
    # destination's; a move within one distributor goes between two of its warehouses.
    source_warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="transfers_out"
    )
    destination_warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(max_length=16, choices=TransferStatus.choices, db_index=True)
    purchase_order = models.OneToOneField(
        "procurement.PurchaseOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer",
        help_text="The purchase order this transfer fulfils (its supplier is the source).",
    )
    note = models.CharField(max_length=500, blank=True)
    tracking_reference = models.CharField(max_length=100, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set once when the source was reminded of a request it had not answered
    # (transfers.reminders), so a second run of the task reminds nobody.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    write_off_reason = models.CharField(max_length=500, blank=True)

    # The supplier distributor's tax invoice to the buyer (a PO's transfer only),
    # issued when the goods leave; numbered in the seller's invoice series
    # (invoicing.numbering), GST by auromart.tax from the two parties' states.
    invoice_number = models.CharField(max_length=20, blank=True, db_index=True)
    invoice_date = models.DateField(null=True, blank=True)
    seller_gstin = models.CharField(max_length=15, blank=True)
    buyer_gstin = models.CharField(max_length=15, blank=True)
    seller_state = models.CharField(max_length=2, blank=True)
    place_of_supply = models.CharField(max_length=2, blank=True)
    taxable_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    cgst = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    sgst = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    igst = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["source", "status"], name="transfer_source_status"),
            models.Index(fields=["destination", "status"], name="transfer_dest_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=TransferStatus.SHIPPED) | Q(shipped_at__isnull=False),
                name="transfer_shipped_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(source_warehouse=F("destination_warehouse")),
                name="transfer_between_two_warehouses",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst

    @property
    def invoice_total(self) -> Decimal:
        return self.taxable_total + self.tax

    @property
    def between_distributors(self) -> bool:
        return self.source_id != self.destination_id


class TransferLine(models.Model):
    transfer = models.ForeignKey(TransferOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    shipped = models.PositiveIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)
    written_off = models.PositiveIntegerField(
        default=0, help_text="Units shipped that never arrived, written off as a transit loss."
    )
    short_reason = models.CharField(max_length=255, blank=True)
    po_line = models.OneToOneField(
        "procurement.PurchaseOrderLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_line",
    )
    # The invoice line (a PO's transfer): the PO line's cost and GST rate, on what shipped.
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=Decimal("0"))
    taxable = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    cgst = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    sgst = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    igst = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "product"], name="transferline_unique_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="transferline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(shipped__lte=F("quantity")), name="transferline_shipped_within"
            ),
            models.CheckConstraint(
                condition=Q(received__lte=F("shipped") - F("written_off")),
                name="transferline_received_within_shipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"

    @property
    def in_transit(self) -> int:
        return self.shipped - self.received - self.written_off
