"""Returns (RMA, #17 §1): a buyer sends delivered units back to the distributor.

A ReturnRequest covers lines of one delivered order. It moves requested ->
approved or rejected (the distributor decides) -> received (the goods came
back: each line's restockable and damaged units) -> closed. Every move is a
ReturnStatusChange row. Only returns.services writes these tables.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import Organization

# An upper bound for every typed quantity: no order line is larger (order_place caps lines).
MAX_RETURN_QUANTITY = 100_000
MAX_NOTE = 500


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    RECEIVED = "received", "Received"
    CLOSED = "closed", "Closed"


# Each status and the statuses it may move to.
RETURN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReturnStatus.REQUESTED: (ReturnStatus.APPROVED, ReturnStatus.REJECTED),
    ReturnStatus.APPROVED: (ReturnStatus.RECEIVED,),
    ReturnStatus.RECEIVED: (ReturnStatus.CLOSED,),
    ReturnStatus.REJECTED: (),
    ReturnStatus.CLOSED: (),
}
# A request in these statuses still claims its lines' units (they cannot be asked for twice).
OPEN_STATUSES = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED)
DONE_STATUSES = (ReturnStatus.RECEIVED, ReturnStatus.CLOSED)


class ReturnReason(models.TextChoices):
    DAMAGED_IN_TRANSIT = "damaged_in_transit", "Arrived damaged"
    DEFECTIVE = "defective", "Defective or not working"
    WRONG_ITEM = "wrong_item", "Wrong item sent"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    NOT_NEEDED = "not_needed", "No longer needed / ordered too many"
    OTHER = "other", "Other"


class ReturnRequest(models.Model):
    Status = ReturnStatus

    number = models.CharField(max_length=20, unique=True, editable=False)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="return_requests"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="return_requests",
        help_text="Who asked for the return.",
    )
    # Copied from the order: a retailer's returns are its organization's (any member sees them).
    buyer_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    distributor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="return_requests_received"
    )
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED
    )
    note = models.TextField(blank=True, max_length=MAX_NOTE, help_text="The buyer's words.")
    decision_note = models.TextField(
        blank=True, max_length=MAX_NOTE, help_text="The distributor's words to the buyer."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["distributor", "status", "-created_at"], name="rma_dist_status_idx"
            ),
            models.Index(fields=["customer", "-created_at"], name="rma_customer_idx"),
            models.Index(fields=["buyer_organization", "-created_at"], name="rma_buyer_org_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=DONE_STATUSES) | Q(received_at__isnull=False),
                name="rma_received_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def stock_reference(self) -> str:
        """How the inventory ledger (and credit notes) name this return."""
        return f"rma:{self.pk}"

    @property
    def unit_count(self) -> int:
        return sum(line.quantity for line in self.lines.all())

    @property
    def allowed_next(self) -> tuple[str, ...]:
        return RETURN_TRANSITIONS[self.status]


class ReturnLine(models.Model):
    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_item = models.ForeignKey(
        "orders.OrderItem", on_delete=models.PROTECT, related_name="return_lines"
    )
    quantity = models.PositiveIntegerField(help_text="Units the buyer sends back.")
    reason = models.CharField(max_length=20, choices=ReturnReason.choices)
    note = models.CharField(max_length=MAX_NOTE, blank=True)
    # Written when the goods arrive: back on sale, or scrapped. Their sum may be
    # below `quantity` when fewer units came back than were announced.
    quantity_restocked = models.PositiveIntegerField(default=0)
    quantity_damaged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "order_item"], name="returnline_unique_item"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="returnline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=F("quantity_restocked") + F("quantity_damaged")),
                name="returnline_received_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_item_id}"

    @property
    def quantity_received(self) -> int:
        return self.quantity_restocked + self.quantity_damaged


class ReturnStatusChange(models.Model):
    """One step of a return's history: who moved it, when, from what to what, and why."""

    request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=ReturnStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReturnStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request}: {self.from_status or '-'} -> {self.to_status}"
