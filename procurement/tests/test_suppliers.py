"""Several suppliers per product: the choice (priority, on-time rate, cost), the cost on POs,
no automatic order without a cost, and staff switching the supplier before approving."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import supplies
from catalog.models import SupplierLine
from catalog.tests.factories import ManufacturerFactory, ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.tests.factories import place_order
from procurement import services
from procurement.models import (
    ItemReplenishment,
    NotOrderedReason,
    POStatus,
    ProcurementRequest,
    PurchaseOrder,
)
from procurement.suppliers import supplier_choose

from .factories import procurement_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    """A product with two suppliers (its maker and a wholesaler under an agreement)."""
    maker = ManufacturerFactory(name="Maker")
    wholesaler = DistributorFactory(name="Wholesaler")
    supplies(maker, wholesaler)
    store = DistributorFactory(name="Store")
    product = ProductFactory(
        manufacturer=maker, price=Decimal("41999.00"), reorder_level=10, reorder_quantity=30
    )
    own = SupplierLine.objects.create(
        product=product, supplier=maker, unit_cost=Decimal("300.00"), priority=10
    )
    other = SupplierLine.objects.create(
        product=product, supplier=wholesaler, unit_cost=Decimal("250.00"), priority=10
    )
    StockItemFactory(product=product, distributor=store, on_hand=11)
    return product, store, own, other


def received_po(supplier, distributor, *, late: bool):
    """A received PO of `supplier`, on time or a day late against its original date."""
    due = timezone.localdate() - datetime.timedelta(days=5)
    staff = procurement_staff()
    return PurchaseOrder.objects.create(
        number=f"PO-T-{PurchaseOrder.objects.count() + 1}",
        supplier=supplier,
        distributor=distributor,
        status=POStatus.RECEIVED,
        delivery_address="x",
        original_expected_date=due,
        # A revised date that would make the late one look on time: it must not count.
        expected_date=due + datetime.timedelta(days=3),
        approved_by=staff,
        approved_at=timezone.now(),
        received_at=timezone.make_aware(
            datetime.datetime.combine(
                due + datetime.timedelta(days=1 if late else 0), datetime.time(12)
            )
        ),
    )


def test_priority_comes_first(item):
    product, store, own, _other = item
    own.priority = 1
    own.save()
    assert supplier_choose(product=product, distributor_id=store.pk).line == own  # dearer, first


def test_then_the_on_time_rate_against_the_original_date(item):
    product, store, own, other = item
    received_po(own.supplier, store, late=False)
    received_po(other.supplier, store, late=True)  # on time only against the revised date
    assert supplier_choose(product=product, distributor_id=store.pk).line == own


def test_then_the_cost(item):
    product, store, _own, other = item
    assert supplier_choose(product=product, distributor_id=store.pk).line == other  # cheaper


def test_a_supplier_without_an_agreement_is_not_chosen(item):
    product, store, own, other = item
    other.supplier.agreements_as_distributor.update(status="ended")
    assert supplier_choose(product=product, distributor_id=store.pk).line == own


def test_no_cost_means_no_automatic_request_and_a_reason(item):
    product, store, _own, _other = item
    SupplierLine.objects.filter(product=product).update(unit_cost=None)
    place_order(distributor=store, lines=[(product, 2)])  # 9 left, at/below 10
    assert not ProcurementRequest.objects.exists()
    state = ItemReplenishment.objects.get(product=product, distributor=store)
    assert state.reason == NotOrderedReason.NEEDS_SUPPLIER_COST
    assert state.get_reason_display() == "Needs a supplier cost"


def test_no_active_line_is_its_own_reason(item):
    product, store, _own, _other = item
    SupplierLine.objects.filter(product=product).update(is_active=False)
    place_order(distributor=store, lines=[(product, 2)])
    state = ItemReplenishment.objects.get(product=product, distributor=store)
    assert state.reason == NotOrderedReason.NO_ACTIVE_SUPPLIER


def test_the_po_line_costs_the_supplier_cost_never_the_price(item):
    product, store, _own, other = item
    place_order(distributor=store, lines=[(product, 2)])
    request = ProcurementRequest.objects.get()
    assert (request.supplier, request.supplier_line, request.unit_cost) == (
        other.supplier,
        other,
        Decimal("250.00"),
    )
    po = services.procurement_request_approve(request=request, by=procurement_staff())
    [line] = po.lines.all()
    assert line.unit_cost == Decimal("250.00") != product.price
    assert po.original_expected_date == po.expected_date


def test_pack_size_and_minimum_come_from_the_supplier_line(item):
    product, store, _own, other = item
    other.pack_size, other.minimum_order_quantity = 25, 100
    other.save()
    place_order(distributor=store, lines=[(product, 2)])
    request = ProcurementRequest.objects.get()
    assert (request.quantity, request.pack_size) == (100, 25)
    assert "minimum order of 100" in request.rule


def test_staff_switch_the_supplier_before_approving(item):
    product, store, own, other = item
    other.pack_size = 7
    other.save()
    place_order(distributor=store, lines=[(product, 2)])
    request = ProcurementRequest.objects.get()
    assert request.supplier_line == other and request.quantity == 35
    staff = procurement_staff()
    # Another product's line is refused.
    stranger = SupplierLine.objects.create(
        product=ProductFactory(), supplier=own.supplier, unit_cost=Decimal("1.00")
    )
    with pytest.raises(ValidationError):
        services.procurement_request_switch_supplier(
            request=request, supplier_line=stranger, by=staff
        )
    request = services.procurement_request_switch_supplier(
        request=request, supplier_line=own, by=staff
    )
    assert (request.supplier, request.quantity, request.unit_cost) == (
        own.supplier,
        30,
        Decimal("300.00"),
    )
    po = services.procurement_request_approve(request=request, by=staff)
    assert po.supplier == own.supplier and po.lines.get().unit_cost == Decimal("300.00")


def test_a_request_whose_line_lost_its_cost_is_not_approved(item):
    product, store, _own, other = item
    place_order(distributor=store, lines=[(product, 2)])
    SupplierLine.objects.filter(pk=other.pk).update(unit_cost=None)
    with pytest.raises(ValidationError, match="needs a supplier cost"):
        services.procurement_request_approve(
            request=ProcurementRequest.objects.get(), by=procurement_staff()
        )
    assert not PurchaseOrder.objects.exists()


def test_a_product_without_lines_gets_one_from_its_supplier_and_cost_price():
    store = DistributorFactory()
    product = ProductFactory(cost_price=Decimal("12.50"), reorder_level=10)
    StockItemFactory(product=product, distributor=store, on_hand=11)
    place_order(distributor=store, lines=[(product, 2)])
    line = SupplierLine.objects.get(product=product)
    assert (line.supplier, line.unit_cost) == (product.supplier, Decimal("12.50"))
    assert ProcurementRequest.objects.get().supplier_line == line


def test_the_screens_preview_picks_what_the_evaluation_picks(item):
    """supplier_choices_preview (the replenishment screen, read-only, two queries for a page)
    follows the same rule as supplier_choose: priority, then on-time rate, then cost."""
    from procurement.suppliers import supplier_choices_preview

    product, store, own, other = item
    pair = (product.pk, store.pk)

    def both():
        chosen = supplier_choose(product=product, distributor_id=store.pk).line
        return chosen, supplier_choices_preview([pair])[pair].line

    assert both() == (other, other)  # same priority, no history: the cheaper
    received_po(own.supplier, store, late=False)
    received_po(other.supplier, store, late=True)
    assert both() == (own, own)  # the better on-time rate before the cost
    SupplierLine.objects.filter(pk=other.pk).update(priority=1)
    assert both() == (other, other)  # priority first
    SupplierLine.objects.filter(product=product).update(unit_cost=None)
    preview = supplier_choices_preview([pair])[pair]
    assert preview.line is None and preview.reason == NotOrderedReason.NEEDS_SUPPLIER_COST
