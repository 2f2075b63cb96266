"""The reorder check: when it opens a request, with which quantity, and never two at once."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from catalog.tests.factories import ProductFactory
from inventory import services as inventory_services
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.tests.factories import place_order
from procurement import services
from procurement.models import ProcurementRequest, RequestStatus
from procurement.services import reorder_quantity_compute

from .factories import procurement_staff


def rule(**kw):
    base = {
        "available": 5,
        "reorder_quantity": 50,
        "order_up_to_level": None,
        "pack_size": 1,
        "minimum_order_quantity": 1,
    }
    return reorder_quantity_compute(**{**base, **kw})


def test_quantity_is_the_reorder_quantity_by_default():
    assert rule().quantity == 50
    assert rule().rule == "reorder quantity 50"


def test_order_up_to_level_wins_when_it_asks_for_more():
    result = rule(available=5, order_up_to_level=120)
    assert result.quantity == 115
    assert "up to 120 - available 5 = 115" in result.rule
    # ... and loses when topping up asks for less than the reorder quantity.
    assert rule(available=90, order_up_to_level=120).quantity == 50


def test_quantity_is_rounded_up_to_whole_packs():
    result = rule(reorder_quantity=50, pack_size=12)
    assert result.quantity == 60
    assert "5 packs of 12 = 60" in result.rule
    assert rule(reorder_quantity=48, pack_size=12).quantity == 48


def test_quantity_is_at_least_the_minimum_order_in_whole_packs():
    assert rule(reorder_quantity=10, minimum_order_quantity=100).quantity == 100
    result = rule(reorder_quantity=10, pack_size=12, minimum_order_quantity=100)
    assert result.quantity == 108  # 100 rounded up to 9 packs of 12
    assert "minimum order of 100" in result.rule


@pytest.mark.django_db
def test_incoming_units_count_as_available():
    distributor = DistributorFactory()
    product = ProductFactory(reorder_level=10, reorder_quantity=50, order_up_to_level=100)
    item = StockItemFactory(product=product, distributor=distributor, on_hand=12)
    place_order(distributor=distributor, lines=[(product, 4)])  # 8 left: low
    request = ProcurementRequest.objects.get()
    assert (request.on_hand, request.allocated, request.incoming, request.available) == (
        12,
        4,
        0,
        8,
    )
    assert request.quantity == 92  # up to 100 - 8
    services.procurement_request_approve(request=request, by=procurement_staff())

    # 92 are on their way: 8 - 2 + 92 is above the level, so nothing new opens.
    inventory_services.stock_adjust(stock_item=item, delta=-2, note="Damaged")
    assert ProcurementRequest.objects.count() == 1


@pytest.mark.django_db
def test_incoming_that_does_not_lift_above_the_level_opens_a_smaller_request():
    distributor = DistributorFactory()
    product = ProductFactory(reorder_level=50, reorder_quantity=10, order_up_to_level=100)
    item = StockItemFactory(product=product, distributor=distributor, on_hand=60)
    place_order(distributor=distributor, lines=[(product, 20)])  # 40: low
    first = ProcurementRequest.objects.get()
    assert first.quantity == 60
    services.procurement_request_approve(request=first, by=procurement_staff())
    # A big sale: 40 - 39 = 1 on hand + 60 incoming = 61 > 50: nothing.
    place_order(distributor=distributor, lines=[(product, 39)])
    assert ProcurementRequest.objects.count() == 1
    # Rejected stock on the shelf drops it to 1 - 1 + 60 = 60... still above. A manual
    # adjustment of the incoming PO's meaning: cancel the PO and the next change reorders.
    po = first.po_line.purchase_order
    services.purchase_order_cancel(purchase_order=po, by=procurement_staff(), reason="Wrong")
    inventory_services.stock_assign(product=product, distributor=distributor, quantity=1)
    inventory_services.stock_adjust(stock_item=item, delta=-1, note="Count")
    second = ProcurementRequest.objects.get(status=RequestStatus.OPEN)
    assert (second.on_hand, second.allocated, second.incoming, second.available) == (
        60,
        59,
        0,
        1,
    )
    assert second.quantity == 99


@pytest.mark.django_db
def test_stock_above_the_level_opens_nothing():
    distributor = DistributorFactory()
    product = ProductFactory(reorder_level=10)
    StockItemFactory(product=product, distributor=distributor, on_hand=30)
    place_order(distributor=distributor, lines=[(product, 19)])  # 11 left
    assert not ProcurementRequest.objects.exists()


@pytest.mark.django_db
def test_one_open_request_per_item_is_enforced_by_the_database():
    distributor = DistributorFactory()
    product = ProductFactory(reorder_level=10)
    StockItemFactory(product=product, distributor=distributor, on_hand=11)
    place_order(distributor=distributor, lines=[(product, 2)])
    first = ProcurementRequest.objects.get()
    copy = {
        f.attname: getattr(first, f.attname)
        for f in ProcurementRequest._meta.concrete_fields
        if f.name not in ("id", "number")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcurementRequest.objects.create(number="PR-TEST-1", **copy)
    # Bypassing save() (which keeps open_slot in step) is refused by the CHECK too.
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcurementRequest.objects.bulk_create(
            [ProcurementRequest(number="PR-TEST-2", **{**copy, "open_slot": None})]
        )
    # Closed requests do not hold the slot: many can exist beside the open one.
    for n in range(2):
        ProcurementRequest.objects.create(
            number=f"PR-TEST-C{n}", **{**copy, "status": RequestStatus.REJECTED}
        )
    assert ProcurementRequest.objects.filter(open_slot=True).count() == 1


@pytest.mark.django_db
def test_further_orders_while_a_request_is_open_add_none():
    distributor = DistributorFactory()
    product = ProductFactory(reorder_level=10)
    StockItemFactory(product=product, distributor=distributor, on_hand=20)
    for _ in range(5):
        place_order(distributor=distributor, lines=[(product, 2)])
    assert ProcurementRequest.objects.count() == 1
    request = ProcurementRequest.objects.get()
    assert (request.on_hand, request.allocated) == (20, 10)  # the first crossing


@pytest.mark.django_db
def test_a_request_rolls_back_with_the_order_that_opened_it():
    distributor = DistributorFactory()
    product = ProductFactory(reorder_level=10)
    StockItemFactory(product=product, distributor=distributor, on_hand=11)
    with pytest.raises(RuntimeError), transaction.atomic():
        place_order(distributor=distributor, lines=[(product, 5)])
        assert ProcurementRequest.objects.count() == 1
        raise RuntimeError("the caller's transaction fails")
    assert not ProcurementRequest.objects.exists()


@pytest.mark.django_db
def test_request_numbers_are_sequential_per_year():
    distributor = DistributorFactory()
    numbers = []
    for _ in range(3):
        product = ProductFactory(reorder_level=10, price=Decimal("5"))
        StockItemFactory(product=product, distributor=distributor, on_hand=10)
        place_order(distributor=distributor, lines=[(product, 1)])
    numbers = list(ProcurementRequest.objects.order_by("pk").values_list("number", flat=True))
    year = numbers[0].split("-")[1]
    assert numbers == [f"PR-{year}-0000{i}" for i in (1, 2, 3)]


@pytest.mark.django_db
def test_manual_request_uses_the_rule_or_a_given_quantity():
    staff = procurement_staff()
    distributor = DistributorFactory()
    product = ProductFactory(reorder_level=10, reorder_quantity=40, pack_size=6)
    StockItemFactory(product=product, distributor=distributor, on_hand=200)
    request = services.procurement_request_create(
        product=product, distributor=distributor, by=staff
    )
    assert request.trigger == "manual" and request.quantity == 42 and request.on_hand == 200
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.procurement_request_create(
            product=product, distributor=distributor, by=staff, quantity=5
        )
    assert request.number in str(info.value.message_dict["product"])
