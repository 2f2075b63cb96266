"""Standing orders (#18 part 4): lines a buyer re-orders on a schedule, and each run's outcome.

A run places a real order through orders.services.order_place (the one buying
flow). "A run executed twice on the same day places one order" is the
database's: StandingOrderRun is unique per (standing order, run date) and is
inserted in the same transaction as the order it records.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from orders.services_cart import MAX_CART_QUANTITY

MAX_INTERVAL_WEEKS = 12
MAX_DAY_OF_MONTH = 28  # every month has a 28th
# order_place takes at most orders.services.MAX_LINES lines; a run is one order.
MAX_LINES = 100
MAX_LINE_QUANTITY = MAX_CART_QUANTITY


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    EVERY_N_WEEKS = "every_n_weeks", "Every N weeks"
    MONTHLY = "monthly", "Monthly, on a day"


class StandingOrderStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class StandingOrder(models.Model):
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="standing_orders"
    )
    # A retailer's standing order belongs to its organization (any member sees it);
    # empty for the store's customers.
    buyer_organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standing_orders",
    )
    distributor = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="standing_orders_sold"
    )
    name = models.CharField(max_length=80, blank=True)
    shipping_address = models.TextField(max_length=500)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    interval_weeks = models.PositiveSmallIntegerField(
        default=1, help_text=f"For 'every N weeks': N, 1 to {MAX_INTERVAL_WEEKS}."
    )
    day_of_month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=f"For 'monthly': the day, 1 to {MAX_DAY_OF_MONTH}."
    )
    next_run_date = models.DateField(db_index=True)
    status = models.CharField(
        max_length=8, choices=StandingOrderStatus.choices, default=StandingOrderStatus.ACTIVE
    )
    # The run date the last reminder was queued for: at most one reminder per run
    # (the outbox's dedup key makes it so too).
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["next_run_date", "pk"]
        indexes = [models.Index(fields=["status", "next_run_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_weeks__gte=1, interval_weeks__lte=MAX_INTERVAL_WEEKS),
                name="standing_order_interval_weeks_1_12",
            ),
            models.CheckConstraint(
                condition=Q(day_of_month__isnull=True)
                | Q(day_of_month__gte=1, day_of_month__lte=MAX_DAY_OF_MONTH),
                name="standing_order_day_of_month_1_28",
            ),
            models.CheckConstraint(
                condition=~Q(frequency=Frequency.MONTHLY) | Q(day_of_month__isnull=False),
                name="standing_order_monthly_has_day",
            ),
        ]

    def __str__(self):
        return self.name or f"Standing order {self.pk}"

    @property
    def title(self) -> str:
        return str(self)

    @property
    def schedule(self) -> str:
        if self.frequency == Frequency.MONTHLY:
            return f"Monthly on day {self.day_of_month}"
        if self.frequency == Frequency.EVERY_N_WEEKS and self.interval_weeks > 1:
            return f"Every {self.interval_weeks} weeks"
        return "Every week"

    @property
    def is_active(self) -> bool:
        return self.status == StandingOrderStatus.ACTIVE


class StandingOrderLine(models.Model):
    standing_order = models.ForeignKey(
        StandingOrder, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["standing_order", "product"], name="standing_order_line_one_per_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_LINE_QUANTITY),
                name="standing_order_line_quantity_bounded",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class RunOutcome(models.TextChoices):
    PLACED = "placed", "Order placed"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Nothing placed"


class StandingOrderRun(models.Model):
    standing_order = models.ForeignKey(StandingOrder, on_delete=models.CASCADE, related_name="runs")
    run_date = models.DateField()
    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standing_order_run",
    )
    outcome = models.CharField(max_length=8, choices=RunOutcome.choices)
    message = models.TextField(blank=True)
    lines_placed = models.PositiveIntegerField(default=0)
    units_backordered = models.PositiveIntegerField(default=0)
    # [{"sku", "name", "quantity", "reason"}]: lines left out of this run.
    refused = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-run_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["standing_order", "run_date"], name="standing_order_one_run_per_date"
            ),
        ]

    def __str__(self):
        return f"{self.standing_order_id} on {self.run_date}: {self.outcome}"
