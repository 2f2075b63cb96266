"""Read-only reports: every figure is computed by the database (aggregates, Trunc*, subqueries).

Definitions, used everywhere in this module:

* **Sales.** An order counts as a sale unless it is rejected or cancelled
  (`SOLD`). It is dated by its `created_at` (when it was placed) taken as a
  local date (settings.TIME_ZONE). A date range is inclusive of both ends:
  `start` 00:00 local up to, not including, the day after `end` 00:00 local.
* **Revenue** is the sum of the order lines' `line_total` (price snapshots,
  before tax). The monthly report also gives the orders' tax and total, but
  only where whole orders are in view (see ReportScope.whole_orders).
* **Money** is Decimal, to the cent, rounded half-up (a mean of money is the
  database's sum divided by the database's count, then rounded).
* **Durations** (fulfillment, supplier response, request to receipt) are in
  hours, Decimal to 0.01. The median is the middle value (the mean of the two
  middle values for an even count); p90 is the nearest-rank 90th percentile:
  the value at rank ceil(0.9 * n) of the values in ascending order.
* **Fulfillment time** of an order: placed (its created_at, the moment its
  `placed` status change was written in the same transaction) to the
  `delivered` OrderStatusChange, for orders placed in the range.
* **Demand** is the record written when an order line is placed or refused
  (`orders.DemandLine`): units requested, allocated at once, backordered or
  refused. Backordered units count once, when asked for, not again when they
  ship; a "ship complete" order refused for short stock is demand too.
* **Stock turnover rate**: units sold in the range / average on hand, where
  units sold = the units that left the shelf to buyers: minus the sum of the
  ledger's `shipment` movements in the range (and, for orders from before
  allocations, their `sale`, `return` and `allocation_migrated` rows, which
  net out to what was dispatched) and
  average on hand = (on hand at the start + on hand at the end) / 2, each read
  from the ledger (the `balance_after` of each stock item's last movement
  before that moment, summed). Decimal to 4 places; None with no stock.
* **Stockouts**: a stock item is out of stock (nothing on the shelf) from a
  movement that leaves `balance_after` = 0 to its next movement (the ledger never goes below 0, so
  the next movement always restocks). Events = stockouts that began in the
  range; days = the time spent at 0 within the range (and not after now), in
  days to 0.01.
* **Fill rate** = demand lines allocated in full when asked for / all demand
  lines asked for in the range (placed or refused for short stock): how often
  a buyer got at once all it asked for. A backordered or refused line is not
  filled; what happened to the order later (cancelled, rejected) does not
  change what the shelf could serve when it was asked.
* **Days of cover** of a stock item: its stock (available now, for a range
  that reaches today; else on hand at the end of the range) / (units demanded
  in the last `window_days` days up to the end of the range / window_days),
  to 0.1 days; 0 with no stock; None when nothing was asked for in the window.
* **Request to receipt**: a procurement request's created_at to its
  fulfilled_at (the goods receipt that completed it), for requests fulfilled
  in the range.
* **Supplier response time**: a purchase order's sent_at to responded_at
  (confirmed or proposed), for POs sent in the range and answered.
* **Supplier on-time rate**: POs fully received in the range whose local
  receipt date is on or before their expected_date / POs fully received in the
  range.

Each report costs a fixed, small number of queries whatever the number of
orders (the tests count them). Date truncation uses the current time zone:
on MySQL/MariaDB a TIME_ZONE other than UTC needs the server's time zone
tables loaded (mysql_tzinfo_to_sql), as Django documents.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BigIntegerField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least, RowNumber, TruncDate
from django.utils import timezone

from accounts.models import Organization
from catalog.models import Category, Product
from catalog.selectors import category_with_descendants
from inventory.models import StockItem, StockMovement
from orders.models import DemandLine, Order, OrderItem, OrderStatus, OrderStatusChange
from procurement.models import ProcurementRequest, PurchaseOrder

from .tables import Column, ReportTable

CENT = Decimal("0.01")
NOT_SOLD = (OrderStatus.REJECTED, OrderStatus.CANCELLED)
SOLD = ~Q(status__in=NOT_SOLD)
GROUP_BY = ("product", "category", "distributor", "region", "day")
US_PER_HOUR = Decimal(3_600_000_000)
US_PER_DAY = Decimal(86_400_000_000)
TOP_PRODUCTS = 10


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _hours(microseconds) -> Decimal:
    return (Decimal(microseconds) / US_PER_HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(numerator: int, denominator: int, places: str = "0.0001") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


# --- Who sees what ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """What one user's reports cover.

    * `all`: staff with `reporting.view_reports` (the procurement group, superusers);
    * `manufacturer`: order lines and stock of its products, POs addressed to it;
    * `distributor`: its own sales (orders it received), its stock, its POs;
    * `retailer`: its organization's purchases (orders with buyer_organization = it);
      no stock or procurement.
    Customers have no reports: `for_user` raises PermissionDenied.
    """

    kind: str
    organization: Organization | None = None

    ALL = "all"

    @classmethod
    def for_user(cls, user) -> "ReportScope":
        if not (user and user.is_authenticated and user.is_active):
            raise PermissionDenied("Sign in to see reports.")
        if user.is_staff and user.has_perm("reporting.view_reports"):
            return cls(cls.ALL)
        if user.organization_id:
            return cls(user.organization.kind, user.organization)
        raise PermissionDenied("Reports are for organizations and staff; customers have none.")

    @property
    def whole_orders(self) -> bool:
        """Whether each order in view is seen whole (a manufacturer sees only its lines)."""
        return self.kind != Organization.Kind.MANUFACTURER

    def lines(self, qs: QuerySet[OrderItem]) -> QuerySet[OrderItem]:
        org = self.organization
        if self.kind == Organization.Kind.MANUFACTURER:
            return qs.filter(product__manufacturer=org)
        if self.kind == Organization.Kind.DISTRIBUTOR:
            return qs.filter(order__distributor=org)
        if self.kind == Organization.Kind.RETAILER:
            return qs.filter(order__buyer_organization=org)
        return qs

    def orders(self, qs: QuerySet[Order]) -> QuerySet[Order]:
        org = self.organization
        if self.kind == Organization.Kind.MANUFACTURER:
            return qs.filter(
                pk__in=OrderItem.objects.filter(product__manufacturer=org).values("order_id")
            )
        if self.kind == Organization.Kind.DISTRIBUTOR:
            return qs.filter(distributor=org)
        if self.kind == Organization.Kind.RETAILER:
            return qs.filter(buyer_organization=org)
        return qs

    def stock(self, qs: QuerySet[StockItem], prefix: str = "") -> QuerySet:
        org = self.organization
        if self.kind == Organization.Kind.MANUFACTURER:
            return qs.filter(**{f"{prefix}product__manufacturer": org})
        if self.kind == Organization.Kind.DISTRIBUTOR:
            return qs.filter(**{f"{prefix}distributor": org})
        if self.kind == Organization.Kind.RETAILER:
            return qs.none()
        return qs

    def procurement(self, qs: QuerySet) -> QuerySet:
        """Purchase orders or procurement requests (both have supplier and distributor)."""
        org = self.organization
        if self.kind == Organization.Kind.MANUFACTURER:
            return qs.filter(supplier=org)
        if self.kind == Organization.Kind.DISTRIBUTOR:
            return qs.filter(distributor=org)
        if self.kind == Organization.Kind.RETAILER:
            return qs.none()
        return qs


@dataclass(frozen=True)
class ReportFilters:
    """The range (local dates, both inclusive) and the optional narrowing filters."""

    start: datetime.date
    end: datetime.date
    product: Product | None = None
    category: Category | None = None
    distributor: Organization | None = None
    region: str = ""

    @property
    def start_at(self) -> datetime.datetime:
        return _start_of(self.start)

    @property
    def end_before(self) -> datetime.datetime:
        """The first moment after the range: the day after `end`, 00:00 local."""
        return _start_of(self.end + datetime.timedelta(days=1))

    @property
    def narrows_lines(self) -> bool:
        return self.product is not None or self.category is not None

    def category_ids(self) -> list[int]:
        return category_with_descendants(self.category) if self.category is not None else []

    def labels(self) -> dict[str, str]:
        shown = {"From": self.start.isoformat(), "To": self.end.isoformat()}
        if self.product is not None:
            shown["Product"] = f"{self.product.name} ({self.product.sku})"
        if self.category is not None:
            shown["Category"] = self.category.name
        if self.distributor is not None:
            shown["Distributor"] = self.distributor.name
        if self.region:
            shown["Region"] = self.region
        return shown

    def product_q(self, prefix: str, category_ids: list[int]) -> Q:
        """Product and category filters on a relation `<prefix>product`."""
        q = Q()
        if self.product is not None:
            q &= Q(**{f"{prefix}product": self.product})
        if self.category is not None:
            q &= Q(**{f"{prefix}product__category_id__in": category_ids})
        return q

    def distributor_q(self, prefix: str) -> Q:
        """Distributor and region filters on a relation `<prefix>distributor`."""
        q = Q()
        if self.distributor is not None:
            q &= Q(**{f"{prefix}distributor": self.distributor})
        if self.region:
            q &= Q(**{f"{prefix}distributor__region": self.region})
        return q


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def last_month_with_sales(
    *, scope: ReportScope, today: datetime.date | None = None
) -> tuple[int, int] | None:
    """(year, month) the monthly report opens on: the latest complete month with a sold order in
    view, else the current month when only it has some; None with no sales at all. One query."""
    today = today or timezone.localdate()
    this_month = _start_of(today.replace(day=1))
    found = (
        scope.orders(Order.objects.filter(SOLD))
        .order_by()
        .aggregate(
            before=Max("created_at", filter=Q(created_at__lt=this_month)),
            current=Max("created_at", filter=Q(created_at__gte=this_month)),
        )
    )
    latest = found["before"] or found["current"]
    if latest is None:
        return None
    local = timezone.localtime(latest)
    return local.year, local.month


def month_filters(year: int, month: int, **narrowing) -> ReportFilters:
    first = datetime.date(year, month, 1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return ReportFilters(start=first, end=following - datetime.timedelta(days=1), **narrowing)


# --- Querysets every report starts from ---------------------------------------------------


def _sold_lines(scope: ReportScope, filters: ReportFilters, category_ids) -> QuerySet[OrderItem]:
    lines = scope.lines(OrderItem.objects.all()).filter(
        ~Q(order__status__in=NOT_SOLD),
        order__created_at__gte=filters.start_at,
        order__created_at__lt=filters.end_before,
    )
    return lines.filter(
        filters.product_q("", category_ids) & filters.distributor_q("order__")
    ).order_by()


def _orders(
    scope: ReportScope, filters: ReportFilters, category_ids, *, sold_only: bool = True
) -> QuerySet[Order]:
    orders = scope.orders(Order.objects.all()).filter(
        created_at__gte=filters.start_at, created_at__lt=filters.end_before
    )
    if sold_only:
        orders = orders.filter(SOLD)
    orders = orders.filter(filters.distributor_q(""))
    if filters.narrows_lines:
        orders = orders.filter(
            pk__in=OrderItem.objects.filter(filters.product_q("", category_ids)).values("order_id")
        )
    return orders.order_by()


def _span(end: str, start: str) -> ExpressionWrapper:
    """end - start in microseconds, as an integer on every backend."""
    return ExpressionWrapper(F(end) - F(start), output_field=BigIntegerField())


# --- Duration statistics -----------------------------------------------------------------


@dataclass(frozen=True)
class DurationStats:
    """Count, mean, median and p90 of a set of durations, in hours (see the module docstring)."""

    count: int
    mean_hours: Decimal | None
    median_hours: Decimal | None
    p90_hours: Decimal | None


def _duration_stats(qs: QuerySet, span: ExpressionWrapper) -> DurationStats:
    """Two queries: count and sum, then the values at the middle and p90 ranks (a window)."""
    qs = qs.order_by().annotate(span_us=span)
    totals = qs.aggregate(n=Count("pk"), total=Sum("span_us"))
    n = totals["n"]
    if not n:
        return DurationStats(0, None, None, None)
    low, high, p90 = (n + 1) // 2, (n + 2) // 2, math.ceil(n * 9 / 10)
    ranked = (
        qs.annotate(rank=Window(RowNumber(), order_by=[F("span_us").asc(), F("pk").asc()]))
        .filter(rank__in={low, high, p90})
        .values_list("rank", "span_us")
    )
    at = {rank: int(span_us) for rank, span_us in ranked}
    return DurationStats(
        count=n,
        mean_hours=_hours(Decimal(totals["total"]) / n),
        median_hours=_hours(Decimal(at[low] + at[high]) / 2),
        p90_hours=_hours(at[p90]),
    )


# --- Seed 000: headline metrics ----------------------------------------------------------


@dataclass(frozen=True)
class StockTurnover:
    units_sold: int
    on_hand_start: int
    on_hand_end: int
    average_on_hand: Decimal
    rate: Decimal | None


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int
    rate: Decimal | None  # a fraction, to 4 places (0.8571 is 85.71 %)


@dataclass(frozen=True)
class Overview:
    """The seed's headline metrics for one range."""

    orders: int
    revenue: Decimal
    average_cart_value: Decimal | None
    procurement_requests: int
    stock_turnover: StockTurnover
    supplier_response: DurationStats


