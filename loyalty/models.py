"""The store's loyalty programme (#18 §5): its settings and the append-only points ledger.

A customer's balance is always the sum of their ledger's points; nothing
stores it. Entries are never changed or deleted (the model, its queryset and
the admin refuse), so the history explains every point.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

MAX_POINTS_PER_100 = Decimal("100")
MAX_POINT_VALUE = Decimal("100")
MAX_REDEEM_AMOUNT = Decimal("1000000")
MAX_EXPIRY_MONTHS = 120
MAX_POINTS = 1_000_000_000  # any number of points a person types


class LoyaltySettings(models.Model):
    """The programme's one row (pk 1), edited by staff in the admin; off by default."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    enabled = models.BooleanField(
        default=False, help_text="Customers of the store earn and redeem points."
    )
    points_per_100 = models.DecimalField(
        "points per ₹100",
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_POINTS_PER_100)],
        help_text="Points earned per ₹100 of the taxable value of delivered lines (0-100).",
    )
    point_value = models.DecimalField(
        "value of a point (₹)",
        max_digits=8,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_POINT_VALUE)],
        help_text="Rupees a redeemed point takes off the taxable value (0.01-100).",
    )
    max_redeem_percent = models.DecimalField(
        "max redeem, % of taxable value",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    max_redeem_amount = models.DecimalField(
        "max redeem per order (₹)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("2000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_REDEEM_AMOUNT)],
    )
    expiry_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EXPIRY_MONTHS)],
        help_text="Points not used within this many months of being earned expire (1-120).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "loyalty settings"
        verbose_name_plural = "loyalty settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="loyaltysettings_singleton"),
            models.CheckConstraint(
                condition=Q(points_per_100__gte=0, points_per_100__lte=MAX_POINTS_PER_100)
                & Q(point_value__gte=Decimal("0.01"), point_value__lte=MAX_POINT_VALUE)
                & Q(max_redeem_percent__gte=0, max_redeem_percent__lte=100)
                & Q(max_redeem_amount__gte=0, max_redeem_amount__lte=MAX_REDEEM_AMOUNT)
                & Q(expiry_months__gte=1, expiry_months__lte=MAX_EXPIRY_MONTHS),
                name="loyaltysettings_bounded",
            ),
        ]

    def __str__(self) -> str:
        return "Loyalty programme settings"

    @classmethod
    def load(cls) -> "LoyaltySettings":
        """The row; before staff first save it, the defaults (programme off), unsaved:
        reading the settings never writes."""
        return cls.objects.filter(pk=1).first() or cls()


class LoyaltyAccount(models.Model):
    """A customer's points account: the row their ledger hangs on and the lock it takes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="loyalty_account"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Points of {self.user}"


class EntryKind(models.TextChoices):
    EARN = "earn", "Earned"
    REDEEM = "redeem", "Redeemed"
    REFUND = "refund", "Returned (order cancelled)"
    EXPIRE = "expire", "Expired"
    CLAWBACK = "clawback", "Taken back (goods returned)"


CREDITS = (EntryKind.EARN, EntryKind.REFUND)


class AppendOnlyError(Exception):
    """A ledger entry was to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Points entries are never changed; write a new entry.")

    def delete(self):
        raise AppendOnlyError("Points entries are never deleted; write a new entry.")


class PointsEntry(models.Model):
    """One movement of points. Credits (earn, refund) are positive and expire on `expires_on`;
    debits (redeem, expire, clawback) are negative. `dedup_key` makes each event write once."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    points = models.IntegerField()
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Earn: the taxable value the points were earned on; redeem/refund: the
    # rupees of the discount.
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    expires_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    # UNIQUE with NULLs for entries without an event key (MariaDB has no
    # partial unique index): "earn:shipment:<id>", "redeem:<order>", ...
    dedup_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "points entries"
        indexes = [models.Index(fields=["account", "-created_at"], name="points_account_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=[k.value for k in CREDITS]) & Q(points__gt=0))
                | (~Q(kind__in=[k.value for k in CREDITS]) & Q(points__lt=0)),
                name="pointsentry_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Points entries are never changed; write a new entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Points entries are never deleted; write a new entry.")
