"""Reads for orders: a customer's own orders, listed and one by one."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Organization, User
from catalog.models import Product
from catalog.selectors import products_with_stock
from inventory.models import StockItem

from .held import held_order
from .models import (
    OPEN_STATUSES,
    CartItem,
    FulfillmentType,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
    Shipment,
    ShipmentLine,
)


def _shipments():
    """An order's shipments in order, with their lines and invoice (two queries)."""
    return Prefetch(
        "shipments",
        queryset=Shipment.objects.select_related("invoice").prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_item"))
        ),
    )


def _history():
    return Prefetch(
        "status_changes",
        queryset=OrderStatusChange.objects.select_related("changed_by").order_by(
            "created_at", "pk"
        ),
    )


def orders_for_customer(
    *, customer: User, status: str = "", with_history: bool = False
) -> QuerySet[Order]:
    """The orders `customer` placed, newest first, optionally of one status.

    Items are prefetched (and the status history with `with_history`), so a
    page of orders costs the same few queries however many orders or lines
    there are; counts come from the prefetched items (`Order.item_count`).
    """
    orders = Order.objects.filter(customer=customer)
    if status:
        orders = orders.filter(status=status)
    orders = orders.select_related("distributor").prefetch_related("items")
    if with_history:
        orders = orders.prefetch_related(_history(), _shipments())
    return orders.order_by("-created_at", "-pk")


def order_for_customer(*, customer: User, number: str) -> Order:
    """One of `customer`'s orders by number, with its lines and status history.

    Raises Order.DoesNotExist for an unknown number or someone else's order,
    which the pages answer with 404.
    """
    return (
        Order.objects.select_related("distributor")
        .prefetch_related("items", _history(), _shipments())
        .get(customer=customer, number=number)
    )


def orders_for_retailer_organization(
    *, organization: Organization, status: str = "", with_history: bool = False
) -> QuerySet[Order]:
    """The orders any member of retailer `organization` placed for it, newest first.

    Every member sees the organization's orders (Order.buyer_organization),
    whoever placed them; `customer` (who placed it) and `distributor` are
    joined and the lines prefetched (the history too with `with_history`), so a
    page costs the same few queries however many orders there are.
    """
    orders = Order.objects.filter(buyer_organization=organization)
    if status:
        orders = orders.filter(status=status)
    orders = orders.select_related("distributor", "customer").prefetch_related("items")
    if with_history:
        orders = orders.prefetch_related(_history(), _shipments())
    return orders.order_by("-created_at", "-pk")


def order_for_retailer_organization(*, organization: Organization, number: str) -> Order:
    """One of retailer `organization`'s orders by number, with lines and status history.

    Raises Order.DoesNotExist for an unknown number or another organization's
    order, which the pages answer with 404.
    """
    return (
        Order.objects.select_related("distributor", "customer")
        .prefetch_related("items", _history(), _shipments())
        .get(buyer_organization=organization, number=number)
    )


