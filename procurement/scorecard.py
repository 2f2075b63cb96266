"""Supplier scorecard: how each supplier served the distributors over a period.

Per supplier, over the purchase orders *sent* in the period (issued to the
supplier; those still awaiting a second approval are not the supplier's yet):

* response time: sent -> the supplier's answer (confirm or proposal), hours;
* on-time rate: POs completed (received in full, or closed short) whose
  arrival (the last receipt, or the close) fell on or before the ORIGINAL
  expected date; a revised date never makes a late PO on time;
* fill rate: units received / units ordered on the completed POs;
* short closes: POs closed short;
* measured lead time: sent -> arrival of the completed POs, in days, mean and
  standard deviation (population);
* cost variance: the PO lines' cost against the supplier line's cost stored
  on the request when it was raised (ProcurementRequest.unit_cost), as a share:
  +0.05 means the POs cost 5 % more than quoted.

`on_time_counts` is the one on-time rule: the scorecard and supplier choice
(procurement.suppliers) both call it, so the rate that ranks suppliers is the
rate staff read here. A constant number of queries however many suppliers.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import Organization

from .models import POStatus, PurchaseOrder, PurchaseOrderLine

COMPLETED = (POStatus.RECEIVED, POStatus.CLOSED_SHORT)
RATE = Decimal("0.0001")
ONE_DECIMAL = Decimal("0.1")
# The longest period one scorecard covers (a bound on what a person types).
MAX_PERIOD_DAYS = 3 * 366
DEFAULT_PERIOD_DAYS = 90


def scorecard_period(
    start: datetime.date | None, end: datetime.date | None
) -> tuple[datetime.datetime, datetime.datetime]:
    """The period [start 00:00, the day after end 00:00) in the site's time zone, from the
    days a person gave: `end` defaults to today, `start` to DEFAULT_PERIOD_DAYS before it.
    Raises ValidationError under "start" for a period that ends before it starts or is
    longer than MAX_PERIOD_DAYS (the page and the API both call this)."""
    end = end or timezone.localdate()
    start = start or end - datetime.timedelta(days=DEFAULT_PERIOD_DAYS)
    if start > end:
        raise ValidationError({"start": "The period starts after it ends."})
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationError({"start": f"Choose a period of at most {MAX_PERIOD_DAYS} days."})
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


QUOTED = Q(request__unit_cost__isnull=False)


def _money(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=DecimalField(max_digits=20, decimal_places=2))


def _completed(pos: QuerySet[PurchaseOrder]) -> QuerySet[PurchaseOrder]:
    return pos.filter(status__in=COMPLETED).annotate(
        arrived_on=TruncDate(Coalesce("received_at", "closed_at")),
        due_on=Coalesce("original_expected_date", "expected_date"),
    )


def on_time_counts(pos: QuerySet[PurchaseOrder]) -> dict[int, tuple[int, int]]:
    """{supplier_id: (on time, completed)} over the completed POs among `pos`. One query.

    On time: arrived (last receipt, or the close of a short one) on or before
    the date first asked for, not a revised one.
    """
    rows = (
        _completed(pos)
        .values("supplier_id")
        .annotate(
            n=Count("pk"),
            on_time=Count(
                Case(When(arrived_on__lte=F("due_on"), then=1), output_field=IntegerField())
            ),
        )
        .order_by()
    )
    return {row["supplier_id"]: (row["on_time"], row["n"]) for row in rows if row["n"]}


def on_time_rates(*, supplier_ids: Iterable[int], distributor_id: int) -> dict[int, float]:
    """{supplier_id: on-time rate of its POs to this distributor, all history}; unmeasured
    suppliers are missing. One query. Supplier choice ranks by it."""
    ids = list(set(supplier_ids))
    if not ids:
        return {}
    pos = PurchaseOrder.objects.filter(supplier_id__in=ids, distributor_id=distributor_id)
    return {sid: on_time / n for sid, (on_time, n) in on_time_counts(pos).items()}


def on_time_rates_many(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """{(supplier_id, distributor_id): on-time rate} for many pairs at once. One query."""
    pairs = set(pairs)
    if not pairs:
        return {}
    suppliers = {s for s, _ in pairs}
    distributors = {d for _, d in pairs}
    rows = (
        _completed(
            PurchaseOrder.objects.filter(supplier_id__in=suppliers, distributor_id__in=distributors)
        )
        .values("supplier_id", "distributor_id")
        .annotate(
            n=Count("pk"),
            on_time=Count(
                Case(When(arrived_on__lte=F("due_on"), then=1), output_field=IntegerField())
            ),
        )
        .order_by()
    )
    return {
        (row["supplier_id"], row["distributor_id"]): row["on_time"] / row["n"]
        for row in rows
        if row["n"] and (row["supplier_id"], row["distributor_id"]) in pairs
    }


@dataclass(frozen=True)
class SupplierScore:
    supplier_id: int
    supplier: str
    purchase_orders: int  # sent in the period
    answered: int
    response_hours: Decimal | None
    completed: int
    on_time: int
    on_time_rate: Decimal | None
    units_ordered: int
    units_received: int
    fill_rate: Decimal | None
    short_closes: int
    lead_time_days_mean: Decimal | None
    lead_time_days_std: Decimal | None
    quoted_cost: Decimal | None
    po_cost: Decimal | None
    cost_variance: Decimal | None


def _rate(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP)


def _one(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _mean_std(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def supplier_scorecard(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    distributor: Organization | None = None,
    supplier_id: int | None = None,
) -> list[SupplierScore]:
    """Each supplier's score over the POs sent in [start, end), best on-time rate first.

    `distributor` narrows it to the POs of one distributor (its own page);
    `supplier_id` to one supplier. Four queries.
    """
    pos = PurchaseOrder.objects.filter(sent_at__gte=start, sent_at__lt=end)
    if distributor is not None:
        pos = pos.filter(distributor=distributor)
    if supplier_id is not None:
        pos = pos.filter(supplier_id=supplier_id)
    rows = list(
        pos.annotate(arrived=Coalesce("received_at", "closed_at")).values(
            "supplier_id", "status", "sent_at", "responded_at", "arrived"
        )
    )
    on_time = on_time_counts(pos)
    lines = {
        row["purchase_order__supplier_id"]: row
        for row in PurchaseOrderLine.objects.filter(purchase_order__in=pos.values("pk"))
        .values("purchase_order__supplier_id")
        .annotate(
            ordered=Coalesce(Sum("quantity", filter=Q(purchase_order__status__in=COMPLETED)), 0),
            received=Coalesce(
                Sum("quantity_received", filter=Q(purchase_order__status__in=COMPLETED)), 0
            ),
            quoted=Sum(_money(F("request__unit_cost") * F("quantity")), filter=QUOTED),
            paid=Sum(_money(F("unit_cost") * F("quantity")), filter=QUOTED),
        )
        .order_by()
    }
    by_supplier: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_supplier[row["supplier_id"]].append(row)
    names = dict(Organization.objects.filter(pk__in=by_supplier.keys()).values_list("pk", "name"))
    scores = []
    for sid, pos_rows in by_supplier.items():
        answered = [r for r in pos_rows if r["responded_at"] and r["sent_at"]]
        response_mean, _ = _mean_std(
            [(r["responded_at"] - r["sent_at"]).total_seconds() / 3600 for r in answered]
        )
        done = [r for r in pos_rows if r["status"] in COMPLETED and r["arrived"] and r["sent_at"]]
        lead_mean, lead_std = _mean_std(
            [(r["arrived"] - r["sent_at"]).total_seconds() / 86400 for r in done]
        )
        hits, completed = on_time.get(sid, (0, 0))
        line = lines.get(sid, {})
        ordered, received = line.get("ordered", 0), line.get("received", 0)
        quoted, paid = line.get("quoted"), line.get("paid")
        scores.append(
            SupplierScore(
                supplier_id=sid,
                supplier=names.get(sid, str(sid)),
                purchase_orders=len(pos_rows),
                answered=len(answered),
                response_hours=_one(response_mean),
                completed=completed,
                on_time=hits,
                on_time_rate=_rate(hits, completed),
                units_ordered=ordered,
                units_received=received,
                fill_rate=_rate(received, ordered),
                short_closes=sum(1 for r in pos_rows if r["status"] == POStatus.CLOSED_SHORT),
                lead_time_days_mean=_one(lead_mean),
                lead_time_days_std=_one(lead_std),
                quoted_cost=quoted,
                po_cost=paid,
                cost_variance=_rate(paid - quoted, quoted) if quoted else None,
            )
        )
    scores.sort(key=lambda s: (s.on_time_rate is None, -(s.on_time_rate or 0), s.supplier.lower()))
    return scores