SALES_COLUMNS = [
    Column("orders", "Orders", "int"),
    Column("units", "Units", "int"),
    Column("revenue", "Revenue", "money"),
]


def orders_per_day(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """Sold orders, units and revenue for every day of the range (days without orders: 0)."""
    table = sales_report(scope=scope, filters=filters, group_by="day")
    found = {row["key"]: row for row in table.rows}
    rows = []
    day = filters.start
    while day <= filters.end:
        rows.append(
            found.get(day)
            or {"key": day, "label": day.isoformat(), "orders": 0, "units": 0, "revenue": money(0)}
        )
        day += datetime.timedelta(days=1)
    table.title = "Orders per day"
    table.rows = rows
    return table


def average_cart_value(*, scope: ReportScope, filters: ReportFilters) -> Decimal | None:
    """Mean order total (tax included) of the sold orders in the range, to the cent.

    Where orders are not seen whole (a manufacturer, or a product or category
    filter) it is the mean, per order, of the revenue of the lines in view.
    """
    category_ids = filters.category_ids()
    if scope.whole_orders and not filters.narrows_lines:
        figures = _orders(scope, filters, category_ids).aggregate(n=Count("pk"), total=Sum("total"))
    else:
        figures = _sold_lines(scope, filters, category_ids).aggregate(
            n=Count("order_id", distinct=True), total=Sum("line_total")
        )
    if not figures["n"]:
        return None
    return money(figures["total"] / figures["n"])


def procurement_requests_generated(*, scope: ReportScope, filters: ReportFilters) -> int:
    """Procurement requests (automatic and by hand) created in the range."""
    requests = scope.procurement(ProcurementRequest.objects.all()).filter(
        created_at__gte=filters.start_at, created_at__lt=filters.end_before
    )
    requests = requests.filter(
        filters.product_q("", filters.category_ids()) & filters.distributor_q("")
    )
    return requests.count()


def _balance_at(moment: datetime.datetime) -> Coalesce:
    """A stock item's on hand just before `moment`, from the ledger (0 before its first move)."""
    last = (
        StockMovement.objects.filter(stock_item=OuterRef("pk"), created_at__lt=moment)
        .order_by("-created_at", "-pk")
        .values("balance_after")[:1]
    )
    return Coalesce(Subquery(last, output_field=IntegerField()), Value(0))


def _stock(scope: ReportScope, filters: ReportFilters, category_ids) -> QuerySet[StockItem]:
    items = scope.stock(StockItem.objects.all())
    return items.filter(filters.product_q("", category_ids) & filters.distributor_q("")).order_by()


# The ledger rows of units leaving the shelf to buyers: dispatches, and for orders from
# before allocations their sales, returns and the reversal that turned open ones into
# allocations (which the later dispatch takes again).
OUTFLOW_KINDS = [
    StockMovement.Kind.SHIPMENT,
    StockMovement.Kind.SALE,
    StockMovement.Kind.RETURN,
    StockMovement.Kind.ALLOCATION_MIGRATED,
]


def _units_sold(scope, filters, category_ids, since, before) -> QuerySet[StockMovement]:
    moves = scope.stock(StockMovement.objects.all(), prefix="stock_item__").filter(
        kind__in=OUTFLOW_KINDS,
        created_at__gte=since,
        created_at__lt=before,
    )
    return moves.filter(
        filters.product_q("stock_item__", category_ids) & filters.distributor_q("stock_item__")
    ).order_by()


def stock_turnover(*, scope: ReportScope, filters: ReportFilters) -> StockTurnover:
    """Units sold / average on hand over the range (module docstring). Two queries."""
    category_ids = filters.category_ids()
    levels = (
        _stock(scope, filters, category_ids)
        .annotate(at_start=_balance_at(filters.start_at), at_end=_balance_at(filters.end_before))
        .aggregate(start=Sum("at_start"), end=Sum("at_end"))
    )
    moved = _units_sold(
        scope, filters, category_ids, filters.start_at, filters.end_before
    ).aggregate(q=Sum("quantity"))["q"]
    units = -(moved or 0)
    start, end = levels["start"] or 0, levels["end"] or 0
    average = Decimal(start + end) / 2
    rate = (
        (Decimal(units) / average).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        if average
        else None
    )
    return StockTurnover(units, start, end, average, rate)


def supplier_response_time(*, scope: ReportScope, filters: ReportFilters) -> DurationStats:
    """sent_at -> responded_at of the purchase orders sent in the range and answered."""
    pos = scope.procurement(PurchaseOrder.objects.all()).filter(
        sent_at__gte=filters.start_at,
        sent_at__lt=filters.end_before,
        responded_at__isnull=False,
    )
    pos = _narrow_pos(pos, filters)
    return _duration_stats(pos, _span("responded_at", "sent_at"))


def _narrow_pos(pos: QuerySet[PurchaseOrder], filters: ReportFilters) -> QuerySet[PurchaseOrder]:
    pos = pos.filter(filters.distributor_q(""))
    if filters.narrows_lines:
        pos = pos.filter(
            pk__in=PurchaseOrder.objects.filter(
                filters.product_q("lines__", filters.category_ids())
            ).values("pk")
        )
    return pos


def overview(*, scope: ReportScope, filters: ReportFilters) -> Overview:
    category_ids = filters.category_ids()
    sold = _sold_lines(scope, filters, category_ids).aggregate(
        orders=Count("order_id", distinct=True), revenue=Sum("line_total")
    )
    return Overview(
        orders=sold["orders"] or 0,
        revenue=money(sold["revenue"] or 0),
        average_cart_value=average_cart_value(scope=scope, filters=filters),
        procurement_requests=procurement_requests_generated(scope=scope, filters=filters),
        stock_turnover=stock_turnover(scope=scope, filters=filters),
        supplier_response=supplier_response_time(scope=scope, filters=filters),
    )


# --- Seed 003: sales, fulfillment, the monthly report --------------------------------------

_GROUPS: dict[str, dict[str, Any]] = {
    "product": {
        "values": ("product_id", "product__sku", "product__name"),
        "key": "product__sku",
        "label": lambda r: r["product__name"],
        "title": "Sales by product",
        "key_label": "SKU",
    },
    "category": {
        "values": ("product__category_id", "product__category__slug", "product__category__name"),
        "key": "product__category__slug",
        "label": lambda r: r["product__category__name"],
        "title": "Sales by category",
        "key_label": "Category",
    },
    "distributor": {
        "values": ("order__distributor_id", "order__distributor__name"),
        "key": "order__distributor_id",
        "label": lambda r: r["order__distributor__name"],
        "title": "Sales by distributor",
        "key_label": "Distributor id",
    },
    "region": {
        "values": ("order__distributor__region",),
        "key": "order__distributor__region",
        "label": lambda r: r["order__distributor__region"] or "(no region)",
        "title": "Sales by region",
        "key_label": "Region",
    },
    "day": {
        "values": ("day",),
        "key": "day",
        "label": lambda r: r["day"].isoformat(),
        "title": "Sales by day",
        "key_label": "Day",
    },
}
FIGURES = {
    "orders": Count("order_id", distinct=True),
    "units": Sum("quantity"),
    "revenue": Sum("line_total"),
}


def _sales_rows(lines: QuerySet[OrderItem], group_by: str, limit: int | None = None) -> list[dict]:
    spec = _GROUPS[group_by]
    if group_by == "day":
        lines = lines.annotate(day=TruncDate("order__created_at"))
    grouped = lines.values(*spec["values"]).annotate(**FIGURES)
    if group_by == "day":
        grouped = grouped.order_by("day")
    else:
        grouped = grouped.order_by("-revenue", *spec["values"][1:])
    if limit is not None:
        grouped = grouped[:limit]
    key = spec["key"]
    return [
        {
            "key": str(row[key]) if group_by in ("distributor",) else row[key],
            "label": spec["label"](row),
            "orders": row["orders"],
            "units": row["units"] or 0,
            "revenue": money(row["revenue"] or 0),
        }
        for row in grouped
    ]


def _sales_table(title, group_by, rows, totals, filters) -> ReportTable:
    spec = _GROUPS[group_by]
    key_kind = "date" if group_by == "day" else "text"
    return ReportTable(
        title=title,
        columns=[
            Column("key", spec["key_label"], key_kind),
            Column("label", "Name" if group_by != "day" else "Day", "text"),
            *SALES_COLUMNS,
        ],
        rows=rows,
        totals=totals,
        subtitle="Orders other than rejected and cancelled, by the day they were placed; "
        "revenue before tax.",
        filters=filters.labels(),
    )


def _totals(lines: QuerySet[OrderItem]) -> dict[str, Any]:
    figures = lines.aggregate(**FIGURES)
    return {
        "key": None,
        "label": "Total",
        "orders": figures["orders"] or 0,
        "units": figures["units"] or 0,
        "revenue": money(figures["revenue"] or 0),
    }


def sales_report(*, scope: ReportScope, filters: ReportFilters, group_by: str) -> ReportTable:
    """Sold units and revenue grouped by product, category, distributor, region or day.

    Rows: key, label, orders (distinct orders), units, revenue; best sellers
    first (days in order); the totals row counts each order once. Two queries
    (three with a category filter).
    """
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}")
    lines = _sold_lines(scope, filters, filters.category_ids())
    return _sales_table(
        _GROUPS[group_by]["title"], group_by, _sales_rows(lines, group_by), _totals(lines), filters
    )


