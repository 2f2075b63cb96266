"""Reorder performance: stockouts, fill rate, days of cover, request to receipt time and
the suppliers' on-time rate."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.utils import timezone

from accounts.models import Organization
from inventory.models import StockMovement
from orders.models import DemandLine
from procurement.models import ProcurementRequest, PurchaseOrder

from ..tables import Column, ReportTable
from .base import (
    CENT,
    US_PER_DAY,
    DurationStats,
    ReportFilters,
    ReportScope,
    _duration_stats,
    _ratio,
    _span,
)
from .overview import Ratio, _balance_at, _narrow_pos, _stock

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
