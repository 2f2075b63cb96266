"""The dynamic policy's arithmetic (procurement.policy), each figure worked out by hand."""

import datetime
import math
import statistics

import pytest

from procurement.business_days import Calendar
from procurement.policy import (
    business_day_series,
    croston_sba,
    demand_estimate,
    lead_time_estimate,
    policy_figures,
)

Z95 = 1.6448536269514722  # the standard normal's 95 % quantile, from a table


def test_reorder_point_with_lead_time_variance_and_order_up_to_in_whole_packs():
    # d = 4, sd = 2, L = 5, sL = 1: d*L = 20, sqrt(5*4 + 16*1) = 6, z*6 = 9.869
    # ROP = 29.869 -> 30. d*R = 4*6 = 24, minimum order 10, packs of 5 -> 25. OUT = 55.
    figures = policy_figures(
        d=4, sd=2, lead=5, sl=1, service_level=0.95, review_days=6, pack_size=5, minimum_order=10
    )
    assert figures.z == pytest.approx(Z95, abs=1e-9)
    assert figures.reorder_point == 30
    assert figures.order_up_to_level == 55
    assert "29.87 -> 30" in figures.words.replace("→", "->")


def test_lead_time_variance_matters():
    steady = policy_figures(d=10, sd=0, lead=4, sl=0, service_level=0.95, review_days=6)
    varying = policy_figures(d=10, sd=0, lead=4, sl=2, service_level=0.95, review_days=6)
    assert steady.reorder_point == 40  # no variance: no safety stock
    # 40 + 1.645 * sqrt(100 * 4) = 40 + 32.90 -> 73
    assert varying.reorder_point == 73
    # The minimum order lifts the cycle quantity, then whole packs: 60 -> 100 -> 108.
    big = policy_figures(
        d=10, sd=0, lead=4, sl=0, service_level=0.95, review_days=6, pack_size=12, minimum_order=100
    )
    assert big.order_up_to_level == 40 + 108


def test_the_service_level_sets_z():
    assert policy_figures(d=1, sd=1, lead=1, sl=0, service_level=0.5, review_days=1).z == 0
    high = policy_figures(d=1, sd=1, lead=1, sl=0, service_level=0.99, review_days=1)
    assert high.z == pytest.approx(2.3263478740, abs=1e-9)
    with pytest.raises(ValueError):
        policy_figures(d=1, sd=1, lead=1, sl=0, service_level=1.0, review_days=1)


def test_croston_with_sba_on_an_intermittent_series():
    # First demand 3 in period 3: z = 3, p = 3. Next, 5 after 4 periods:
    # z = 3 + 0.1 * (5 - 3) = 3.2, p = 3 + 0.1 * (4 - 3) = 3.1. SBA: 0.95 * 3.2 / 3.1.
    series = [0, 0, 3, 0, 0, 0, 5, 0, 0, 0]
    assert croston_sba(series) == pytest.approx(0.95 * 3.2 / 3.1)
    assert croston_sba([0, 0, 0]) == 0
    day = datetime.date(2026, 1, 5)
    dated = [(day + datetime.timedelta(days=i), v) for i, v in enumerate(series)]
    estimate = demand_estimate(dated)
    assert estimate.method == "intermittent"
    assert estimate.mean == pytest.approx(0.98064516, abs=1e-8)
    assert estimate.std == pytest.approx(statistics.stdev(series))


def test_steady_demand_is_the_window_mean():
    day = datetime.date(2026, 1, 5)
    values = [4, 6, 5, 3, 7, 5, 4, 6]
    estimate = demand_estimate(
        [(day + datetime.timedelta(days=i), v) for i, v in enumerate(values)]
    )
    assert (estimate.method, estimate.mean) == ("steady", 5.0)
    assert estimate.std == pytest.approx(math.sqrt(sum((v - 5) ** 2 for v in values) / 7))


def test_a_weekly_cycle_uses_the_same_weekdays():
    monday = datetime.date(2026, 1, 5)
    # Six weeks, Monday to Saturday; Saturdays sell 20, other days 2.
    series = [
        (monday + datetime.timedelta(days=7 * w + d), 20 if d == 5 else 2)
        for w in range(6)
        for d in range(6)
    ]
    # The coming days: a Friday and a Saturday -> (2 + 20) / 2 = 11.
    horizon = [datetime.date(2026, 2, 20), datetime.date(2026, 2, 21)]
    estimate = demand_estimate(series, horizon=horizon)
    assert (estimate.method, estimate.mean) == ("weekday", 11.0)


def test_the_same_period_last_year_scaled_by_this_years_level():
    day = datetime.date(2026, 1, 5)
    series = [(day + datetime.timedelta(days=i), 6) for i in range(20)]
    estimate = demand_estimate(series, last_year_horizon=[10, 20], last_year_window=[4] * 20)
    # Last year's coming days averaged 15; this window sells 6 against last year's 4.
    assert (estimate.method, estimate.mean) == ("yearly", 15 * 1.5)


def test_lead_time_measured_or_stated():
    measured = lead_time_estimate([4, 6, 5, 9], stated_days=3)
    assert (measured.mean, measured.samples) == (6.0, 4)
    assert measured.std == pytest.approx(statistics.stdev([4, 6, 5, 9]))
    stated = lead_time_estimate([], stated_days=3)
    assert (stated.mean, stated.std, stated.samples) == (3.0, 0.0, 0)


def test_demand_on_a_closed_day_counts_on_the_next_business_day():
    sat = datetime.date(2026, 12, 5)
    calendar = Calendar(holidays=frozenset({datetime.date(2026, 12, 7)}))  # Monday off
    daily = {sat: 1, sat + datetime.timedelta(days=1): 2, sat + datetime.timedelta(days=2): 3}
    series = business_day_series(
        daily, start=sat, end=sat + datetime.timedelta(days=3), calendar=calendar
    )
    assert series == [(sat, 1), (datetime.date(2026, 12, 8), 5)]
