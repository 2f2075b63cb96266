"""The demand-driven (`dynamic`) reorder policy: pure arithmetic, no database.

Units: demand is counted per business day of the distributor's calendar
(demand on a closed day counts on the next business day), lead times in
business days, so d·L is in units.

    reorder point  ROP = d·L + z·√(L·sd² + d²·sL²),  z = Φ⁻¹(service level)
    order-up-to    OUT = ROP + d·R                   (R: the review period)

ROP is rounded up to a whole unit; the cycle quantity d·R is rounded up to a
whole unit, raised to the supplier line's minimum order and to whole packs,
so that an order from the reorder point to the order-up-to level is one the
supplier accepts.

Demand method, first that applies:
1. intermittent: more than half of the window's business days had no demand:
   Croston's method with the Syntetos-Boylan (SBA) correction, alpha = 0.1;
2. yearly: the demand record covers the same dates one year back: last
   year's mean over the coming L + R days, scaled by this window's mean over
   the same window a year ago;
3. weekday: at least four weeks of history and the weekday means differ
   (their coefficient of variation above 0.25): the mean of the weekday
   means of the coming L + R business days;
4. steady: the mean of the window.
sd is the window's sample standard deviation in every case.
"""

from __future__ import annotations

import datetime
import functools
import math
import statistics
from collections.abc import Sequence
from typing import NamedTuple

from scipy.stats import norm

from .business_days import Calendar

CROSTON_ALPHA = 0.1
INTERMITTENT_ZERO_SHARE = 0.5
WEEKDAY_MIN_DAYS = 28
WEEKDAY_MIN_CV = 0.25
MIN_HISTORY_DAYS = 14  # fewer business days of history: the fixed levels still apply


class DemandEstimate(NamedTuple):
    method: str  # a DemandMethod value
    mean: float
    std: float
    words: str


class LeadTimeEstimate(NamedTuple):
    mean: float
    std: float
    samples: int
    words: str


class PolicyFigures(NamedTuple):
    z: float
    reorder_point: int
    order_up_to_level: int
    words: str


def business_day_series(
    daily: dict[datetime.date, int], *, start: datetime.date, end: datetime.date, calendar: Calendar
) -> list[tuple[datetime.date, int]]:
    """[(business day, units)] for start..end inclusive; a closed day's units go to the next one.

    Units after the last business day of the span are dropped (they belong to
    the next span).
    """
    series: list[tuple[datetime.date, int]] = []
    carry = 0
    day = start
    while day <= end:
        carry += daily.get(day, 0)
        if calendar.is_business_day(day):
            series.append((day, carry))
            carry = 0
        day += datetime.timedelta(days=1)
    return series


def croston_sba(values: Sequence[float], alpha: float = CROSTON_ALPHA) -> float:
    """Croston's forecast of demand per period with the SBA correction (1 - alpha/2)·z/p.

    z: smoothed size of the non-zero demands; p: smoothed interval between
    them (periods). Both start from the first non-zero demand (its size, and
    its position counted from 1). 0 when there was no demand.
    """
    size = interval = None
    since = 0
    for value in values:
        since += 1
        if value <= 0:
            continue
        if size is None:
            size, interval = float(value), float(since)
        else:
            size += alpha * (value - size)
            interval += alpha * (since - interval)
        since = 0
    if size is None:
        return 0.0
    return (1 - alpha / 2) * size / interval


