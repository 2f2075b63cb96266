from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.agreements import agreement_is_accepted
from accounts.models import Organization

from .hsn import validate_hsn_code


class Category(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        permissions = [("import_category", "Can import categories from a spreadsheet")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        # Walk up from the chosen parent: meeting this category again means the
        # tree would turn into a loop that every breadcrumb would follow forever.
        seen = set()
        node = self.parent
        while node is not None and node.pk not in seen:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError({"parent": "A category cannot sit inside itself."})
            seen.add(node.pk)
            node = node.parent


SUPPLIER_RULE = (
    "The supplier is the product's manufacturer, or a distributor that has accepted "
    "a supply agreement with it."
)


def supplier_allowed(*, manufacturer: Organization, supplier: Organization) -> bool:
    """A product's supplier: its manufacturer, or a distributor it supplies under an agreement."""
    if supplier.pk == manufacturer.pk:
        return True
    return supplier.kind == Organization.Kind.DISTRIBUTOR and agreement_is_accepted(
        manufacturer_id=manufacturer.pk, distributor_id=supplier.pk
    )


class Product(models.Model):
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    cost_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What the supplier charges per unit, for purchase orders. Empty: the price.",
    )
    manufacturer = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="products_made"
    )
    supplier = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="products_supplied",
        help_text="Who purchase orders go to. Empty: the manufacturer.",
    )
    reorder_level = models.PositiveIntegerField(
        default=10, help_text="Reorder when available stock falls to this level."
    )
    reorder_quantity = models.PositiveIntegerField(
        default=50, help_text="The least a reorder asks for."
    )
    order_up_to_level = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Maximum level: a reorder tops stock up to here when that is more.",
    )
    pack_size = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="The supplier ships in multiples of this.",
    )
    minimum_order_quantity = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1)]
    )
    lead_time_days = models.PositiveIntegerField(default=7)
    hsn_code = models.CharField(
        "HSN/SAC code",
        max_length=8,
        blank=True,
        db_index=True,
        validators=[validate_hsn_code],
        help_text="The GST rate comes from this code's rate table; empty: the default rate.",
    )
    # No db_index of its own: every index below leads with is_active, and
    # serves filters on is_active alone as well.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [("import_product", "Can import products from a spreadsheet")]
        # Plain composite indexes only: MariaDB ignores partial and functional
        # ones, and the catalog always filters on is_active first.
        indexes = [
            models.Index(fields=["is_active", "category"], name="product_active_category_idx"),
            models.Index(fields=["is_active", "price"], name="product_active_price_idx"),
            models.Index(fields=["is_active", "name"], name="product_active_name_idx"),
            models.Index(fields=["created_at"], name="product_created_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="product_price_non_negative",
                violation_error_message="The price cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(pack_size__gte=1),
                name="product_pack_size_positive",
                violation_error_message="The pack size is at least 1.",
            ),
            models.CheckConstraint(
                condition=Q(minimum_order_quantity__gte=1),
                name="product_moq_positive",
                violation_error_message="The minimum order quantity is at least 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def purchase_cost(self) -> Decimal:
        """The unit cost a purchase order pays: the cost price, else the list price."""
        return self.cost_price if self.cost_price is not None else self.price

    def clean(self):
        super().clean()
        errors = {}
        if self.manufacturer_id is not None:
            if self.manufacturer.kind != Organization.Kind.MANUFACTURER:
                errors["manufacturer"] = (
                    f"{self.manufacturer} is a {self.manufacturer.get_kind_display().lower()}, "
                    "not a manufacturer."
                )
            if self.supplier_id is None:
                self.supplier = self.manufacturer
        if (
            self.supplier_id is not None
            and self.manufacturer_id is not None
            and not supplier_allowed(manufacturer=self.manufacturer, supplier=self.supplier)
        ):
            # No other organization's name or kind: the caller may not know it.
            errors["supplier"] = SUPPLIER_RULE
        if (
            self.order_up_to_level is not None
            and self.reorder_level is not None
            and self.order_up_to_level <= self.reorder_level
        ):
            errors["order_up_to_level"] = (
                f"The maximum level must be above the reorder level ({self.reorder_level})."
            )
        if errors:
            raise ValidationError(errors)


def product_image_path(instance, filename: str) -> str:
    """products/<sku>/<random>.<ext>: a new upload never takes an old file's name, so a
    served image can be cached for ever (catalog.media_views)."""
    import secrets
    from pathlib import PurePosixPath

    from django.utils.text import slugify

    suffix = PurePosixPath(filename).suffix.lower()[:8] or ".jpg"
    return f"products/{slugify(instance.product.sku)}/{secrets.token_hex(8)}{suffix}"


class ProductImage(models.Model):
    """One picture of a product's gallery; the first by `position` is its main image.

    The thumbnails (made by sorl-thumbnail when the image is added, see
    catalog.services_media) are stored beside it, so a page of products
    costs no query or image work per picture.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=product_image_path, max_length=255)
    alt_text = models.CharField(
        "alt text",
        max_length=200,
        help_text="What the picture shows, for people who cannot see it.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    card = models.ImageField(max_length=255, blank=True, editable=False)  # 480 x 360
    small = models.ImageField(max_length=255, blank=True, editable=False)  # 120 x 120
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["product", "position"], name="productimage_order_idx")]

    def __str__(self) -> str:
        return self.alt_text


class ProductAttribute(models.Model):
    """A line of a product's specifications: "Size" = "Queen (152 x 198 cm)"."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(max_length=80)
    value = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="productattribute_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class HsnRate(models.Model):
    """The GST rate for an HSN/SAC code from a day on (see catalog.hsn.hsn_rate_on)."""

    hsn_code = models.CharField("HSN/SAC code", max_length=8, validators=[validate_hsn_code])
    description = models.CharField(max_length=200, blank=True)
    rate = models.DecimalField(
        "rate (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Percent: 0, 0.25, 3, 5, 18 or 40 since 22 September 2025.",
    )
    effective_from = models.DateField(help_text="The first day this rate applies.")

    class Meta:
        ordering = ["hsn_code", "-effective_from"]
        verbose_name = "HSN rate"
        constraints = [
            models.UniqueConstraint(
                fields=["hsn_code", "effective_from"],
                name="hsnrate_unique_code_day",
                violation_error_message="This code already has a rate from that day.",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=100), name="hsnrate_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hsn_code}: {self.rate}% from {self.effective_from}"


# Supplier lines live in their own module; importing it here registers the model.
from .models_suppliers import SupplierLine  # noqa: E402, F401
