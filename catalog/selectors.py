"""Reads for the catalog: search, filters, and each product's live stock at a distributor."""

import difflib
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.db import NotSupportedError, connections
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Func,
    Lookup,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from accounts.models import Organization

from .models import Category, Product

# "relevance": a search's best matches first (MariaDB's FULLTEXT ranking, served by the
# index); without a FULLTEXT search (no words, SQLite, only short words) it is "name".
RELEVANCE = "relevance"
ORDERINGS = {
    RELEVANCE: ("name", "pk"),
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "price": ("price", "pk"),
    "-price": ("-price", "-pk"),
    "newest": ("-created_at", "-pk"),
    "-created_at": ("-created_at", "-pk"),
    "created_at": ("created_at", "pk"),
}
ORDERING_LABELS = {
    RELEVANCE: "Best match",
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

    stock_quantity is available (on hand less allocated and held), 0 where the distributor holds
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
            Coalesce(
                F("store_stock__on_hand") - F("store_stock__allocated") - F("store_stock__held"),
                Value(0),
            ),
            Value(0),
        ),
    )


# At most this many words of a search are used (a longer one narrows no further).
SEARCH_MAX_WORDS = 8
# The columns of the FULLTEXT index (catalog/migrations/0005_product_fulltext.py).
FULLTEXT_COLUMNS = ("name", "sku", "description")
_token_sizes: dict[str, tuple[int, int]] = {}


class _Columns(Func):
    """`col, col, ...`: the column list of MATCH()."""

    template = "%(expressions)s"
    output_field = TextField()


class FullTextMatch(Lookup):
    """`MATCH (columns) AGAINST (query IN BOOLEAN MODE)` as a filter (MariaDB/MySQL only).

    A Lookup rather than a boolean expression so that it goes into WHERE as
    is: Django compares other conditional expressions with `= 1` on MySQL,
    and a MATCH's relevance is not 1. Composes like any filter (count,
    pagination, ordering, other filters).
    """

    lookup_name = "fulltext_match"
    prepare_rhs = False

    def __init__(self, columns, query: str):
        super().__init__(_Columns(*(F(column) for column in columns)), query)

    def as_sql(self, compiler, connection):
        raise NotSupportedError("FullTextMatch needs MariaDB or MySQL.")

    def as_mysql(self, compiler, connection):
        columns, column_params = self.process_lhs(compiler, connection)
        query, query_params = self.process_rhs(compiler, connection)
        return (
            f"MATCH ({columns}) AGAINST ({query} IN BOOLEAN MODE)",
            [*column_params, *query_params],
        )


def fulltext_token_sizes(alias: str = "default") -> tuple[int, int]:
    """The server's innodb_ft_min_token_size and innodb_ft_max_token_size.

    Words outside these lengths are not in a FULLTEXT index. Read once per
    process (the server only changes them on a restart).
    """
    sizes = _token_sizes.get(alias)
    if sizes is None:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT @@innodb_ft_min_token_size, @@innodb_ft_max_token_size")
            low, high = cursor.fetchone()
        sizes = _token_sizes[alias] = (int(low), int(high))
    return sizes


def fulltext_words(text: str) -> list[str]:
    """The words of `text` as InnoDB's full-text parser splits it.

    A word is a run of letters, combining marks (so Devanagari vowel signs
    stay inside their word), numbers and "_"; anything else separates words,
    so no boolean operator (+ - < > ( ) ~ * " @) of the input reaches AGAINST.
    """
    words, current = [], []
    for char in text:
        if char == "_" or unicodedata.category(char)[0] in "LMN":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _contains_word(word: str) -> Q:
    return Q(name__icontains=word) | Q(sku__icontains=word) | Q(description__icontains=word)


def fulltext_query(search: str, alias: str = "default") -> str | None:
    """The AGAINST() text of `search` ("+w1* +w2*"), or None when no word is in the index.

    None also on a database without FULLTEXT (SQLite).
    """
    if connections[alias].vendor != "mysql":
        return None
    words = fulltext_words(search)[:SEARCH_MAX_WORDS]
    if not words:
        return None
    shortest, longest = fulltext_token_sizes(alias)
    indexed = [word for word in words if shortest <= len(word) <= longest]
    return " ".join(f"+{word}*" for word in indexed) or None