def fulfillment_times(*, scope: ReportScope, filters: ReportFilters) -> DurationStats:
    """Placed -> delivered of the orders placed in the range that were delivered."""
    return _fulfillment(scope, filters, filters.category_ids())


@dataclass
class MonthlyReport:
    """One month's figures (see the module docstring for what counts).

    `tax` and `total` are None where orders are not seen whole (a
    manufacturer sees its own lines' revenue only).
    """

    year: int
    month: int
    filters: ReportFilters
    orders: int
    orders_placed: int
    orders_cancelled: int
    orders_rejected: int
    units: int
    subtotal: Decimal
    tax: Decimal | None
    total: Decimal | None
    average_cart_value: Decimal | None
    fulfillment: DurationStats
    top_products: ReportTable
    by_distributor: ReportTable
    by_region: ReportTable
    # The tax split by type (GST, auromart.tax); None like `tax`.
    cgst: Decimal | None = None
    sgst: Decimal | None = None
    igst: Decimal | None = None

    @property
    def title(self) -> str:
        return f"Monthly report {self.year}-{self.month:02d}"

    def summary(self) -> list[tuple[str, str, Any, str]]:
        """(key, label, value, kind) of each headline figure."""
        f = self.fulfillment
        return [
            ("orders", "Orders (sold)", self.orders, "int"),
            ("orders_placed", "Orders placed", self.orders_placed, "int"),
            ("orders_cancelled", "Orders cancelled", self.orders_cancelled, "int"),
            ("orders_rejected", "Orders rejected", self.orders_rejected, "int"),
            ("units", "Units sold", self.units, "int"),
            ("subtotal", "Revenue before tax", self.subtotal, "money"),
            ("tax", "Tax", self.tax, "money"),
            ("cgst", "of which CGST", self.cgst, "money"),
            ("sgst", "of which SGST", self.sgst, "money"),
            ("igst", "of which IGST", self.igst, "money"),
            ("total", "Revenue with tax", self.total, "money"),
            ("average_cart_value", "Average cart value", self.average_cart_value, "money"),
            ("fulfillment_count", "Orders delivered", f.count, "int"),
            ("fulfillment_mean_hours", "Fulfillment, mean hours", f.mean_hours, "decimal"),
            ("fulfillment_median_hours", "Fulfillment, median hours", f.median_hours, "decimal"),
            ("fulfillment_p90_hours", "Fulfillment, p90 hours", f.p90_hours, "decimal"),
        ]

    def as_table(self) -> ReportTable:
        """Everything in one table (for CSV): the summary, then each breakdown by section."""
        from .tables import cell_text

        rows = [
            {"section": "summary", "key": key, "label": label, "value": cell_text(value, kind)}
            for key, label, value, kind in self.summary()
        ]
        for section, table in (
            ("top_products", self.top_products),
            ("by_distributor", self.by_distributor),
            ("by_region", self.by_region),
        ):
            rows.extend({"section": section, **row} for row in table.rows)
        return ReportTable(
            title=self.title,
            columns=[
                Column("section", "Section"),
                Column("key", "Key"),
                Column("label", "Name"),
                Column("value", "Value"),
                *SALES_COLUMNS,
            ],
            rows=rows,
            filters=self.filters.labels(),
        )


