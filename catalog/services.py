"""Writes for the catalog: categories and products."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organization

from .models import Category, Product


def slug_base(model: type[models.Model], text: str, *, fallback: str) -> str:
    """`text` slugified to fit `model`'s slug column with room for a "-9999" suffix."""
    max_length = model._meta.get_field("slug").max_length
    return slugify(text)[: max_length - 5].strip("-") or fallback


def first_free_slug(base: str, taken: set[str], *, start: int = 1) -> tuple[str, int]:
    """The first of base, base-2, base-3 ... (from `start`) not in `taken`, and its suffix."""
    n = start
    slug = base if n == 1 else f"{base}-{n}"
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug, n


def _unique_slug(model: type[models.Model], text: str, *, fallback: str) -> str:
    """`text` as a slug, with -2, -3, ... appended until no row of `model` has it."""
    base = slug_base(model, text, fallback=fallback)
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    return first_free_slug(base, taken)[0]


@transaction.atomic
def category_create(*, name: str, parent: Category | None = None) -> Category:
    """Create a category, optionally under `parent`; its slug comes from the names.

    A sub-category's slug starts with its parent's ("clothing-men") so that the
    same name under two parents does not end up as "accessories-2".
    Raises ValidationError keyed by field when the name is empty or already
    used under the same parent.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the category's name."})
    if Category.objects.filter(parent=parent, name__iexact=name).exists():
        where = f"under {parent}" if parent else "at the top level"
        raise ValidationError({"name": f"A category named “{name}” already exists {where}."})
    slug_source = f"{parent.slug} {name}" if parent else name
    category = Category(
        name=name,
        parent=parent,
        slug=_unique_slug(Category, slug_source, fallback="category"),
    )
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def product_create(
    *,
    sku: str,
    name: str,
    category: Category,
    price: Decimal | str | int,
    manufacturer: Organization,
    supplier: Organization | None = None,
    description: str = "",
    cost_price: Decimal | str | int | None = None,
    reorder_level: int = 10,
    reorder_quantity: int = 50,
    order_up_to_level: int | None = None,
    pack_size: int = 1,
    minimum_order_quantity: int = 1,
    lead_time_days: int = 7,
    is_active: bool = True,
) -> Product:
    """Add a product to the catalog and return it.

    The SKU is stripped and upper-cased: MariaDB compares it without regard to
    case, so SQLite must not let "mat-1" and "MAT-1" both in. The slug is
    made from the name and made unique. The supplier defaults to the
    manufacturer. Raises ValidationError keyed by field: the manufacturer is
    not an organization of kind manufacturer, the supplier is a retailer, the
    SKU is taken, the price is negative, the pack size or minimum order
    quantity is below 1, the maximum level is not above the reorder level.
    """
    product = Product(
        sku=sku.strip().upper(),
        name=name.strip(),
        slug=_unique_slug(Product, name, fallback="product"),
        description=description.strip(),
        category=category,
        price=price,
        cost_price=cost_price,
        manufacturer=manufacturer,
        supplier=supplier or manufacturer,
        reorder_level=reorder_level,
        reorder_quantity=reorder_quantity,
        order_up_to_level=order_up_to_level,
        pack_size=pack_size,
        minimum_order_quantity=minimum_order_quantity,
        lead_time_days=lead_time_days,
        is_active=is_active,
    )
    product.full_clean()
    product.save()
    return product


# What a manufacturer may change on its own product. The manufacturer itself
# and the slug (the product page's address) stay as they are.
PRODUCT_EDITABLE_FIELDS = frozenset(
    {
        "sku",
        "name",
        "description",
        "category",
        "price",
        "cost_price",
        "supplier",
        "reorder_level",
        "reorder_quantity",
        "order_up_to_level",
        "pack_size",
        "minimum_order_quantity",
        "lead_time_days",
        "is_active",
    }
)


@transaction.atomic
def product_update(*, product: Product, data: dict) -> Product:
    """Change the fields named in `data` (keys of PRODUCT_EDITABLE_FIELDS) and save them.

    Text is stripped and the SKU upper-cased as product_create does; a supplier
    of None means the manufacturer. The slug stays, so links to the product
    keep working after a rename. Raises ValidationError keyed by field by the
    same rules as product_create (Product.clean, the SKU taken, ...); TypeError
    for a field that is not editable. Nothing is written when it raises.
    """
    unknown = set(data) - PRODUCT_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}.")
    data = dict(data)
    for field in ("sku", "name", "description"):
        if field in data:
            data[field] = (data[field] or "").strip()
    if "sku" in data:
        data["sku"] = data["sku"].upper()
    if "supplier" in data and data["supplier"] is None:
        data["supplier"] = product.manufacturer
    for field, value in data.items():
        setattr(product, field, value)
    product.full_clean()
    product.save(update_fields=[*data, "updated_at"] if data else None)
    return product


def products_supplier_reset(*, manufacturer: Organization, supplier: Organization) -> int:
    """Make the manufacturer the supplier again of its products that `supplier` supplied.

    Called when their supply agreement ends, so that no purchase order goes to
    a distributor that no longer carries the manufacturer. Returns how many
    products changed.
    """
    return Product.objects.filter(manufacturer=manufacturer, supplier=supplier).update(
        supplier=manufacturer, updated_at=timezone.now()
    )


@transaction.atomic
def product_set_active(*, product: Product, is_active: bool) -> Product:
    """Take a product off sale (it stays in every order and the ledger) or back on."""
    if product.is_active != is_active:
        product.is_active = is_active
        product.save(update_fields=["is_active", "updated_at"])
    return product


def product_has_history(product: Product) -> bool:
    """Whether orders or stock refer to the product: then it may be withdrawn, not deleted."""
    return product.order_items.exists() or product.stock_items.exists()


@transaction.atomic
def product_deactivate_or_delete(*, product: Product) -> bool:
    """Remove a product a manufacturer no longer sells; returns True when it was deleted.

    A product that was ever ordered or stocked (order lines, stock items with
    their ledger) is part of history: it is deactivated instead, and so is one
    that any other record protects (a purchase order line, say). Only a
    product nothing refers to is deleted (carts holding it lose that line).
    """
    if not product_has_history(product):
        try:
            with transaction.atomic():
                product.delete()
            return True
        except (models.ProtectedError, models.RestrictedError):
            pass
    product_set_active(product=product, is_active=False)
    return False


# The category a product gets when its manufacturer names none (a fresh install
# has no categories, and only staff create them).
UNCATEGORISED_SLUG = "uncategorised"


def category_default() -> Category:
    """The "Uncategorised" category, created the first time a product needs it."""
    category, _created = Category.objects.get_or_create(
        slug=UNCATEGORISED_SLUG, defaults={"name": "Uncategorised"}
    )
    return category


_UNSET = object()


@transaction.atomic
def category_update(*, category: Category, name: str | None = None, parent=_UNSET) -> Category:
    """Rename a category and/or move it under another parent (None: to the top level).

    The slug stays, so links and spreadsheets that name it keep working.
    Raises ValidationError keyed by field: an empty name, a name already used
    under the (new) parent, a parent inside the category itself.
    """
    category = Category.objects.select_for_update().get(pk=category.pk)
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationError({"name": "Enter the category's name."})
        category.name = name
    if parent is not _UNSET:
        category.parent = parent
    siblings = Category.objects.filter(parent=category.parent, name__iexact=category.name)
    if siblings.exclude(pk=category.pk).exists():
        where = f"under {category.parent}" if category.parent else "at the top level"
        raise ValidationError(
            {"name": f"A category named “{category.name}” already exists {where}."}
        )
    category.full_clean()
    category.save()
    return category
