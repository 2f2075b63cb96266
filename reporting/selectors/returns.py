"""The returns report (#17 §5): what came back, by product, reason and distributor.

Definitions:

* **Cohort.** Order lines of orders placed in the range (as the sales
  reports date them), in the caller's scope, with the product, category,
  distributor and region filters. Both sides of the rate come from the same
  lines, so a rate never mixes one month's deliveries with another's returns.
* **Delivered** units: the lines' units on delivered shipments.
* **Returned** units: `orders.DemandLine.returned` of those lines: units
  received back from buyers (restockable and damaged alike), written when a
  return is received. Units only asked for, or refused, are not returned.
* **Return rate** = returned / delivered (a fraction, to 4 places; None with
  nothing delivered).
* **By reason**: the received units of the returns' lines by their reason;
  their share of all returned units, and their rate against all delivered.

Three queries whatever the number of orders: delivered and returned by
(product, distributor), received units by reason.
"""

from django.db.models import F, Sum

from orders.models import DemandLine, ShipmentLine, ShipmentStatus

from ..tables import Column, ReportTable
from .base import ReportFilters, ReportScope, _ratio, _sold_lines

PRODUCT_COLUMNS = [
    Column("sku", "SKU"),
    Column("product", "Product"),
    Column("distributor", "Distributor"),
    Column("delivered", "Delivered", "int"),
    Column("returned", "Returned", "int"),
    Column("rate", "Return rate", "percent"),
]
DISTRIBUTOR_COLUMNS = [
    Column("distributor", "Distributor"),
    Column("delivered", "Delivered", "int"),
    Column("returned", "Returned", "int"),
    Column("rate", "Return rate", "percent"),
]
REASON_COLUMNS = [
    Column("reason", "Reason"),
    Column("returned", "Returned", "int"),
    Column("restocked", "Back in stock", "int"),
    Column("damaged", "Damaged", "int"),
    Column("share", "Share of returns", "percent"),
    Column("rate", "Return rate", "percent"),
]


def _product_rows(lines) -> list[dict]:
    """Delivered and returned units of the lines by (product, distributor): two queries."""
    fields = {
        "item_product": F("order_item__product_id"),
        "item_sku": F("order_item__product__sku"),
        "item_name": F("order_item__product__name"),
        "item_distributor": F("order_item__order__distributor_id"),
        "item_distributor_name": F("order_item__order__distributor__name"),
    }
    rows: dict[tuple[int, int], dict] = {}

    def add(values, figure: str) -> None:
        row = rows.setdefault(
            (values["item_product"], values["item_distributor"]),
            {
                "sku": values["item_sku"],
                "product": values["item_name"],
                "distributor": values["item_distributor_name"],
                "delivered": 0,
                "returned": 0,
            },
        )
        row[figure] += values["units"] or 0

    delivered = (
        ShipmentLine.objects.filter(order_item__in=lines, shipment__status=ShipmentStatus.DELIVERED)
        .values(**fields)
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    for values in delivered:
        add(values, "delivered")
    returned = (
        DemandLine.objects.filter(order_item__in=lines, returned__gt=0)
        .values(**fields)
        .annotate(units=Sum("returned"))
        .order_by()
    )
    for values in returned:
        add(values, "returned")
    result = [row for row in rows.values() if row["delivered"] or row["returned"]]
    for row in result:
        row["rate"] = _ratio(row["returned"], row["delivered"])
    return result


def _totals(rows: list[dict]) -> dict:
    delivered = sum(row["delivered"] for row in rows)
    returned = sum(row["returned"] for row in rows)
    return {"delivered": delivered, "returned": returned, "rate": _ratio(returned, delivered)}


def returns_report(*, scope: ReportScope, filters: ReportFilters) -> dict[str, ReportTable]:
    """The three tables of the returns report: "product", "reason", "distributor"."""
    from returns.models import DONE_STATUSES, ReturnLine, ReturnReason

    lines = _sold_lines(scope, filters, filters.category_ids()).values("pk")
    products = sorted(
        _product_rows(lines),
        key=lambda r: (-r["returned"], -(r["rate"] or 0), r["sku"], r["distributor"]),
    )
    totals = _totals(products)
    by_distributor: dict[str, dict] = {}
    for row in products:
        entry = by_distributor.setdefault(
            row["distributor"], {"distributor": row["distributor"], "delivered": 0, "returned": 0}
        )
        entry["delivered"] += row["delivered"]
        entry["returned"] += row["returned"]
    distributors = sorted(by_distributor.values(), key=lambda r: (-r["returned"], r["distributor"]))
    for row in distributors:
        row["rate"] = _ratio(row["returned"], row["delivered"])
    labels = dict(ReturnReason.choices)
    reasons = [
        {
            "reason": labels.get(values["reason"], values["reason"]),
            "restocked": values["restocked"] or 0,
            "damaged": values["damaged"] or 0,
        }
        for values in ReturnLine.objects.filter(
            order_item__in=lines, request__status__in=DONE_STATUSES
        )
        .values("reason")
        .annotate(restocked=Sum("quantity_restocked"), damaged=Sum("quantity_damaged"))
        .order_by()
    ]
    all_returned = sum(r["restocked"] + r["damaged"] for r in reasons)
    for row in reasons:
        row["returned"] = row["restocked"] + row["damaged"]
        row["share"] = _ratio(row["returned"], all_returned)
        row["rate"] = _ratio(row["returned"], totals["delivered"])
    reasons = [
        r for r in sorted(reasons, key=lambda r: (-r["returned"], r["reason"])) if r["returned"]
    ]
    shown = filters.labels()
    return {
        "product": ReportTable(
            "Returns by product",
            PRODUCT_COLUMNS,
            products,
            totals={"sku": "", **totals},
            subtitle="Units of orders placed in the range: delivered, and received back.",
            filters=shown,
        ),
        "reason": ReportTable(
            "Returns by reason",
            REASON_COLUMNS,
            reasons,
            totals={
                "returned": all_returned,
                "restocked": sum(r["restocked"] for r in reasons),
                "damaged": sum(r["damaged"] for r in reasons),
                "share": _ratio(all_returned, all_returned),
                "rate": _ratio(all_returned, totals["delivered"]),
            },
            subtitle="Units received back, by the reason the buyer gave.",
            filters=shown,
        ),
        "distributor": ReportTable(
            "Returns by distributor",
            DISTRIBUTOR_COLUMNS,
            distributors,
            totals=dict(totals),
            subtitle="Delivered and returned units of each distributor's orders.",
            filters=shown,
        ),
    }