def monthly_report(*, scope: ReportScope, year: int, month: int, **narrowing) -> MonthlyReport:
    """The month's orders, revenue, units, average cart, top products, distributors, regions
    and fulfillment times. A fixed number of queries (eleven, one more with a category)."""
    filters = month_filters(year, month, **narrowing)
    category_ids = filters.category_ids()
    placed = _orders(scope, filters, category_ids, sold_only=False).aggregate(
        placed=Count("pk"),
        cancelled=Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
        rejected=Count("pk", filter=Q(status=OrderStatus.REJECTED)),
        sold=Count("pk", filter=SOLD),
        tax=Sum("tax", filter=SOLD),
        cgst=Sum("cgst", filter=SOLD),
        sgst=Sum("sgst", filter=SOLD),
        igst=Sum("igst", filter=SOLD),
        total=Sum("total", filter=SOLD),
    )
    lines = _sold_lines(scope, filters, category_ids)
    totals = _totals(lines)
    whole = scope.whole_orders and not filters.narrows_lines
    orders = totals["orders"]
    if whole:
        tax, total = money(placed["tax"] or 0), money(placed["total"] or 0)
        split = {kind: money(placed[kind] or 0) for kind in ("cgst", "sgst", "igst")}
        average = money(total / orders) if orders else None
    else:
        tax = total = None
        split = {"cgst": None, "sgst": None, "igst": None}
        average = money(totals["revenue"] / orders) if orders else None
    return MonthlyReport(
        year=year,
        month=month,
        filters=filters,
        orders=orders,
        orders_placed=placed["placed"],
        orders_cancelled=placed["cancelled"],
        orders_rejected=placed["rejected"],
        units=totals["units"],
        subtotal=totals["revenue"],
        tax=tax,
        total=total,
        **split,
        average_cart_value=average,
        fulfillment=_fulfillment(scope, filters, category_ids),
        top_products=_sales_table(
            "Top products",
            "product",
            _sales_rows(lines, "product", limit=TOP_PRODUCTS),
            None,
            filters,
        ),
        by_distributor=_sales_table(
            "By distributor", "distributor", _sales_rows(lines, "distributor"), totals, filters
        ),
        by_region=_sales_table(
            "By region", "region", _sales_rows(lines, "region"), totals, filters
        ),
    )


