"""Who sells a product to the distributors, at what cost: one supplier line per (product, supplier).

Imported by catalog.models, so Django registers the model with the catalog app.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Organization

# Upper bounds of what a person types into a supplier line.
MAX_PACK_SIZE = 100_000
MAX_LEAD_TIME_DAYS = 365
MAX_PRIORITY = 1_000
MAX_UNIT_COST = Decimal("9999999999.99")


class SupplierLine(models.Model):
    """One supplier of a product: its SKU, unit cost, pack size, minimum order and lead time.

    The supplier is the product's manufacturer or a distributor with an
    accepted supply agreement with it (catalog.models.SUPPLIER_RULE). A
    request picks among a product's active lines by `priority` (lower
    first), then the measured on-time rate, then the cost
    (procurement.suppliers). `unit_cost` is what a purchase order pays per
    unit; empty means nobody has told us yet, and such a line is never
    ordered from automatically ("needs a supplier cost").
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="supplier_lines"
    )
    supplier = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="supplier_lines"
    )
    supplier_sku = models.CharField(
        "supplier SKU", max_length=64, blank=True, help_text="The supplier's own code."
    )
    unit_cost = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_UNIT_COST)],
        help_text="What the supplier charges per unit. Empty: not known, never ordered "
        "automatically.",
    )
    pack_size = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_PACK_SIZE)]
    )
    minimum_order_quantity = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_PACK_SIZE * 100)]
    )
    lead_time_days = models.PositiveIntegerField(
        default=7,
        validators=[MaxValueValidator(MAX_LEAD_TIME_DAYS)],
        help_text="The supplier's stated lead time in days.",
    )
    priority = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(MAX_PRIORITY)],
        help_text="Lower is asked first.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "priority", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "supplier"],
                name="supplierline_unique_product_supplier",
                violation_error_message="This supplier already has a line for the product.",
            ),
            models.CheckConstraint(
                condition=Q(pack_size__gte=1) & Q(minimum_order_quantity__gte=1),
                name="supplierline_pack_moq_positive",
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__isnull=True) | Q(unit_cost__gte=0),
                name="supplierline_cost_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} for {self.product_id}"

    def clean(self):
        super().clean()
        from .models import SUPPLIER_RULE, supplier_allowed

        if (
            self.product_id is not None
            and self.supplier_id is not None
            and not supplier_allowed(manufacturer=self.product.manufacturer, supplier=self.supplier)
        ):
            raise ValidationError({"supplier": SUPPLIER_RULE})
