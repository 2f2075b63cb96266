"""The nightly recompute on real rows, and the monitoring using its figures.

A distributor with a Wednesday holiday; two received POs measured from
request to receipt in its business days; 28 days of demand; every figure
worked out by hand below.
"""

import datetime
import math
import statistics
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from catalog.models import SupplierLine
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.models import DemandLine
from procurement import monitoring, services
from procurement.models import (
    Holiday,
    PolicyKind,
    ProcurementRequest,
    ReplenishmentPolicy,
    WorkingCalendar,
)
from procurement.policy_nightly import policies_recompute

from .factories import procurement_staff

pytestmark = pytest.mark.django_db

HOLIDAY = datetime.date(2026, 11, 11)  # a Wednesday
TODAY = datetime.date(2026, 12, 3)  # a Thursday
Z95 = 1.6448536269514722


def at(day: datetime.date, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def world():
    distributor = DistributorFactory()
    calendar = WorkingCalendar.objects.create(distributor=distributor)
    Holiday.objects.create(calendar=calendar, date=HOLIDAY, name="Festival")
    product = ProductFactory(reorder_level=5, reorder_quantity=10, lead_time_days=5)
    SupplierLine.objects.create(
        product=product,
        supplier=product.manufacturer,
        unit_cost=Decimal("50.00"),
        pack_size=5,
        minimum_order_quantity=10,
        lead_time_days=5,
    )
    StockItemFactory(product=product, distributor=distributor, on_hand=200)
    item = StockItem.objects.get(product=product, distributor=distributor)
    staff = procurement_staff()
    # Two POs: asked Fri 6 Nov, received Fri 13 Nov (Sat, Mon, Tue, Thu, Fri: 5 business
    # days, the holiday skipped); asked Mon 16 Nov, received Tue 24 Nov (7).
    for asked, received in [
        (datetime.date(2026, 11, 6), datetime.date(2026, 11, 13)),
        (datetime.date(2026, 11, 16), datetime.date(2026, 11, 24)),
    ]:
        with time_machine.travel(at(asked), tick=False):
            request = services.procurement_request_create(
                product=product, distributor=distributor, by=staff, quantity=20
            )
            po = services.procurement_request_approve(request=request, by=staff)
        with time_machine.travel(at(received), tick=False):
            services.purchase_order_receive(purchase_order=po, lines=[(product.pk, 20)], by=staff)
    # Demand: 5 Nov to 2 Dec, every business day; 6 units a weekday, 2 on Saturdays.
    customer = CustomerFactory()
    day = datetime.date(2026, 11, 5)
    lines = []
    while day < TODAY:
        if day.weekday() != 6 and day != HOLIDAY:
            units = 2 if day.weekday() == 5 else 6
            lines.append(
                DemandLine(
                    product=product,
                    distributor=distributor,
                    customer=customer,
                    requested=units,
                    allocated=units - 1,
                    refused=1,
                    created_at=at(day),
                )
            )
        day += datetime.timedelta(days=1)
    DemandLine.objects.bulk_create(lines)
    policy = ReplenishmentPolicy.objects.create(stock_item=item, policy=PolicyKind.DYNAMIC)
    return product, distributor, item, policy


def test_the_first_po_is_due_five_business_days_later_skipping_the_holiday(world):
    product, _distributor, _item, _policy = world
    first = ProcurementRequest.objects.filter(product=product).earliest("created_at")
    assert first.po_line.purchase_order.expected_date == datetime.date(2026, 11, 13)


def test_the_nightly_figures_match_the_hand_computation(world):
    *_, policy = world
    with time_machine.travel(at(TODAY, 2), tick=False):
        result = policies_recompute()
    assert (result.policies, result.computed) == (1, 1)
    policy.refresh_from_db()
    # 23 business days from 5 Nov to 2 Dec (28 days less 4 Sundays and the holiday):
    # 19 weekdays at 6, 4 Saturdays at 2.
    values = [6] * 19 + [2] * 4
    d, sd = 122 / 23, statistics.stdev(values)
    lead, sl = 6.0, math.sqrt(2)  # samples 5 and 7
    assert policy.demand_method == "steady"
    assert policy.demand_mean == pytest.approx(d)
    assert policy.demand_std == pytest.approx(sd)
    assert (policy.lead_time_mean, policy.lead_time_samples) == (lead, 2)
    assert policy.lead_time_std == pytest.approx(sl)
    assert policy.z == pytest.approx(Z95)
    rop = d * lead + Z95 * math.sqrt(lead * sd**2 + d**2 * sl**2)
    assert policy.reorder_point == math.ceil(rop) == 46  # 31.83 + 1.645 x 8.41 = 45.66
    # Review 7 days from Thu 3 Dec = 6 business days: 6d = 31.8 -> 32 -> packs of 5 -> 35.
    assert policy.order_up_to_level == 46 + 35
    assert "ROP = d*L" in policy.rule or "ROP = d·L" in policy.rule
    assert "2 received POs measured" in policy.rule


def test_monitoring_and_the_sweep_use_the_dynamic_reorder_point(world):
    product, distributor, item, _policy = world
    with time_machine.travel(at(TODAY, 2), tick=False):
        policies_recompute()
    # 50 on hand is above the dynamic point (46) and far above the fixed level (5).
    StockItem.objects.filter(pk=item.pk).update(on_hand=50, allocated=0)
    assert monitoring.item_evaluate(product_id=product.pk, distributor_id=distributor.pk) is None
    StockItem.objects.filter(pk=item.pk).update(on_hand=40)
    low = StockItem.objects.at_or_below_reorder_level().filter(pk=item.pk)
    assert low.get().reorder_point == 46
    result = monitoring.replenishment_sweep()
    assert result.opened == 1
    request = ProcurementRequest.objects.get(product=product, status="open")
    # Up to 81 from 40: 41, in packs of 5 = 45.
    assert (request.reorder_level, request.order_up_to_level, request.quantity) == (46, 81, 45)
    assert request.rule.startswith("dynamic:")


def test_too_little_history_keeps_the_fixed_level(world):
    _product, _distributor, item, policy = world
    DemandLine.objects.filter(created_at__lt=at(datetime.date(2026, 11, 25))).delete()
    with time_machine.travel(at(TODAY, 2), tick=False):
        result = policies_recompute()
    policy.refresh_from_db()
    assert (result.computed, policy.reorder_point) == (0, None)
    assert "fixed reorder level applies" in policy.rule
    assert monitoring.item_levels(
        StockItem.objects.select_related("product", "replenishment_policy").get(pk=item.pk)
    ) == (5, 10, None, "fixed")


def test_evaluation_stays_a_constant_number_of_queries(world, django_assert_max_num_queries):
    product, distributor, item, _policy = world
    with time_machine.travel(at(TODAY, 2), tick=False):
        policies_recompute()
    StockItem.objects.filter(pk=item.pk).update(on_hand=40)
    # The same bound as a fixed item's (test_monitoring): the policy comes joined to the item.
    with django_assert_max_num_queries(22):
        assert monitoring.item_evaluate(product_id=product.pk, distributor_id=distributor.pk)


def test_the_recompute_is_a_constant_number_of_queries(world, django_assert_max_num_queries):
    _product, distributor, _item, _policy = world
    for _ in range(20):
        other = StockItemFactory(distributor=distributor, on_hand=10)
        ReplenishmentPolicy.objects.create(stock_item=other, policy=PolicyKind.DYNAMIC)
    with time_machine.travel(at(TODAY, 2), tick=False), django_assert_max_num_queries(10):
        result = policies_recompute()
    assert result.policies == 21


def test_the_command_recomputes_and_sweeps(world):
    out = StringIO()
    with time_machine.travel(at(TODAY, 2), tick=False):
        call_command("replenishment_policies_recompute", stdout=out)
    assert "Recomputed 1 dynamic policies: 1 with figures" in out.getvalue()
    assert "Sweep: evaluated" in out.getvalue()


def test_an_order_crossing_the_dynamic_point_opens_a_request_at_once(world):
    from orders.tests.factories import place_order

    product, distributor, item, _policy = world
    with time_machine.travel(at(TODAY, 2), tick=False):
        policies_recompute()
    StockItem.objects.filter(pk=item.pk).update(on_hand=50, allocated=0)
    # 50 - 5 = 45: at or below the dynamic point (46), far above the fixed level (5).
    place_order(distributor=distributor, lines=[(product, 5)])
    request = ProcurementRequest.objects.get(product=product, status="open")
    assert (request.available, request.reorder_level, request.quantity) == (45, 46, 40)
