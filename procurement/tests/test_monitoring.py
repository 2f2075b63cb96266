"""Continuous monitoring: every change to an item's position re-evaluates it; the sweep
catches the rest; an item not ordered has a reason from the closed list."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from catalog.models import Product, SupplierLine
from catalog.tests.factories import ProductFactory
from inventory import services as inventory_services
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.tests.factories import place_order
from procurement import monitoring, services
from procurement.models import (
    OPEN_PO_STATUSES,
    ItemReplenishment,
    NotOrderedReason,
    ProcurementRequest,
    PurchaseOrderLine,
    RequestStatus,
)

from .factories import procurement_staff

pytestmark = pytest.mark.django_db


def stocked(on_hand=20, level=10, **product_fields):
    distributor = DistributorFactory()
    product = ProductFactory(reorder_level=level, reorder_quantity=30, **product_fields)
    item = StockItemFactory(product=product, distributor=distributor, on_hand=on_hand)
    return product, distributor, StockItem.objects.get(pk=item.pk)


def test_raising_the_reorder_level_opens_a_request_in_the_same_transaction():
    product, distributor, item = stocked(on_hand=20, level=10)
    assert not ProcurementRequest.objects.exists()
    with transaction.atomic():
        inventory_services.stock_item_set_reorder_overrides(
            stock_item=item, reorder_level_override=25, reorder_quantity_override=None
        )
        request = ProcurementRequest.objects.get(product=product, distributor=distributor)
        assert request.status == RequestStatus.OPEN
        assert (request.available, request.reorder_level) == (20, 25)
        transaction.set_rollback(True)
    assert not ProcurementRequest.objects.exists()  # it was in that transaction


def test_rejecting_then_sweeping_opens_a_new_request():
    product, distributor, _item = stocked(on_hand=11)
    place_order(distributor=distributor, lines=[(product, 2)])
    first = ProcurementRequest.objects.get()
    # Snoozed at the time of the rejection, so the rejection alone opens nothing...
    ItemReplenishment.objects.create(
        product=product,
        distributor=distributor,
        snoozed_until=timezone.localdate() + datetime.timedelta(days=1),
    )
    services.procurement_requests_reject(
        request_ids=[first.pk], by=procurement_staff(), reason="Wrong quantity"
    )
    assert not ProcurementRequest.objects.filter(status=RequestStatus.OPEN).exists()
    assert ItemReplenishment.objects.get().reason == NotOrderedReason.SNOOZED
    # ...the snooze ends, and the sweep opens a new one.
    ItemReplenishment.objects.update(snoozed_until=None)
    result = monitoring.replenishment_sweep()
    assert result.opened == 1
    second = ProcurementRequest.objects.get(status=RequestStatus.OPEN)
    assert second.pk != first.pk and second.reference == "sweep"
    assert ItemReplenishment.objects.get().reason == ""


def test_a_rejection_re_evaluates_at_once():
    product, distributor, _item = stocked(on_hand=11)
    place_order(distributor=distributor, lines=[(product, 2)])
    first = ProcurementRequest.objects.get()
    services.procurement_requests_reject(request_ids=[first.pk], by=procurement_staff(), reason="x")
    reopened = ProcurementRequest.objects.get(status=RequestStatus.OPEN)
    assert reopened.reference == f"rejected:{first.number}"


def test_the_sweep_catches_a_change_nobody_announced():
    product, distributor, _item = stocked(on_hand=20, level=10)
    Product.objects.filter(pk=product.pk).update(reorder_level=30)  # no signal
    assert not ProcurementRequest.objects.exists()
    out = StringIO()
    call_command("replenishment_sweep", stdout=out)
    assert ProcurementRequest.objects.get().distributor == distributor
    assert "opened 1 requests" in out.getvalue()
    assert "Needs a supplier cost: 0" in out.getvalue()


def test_the_position_counts_incoming_and_backorders():
    product, distributor, item = stocked(on_hand=11)
    place_order(distributor=distributor, lines=[(product, 11)], backorder=True)
    place_order(distributor=distributor, lines=[(product, 4)], backorder=True)  # 4 owed
    item.refresh_from_db()
    position = monitoring.inventory_position(item)
    assert (position.on_hand, position.allocated, position.backordered) == (11, 11, 4)
    request = ProcurementRequest.objects.get()
    assert position.incoming == 0 and position.value == -4
    assert request.backordered in (0, 4)  # opened at the first order, before the backorder


def test_reasons_are_counted_from_the_closed_list():
    stocked(on_hand=5, cost_price=None)  # its supplier line gets no cost
    stocked(on_hand=5, is_active=False)
    assert ItemReplenishment.objects.count() == 2  # each evaluated when stocked
    monitoring.replenishment_sweep()
    counts = monitoring.reason_counts()
    assert set(counts) == {choice.value for choice in NotOrderedReason}
    assert counts[NotOrderedReason.NEEDS_SUPPLIER_COST] == 1
    assert counts[NotOrderedReason.PRODUCT_INACTIVE] == 1
    assert not ProcurementRequest.objects.exists()


def test_evaluating_costs_a_constant_number_of_queries(django_assert_max_num_queries):
    product, distributor, _item = stocked(on_hand=20)
    Product.objects.filter(pk=product.pk).update(reorder_level=30)
    # The evaluation itself is about ten; the rest is notifications queueing the
    # request's e-mails (a fixed number per request).
    with django_assert_max_num_queries(22):
        assert monitoring.item_evaluate(product_id=product.pk, distributor_id=distributor.pk)
    # With its request open: one query (the item, its open slot, incoming, backorders and
    # reason in one row), however many orders and POs the item has.
    with django_assert_max_num_queries(1):
        assert (
            monitoring.item_evaluate(product_id=product.pk, distributor_id=distributor.pk) is None
        )


def covered_share():
    """(low items, of which with an open request or PO, the others' reasons)."""
    open_request = ProcurementRequest.objects.filter(
        product_id=OuterRef("product_id"),
        distributor_id=OuterRef("distributor_id"),
        status=RequestStatus.OPEN,
    )
    open_po = PurchaseOrderLine.objects.filter(
        product_id=OuterRef("product_id"),
        purchase_order__distributor_id=OuterRef("distributor_id"),
        purchase_order__status__in=OPEN_PO_STATUSES,
    )
    low = StockItem.objects.at_or_below_reorder_level().annotate(
        covered=Exists(open_request) | Exists(open_po)
    )
    uncovered = list(low.filter(covered=False).values_list("product_id", "distributor_id"))
    reasons = {
        (r.product_id, r.distributor_id): r.reason
        for r in ItemReplenishment.objects.exclude(reason="")
    }
    return low.count(), low.filter(covered=True).count(), uncovered, reasons


def test_after_seed_demo_and_one_sweep_nothing_low_is_left_unordered():
    call_command("seed_demo", quiet=True)
    result = monitoring.replenishment_sweep()
    low, covered, uncovered, reasons = covered_share()
    print(f"\nlow items: {low}, ordered: {covered}, evaluated: {result.evaluated}")
    for reason, count in result.reasons.items():
        print(f"  {NotOrderedReason(reason).label}: {count}")
    assert low > 0
    assert covered / low >= 0.95
    for pair in uncovered:
        assert reasons.get(pair) in NotOrderedReason.values, pair
    # The demo has a cost on every supplier line, and no PO line at a selling price.
    assert not SupplierLine.objects.filter(unit_cost__isnull=True).exists()
    open_ids = list(
        ProcurementRequest.objects.filter(status=RequestStatus.OPEN).values_list("pk", flat=True)
    )
    before = PurchaseOrderLine.objects.count()  # the demo history's POs
    if open_ids:
        services.procurement_requests_approve(request_ids=open_ids, by=procurement_staff())
    po_lines = PurchaseOrderLine.objects.select_related("product", "request__supplier_line")
    assert po_lines.count() == before + len(open_ids) > 0
    for line in po_lines:
        assert line.unit_cost == line.request.supplier_line.unit_cost, line
        assert line.unit_cost != line.product.price, line