def search_filter(products: QuerySet[Product], search: str) -> QuerySet[Product]:
    """`products` whose name, SKU or description match every word of `search`.

    On MariaDB/MySQL the words are those of InnoDB's full-text parser
    (fulltext_words: "CS-050017" is "CS" and "050017") and each
    matches the start of a word, through the FULLTEXT index: "lamp" finds
    "Lamp" and "Lamps" but not "Clamp". A word shorter than the server's
    innodb_ft_min_token_size (3 by default) or longer than its maximum is not
    in the index and matches anywhere in the three fields (LIKE) instead.
    Elsewhere (SQLite) every whitespace-separated word matches anywhere.
    Case-insensitive everywhere; at most SEARCH_MAX_WORDS words.
    """
    connection = connections[products.db]
    if connection.vendor != "mysql":
        for word in search.split()[:SEARCH_MAX_WORDS]:
            products = products.filter(_contains_word(word))
        return products
    words = fulltext_words(search)[:SEARCH_MAX_WORDS]
    if not words:
        return products
    shortest, longest = fulltext_token_sizes(products.db)
    query = fulltext_query(search, products.db)
    if query:
        products = products.filter(FullTextMatch(FULLTEXT_COLUMNS, query))
    for word in words:
        if not shortest <= len(word) <= longest:
            products = products.filter(_contains_word(word))
    return products


def product_search(
    *,
    distributor: Organization | None,
    search: str = "",
    category: Category | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool = False,
    ordering: str = RELEVANCE,
) -> QuerySet[Product]:
    """The catalog as a customer searches it.

    `search` matches name, SKU or description, every word somewhere (see
    search_filter: on MariaDB each word matches from the start of a word,
    "lamp" finds "Lamps" but not "Clamp"); `category` includes its
    sub-categories; prices are inclusive; `in_stock` keeps what the
    distributor can sell now; `ordering` is a key of ORDERINGS (unknown keys
    sort by name).

    RELEVANCE with a FULLTEXT search (MariaDB) is the order the index gives:
    the query has no ORDER BY, and InnoDB returns a MATCH in WHERE by its
    rank, highest first (ties in the order the rows were indexed), when the
    product table drives the join, which a FULLTEXT access always does
    (tested in catalog/tests/test_search_scale.py). An ORDER BY of the rank
    or the name would read and sort every match (28 ms for 10,000 of them);
    this reads only the rows of the page. Without a FULLTEXT search it is the
    name order.
    """
    products = search_filter(products_with_stock(distributor=distributor), search)
    if category is not None:
        products = products.filter(category_id__in=category_with_descendants(category))
    if min_price is not None:
        products = products.filter(price__gte=min_price)
    if max_price is not None:
        products = products.filter(price__lte=max_price)
    if in_stock:
        products = products.filter(stock_quantity__gt=0)
    if ordering == RELEVANCE and fulltext_query(search, products.db):
        return products.order_by()
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


def category_by_reference(reference: int | str) -> Category:
    """The category an API caller names by id, slug or name (ignoring case).

    Raises Category.DoesNotExist with a message listing close matches (by name
    and slug) when none has it, and Category.MultipleObjectsReturned naming the
    slugs when one name is used under several parents.
    """
    text = str(reference).strip()
    if isinstance(reference, int) or text.isdigit():
        found = Category.objects.filter(pk=int(text)).first() if len(text) < 19 else None
        if found is not None:
            return found
    found = Category.objects.filter(slug__iexact=text).first()
    if found is not None:
        return found
    named = list(Category.objects.filter(name__iexact=text).select_related("parent")[:10])
    if len(named) == 1:
        return named[0]
    if named:
        slugs = ", ".join(category.slug for category in named)
        raise Category.MultipleObjectsReturned(
            f"Several categories are named “{text}”: name one by its slug ({slugs})."
        )
    choices = dict(Category.objects.values_list("name", "slug")[:1000])
    close = difflib.get_close_matches(text, [*choices, *choices.values()], n=5, cutoff=0.6)
    by_slug = {slug: name for name, slug in choices.items()}
    suggestions = list(dict.fromkeys(by_slug.get(match, match) for match in close))
    hint = (
        "Close matches: " + ", ".join(f"{name} ({choices[name]})" for name in suggestions) + "."
        if suggestions
        else "Staff create categories (POST /api/categories); GET /api/categories lists them."
    )
    raise Category.DoesNotExist(f"No category “{text}”. {hint}")
