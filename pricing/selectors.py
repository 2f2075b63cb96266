"""The one price resolution: what a buyer pays a distributor for a product at a quantity.

Every place that shows or charges a price asks `price_quotes` (catalog pages,
the cart, checkout, the customer and retailer APIs, order placement):

- Candidate lists are the active lists valid on the day (valid_from <= day <=
  valid_to, open ends allowed) that price this distributor's sales (the
  distributor's own lists, and lists with no distributor) and are assigned
  to this buyer: the organization itself, a buyer group it belongs to, every
  customer (for a person, who has no organization), or every buyer.
- The most specific list that has a line for the product wins, ranked by
  the assignment (organization > group > customers > everyone), then a
  distributor's own list over a list for every distributor, then the newest
  valid_from, then the newest list. A list without a line for a product does
  not hide a less specific one that has one.
- Within the winning list the line with the largest `min_quantity` at or
  below the quantity applies (a break at 10 applies from exactly 10 units).
  A price is taken as it is; a percentage comes off the base: the base
  list's price for the product at the same quantity, else the manufacturer's
  list price (`Product.price`), rounded half-up to the paisa.
- With no list the buyer pays the list price.

One query whatever the number of lists or products: the lines of these
products on the candidate lists and their bases, each with its list's best
assignment rank (a subquery).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    DateField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import Organization, Role
from auromart.compiled_sql import Shapes, sentinel_int
from catalog.models import Product

from .models import PriceList, PriceListAssignment, PriceListItem

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
SCOPE_RANK = {
    PriceListAssignment.Scope.ORGANIZATION: 4,
    PriceListAssignment.Scope.GROUP: 3,
    PriceListAssignment.Scope.CUSTOMERS: 2,
    PriceListAssignment.Scope.EVERYONE: 1,
}


@dataclass(frozen=True)
class PriceBreak:
    min_quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class Quote:
    """A product's price for one buyer, distributor and quantity."""

    product_id: int
    quantity: int
    list_price: Decimal  # the manufacturer's list price, struck through when higher
    unit_price: Decimal  # what the buyer pays per unit at this quantity
    price_list_id: int | None = None
    price_list_name: str = ""
    break_quantity: int | None = None  # min_quantity of the break applied; None: no break
    prices_include_tax: bool = False
    breaks: tuple[PriceBreak, ...] = field(default=())  # the list's breaks above 1 unit

    @property
    def discounted(self) -> bool:
        return self.unit_price < self.list_price


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _off(base: Decimal, percent: Decimal) -> Decimal:
    return money(base * (HUNDRED - percent) / HUNDRED)


@dataclass(frozen=True)
class _List:
    pk: int
    name: str
    base_id: int | None
    prices_include_tax: bool
    rank: tuple


class _Line(NamedTuple):
    min_quantity: int
    price: Decimal | None
    discount_percent: Decimal | None


def _assignments(*, organization_id, distributor_id, on):
    """The assignments that put a valid, active list before this buyer at this distributor."""
    if organization_id is None:
        who = Q(scope=PriceListAssignment.Scope.CUSTOMERS)
    else:
        who = Q(organization_id=organization_id) | Q(group__members=organization_id)
    who |= Q(scope=PriceListAssignment.Scope.EVERYONE)
    seller = Q(price_list__distributor__isnull=True)
    if distributor_id is not None:
        seller |= Q(price_list__distributor_id=distributor_id)
    return (
        PriceListAssignment.objects.filter(who, seller, price_list__is_active=True)
        .filter(Q(price_list__valid_from__isnull=True) | Q(price_list__valid_from__lte=on))
        .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=on))
    )


def _rows_queryset(*, organization_id, distributor_id, on, product_ids):
    """The lines of these products on the candidate lists and on their bases, each with its
    list's best assignment rank (NULL for a base that is not itself a candidate)."""
    assignments = _assignments(
        organization_id=organization_id, distributor_id=distributor_id, on=on
    )
    rank = Case(
        *(When(scope=scope, then=Value(value)) for scope, value in SCOPE_RANK.items()),
        output_field=IntegerField(),
    )
    best_rank = Subquery(
        assignments.filter(price_list_id=OuterRef("price_list_id"))
        .annotate(rank=rank)
        .order_by("-rank")
        .values("rank")[:1]
    )
    return (
        PriceListItem.objects.filter(product_id__in=product_ids)
        .filter(
            Q(price_list_id__in=assignments.values("price_list_id"))
            | Q(price_list_id__in=assignments.values("price_list__base_id"))
        )
        .annotate(best_rank=best_rank)
        .order_by("min_quantity")
        .values_list(*_COLUMNS)
    )


_COLUMNS = (
    "price_list_id",
    "product_id",
    "min_quantity",
    "price",
    "discount_percent",
    "best_rank",
    "price_list__name",
    "price_list__base_id",
    "price_list__prices_include_tax",
    "price_list__distributor_id",
    "price_list__valid_from",
)
# The statement compiled once per shape (buyer with or without an organization,
# distributor or not, number of products) and run with each call's values:
# building it through the ORM cost more CPU than running it (auromart.compiled_sql).
_SHAPES = Shapes(PriceListItem)
_SENTINEL_DAY = date(1904, 2, 29)


