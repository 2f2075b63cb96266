"""Reads for the catalog: search, filters, and each product's live stock at a distributor."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from accounts.models import Organization

from .models import Category, Product

ORDERINGS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "price": ("price", "pk"),
    "-price": ("-price", "-pk"),
    "newest": ("-created_at", "-pk"),
    "-created_at": ("-created_at", "-pk"),
    "created_at": ("created_at", "pk"),
}
ORDERING_LABELS = {
    "name": "Name",
    "price": "Price: low to high",
    "-price": "Price: high to low",
    "newest": "Newest",
}


def default_store() -> Organization | None:
    """The distributor the customer portal sells from (Organization.is_default_store)."""
    return Organization.objects.filter(
        kind=Organization.Kind.DISTRIBUTOR, is_default_store=True
    ).first()


def category_with_descendants(category: Category) -> list[int]:
    """The category's id and the ids of every category below it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        if pk in found:
            continue
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def products_with_stock(*, distributor: Organization | None) -> QuerySet[Product]:
    """Active products, each annotated with `stock_quantity`: what `distributor` can sell now.

    stock_quantity is on hand less reserved, 0 where the distributor holds
    none (or no distributor is given). One LEFT JOIN, so a page of products
    costs one query however long the catalog.
    """
    products = Product.objects.filter(is_active=True).select_related("category")
    if distributor is None:
        return products.annotate(stock_quantity=Value(0))
    return products.annotate(
        store_stock=FilteredRelation(
            "stock_items", condition=Q(stock_items__distributor=distributor)
        ),
        stock_quantity=Greatest(
            Coalesce(F("store_stock__on_hand") - F("store_stock__reserved"), Value(0)),
            Value(0),
        ),
    )


def product_search(
    *,
    distributor: Organization | None,
    search: str = "",
    category: Category | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool = False,
    ordering: str = "name",
) -> QuerySet[Product]:
    """The catalog as a customer searches it.

    `search` matches name, SKU or description (case-insensitive, every word
    must match somewhere); `category` includes its sub-categories; prices are
    inclusive; `in_stock` keeps what the distributor can sell now; `ordering`
    is a key of ORDERINGS (unknown keys sort by name).
    """
    products = products_with_stock(distributor=distributor)
    for word in search.split()[:8]:
        products = products.filter(
            Q(name__icontains=word) | Q(sku__icontains=word) | Q(description__icontains=word)
        )
    if category is not None:
        products = products.filter(category_id__in=category_with_descendants(category))
    if min_price is not None:
        products = products.filter(price__gte=min_price)
    if max_price is not None:
        products = products.filter(price__lte=max_price)
    if in_stock:
        products = products.filter(stock_quantity__gt=0)
    return products.order_by(*ORDERINGS.get(ordering, ORDERINGS["name"]))


def distributor_catalog(*, distributor: Organization, **search) -> QuerySet[Product]:
    """What `distributor` sells, as a retailer ordering from it searches it.

    product_search (same `search` keywords, same `stock_quantity`) limited to
    the products the distributor carries: those it holds a stock item for,
    sold out ones included (they show as out of stock). Still one query.
    """
    return product_search(distributor=distributor, **search).filter(store_stock__isnull=False)


def stock_label(quantity: int) -> tuple[str, str]:
    """What a shopper reads about stock, and its tone: ("12 in stock", "success")."""
    if quantity <= 0:
        return "Out of stock", "danger"
    if quantity <= settings.CATALOG_LOW_STOCK_THRESHOLD:
        return f"Low stock: {quantity} left", "warning"
    return f"{quantity} in stock", "success"


def products_of_manufacturer(
    *, manufacturer: Organization, search: str = "", is_active: bool | None = None
) -> QuerySet[Product]:
    """A manufacturer's own products, active or not, by name, for its product pages and API.

    Each carries `units_at_distributors` (on hand summed over every
    distributor's stock) and `distributor_count`, from one grouped LEFT JOIN:
    a page costs one query however many products or stock rows there are.
    `search` matches name or SKU (every word); `is_active` None means both.
    """
    products = Product.objects.filter(manufacturer=manufacturer)
    for word in search.split()[:8]:
        products = products.filter(Q(name__icontains=word) | Q(sku__icontains=word))
    if is_active is not None:
        products = products.filter(is_active=is_active)
    return (
        products.select_related("category", "supplier")
        .annotate(
            units_at_distributors=Coalesce(Sum("stock_items__on_hand"), Value(0)),
            distributor_count=Count("stock_items"),
        )
        .order_by("name", "pk")
    )


def product_of_manufacturer(*, manufacturer: Organization, pk: int) -> Product:
    """One of the manufacturer's products; Product.DoesNotExist for anybody else's."""
    return products_of_manufacturer(manufacturer=manufacturer).get(pk=pk)


def manufacturer_product_counts(*, manufacturer: Organization) -> dict[str, int]:
    """How many products the manufacturer has, and how many are on sale (one query)."""
    return Product.objects.filter(manufacturer=manufacturer).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
