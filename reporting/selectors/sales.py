"""Seed 003's reports: sales by product, category, distributor, region or day; fulfillment;
the monthly report."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate

from orders.models import OrderItem, OrderStatus, OrderStatusChange

from ..tables import Column, ReportTable
from . import credits as cn
from .base import (
    GROUP_BY,
    SOLD,
    TOP_PRODUCTS,
    DurationStats,
    ReportFilters,
    ReportScope,
    _duration_stats,
    _orders,
    _sold_lines,
    _span,
    money,
    month_filters,
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
SALES_COLUMNS = [
    Column("orders", "Orders", "int"),
    Column("units", "Units", "int"),
    Column("revenue", "Revenue", "money"),
]


FIGURES = {
    "orders": Count("order_id", distinct=True),
    "units": Sum("quantity"),
    "revenue": Sum("line_total"),
}


def _sales_rows(
    lines: QuerySet[OrderItem],
    group_by: str,
    limit: int | None = None,
    credited: QuerySet | None = None,
) -> list[dict]:
    """The sales grouped; with `credited` (credit note lines, reporting.selectors.credits)
    each group's credited units and taxable value come off it, and a group credited in
    the range but not sold in it is a row of its own (0 orders, negative figures)."""
    spec = _GROUPS[group_by]
    if group_by == "day":
        lines = lines.annotate(day=TruncDate("order__created_at"))
    grouped = lines.values(*spec["values"]).annotate(**FIGURES)
    if group_by == "day":
        grouped = grouped.order_by("day")
    else:
        grouped = grouped.order_by("-revenue", *spec["values"][1:])
    credits = cn.credits_by(credited, group_by) if credited is not None else {}
    if limit is not None and not credits:
        grouped = grouped[:limit]
    key = spec["key"]
    rows = [
        {
            "key": str(row[key]) if group_by in ("distributor",) else row[key],
            "label": spec["label"](row),
            "orders": row["orders"],
            "units": row["units"] or 0,
            "revenue": money(row["revenue"] or 0),
        }
        for row in grouped
    ]
    if not credits:
        return rows
    by_key = {row["key"]: row for row in rows}
    for credit_key, credit in credits.items():
        row = by_key.get(credit_key)
        if row is None:
            row = {
                "key": credit_key,
                "label": _credit_label(group_by, credit["row"]),
                "orders": 0,
                "units": 0,
                "revenue": money(0),
            }
            rows.append(row)
        row["units"] -= credit["units"]
        row["revenue"] = money(row["revenue"] - credit["revenue"])
    if group_by == "day":
        rows.sort(key=lambda r: r["key"])
    else:
        rows.sort(key=lambda r: (-r["revenue"], str(r["key"])))
    return rows[:limit] if limit is not None else rows


def _credit_label(group_by: str, row: dict) -> str:
    """A credited group's label, as the sales rows label it."""
    if group_by == "product":
        return row["invoice_line__product__name"]
    if group_by == "category":
        return row["invoice_line__product__category__name"]
    if group_by == "distributor":
        return row["credit_note__invoice__distributor__name"]
    if group_by == "region":
        return row["credit_note__invoice__distributor__region"] or "(no region)"
    return row["credit_note__issue_date"].isoformat()


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
        "revenue before tax, net of credit notes dated in the range.",
        filters=filters.labels(),
    )


def _totals(lines: QuerySet[OrderItem], credit: dict | None = None) -> dict[str, Any]:
    """The totals row; `credit`: the credited units and revenue to take off (credits.py)."""
    figures = lines.aggregate(**FIGURES)
    credit = credit or {"units": 0, "revenue": 0}
    return {
        "key": None,
        "label": "Total",
        "orders": figures["orders"] or 0,
        "units": (figures["units"] or 0) - credit["units"],
        "revenue": money((figures["revenue"] or 0) - credit["revenue"]),
    }


def sales_report(*, scope: ReportScope, filters: ReportFilters, group_by: str) -> ReportTable:
    """Sold units and revenue grouped by product, category, distributor, region or day.

    Rows: key, label, orders (distinct orders), units, revenue; best sellers
    first (days in order); the totals row counts each order once. Units and
    revenue are net of the credit notes dated in the range
    (reporting.selectors.credits). Four queries (five with a category filter).
    """
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}")
    category_ids = filters.category_ids()
    lines = _sold_lines(scope, filters, category_ids)
    credited = cn.credited_lines(scope, filters, category_ids)
    return _sales_table(
        _GROUPS[group_by]["title"],
        group_by,
        _sales_rows(lines, group_by, credited=credited),
        _totals(lines, cn.credit_totals(credited)),
        filters,
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
    # Credit notes dated in the month (issue 24): already off units, revenue and tax above.
    credit_notes: int = 0
    credited: Decimal = Decimal("0.00")  # their taxable value

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
            ("credit_notes", "Credit notes", self.credit_notes, "int"),
            ("credited", "Credited before tax", self.credited, "money"),
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
        from ..tables import cell_text

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
    and fulfillment times; units, revenue and tax by type net of the credit notes dated in
    the month. A fixed number of queries (sixteen, one more with a category)."""
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
    credited = cn.credited_lines(scope, filters, category_ids)
    credit = cn.credit_totals(credited)
    totals = _totals(lines, credit)
    whole = scope.whole_orders and not filters.narrows_lines
    orders = totals["orders"]
    notes = cn.credit_note_totals(scope, filters)
    if whole:
        tax = money((placed["tax"] or 0) - notes["tax"])
        total = money((placed["total"] or 0) - notes["total"])
        split = {
            kind: money((placed[kind] or 0) - notes[kind]) for kind in ("cgst", "sgst", "igst")
        }
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
        credit_notes=notes["count"],
        credited=credit["revenue"],
        tax=tax,
        total=total,
        **split,
        average_cart_value=average,
        fulfillment=_fulfillment(scope, filters, category_ids),
        top_products=_sales_table(
            "Top products",
            "product",
            _sales_rows(lines, "product", limit=TOP_PRODUCTS, credited=credited),
            None,
            filters,
        ),
        by_distributor=_sales_table(
            "By distributor",
            "distributor",
            _sales_rows(lines, "distributor", credited=credited),
            totals,
            filters,
        ),
        by_region=_sales_table(
            "By region", "region", _sales_rows(lines, "region", credited=credited), totals, filters
        ),
    )


def _fulfillment(scope, filters, category_ids) -> DurationStats:
    orders = _orders(scope, filters, category_ids, sold_only=False)
    deliveries = OrderStatusChange.objects.filter(
        to_status=OrderStatus.DELIVERED, order_id__in=orders.values("pk")
    )
    return _duration_stats(deliveries, _span("created_at", "order__created_at"))
