"""The nightly recompute of every `dynamic` replenishment policy (beat, and
`manage.py replenishment_policies_recompute` for cron).

Per distributor, a fixed number of queries whatever the number of items: the
demand record by (product, day), each product's first demand, the usable
supplier lines, their on-time rates and their measured lead times. The
arithmetic is procurement.policy; this module only gathers its inputs and
stores the figures with the rule in words on ReplenishmentPolicy, which
procurement.monitoring then reads (one joined row per evaluation).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, F, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import Organization, SupplyAgreement
from catalog.models import SupplierLine
from orders.models import DemandLine

from .business_days import Calendar, calendars_for
from .models import PolicyKind, POStatus, PurchaseOrderLine, ReplenishmentPolicy
from .models_policy import COMPUTED_FIELDS
from .policy import (
    MIN_HISTORY_DAYS,
    business_day_series,
    demand_estimate,
    lead_time_estimate,
    policy_figures,
)
from .suppliers import on_time_rates

LEAD_TIME_SAMPLES = 20  # the most recent received PO lines per supplier
YEAR = datetime.timedelta(days=365)


class RecomputeResult(NamedTuple):
    policies: int
    computed: int
    too_little_history: int


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _daily_demand(*, distributor_id, product_ids, since, until) -> dict[int, dict]:
    """{product_id: {date: units asked for}}: allocated + backordered + refused, by order date."""
    rows = (
        DemandLine.objects.filter(
            distributor_id=distributor_id,
            product_id__in=product_ids,
            created_at__gte=_midnight(since),
            created_at__lt=_midnight(until),
        )
        .annotate(day=TruncDate("created_at"))
        .values("product_id", "day")
        .annotate(units=Sum(F("allocated") + F("backordered") + F("refused")))
        .order_by()
    )
    result: dict[int, dict] = defaultdict(dict)
    for row in rows:
        result[row["product_id"]][row["day"]] = row["units"]
    return result


def _chosen_lines(*, distributor_id: int, product_ids) -> dict[int, SupplierLine]:
    """{product_id: the line a request would go to} by procurement.suppliers' rule, in bulk."""
    agreement = SupplyAgreement.objects.filter(
        manufacturer_id=OuterRef("product__manufacturer_id"),
        distributor_id=OuterRef("supplier_id"),
        status=SupplyAgreement.Status.ACCEPTED,
    )
    lines = list(
        SupplierLine.objects.filter(
            product_id__in=product_ids, is_active=True, unit_cost__isnull=False
        )
        .exclude(supplier_id=distributor_id)
        .filter(
            Q(supplier_id=F("product__manufacturer_id"))
            | (Q(supplier__kind=Organization.Kind.DISTRIBUTOR) & Exists(agreement))
        )
        .select_related("supplier")
    )
    rates = on_time_rates(
        supplier_ids=[line.supplier_id for line in lines], distributor_id=distributor_id
    )
    chosen: dict[int, SupplierLine] = {}
    for line in lines:
        rate = rates.get(line.supplier_id)
        key = (line.priority, rate is None, -(rate or 0.0), line.unit_cost, line.pk)
        best = chosen.get(line.product_id)
        if best is None or key < best._rank:
            line._rank = key
            chosen[line.product_id] = line
    return chosen


def lead_time_samples(*, distributor_id: int, calendar: Calendar) -> dict[int, list[int]]:
    """{supplier_id: business days from request to receipt of its latest received PO lines}.

    A line counts once its PO is fully received (or closed short: the day
    it was closed), from the day the request was raised.
    """
    rows = (
        PurchaseOrderLine.objects.filter(
            purchase_order__distributor_id=distributor_id,
            purchase_order__status__in=(POStatus.RECEIVED, POStatus.CLOSED_SHORT),
            request__isnull=False,
        )
        .annotate(
            arrived=Coalesce("purchase_order__received_at", "purchase_order__closed_at"),
        )
        .filter(arrived__isnull=False)
        .values_list("purchase_order__supplier_id", "request__created_at", "arrived")
        .order_by("-arrived")
    )
    samples: dict[int, list[int]] = defaultdict(list)
    for supplier_id, asked, arrived in rows.iterator(chunk_size=2000):
        if len(samples[supplier_id]) >= LEAD_TIME_SAMPLES:
            continue
        samples[supplier_id].append(
            calendar.between(timezone.localdate(asked), timezone.localdate(arrived))
        )
    return samples