def _fulfillment(scope, filters, category_ids) -> DurationStats:
    orders = _orders(scope, filters, category_ids, sold_only=False)
    deliveries = OrderStatusChange.objects.filter(
        to_status=OrderStatus.DELIVERED, order_id__in=orders.values("pk")
    )
    return _duration_stats(deliveries, _span("created_at", "order__created_at"))


# --- Reorder performance -------------------------------------------------------------------


def stockouts(
    *, scope: ReportScope, filters: ReportFilters, now: datetime.datetime | None = None
) -> ReportTable:
    """Per stock item that was out of stock in the range: events begun, days at zero (one query)."""
    category_ids = filters.category_ids()
    start, end = filters.start_at, min(filters.end_before, now or timezone.now())
    following = (
        StockMovement.objects.filter(stock_item=OuterRef("stock_item"))
        .filter(
            Q(created_at__gt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
        )
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    zeros = (
        scope.stock(StockMovement.objects.all(), prefix="stock_item__")
        .filter(
            filters.product_q("stock_item__", category_ids) & filters.distributor_q("stock_item__")
        )
        .filter(balance_after=0, created_at__lt=end)
        .annotate(restocked_at=Subquery(following))
        .filter(Q(restocked_at__isnull=True) | Q(restocked_at__gt=start))
        .annotate(
            zero_from=Greatest(F("created_at"), Value(start)),
            zero_to=Least(Coalesce(F("restocked_at"), Value(end)), Value(end)),
        )
        .order_by()
    )
    grouped = (
        zeros.values(
            "stock_item_id",
            "stock_item__product__sku",
            "stock_item__product__name",
            "stock_item__distributor__name",
        )
        .annotate(
            events=Count("pk", filter=Q(created_at__gte=start)),
            zero_us=Sum(_span("zero_to", "zero_from")),
        )
        .order_by("stock_item__product__name", "stock_item__distributor__name", "stock_item_id")
    )
    rows = [
        {
            "sku": row["stock_item__product__sku"],
            "product": row["stock_item__product__name"],
            "distributor": row["stock_item__distributor__name"],
            "events": row["events"],
            "days": (Decimal(row["zero_us"] or 0) / US_PER_DAY).quantize(
                CENT, rounding=ROUND_HALF_UP
            ),
        }
        for row in grouped
    ]
    return ReportTable(
        title="Stockouts",
        columns=[
            Column("sku", "SKU"),
            Column("product", "Product"),
            Column("distributor", "Distributor"),
            Column("events", "Stockouts begun", "int"),
            Column("days", "Days at zero", "days"),
        ],
        rows=rows,
        totals={
            "sku": None,
            "events": sum(r["events"] for r in rows),
            "days": sum((r["days"] for r in rows), Decimal("0.00")),
        },
        subtitle="Out of stock: from a movement leaving 0 on hand to the next movement.",
        filters=filters.labels(),
    )


def _demand(scope: ReportScope, filters: ReportFilters, category_ids) -> QuerySet[DemandLine]:
    """Demand lines in view: the scope's, in the range, narrowed by the filters."""
    org = scope.organization
    lines = DemandLine.objects.filter(
        created_at__gte=filters.start_at, created_at__lt=filters.end_before
    )
    if scope.kind == Organization.Kind.MANUFACTURER:
        lines = lines.filter(product__manufacturer=org)
    elif scope.kind == Organization.Kind.DISTRIBUTOR:
        lines = lines.filter(distributor=org)
    elif scope.kind == Organization.Kind.RETAILER:
        lines = lines.filter(buyer_organization=org)
    return lines.filter(filters.product_q("", category_ids) & filters.distributor_q("")).order_by()


def fill_rate(*, scope: ReportScope, filters: ReportFilters) -> Ratio:
    """Demand lines allocated in full when asked for / demand lines asked for in the range
    (module docstring). One query."""
    figures = _demand(scope, filters, filters.category_ids()).aggregate(
        asked=Count("pk"), filled=Count("pk", filter=Q(allocated=F("requested")))
    )
    return Ratio(figures["filled"], figures["asked"], _ratio(figures["filled"], figures["asked"]))


def days_of_cover(
    *, scope: ReportScope, filters: ReportFilters, window_days: int = 30
) -> ReportTable:
    """Per stock item: the stock at the end of the range and how many days it lasts at the rate
    demanded over the last `window_days` days of the range. One query.

    The stock is what is available (on hand less allocated and held) when the range reaches
    today: units promised to open orders cover nobody's next order. For a range in the past it
    is the ledger's on hand at its end (allocations are not in the ledger). No stock is 0 days
    of cover whether or not anything was asked for: an item with nothing to sell has run out.
    """
    category_ids = filters.category_ids()
    end = filters.end_before
    since = end - datetime.timedelta(days=window_days)
    current = filters.end >= timezone.localdate()
    demanded = (
        DemandLine.objects.filter(
            product=OuterRef("product"),
            distributor=OuterRef("distributor"),
            created_at__gte=since,
            created_at__lt=end,
        )
        .order_by()
        .values("product")
        .annotate(q=Sum("requested"))
        .values("q")
    )
    items = (
        _stock(scope, filters, category_ids)
        .annotate(
            on_hand_end=_balance_at(end),
            asked=Coalesce(Subquery(demanded, output_field=IntegerField()), Value(0)),
        )
        .values(
            "pk",
            "product__sku",
            "product__name",
            "distributor__name",
            "on_hand_end",
            "asked",
            "on_hand",
            "allocated",
            "held",
        )
        .order_by("product__name", "distributor__name", "pk")
    )
    rows = []
    for item in items:
        units = item["asked"]
        daily = (Decimal(units) / window_days).quantize(CENT, rounding=ROUND_HALF_UP)
        available = max(item["on_hand"] - item["allocated"] - item["held"], 0) if current else None
        stock = item["on_hand_end"] if available is None else available
        if stock <= 0:
            cover = Decimal("0.0")
        elif units > 0:
            cover = (Decimal(stock) * window_days / units).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
        else:
            cover = None
        rows.append(
            {
                "sku": item["product__sku"],
                "product": item["product__name"],
                "distributor": item["distributor__name"],
                "on_hand": item["on_hand_end"],
                "available": available,
                "demand": units,
                "daily": daily,
                "cover": cover,
            }
        )
    return ReportTable(
        title="Days of cover",
        columns=[
            Column("sku", "SKU"),
            Column("product", "Product"),
            Column("distributor", "Distributor"),
            Column("on_hand", "On hand", "int"),
            Column("available", "Available now", "int"),
            Column("demand", f"Demand, last {window_days} days", "int"),
            Column("daily", "Demand per day", "decimal"),
            Column("cover", "Days of cover", "days"),
        ],
        rows=rows,
        subtitle=f"Available now (on hand at the end of the range for a past range) / average "
        f"daily units asked for over the last {window_days} days (placed or refused); 0 with "
        "nothing available, empty when nothing was asked for.",
        filters=filters.labels(),
    )


def request_to_receipt_time(*, scope: ReportScope, filters: ReportFilters) -> DurationStats:
    """created_at -> fulfilled_at of the procurement requests fulfilled in the range."""
    requests = scope.procurement(ProcurementRequest.objects.all()).filter(
        fulfilled_at__gte=filters.start_at, fulfilled_at__lt=filters.end_before
    )
    requests = requests.filter(
        filters.product_q("", filters.category_ids()) & filters.distributor_q("")
    )
    return _duration_stats(requests, _span("fulfilled_at", "created_at"))


def supplier_on_time_rate(*, scope: ReportScope, filters: ReportFilters) -> Ratio:
    """POs fully received in the range on or before their expected date / POs received. One
    query."""
    pos = scope.procurement(PurchaseOrder.objects.all()).filter(
        received_at__gte=filters.start_at, received_at__lt=filters.end_before
    )
    figures = (
        _narrow_pos(pos, filters)
        .order_by()
        .annotate(received_on=TruncDate("received_at"))
        .aggregate(
            received=Count("pk"), on_time=Count("pk", filter=Q(received_on__lte=F("expected_date")))
        )
    )
    return Ratio(
        figures["on_time"], figures["received"], _ratio(figures["on_time"], figures["received"])
    )
