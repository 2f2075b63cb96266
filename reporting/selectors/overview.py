"""Seed 000's headline metrics: orders per day, cart value, stock turnover, supplier response."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from inventory.models import StockItem, StockMovement
from procurement.models import ProcurementRequest, PurchaseOrder

from ..tables import ReportTable
from .base import (
    DurationStats,
    ReportFilters,
    ReportScope,
    _duration_stats,
    _orders,
    _sold_lines,
    _span,
    money,
)
from .sales import sales_report

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