def distributors_to_order_from(*, user: User | None = None) -> QuerySet[Organization]:
    """Every distributor a retailer may order from, by name, in one query.

    Each is annotated with `products_available` (products it can sell now:
    available above 0) and, given `user`, `cart_units` (units in
    that user's cart at it). Subqueries, not joins, so the two counts do not
    multiply each other.
    """
    in_stock = (
        StockItem.objects.filter(
            distributor=OuterRef("pk"),
            product__is_active=True,
            on_hand__gt=F("allocated") + F("held"),
        )
        .order_by()
        .values("distributor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    distributors = Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR).annotate(
        products_available=Coalesce(Subquery(in_stock), 0)
    )
    if user is not None:
        units = (
            CartItem.objects.filter(
                cart__user=user, cart__distributor=OuterRef("pk"), product__is_active=True
            )
            .order_by()
            .values("cart__distributor")
            .annotate(n=Sum("quantity"))
            .values("n")
        )
        distributors = distributors.annotate(cart_units=Coalesce(Subquery(units), 0))
    return distributors.order_by("name", "pk")


def order_for_message(*, order_id: int) -> Order:
    """An order as its e-mails need it: lines, distributor, and the customer with their
    notification preferences, in two queries; none when the sender holds it
    (orders.held: the order being placed or moved, in its transaction)."""
    if (order := held_order(order_id)) is not None:
        return order
    return (
        Order.objects.select_related(
            "distributor", "buyer_organization", "customer__notification_preference"
        )
        .prefetch_related("items")
        .get(pk=order_id)
    )


def orders_for_distributor(
    *,
    distributor: Organization,
    status: str = "",
    placed_from: datetime.date | None = None,
    placed_to: datetime.date | None = None,
    search: str = "",
    sort: str = "",
) -> QuerySet[Order]:
    """The orders placed with `distributor`, newest first, optionally of one status.

    `search` matches the order number, the buyer (person's name or e-mail,
    retailer's name) or a line's SKU, case-insensitively; a SKU match is an
    EXISTS subquery, so an order with two matching lines is listed once.
    `sort` is a key of DISTRIBUTOR_ORDER_SORTS (anything else: newest first).

    `placed_from` / `placed_to` are inclusive local dates, compared as datetime
    bounds (no `__date` lookup: MariaDB without time-zone tables cannot convert).
    The buyer and their organization are joined and the lines prefetched, so a
    page costs the same few queries however many orders or lines there are.
    """
    orders = Order.objects.filter(distributor=distributor)
    if status:
        orders = orders.filter(status=status)
    if placed_from is not None:
        orders = orders.filter(created_at__gte=_start_of(placed_from))
    if placed_to is not None:
        orders = orders.filter(created_at__lt=_start_of(placed_to + datetime.timedelta(days=1)))
    search = (search or "").strip()
    if search:
        skus = OrderItem.objects.filter(order=OuterRef("pk"), sku__icontains=search)
        orders = orders.filter(
            Q(number__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(customer__email__icontains=search)
            | Q(buyer_organization__name__icontains=search)
            | Q(buyer_reference__icontains=search)
            | Exists(skus)
        )
    ordering = DISTRIBUTOR_ORDER_SORTS.get(sort, DISTRIBUTOR_ORDER_SORTS["-placed"])[1]
    return (
        orders.select_related("customer", "buyer_organization")
        .prefetch_related("items")
        .order_by(*ordering)
    )


# The columns a distributor may sort its orders by: key -> (label, ORDER BY). A
# whitelist, so a query string never reaches order_by(); pk breaks ties so
# pages never repeat or skip a row.
DISTRIBUTOR_ORDER_SORTS = {
    "-placed": ("Newest first", ("-created_at", "-pk")),
    "placed": ("Oldest first", ("created_at", "pk")),
    "-total": ("Total, highest first", ("-total", "-pk")),
    "total": ("Total, lowest first", ("total", "pk")),
    "number": ("Order number", ("number",)),
    "status": ("Status", ("status", "-created_at", "-pk")),
    "buyer": ("Buyer", (Coalesce("buyer_organization__name", "customer__name").asc(), "-pk")),
    "promised": ("Promised date", ("estimated_delivery", "pk")),
    # The buyer's requested delivery date, soonest first; orders without one last.
    "requested": (
        "Requested delivery date",
        (F("requested_delivery_date").asc(nulls_last=True), "-created_at", "-pk"),
    ),
}


def order_for_distributor(
    *, distributor: Organization, pk: int | None = None, number: str | None = None
) -> Order:
    """One of `distributor`'s incoming orders by id or number, with buyer, lines and history.

    Raises Order.DoesNotExist for an unknown order or another distributor's,
    which the pages and the API answer with 404.
    """
    lookup = {"pk": pk} if pk is not None else {"number": number}
    return (
        Order.objects.select_related("customer", "buyer_organization", "distributor")
        .prefetch_related("items", _history(), _shipments())
        .get(distributor=distributor, **lookup)
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def default_shipping_address(user: User) -> str:
    """Where the buyer probably wants delivery: their organization's address, else their last."""
    org = user.organization
    org_address = ""
    if org is not None:
        parts = [
            org.address,
            ", ".join(part for part in (org.city, org.region) if part),
            org.country,
        ]
        org_address = "\n".join(part for part in parts if part)
        if org.address:
            return org_address
    last = (
        Order.objects.filter(customer=user, fulfillment_type=FulfillmentType.DELIVERY)
        .exclude(shipping_address="")
        .values_list("shipping_address", flat=True)
        .first()
    )
    return last or org_address


def default_shipping_state(user: User) -> str:
    """The state of the address default_shipping_address proposes."""
    org = user.organization
    if org is not None and org.address and org.gst_state:
        return org.gst_state
    last = (
        Order.objects.filter(customer=user, fulfillment_type=FulfillmentType.DELIVERY)
        .exclude(shipping_state="")
        .values_list("shipping_state", flat=True)
        .first()
    )
    return last or (org.gst_state if org is not None else "")


# --- Dashboards and the manufacturer's view of its products' orders -----------

# Orders still moving: the buyer waits for them, the distributor works on them.
MOVING_STATUSES = (
    OrderStatus.CREDIT_HOLD,
    OrderStatus.PLACED,
    OrderStatus.ACCEPTED,
    OrderStatus.PROCESSING,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
)
# Orders that did not go through: neither sales nor revenue.
NOT_SOLD = (OrderStatus.REJECTED, OrderStatus.CANCELLED)


def _placed_between(queryset, prefix: str, placed_from, placed_to):
    if placed_from is not None:
        queryset = queryset.filter(**{f"{prefix}created_at__gte": _start_of(placed_from)})
    if placed_to is not None:
        end = _start_of(placed_to + datetime.timedelta(days=1))
        queryset = queryset.filter(**{f"{prefix}created_at__lt": end})
    return queryset


def orders_with_products_of(
    *,
    manufacturer: Organization,
    status: str = "",
    placed_from: datetime.date | None = None,
    placed_to: datetime.date | None = None,
) -> QuerySet[Order]:
    """Downstream orders holding at least one of `manufacturer`'s products, newest first.

    Read only. Each order carries only the manufacturer's own lines, in
    `manufacturer_items` (the rest of the order is other manufacturers'
    business), and their sums `manufacturer_units` / `manufacturer_total`.
    Distributor and buyer organization are joined and the lines prefetched:
    a page costs two queries however many orders or lines. Dates as in
    orders_for_distributor (inclusive local dates).
    """
    own_lines = OrderItem.objects.filter(product__manufacturer=manufacturer)
    per_order = own_lines.filter(order=OuterRef("pk")).order_by().values("order")
    orders = Order.objects.filter(pk__in=own_lines.values("order_id"))
    if status:
        orders = orders.filter(status=status)
    orders = _placed_between(orders, "", placed_from, placed_to)
    return (
        orders.select_related("distributor", "buyer_organization")
        .annotate(
            manufacturer_units=Subquery(per_order.annotate(n=Sum("quantity")).values("n")),
            manufacturer_total=Subquery(per_order.annotate(n=Sum("line_total")).values("n")),
        )
        .prefetch_related(
            Prefetch("items", queryset=own_lines.order_by("pk"), to_attr="manufacturer_items")
        )
        .order_by("-created_at", "-pk")
    )


def orders_with_products_of_count(
    *, manufacturer: Organization, placed_from: datetime.date | None = None
) -> int:
    """How many orders (any status) hold the manufacturer's products, since a day (one query)."""
    lines = OrderItem.objects.filter(product__manufacturer=manufacturer)
    lines = _placed_between(lines, "order__", placed_from, None)
    return lines.values("order_id").distinct().count()


@dataclass(frozen=True)
class SalesSummary:
    """What a manufacturer's products sold downstream between two dates (inclusive).

    Rejected and cancelled orders are left out. Revenue is what buyers paid
    for the lines (price snapshots, before tax). `by_product` and
    `by_distributor` are dicts with `units`, `revenue` and `orders`, best
    sellers first.
    """

    date_from: datetime.date
    date_to: datetime.date
    units: int
    revenue: Decimal
    orders: int
    by_product: list[dict]
    by_distributor: list[dict]


def manufacturer_sales(
    *, manufacturer: Organization, date_from: datetime.date, date_to: datetime.date
) -> SalesSummary:
    """The manufacturer's sales summary, computed by the database in three grouped queries."""
    lines = OrderItem.objects.filter(product__manufacturer=manufacturer).exclude(
        order__status__in=NOT_SOLD
    )
    lines = _placed_between(lines, "order__", date_from, date_to).order_by()
    figures = {
        "units": Sum("quantity"),
        "revenue": Sum("line_total"),
        "orders": Count("order_id", distinct=True),
    }
    totals = lines.aggregate(**figures)
    by_product = list(
        lines.values("product_id", "product__sku", "product__name")
        .annotate(**figures)
        .order_by("-revenue", "product__name", "product_id")
    )
    by_distributor = list(
        lines.values("order__distributor_id", "order__distributor__name")
        .annotate(**figures)
        .order_by("-revenue", "order__distributor__name", "order__distributor_id")
    )
    return SalesSummary(
        date_from=date_from,
        date_to=date_to,
        units=totals["units"] or 0,
        revenue=totals["revenue"] or Decimal("0.00"),
        orders=totals["orders"] or 0,
        by_product=[
            {
                "product_id": row["product_id"],
                "sku": row["product__sku"],
                "name": row["product__name"],
                "units": row["units"],
                "revenue": row["revenue"],
                "orders": row["orders"],
            }
            for row in by_product
        ],
        by_distributor=[
            {
                "distributor_id": row["order__distributor_id"],
                "name": row["order__distributor__name"],
                "units": row["units"],
                "revenue": row["revenue"],
                "orders": row["orders"],
            }
            for row in by_distributor
        ],
    )


def distributor_order_counts(*, distributor: Organization) -> dict[str, int]:
    """The distributor's orders by what they wait for (one query).

    `to_accept`: placed; `on_hold`: held for credit approval; `in_progress`:
    accepted or processing; `in_transit`: shipped.
    """
    return Order.objects.filter(distributor=distributor).aggregate(
        to_accept=Count("pk", filter=Q(status=OrderStatus.PLACED)),
        on_hold=Count("pk", filter=Q(status=OrderStatus.CREDIT_HOLD)),
        in_progress=Count(
            "pk", filter=Q(status__in=[OrderStatus.ACCEPTED, OrderStatus.PROCESSING])
        ),
        in_transit=Count("pk", filter=Q(status=OrderStatus.SHIPPED)),
    )


def buyer_organization_order_counts(*, organization: Organization) -> dict[str, int]:
    """A retailer's orders, `open` (not delivered, rejected or cancelled) and `shipped`.

    One query.
    """
    return Order.objects.filter(buyer_organization=organization).aggregate(
        open=Count("pk", filter=Q(status__in=MOVING_STATUSES)),
        shipped=Count("pk", filter=Q(status=OrderStatus.SHIPPED)),
    )


# How long "customers also bought" is kept: orders change it slowly, pages ask often.
RECOMMENDATIONS_CACHE_SECONDS = 3600


def recommended_product_ids(
    *, product_ids: list[int], category_ids: list[int], limit: int = 4
) -> list[int]:
    """ "Customers also bought": products in the same orders as `product_ids`, most shared
    orders first, then (to fill up) the newest active products of `category_ids`.

    Co-occurrence is counted by the database in one grouped query over order
    lines (distinct orders, so a big order counts once); the answer is cached
    for RECOMMENDATIONS_CACHE_SECONDS per set of products. Products not for
    sale are left out; so are `product_ids` themselves.
    """
    what = "{}:{}:{}".format(
        ",".join(map(str, sorted(set(product_ids)))),
        ",".join(map(str, sorted(set(category_ids)))),
        limit,
    )
    key = "recommended:" + hashlib.sha256(what.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    same_orders = OrderItem.objects.filter(product_id__in=product_ids).values("order_id")
    ids = list(
        OrderItem.objects.filter(order_id__in=same_orders, product__is_active=True)
        .exclude(product_id__in=product_ids)
        .values("product_id")
        .annotate(orders=Count("order_id", distinct=True))
        .order_by("-orders", "product_id")
        .values_list("product_id", flat=True)[:limit]
    )
    if category_ids:
        # Asked for every time, filling up or not, so a page costs the same queries.
        same_category = Product.objects.filter(is_active=True, category_id__in=category_ids)
        ids += [
            pk
            for pk in same_category.exclude(pk__in=product_ids)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[:limit]
            if pk not in ids
        ]
        ids = ids[:limit]
    cache.set(key, ids, RECOMMENDATIONS_CACHE_SECONDS)
    return ids


def recommended_products(
    *, distributor: Organization | None, product_ids: list[int], category_ids: list[int]
) -> list[Product]:
    """The recommendations with their stock at `distributor` and pictures: two queries (and
    one or two more when the ids are not cached), however many products."""
    ids = recommended_product_ids(product_ids=product_ids, category_ids=category_ids)
    if not ids:
        return []
    found = (
        products_with_stock(distributor=distributor)
        .filter(pk__in=ids)
        .prefetch_related("images")
        .in_bulk()
    )
    return [found[pk] for pk in ids if pk in found]


def allocations_a_count_would_backorder(
    *, distributor_id: int, product_id: int, units: int, warehouse_id: int | None = None
) -> list[tuple[str, int]]:
    """(order number, units) that a count short by `units` in `warehouse_id` would turn into
    backorders.

    The newest allocated lines first, as orders.backorders.allocations_turn_to_backorders
    takes them (only their units in that warehouse); for the count page to name the
    orders before it is confirmed. One query (two with a warehouse: its default).
    """
    from inventory.warehouses import warehouse_default

    from .line_allocation import line_allocation

    affected = []
    if units <= 0:
        return affected
    lines = (
        OrderItem.objects.filter(
            product_id=product_id,
            order__distributor_id=distributor_id,
            order__status__in=OPEN_STATUSES,
            quantity_allocated__gt=0,
        )
        .order_by("-pk")
        .select_related("order")
        .only("order__number", "quantity_allocated", "allocated_by_warehouse")
    )
    default_id = warehouse_default(distributor_id).pk if warehouse_id is not None else None
    for line in lines:
        number = line.order.number
        if warehouse_id is None:
            allocated = line.quantity_allocated
        else:
            allocated = line_allocation(line, default_id).get(warehouse_id, 0)
        if not allocated:
            continue
        take = min(allocated, units)
        affected.append((number, take))
        units -= take
        if units == 0:
            break
    return affected
