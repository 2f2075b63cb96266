"""Writes and reads of supplier lines (catalog.SupplierLine): who sells a product, at what cost.

Procurement staff manage every line; a manufacturer manages the lines of its
own products (itself, or a distributor it supplies under an agreement).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from accounts.models import Organization

from .models import Product, SupplierLine

EDITABLE = (
    "supplier_sku",
    "unit_cost",
    "pack_size",
    "minimum_order_quantity",
    "lead_time_days",
    "priority",
    "is_active",
)


def supplier_lines(*, manufacturer: Organization | None = None) -> QuerySet[SupplierLine]:
    """Lines with their product and supplier, by product then priority; one query.

    `manufacturer` limits them to its products (None: all, for procurement staff).
    """
    lines = SupplierLine.objects.select_related("product", "supplier").order_by(
        "product__name", "product_id", "priority", "pk"
    )
    if manufacturer is not None:
        lines = lines.filter(product__manufacturer=manufacturer)
    return lines


@transaction.atomic
def supplier_line_create(*, product: Product, supplier: Organization, **fields) -> SupplierLine:
    """Add a supplier to a product. ValidationError keyed by field when the supplier is not
    allowed (SUPPLIER_RULE), a value is out of range, or the supplier already has a line."""
    line = SupplierLine(product=product, supplier=supplier, **_only_editable(fields))
    line.full_clean()
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"supplier": "This supplier already has a line for the product."}
        ) from exc
    return line


@transaction.atomic
def supplier_line_update(*, line: SupplierLine, **fields) -> SupplierLine:
    """Change a line's terms (cost, pack, minimum, lead time, priority, active)."""
    line = SupplierLine.objects.select_for_update().get(pk=line.pk)
    for name, value in _only_editable(fields).items():
        setattr(line, name, value)
    line.full_clean()
    line.save()
    return line


def _only_editable(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))
    return fields
