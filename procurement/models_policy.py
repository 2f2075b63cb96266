"""Working calendars and the demand-driven replenishment policy (docs/architecture.md).

Imported by procurement.models, so Django sees these models as the app's.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.models import Organization
from inventory.models import StockItem

from .business_days import Calendar

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class WorkingCalendar(models.Model):
    """The days a distributor (and its suppliers' deliveries to it) count as business days."""

    distributor = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="working_calendar",
        limit_choices_to={"kind": Organization.Kind.DISTRIBUTOR},
    )
    monday = models.BooleanField(default=True)
    tuesday = models.BooleanField(default=True)
    wednesday = models.BooleanField(default=True)
    thursday = models.BooleanField(default=True)
    friday = models.BooleanField(default=True)
    saturday = models.BooleanField(default=True)
    sunday = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Working calendar of {self.distributor}"

    def clean(self):
        if not any(getattr(self, day) for day in WEEKDAYS):
            raise ValidationError("Tick at least one working weekday.")

    def as_calendar(self) -> Calendar:
        """The pure Calendar (uses prefetched `holidays` when there)."""
        return Calendar(
            working_weekdays=frozenset(i for i, day in enumerate(WEEKDAYS) if getattr(self, day)),
            holidays=frozenset(h.date for h in self.holidays.all()),
        )


class Holiday(models.Model):
    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} {self.name}"


class PolicyKind(models.TextChoices):
    FIXED = "fixed", "Fixed (reorder level typed by a person)"
    DYNAMIC = "dynamic", "Dynamic (from measured demand and lead time)"


class DemandMethod(models.TextChoices):
    NONE = "", "Not computed"
    STEADY = "steady", "Mean of daily demand"
    INTERMITTENT = "intermittent", "Croston with SBA correction"
    WEEKDAY = "weekday", "Same weekdays of the window"
    YEARLY = "yearly", "Same period of the previous year"


# What the nightly recompute writes (procurement.policy_nightly's update) and the admin
# shows read-only (procurement.admin_policy): one list, so the two cannot drift apart.
COMPUTED_FIELDS = (
    "demand_method",
    "demand_mean",
    "demand_std",
    "lead_time_mean",
    "lead_time_std",
    "lead_time_samples",
    "z",
    "reorder_point",
    "order_up_to_level",
    "rule",
    "computed_at",
)


class ReplenishmentPolicy(models.Model):
    """How one stock item's reorder point is set, and the last nightly figures for `dynamic`.

    `fixed` (the default, also for an item without a row) keeps the reorder
    level typed on the item or product. `dynamic` uses `reorder_point` and
    `order_up_to_level` below, recomputed nightly by procurement.policy from
    the demand record and measured lead times; `rule` states the sum in words.
    """

    stock_item = models.OneToOneField(
        StockItem, on_delete=models.CASCADE, related_name="replenishment_policy"
    )
    policy = models.CharField(
        max_length=8, choices=PolicyKind.choices, default=PolicyKind.FIXED, db_index=True
    )
    service_level = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.950"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("0.999"))],
        help_text="Target chance of not running out during a lead time (0.5 to 0.999).",
    )
    window_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(14), MaxValueValidator(730)],
        help_text="Days of demand history the figures use (14 to 730).",
    )
    review_period_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days of demand an order covers beyond the reorder point (1 to 90).",
    )
    # The figures of the last recompute (empty until it runs).
    demand_method = models.CharField(
        max_length=12, choices=DemandMethod.choices, blank=True, editable=False
    )
    demand_mean = models.FloatField(null=True, editable=False)
    demand_std = models.FloatField(null=True, editable=False)
    lead_time_mean = models.FloatField(
        null=True, editable=False, help_text="Business days, request to receipt."
    )
    lead_time_std = models.FloatField(null=True, editable=False)
    lead_time_samples = models.PositiveIntegerField(
        default=0, editable=False, help_text="Received POs measured; 0 = the stated lead time."
    )
    z = models.FloatField(null=True, editable=False)
    reorder_point = models.PositiveIntegerField(null=True, editable=False)
    order_up_to_level = models.PositiveIntegerField(null=True, editable=False)
    rule = models.TextField(blank=True, editable=False)
    computed_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        verbose_name_plural = "replenishment policies"

    def __str__(self) -> str:
        return f"{self.stock_item_id}: {self.policy}"

    @property
    def uses_dynamic_figures(self) -> bool:
        return self.policy == PolicyKind.DYNAMIC and self.reorder_point is not None