def _compute(policy, *, daily, first_day, line, lead_samples, calendar, today):
    """Set the figures on one policy (not saved); False when there is too little history."""
    start = max(today - datetime.timedelta(days=policy.window_days), first_day or today)
    series = business_day_series(
        daily, start=start, end=today - datetime.timedelta(days=1), calendar=calendar
    )
    stated = line.lead_time_days if line else policy.stock_item.product.lead_time_days
    lead = lead_time_estimate(lead_samples, stated_days=stated)
    if len(series) < MIN_HISTORY_DAYS:
        policy.reorder_point = policy.order_up_to_level = None
        policy.demand_method = ""
        policy.rule = (
            f"Only {len(series)} business days of demand history (at least "
            f"{MIN_HISTORY_DAYS} needed): the fixed reorder level applies."
        )
        return False
    review = calendar.between(today, today + datetime.timedelta(days=policy.review_period_days))
    horizon_days = max(1, round(lead.mean + review))
    horizon = []
    day = today - datetime.timedelta(days=1)
    while len(horizon) < horizon_days:
        day = calendar.add(day, 1)
        horizon.append(day)
    last_year_horizon = last_year_window = None
    if first_day and first_day <= start - YEAR:
        last_year_window = [
            u
            for _, u in business_day_series(
                daily,
                start=start - YEAR,
                end=today - YEAR - datetime.timedelta(days=1),
                calendar=calendar,
            )
        ]
        last_year_horizon = [
            u
            for _, u in business_day_series(
                daily, start=today - YEAR, end=horizon[-1] - YEAR, calendar=calendar
            )
        ]
    demand = demand_estimate(
        series,
        horizon=horizon,
        last_year_horizon=last_year_horizon,
        last_year_window=last_year_window,
    )
    figures = policy_figures(
        d=demand.mean,
        sd=demand.std,
        lead=lead.mean,
        sl=lead.std,
        service_level=float(policy.service_level),
        review_days=review,
        pack_size=line.pack_size if line else 1,
        minimum_order=line.minimum_order_quantity if line else 1,
    )
    supplier = line.supplier.name if line else "no usable supplier"
    policy.demand_method = demand.method
    policy.demand_mean, policy.demand_std = demand.mean, demand.std
    policy.lead_time_mean, policy.lead_time_std = lead.mean, lead.std
    policy.lead_time_samples = lead.samples
    policy.z = figures.z
    policy.reorder_point, policy.order_up_to_level = (
        figures.reorder_point,
        figures.order_up_to_level,
    )
    policy.rule = (
        f"Demand per business day over {len(series)} days from {start:%d %b %Y}, "
        f"{demand.words}, sd = {demand.std:.2f}. Lead time from {supplier}: {lead.words}, "
        f"sL = {lead.std:.2f} business days. Review {policy.review_period_days} days = "
        f"{review} business days. {figures.words}."
    )
    return True


def policies_recompute(
    *, today: datetime.date | None = None, distributor_ids=None, stock_item_ids=None
) -> RecomputeResult:
    """Recompute every dynamic policy's figures from demand and measured lead times (nightly)."""
    today = today or timezone.localdate()
    policies = ReplenishmentPolicy.objects.filter(policy=PolicyKind.DYNAMIC).select_related(
        "stock_item__product"
    )
    if distributor_ids is not None:
        policies = policies.filter(stock_item__distributor_id__in=distributor_ids)
    if stock_item_ids is not None:
        policies = policies.filter(stock_item_id__in=stock_item_ids)
    by_distributor: dict[int, list[ReplenishmentPolicy]] = defaultdict(list)
    for policy in policies:
        by_distributor[policy.stock_item.distributor_id].append(policy)
    calendars = calendars_for(by_distributor)
    now = timezone.now()
    total = computed = 0
    for distributor_id, group in by_distributor.items():
        calendar = calendars[distributor_id]
        product_ids = [p.stock_item.product_id for p in group]
        first = dict(
            DemandLine.objects.filter(distributor_id=distributor_id, product_id__in=product_ids)
            .values_list("product_id")
            .annotate(first=Min("created_at"))
            .order_by()
        )
        first_day = {pid: timezone.localdate(at) for pid, at in first.items()}
        window = max(p.window_days for p in group)
        since = today - datetime.timedelta(days=window)
        if any(day <= since - YEAR for day in first_day.values()):
            since -= YEAR  # some item's history covers last year: the yearly method may apply
        daily = _daily_demand(
            distributor_id=distributor_id, product_ids=product_ids, since=since, until=today
        )
        lines = _chosen_lines(distributor_id=distributor_id, product_ids=product_ids)
        samples = lead_time_samples(distributor_id=distributor_id, calendar=calendar)
        for policy in group:
            product_id = policy.stock_item.product_id
            line = lines.get(product_id)
            ok = _compute(
                policy,
                daily=daily.get(product_id, {}),
                first_day=first_day.get(product_id),
                line=line,
                lead_samples=samples.get(line.supplier_id, []) if line else [],
                calendar=calendar,
                today=today,
            )
            policy.computed_at = now
            computed += ok
            total += 1
        # One INSERT .. ON DUPLICATE KEY UPDATE (ON CONFLICT on SQLite) per distributor:
        # bulk_update's CASE per column cost about half a second for 15 rows on MariaDB.
        ReplenishmentPolicy.objects.bulk_create(
            group,
            update_conflicts=True,
            # MariaDB's upsert takes no conflict target (it fires on any unique key).
            unique_fields=(
                ["stock_item"]
                if connection.features.supports_update_conflicts_with_target
                else None
            ),
            update_fields=COMPUTED_FIELDS,
            batch_size=500,
        )
    return RecomputeResult(total, computed, total - computed)