def _rows(*, organization_id, distributor_id, on, product_ids) -> list[tuple]:
    on = DateField().to_python(on)  # a datetime's day, as the ORM would take it
    values = {"on": on, "organization_id": organization_id, "distributor_id": distributor_id}
    values.update({f"product{n}": pk for n, pk in enumerate(product_ids)})
    names = [name for name, value in values.items() if value is not None]
    sentinels = {
        name: _SENTINEL_DAY if name == "on" else sentinel_int(n) for n, name in enumerate(names)
    }

    def build(args: dict):
        return _rows_queryset(
            organization_id=args.get("organization_id"),
            distributor_id=args.get("distributor_id"),
            on=args["on"],
            product_ids=[args[f"product{n}"] for n in range(len(product_ids))],
        )

    key = (organization_id is None, distributor_id is None, len(product_ids))
    rows = _SHAPES.rows(key, build, sentinels, values)
    return list(build(values)) if rows is None else rows


def _lists_and_lines(*, organization_id, distributor_id, on, product_ids):
    """(candidate lists best first, {(list id, product id): lines by quantity}) in one query."""
    rows = _rows(
        organization_id=organization_id,
        distributor_id=distributor_id,
        on=on,
        product_ids=list(dict.fromkeys(product_ids)),
    )
    lists: dict[int, _List] = {}
    lines: dict[tuple[int, int], list[_Line]] = defaultdict(list)
    for pk, product_id, min_qty, price, pct, best, name, base_id, incl, dist_id, start in rows:
        lines[(pk, product_id)].append(_Line(min_qty, price, pct))
        if best is not None and pk not in lists:
            rank_key = (best, dist_id is not None, start or date.min, pk)
            lists[pk] = _List(pk, name, base_id, incl, rank_key)
    return sorted(lists.values(), key=lambda lst: lst.rank, reverse=True), lines


def _price_at(lines, quantity: int, base_price: Decimal) -> tuple[Decimal, int | None]:
    """(unit price, break applied) from one list's lines for a product, sorted by quantity."""
    chosen = None
    for line in lines:
        if line.min_quantity <= quantity:
            chosen = line
    if chosen is None:
        return base_price, None
    unit = chosen.price if chosen.price is not None else _off(base_price, chosen.discount_percent)
    return unit, (chosen.min_quantity if chosen.min_quantity > 1 else None)


def _quote(product, quantity: int, lists: list[_List], lines) -> Quote:
    """The product's quote from the first list (best first) that has a line for it."""
    list_price = product.price
    for lst in lists:
        own = lines.get((lst.pk, product.pk))
        if not own:
            continue
        base_lines = lines.get((lst.base_id, product.pk)) if lst.base_id else None

        def price_at(qty: int, own=own, base_lines=base_lines) -> tuple[Decimal, int | None]:
            base = _price_at(base_lines, qty, list_price)[0] if base_lines else list_price
            return _price_at(own, qty, base)

        unit, applied = price_at(quantity)
        return Quote(
            product_id=product.pk,
            quantity=quantity,
            list_price=list_price,
            unit_price=unit,
            price_list_id=lst.pk,
            price_list_name=lst.name,
            break_quantity=applied,
            prices_include_tax=lst.prices_include_tax,
            breaks=tuple(
                PriceBreak(line.min_quantity, price_at(line.min_quantity)[0])
                for line in own
                if line.min_quantity > 1
            ),
        )
    return Quote(product.pk, quantity, list_price, list_price)


def price_quotes(
    *,
    organization: Organization | None,
    distributor: Organization | int | None,
    products: Iterable[Product],
    quantities: dict[int, int] | None = None,
    on: date | None = None,
) -> dict[int, Quote]:
    """{product id: Quote} for a buyer (an organization, or None for a person) at a distributor.

    `quantities` maps product ids to the cart line's quantity (default 1).
    `on` is the day the prices apply (default today).
    """
    products = list(products)
    if not products:
        return {}
    quantities = quantities or {}
    on = on or timezone.localdate()
    distributor_id = distributor.pk if isinstance(distributor, Organization) else distributor
    lists, lines = _lists_and_lines(
        organization_id=organization.pk if organization is not None else None,
        distributor_id=distributor_id,
        on=on,
        product_ids=[p.pk for p in products],
    )

    quotes = {}
    for product in products:
        quantity = max(1, int(quantities.get(product.pk, 1)))
        quotes[product.pk] = _quote(product, quantity, lists, lines)
    return quotes


def quotes_attach(
    products: Iterable[Product],
    *,
    organization: Organization | None,
    distributor: Organization | int | None,
) -> list[Product]:
    """Give each product `quote` (its price at one unit) for showing a page or an API list."""
    products = list(products)
    quotes = price_quotes(organization=organization, distributor=distributor, products=products)
    for product in products:
        product.quote = quotes[product.pk]
    return products


def price_lists_for_distributor(*, distributor: Organization):
    """A distributor's own lists with who they are for and their number of lines."""
    return (
        PriceList.objects.filter(distributor=distributor)
        .annotate(line_count=Count("items"))
        .prefetch_related("assignments__organization")
        .order_by("name")
    )


def buyer_organization(user) -> Organization | None:
    """Whose prices a user sees and pays: a retailer member's organization; None for a
    person (a customer or a visitor), who gets the customers' prices."""
    if getattr(user, "is_authenticated", False) and user.role == Role.RETAILER:
        return user.organization
    return None
