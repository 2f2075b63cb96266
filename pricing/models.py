"""Price lists: who pays what, from which distributor, from how many units.

A price list prices products for the buyers it is assigned to (an
organization, a buyer group, every customer, or every buyer), either for one
distributor's sales (`distributor`: the distributor's own list) or for every
distributor's (staff's lists). A line gives a product a price or a percentage
off the base (the list's `base` list, else the manufacturer's list price,
`Product.price`); lines with `min_quantity` above 1 are quantity breaks.
Which list applies is decided in one place: pricing.selectors.price_quotes.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Organization
from catalog.models import Product

MAX_BREAK_QUANTITY = 1_000_000


class BuyerGroup(models.Model):
    """Retailer organizations priced alike ("Gold retailers")."""

    name = models.CharField(max_length=120, unique=True)
    members = models.ManyToManyField(
        Organization,
        related_name="buyer_groups",
        blank=True,
        limit_choices_to={"kind": Organization.Kind.RETAILER},
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PriceList(models.Model):
    class Currency(models.TextChoices):
        INR = "INR", "Indian rupee (₹)"

    name = models.CharField(max_length=120, unique=True)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.INR)
    distributor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="price_lists",
        limit_choices_to={"kind": Organization.Kind.DISTRIBUTOR},
        help_text="The distributor whose sales this list prices. Empty: every distributor's.",
    )
    base = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived",
        help_text="Percentage lines take off this list's price. Empty: the manufacturer's "
        "list price.",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text="The last day it applies.")
    prices_include_tax = models.BooleanField(
        default=False, help_text="Prices include GST (an MRP-like list) or exclude it (B2B)."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="pricelist_valid_to_after_from",
                violation_error_message="The list cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.distributor_id and self.distributor.kind != Organization.Kind.DISTRIBUTOR:
            errors["distributor"] = f"{self.distributor} is not a distributor."
        if self.base_id is not None:
            if self.pk is not None and self.base_id == self.pk:
                errors["base"] = "A list cannot be its own base."
            elif self.base.base_id is not None:
                # One level only: the selector prices a line from its base in one step.
                errors["base"] = (
                    f"“{self.base}” is itself based on another list; choose a list with "
                    "its own prices."
                )
            elif self.base.distributor_id not in (None, self.distributor_id):
                errors["base"] = "The base list prices another distributor's sales."
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = "The list cannot end before it starts."
        if errors:
            raise ValidationError(errors)


class PriceListItem(models.Model):
    """A product's price on a list from `min_quantity` units: a price or a percentage off."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    min_quantity = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BREAK_QUANTITY)],
        help_text="1: the line's price; more: a quantity break from that many units.",
    )
    price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Percentage off the base list's price (or the list price).",
    )

    class Meta:
        ordering = ["price_list", "product", "min_quantity"]
        permissions = [("import_pricelistitem", "Can import price list lines from a spreadsheet")]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"],
                name="pricelistitem_unique_break",
                violation_error_message="This list already prices the product from that quantity.",
            ),
            models.CheckConstraint(
                condition=(Q(price__isnull=False) & Q(discount_percent__isnull=True))
                | (Q(price__isnull=True) & Q(discount_percent__isnull=False)),
                name="pricelistitem_price_or_discount",
                violation_error_message="Give either a price or a percentage off, not both.",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0),
                name="pricelistitem_price_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__isnull=True)
                | Q(discount_percent__gte=0, discount_percent__lte=100),
                name="pricelistitem_discount_range",
            ),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=1), name="pricelistitem_min_quantity_positive"
            ),
        ]
        indexes = [models.Index(fields=["product", "price_list"], name="pricelistitem_product_idx")]

    def __str__(self) -> str:
        what = f"{self.price}" if self.price is not None else f"{self.discount_percent}% off"
        return f"{self.price_list}: {self.product_id} from {self.min_quantity}: {what}"

    def clean(self):
        super().clean()
        if (self.price is None) == (self.discount_percent is None):
            raise ValidationError(
                {"price": "Give either a price or a percentage off the base, not both."}
            )


class PriceListAssignment(models.Model):
    """Who a price list is for. Narrower scopes win (see pricing.selectors)."""

    class Scope(models.TextChoices):
        ORGANIZATION = "organization", "One buyer organization"
        GROUP = "group", "A buyer group"
        CUSTOMERS = "customers", "Default for customers"
        EVERYONE = "everyone", "Every buyer"

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="assignments")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="price_list_assignments",
        limit_choices_to={"kind": Organization.Kind.RETAILER},
    )
    group = models.ForeignKey(
        BuyerGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )

    class Meta:
        ordering = ["price_list", "scope"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="organization", organization__isnull=False, group__isnull=True)
                    | Q(scope="group", organization__isnull=True, group__isnull=False)
                    | Q(
                        scope__in=["customers", "everyone"],
                        organization__isnull=True,
                        group__isnull=True,
                    )
                ),
                name="pricelistassignment_scope_target",
                violation_error_message="An organization assignment names an organization, "
                "a group assignment a group, and the others neither.",
            ),
            models.UniqueConstraint(
                fields=["price_list", "scope", "organization", "group"],
                name="pricelistassignment_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organization"], name="plassign_org_idx"),
        ]

    def __str__(self) -> str:
        target = self.organization or self.group or self.get_scope_display()
        return f"{self.price_list} → {target}"

    def clean(self):
        super().clean()
        errors = {}
        if self.scope == self.Scope.ORGANIZATION and self.organization_id is None:
            errors["organization"] = "Choose the buyer organization."
        if self.scope == self.Scope.GROUP and self.group_id is None:
            errors["group"] = "Choose the buyer group."
        if self.scope != self.Scope.ORGANIZATION and self.organization_id is not None:
            errors["organization"] = "Only an organization assignment names an organization."
        if self.scope != self.Scope.GROUP and self.group_id is not None:
            errors["group"] = "Only a group assignment names a group."
        if errors:
            raise ValidationError(errors)