def _std(values: Sequence[float]) -> float:
    """The sample standard deviation in floats (statistics.stdev computes it in exact
    fractions: a third of the nightly recompute's time for 200 items)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean = math.fsum(values) / n
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))


@functools.lru_cache(maxsize=64)
def service_z(service_level: float) -> float:
    """z for a service level: the standard normal quantile (scipy), cached per level
    (each call of norm.ppf costs about a millisecond; there are few distinct levels)."""
    return float(norm.ppf(service_level))


def demand_estimate(
    series: Sequence[tuple[datetime.date, int]],
    *,
    horizon: Sequence[datetime.date] = (),
    last_year_horizon: Sequence[int] | None = None,
    last_year_window: Sequence[int] | None = None,
) -> DemandEstimate:
    """Mean and standard deviation of demand per business day, by the module's method.

    `series`: the window's business days, oldest first. `horizon`: the coming
    L + R business days (for the weekday method). `last_year_*`: units per
    business day of the same coming days and the same window one year back,
    given only when the demand record covers them.
    """
    values = [units for _, units in series]
    n = len(values)
    mean = statistics.fmean(values) if values else 0.0
    std = _std(values)
    zeros = sum(1 for v in values if v == 0)
    if n and zeros / n > INTERMITTENT_ZERO_SHARE:
        d = croston_sba(values)
        return DemandEstimate(
            "intermittent",
            d,
            std,
            f"intermittent ({zeros} of {n} days without demand): Croston with SBA, "
            f"alpha = {CROSTON_ALPHA}: d = {d:.2f}",
        )
    if last_year_horizon and last_year_window and statistics.fmean(last_year_window) > 0:
        base = statistics.fmean(last_year_horizon)
        level = mean / statistics.fmean(last_year_window)
        d = base * level
        return DemandEstimate(
            "yearly",
            d,
            std,
            f"yearly: same days last year {base:.2f} a day x this window against last "
            f"year's {level:.2f} = {d:.2f}",
        )
    if n >= WEEKDAY_MIN_DAYS and horizon:
        by_weekday: dict[int, list[int]] = {}
        for day, units in series:
            by_weekday.setdefault(day.weekday(), []).append(units)
        means = {wd: statistics.fmean(v) for wd, v in by_weekday.items()}
        spread = statistics.pstdev(means.values()) / mean if mean and len(means) > 1 else 0.0
        if spread > WEEKDAY_MIN_CV:
            d = statistics.fmean(means.get(day.weekday(), mean) for day in horizon)
            return DemandEstimate(
                "weekday",
                d,
                std,
                f"weekly cycle (weekday means vary {spread:.0%}): mean of the same weekdays "
                f"over the coming {len(horizon)} days = {d:.2f}",
            )
    return DemandEstimate("steady", mean, std, f"mean of {n} days = {mean:.2f}")


def lead_time_estimate(samples: Sequence[int], *, stated_days: int) -> LeadTimeEstimate:
    """Mean and sample standard deviation of measured lead times; the stated one without any."""
    if not samples:
        return LeadTimeEstimate(
            float(stated_days), 0.0, 0, f"stated {stated_days} business days (none measured)"
        )
    mean = statistics.fmean(samples)
    std = _std(samples)
    return LeadTimeEstimate(
        mean, std, len(samples), f"{len(samples)} received POs measured: {mean:.2f}"
    )


def policy_figures(
    *,
    d: float,
    sd: float,
    lead: float,
    sl: float,
    service_level: float,
    review_days: float,
    pack_size: int = 1,
    minimum_order: int = 1,
) -> PolicyFigures:
    """Reorder point and order-up-to level (module docstring), with the sum in words."""
    if not 0.5 <= service_level < 1:
        raise ValueError("The service level is between 0.5 and 1.")
    pack_size = max(pack_size, 1)
    z = service_z(service_level)
    cycle_stock = d * lead
    safety = z * math.sqrt(lead * sd * sd + d * d * sl * sl)
    raw = cycle_stock + safety
    rop = math.ceil(raw - 1e-9)
    cycle = math.ceil(d * review_days - 1e-9)
    words_cycle = f"d·R = {d:.2f} x {review_days:g} = {d * review_days:.2f} → {cycle}"
    if cycle < minimum_order:
        cycle = minimum_order
        words_cycle += f", minimum order {minimum_order}"
    if cycle % pack_size:
        cycle = math.ceil(cycle / pack_size) * pack_size
        words_cycle += f", whole packs of {pack_size} → {cycle}"
    out = rop + cycle
    words = (
        f"z = {z:.3f} for {service_level:.1%}; ROP = d·L + z·√(L·sd² + d²·sL²) = "
        f"{d:.2f}x{lead:.2f} + {z:.3f}x√({lead:.2f}x{sd:.2f}² + {d:.2f}²x{sl:.2f}²) = "
        f"{cycle_stock:.2f} + {safety:.2f} = {raw:.2f} → {rop}; "
        f"order-up-to = ROP + {words_cycle} = {out}"
    )
    return PolicyFigures(z, rop, out, words)
